import { LeftOutlined, QuestionCircleOutlined, ReloadOutlined, RightOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Flex, Table, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { KbDocument } from '@/api/types';
import { EmptyState, ErrorState } from '@/components/states';
import { isApiError } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { useKbDocuments } from '../api/get-documents';

const STATE_BADGE: Record<string, 'success' | 'processing' | 'error'> = { ready: 'success', ingesting: 'processing', failed: 'error' };

/** The ingested documents, a page at a time (the API pages with signed cursors: Previous goes back through them). */
export function KbDocuments() {
  const { t } = useTranslation();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const documents = useKbDocuments(cursor);
  const missing = isApiError(documents.error) && documents.error.routeMissing;
  const rows = documents.data?.items ?? [];
  const next = documents.data?.next_cursor ?? null;
  const page = cursors.length;
  const state = (status: string) => (['ready', 'ingesting', 'failed'].includes(status) ? t(`kb.documents.state.${status}`) : status);

  return (
    <Card
      title={t('kb.documents.title')}
      extra={
        <Button size="small" icon={<ReloadOutlined spin={documents.isFetching} />} onClick={() => void documents.refetch()}>
          {t('kb.documents.refresh')}
        </Button>
      }
    >
      {documents.isError && !missing ? (
        <ErrorState error={documents.error} onRetry={() => void documents.refetch()} />
      ) : (
        <Flex vertical gap={12}>
          <Table<KbDocument>
            rowKey={(doc) => doc.source}
            size="small"
            tableLayout="fixed"
            loading={documents.isLoading || (documents.isPlaceholderData && documents.isFetching)}
            dataSource={rows}
            pagination={false}
            data-testid="kb-documents"
            locale={{ emptyText: <EmptyState description={missing ? t('kb.documents.unavailable') : t('kb.documents.empty')} /> }}
            columns={[
              { title: t('kb.documents.source'), dataIndex: 'source', ellipsis: true },
              {
                title: t('kb.documents.docTitle'), dataIndex: 'title', ellipsis: true, responsive: ['md'],
                render: (title: KbDocument['title']) => title ?? '',
              },
              {
                title: (
                  <Tooltip title={t('kb.documents.chunksHint')}>
                    <span>{t('kb.documents.chunks')} <QuestionCircleOutlined aria-label={t('kb.documents.chunksHint')} /></span>
                  </Tooltip>
                ),
                dataIndex: 'chunk_count',
                width: 110,
                align: 'right',
              },
              {
                title: t('kb.documents.status'), dataIndex: 'status', width: 110, responsive: ['sm'],
                render: (status: string, doc) => (
                  <Tooltip title={doc.error ?? undefined}><Badge status={STATE_BADGE[status] ?? 'default'} text={state(status)} /></Tooltip>
                ),
              },
              {
                title: t('kb.documents.updated'), dataIndex: 'updated_at', width: 180, responsive: ['lg'],
                render: (updated: KbDocument['updated_at']) => formatDateTime(updated),
              },
            ]}
          />
          {(page > 1 || next) && (
            <Flex align="center" justify="flex-end" gap={8} data-testid="kb-documents-pager">
              <Button
                icon={<LeftOutlined />}
                aria-label={t('kb.documents.previous')}
                disabled={page === 1}
                onClick={() => setCursors((stack) => stack.slice(0, -1))}
              />
              <Typography.Text>{t('kb.documents.page', { page })}</Typography.Text>
              <Button
                icon={<RightOutlined />}
                aria-label={t('kb.documents.next')}
                disabled={!next || documents.isPlaceholderData}
                onClick={() => next && setCursors((stack) => [...stack, next])}
              />
            </Flex>
          )}
        </Flex>
      )}
    </Card>
  );
}
