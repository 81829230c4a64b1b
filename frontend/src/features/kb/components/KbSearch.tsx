import { DeleteOutlined, SearchOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Flex, Form, Input, InputNumber, Popconfirm, Tag, Typography } from 'antd';
import { useState } from 'react';
import type { KbHit } from '@/api/types';
import { EmptyState } from '@/components/states';
import { describeError } from '@/lib/api-client';
import { useDeleteKbEntries } from '../api/delete-entries';
import { useSearchKb } from '../api/search';

interface SearchValues {
  query: string;
  top_k: number;
}

export function KbSearch() {
  const search = useSearchKb();
  const remove = useDeleteKbEntries();
  const { message } = App.useApp();
  const [deleted, setDeleted] = useState<Set<string>>(new Set());
  const results = (search.data?.results ?? []).filter((r) => !deleted.has(r.id));

  const onFinish = (values: SearchValues) => {
    setDeleted(new Set());
    search.mutate({ query: values.query.trim(), top_k: values.top_k });
  };

  const onDelete = (snippet: KbHit) => {
    // Optimistic: hide it now, show it again if the API refuses.
    setDeleted((current) => new Set(current).add(snippet.id));
    remove.mutate([snippet.id], {
      onSuccess: () => message.success('Entry deleted from the knowledge base'),
      onError: (error) => {
        setDeleted((current) => { const next = new Set(current); next.delete(snippet.id); return next; });
        message.error(describeError(error));
      },
    });
  };

  return (
    <Card title="Search">
      <Form<SearchValues> name="kb-search" layout="inline" initialValues={{ top_k: 5 }} onFinish={onFinish} style={{ rowGap: 8 }}>
        <Form.Item name="query" label="Query" rules={[{ required: true, whitespace: true, message: 'Type what to look for' }]} style={{ flex: 1, minWidth: 260 }}>
          <Input placeholder="e.g. reset VPN password" allowClear />
        </Form.Item>
        <Form.Item name="top_k" label="Top-K" rules={[{ required: true, message: 'Required' }]}>
          <InputNumber min={1} max={50} style={{ width: 80 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" icon={<SearchOutlined />} loading={search.isPending}>Search</Button>
      </Form>
      <div style={{ marginTop: 16 }} aria-live="polite">
        {search.isError && <Alert type="error" showIcon role="alert" title="Search failed" description={describeError(search.error)} />}
        {search.isSuccess && results.length === 0 && <EmptyState description="No matching entries. Try other words, or import documents first." />}
        <Flex vertical gap={12} data-testid="kb-results">
          {results.map((snippet, index) => (
            <Card
              key={snippet.id}
              size="small"
              title={<span>#{index + 1} <Typography.Text type="secondary">distance {snippet.distance.toFixed(4)}</Typography.Text></span>}
              extra={
                <Popconfirm title="Delete this entry from the knowledge base?" okText="Delete" okButtonProps={{ danger: true }} onConfirm={() => onDelete(snippet)}>
                  <Button size="small" danger icon={<DeleteOutlined />}>Delete</Button>
                </Popconfirm>
              }
            >
              <Typography.Paragraph ellipsis={{ rows: 4, expandable: true, symbol: 'more' }} style={{ whiteSpace: 'pre-wrap' }}>
                {snippet.content}
              </Typography.Paragraph>
              <Descriptions
                size="small"
                column={1}
                items={[
                  { key: 'id', label: 'ID', children: <Typography.Text code>{snippet.id}</Typography.Text> },
                  {
                    key: 'metadata',
                    label: 'Metadata',
                    children: (
                      <Flex wrap gap={4}>
                        {Object.entries(snippet.metadata ?? {}).map(([k, v]) => <Tag key={k}>{k}: {typeof v === 'string' ? v : JSON.stringify(v)}</Tag>)}
                      </Flex>
                    ),
                  },
                ]}
              />
            </Card>
          ))}
        </Flex>
      </div>
    </Card>
  );
}
