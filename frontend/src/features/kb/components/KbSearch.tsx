import { CloseOutlined, DeleteOutlined, QuestionCircleOutlined, SearchOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Collapse, Descriptions, Empty, Flex, Form, Input, Popconfirm, Select, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import type { KbHit } from '@/api/types';
import { Markdown } from '@/components/Markdown';
import { describeError } from '@/lib/api-client';
import { useDeleteKbEntries } from '../api/delete-entries';
import { useSearchKb } from '../api/search';
import { byMatch, hitDocument, matchPercent } from '../search-results';

interface SearchValues {
  query: string;
  top_k: number;
}

const RESULT_COUNTS = [3, 5, 10, 20, 50];

/**
 * Search the knowledge base. `/kb?source=<document>&q=<text>` (the copilot's citation links) searches inside that
 * one document at once.
 */
export function KbSearch() {
  const { t } = useTranslation();
  const search = useSearchKb();
  const remove = useDeleteKbEntries();
  const { message } = App.useApp();
  const [form] = Form.useForm<SearchValues>();
  const [params, setParams] = useSearchParams();
  const source = params.get('source') || undefined;
  const [asked, setAsked] = useState('');
  const [deleted, setDeleted] = useState<Set<string>>(new Set());
  const results = byMatch((search.data?.results ?? []).filter((r) => !deleted.has(r.id)));

  const run = (query: string, topK: number, inSource: string | undefined) => {
    setDeleted(new Set());
    setAsked(query);
    search.mutate({ query, top_k: topK, ...(inSource ? { filter: { source: inSource } } : {}) });
  };

  // Opened from a citation: search that document for the cited text once.
  const opened = useRef<string | null>(null);
  useEffect(() => {
    const q = params.get('q')?.trim();
    const key = `${source ?? ''}\n${q ?? ''}`;
    if (!source || opened.current === key) return;
    opened.current = key;
    const query = (q || source).slice(0, 2000);
    form.setFieldsValue({ query });
    run(query, 10, source);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per citation link, not on every render
  }, [source, params]);

  const onFinish = (values: SearchValues) => run(values.query.trim(), values.top_k, source);

  const clearSource = () => {
    const next = new URLSearchParams(params);
    next.delete('source');
    next.delete('q');
    setParams(next, { replace: true });
  };

  const onDelete = (hit: KbHit) => {
    // Optimistic: hide it now, show it again if the API refuses.
    setDeleted((current) => new Set(current).add(hit.id));
    remove.mutate([hit.id], {
      onSuccess: () => message.success(t('kb.search.deleted')),
      onError: (error) => {
        setDeleted((current) => { const next = new Set(current); next.delete(hit.id); return next; });
        message.error(describeError(error));
      },
    });
  };

  return (
    <Card title={t('kb.search.title')}>
      <Form<SearchValues> form={form} name="kb-search" layout="inline" initialValues={{ top_k: 5 }} onFinish={onFinish} style={{ rowGap: 8 }}>
        <Form.Item name="query" label={t('kb.search.query')} rules={[{ required: true, whitespace: true, message: t('kb.search.queryRequired') }]} style={{ flex: 1, minWidth: 220 }}>
          <Input placeholder={t('kb.search.placeholder')} allowClear />
        </Form.Item>
        <Form.Item
          name="top_k"
          label={
            <Tooltip title={t('kb.search.resultsHint')}>
              <span>{t('kb.search.results')} <QuestionCircleOutlined aria-hidden /></span>
            </Tooltip>
          }
        >
          <Select aria-label={t('kb.search.results')} style={{ width: 80 }} options={RESULT_COUNTS.map((n) => ({ value: n, label: String(n) }))} />
        </Form.Item>
        <Button type="primary" htmlType="submit" icon={<SearchOutlined />} loading={search.isPending}>{t('kb.search.submit')}</Button>
      </Form>
      {source && (
        <Tag style={{ marginTop: 12, maxWidth: '100%', whiteSpace: 'normal' }} data-testid="kb-search-source">
          {t('kb.search.inDocument', { source })}{' '}
          <Button type="link" size="small" icon={<CloseOutlined />} onClick={clearSource} aria-label={t('kb.search.clearDocument')} />
        </Tag>
      )}
      <div style={{ marginTop: 16 }} aria-live="polite">
        {search.isError && <Alert type="error" showIcon role="alert" title={t('kb.search.failed')} description={describeError(search.error)} />}
        {search.isSuccess && results.length === 0 && (
          <Empty
            image={Empty.PRESENTED_IMAGE_SIMPLE}
            data-testid="kb-no-match"
            description={
              <Flex vertical gap={4}>
                <Typography.Text strong>{t('kb.search.noMatchTitle')}</Typography.Text>
                <Typography.Text>{t('kb.search.noMatch', { query: asked })}</Typography.Text>
              </Flex>
            }
          />
        )}
        {results.length > 0 && (
          <Typography.Paragraph style={{ color: '#595959', marginBottom: 8 }}>
            {t('kb.search.ordered')}{' '}
            <Tooltip title={t('kb.search.matchHint')}><QuestionCircleOutlined aria-label={t('kb.search.matchHint')} /></Tooltip>
          </Typography.Paragraph>
        )}
        <Flex vertical gap={12} data-testid="kb-results">
          {results.map((hit, index) => <Hit key={hit.id} hit={hit} rank={index + 1} onDelete={() => onDelete(hit)} />)}
        </Flex>
      </div>
    </Card>
  );
}

function Hit({ hit, rank, onDelete }: { hit: KbHit; rank: number; onDelete: () => void }) {
  const { t } = useTranslation();
  const [expanded, setExpanded] = useState(false);
  const doc = hitDocument(hit);
  const long = hit.content.length > 600;
  return (
    <Card
      size="small"
      data-testid="kb-hit"
      title={
        <Flex gap={8} align="center" wrap style={{ minWidth: 0 }}>
          <span>#{rank}</span>
          <Tooltip title={t('kb.search.matchHint')}>
            <Tag color="blue" data-testid="kb-hit-match">{t('kb.search.match', { percent: matchPercent(hit) })}</Tag>
          </Tooltip>
          <Typography.Text ellipsis style={{ minWidth: 0, flex: 1 }}>{doc.title ?? doc.source}</Typography.Text>
        </Flex>
      }
      extra={
        <Popconfirm title={t('kb.search.deleteConfirm')} okText={t('kb.search.delete')} okButtonProps={{ danger: true }} onConfirm={onDelete}>
          <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('kb.search.delete')} />
        </Popconfirm>
      }
    >
      <div style={{ maxHeight: expanded || !long ? undefined : 220, overflow: 'hidden' }}>
        <Markdown>{hit.content}</Markdown>
      </div>
      {long && (
        <Button type="link" size="small" style={{ padding: 0 }} onClick={() => setExpanded((v) => !v)} aria-expanded={expanded}>
          {expanded ? t('kb.search.less') : t('kb.search.more')}
        </Button>
      )}
      <Collapse
        ghost
        size="small"
        items={[{
          key: 'details',
          label: t('kb.search.details'),
          children: (
            <Descriptions
              size="small"
              column={1}
              items={[
                { key: 'id', label: t('kb.search.id'), children: <Typography.Text code>{hit.id}</Typography.Text> },
                {
                  key: 'metadata',
                  label: t('kb.search.metadata'),
                  children: (
                    <Flex wrap gap={4}>
                      {Object.entries(hit.metadata ?? {}).map(([k, v]) => <Tag key={k} style={{ whiteSpace: 'normal' }}>{k}: {typeof v === 'string' ? v : JSON.stringify(v)}</Tag>)}
                    </Flex>
                  ),
                },
              ]}
            />
          ),
        }]}
      />
    </Card>
  );
}
