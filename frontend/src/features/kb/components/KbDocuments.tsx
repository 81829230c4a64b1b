import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Table } from 'antd';
import type { UseQueryResult } from '@tanstack/react-query';
import type { KbDocument } from '@/api/pending-contracts';
import { EmptyState, ErrorState } from '@/components/states';
import { isApiError } from '@/lib/api-client';

export function KbDocuments({ documents }: { documents: UseQueryResult<KbDocument[]> }) {
  const missing = isApiError(documents.error) && documents.error.routeMissing;
  return (
    <Card
      title="Documents"
      extra={<Button size="small" icon={<ReloadOutlined spin={documents.isFetching} />} onClick={() => void documents.refetch()}>Refresh</Button>}
    >
      {documents.isError && !missing ? (
        <ErrorState error={documents.error} onRetry={() => void documents.refetch()} />
      ) : (
        <Table<KbDocument>
          rowKey={(doc) => doc.source}
          size="small"
          loading={documents.isLoading}
          dataSource={documents.data ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          locale={{ emptyText: <EmptyState description={missing ? 'Not available on this server yet.' : 'No documents yet. Import one above.'} /> }}
          columns={[
            { title: 'Source', dataIndex: 'source', ellipsis: true },
            { title: 'Title', dataIndex: 'title', ellipsis: true, render: (title?: string | null) => title ?? '' },
            { title: 'Chunks', dataIndex: 'chunks', width: 100 },
          ]}
        />
      )}
    </Card>
  );
}
