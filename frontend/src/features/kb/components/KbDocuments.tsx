import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Table, Typography } from 'antd';
import type { InfiniteData, UseInfiniteQueryResult } from '@tanstack/react-query';
import type { KbDocument, KbDocumentPage } from '@/api/types';
import { EmptyState, ErrorState } from '@/components/states';
import { isApiError } from '@/lib/api-client';

interface Props {
  documents: UseInfiniteQueryResult<InfiniteData<KbDocumentPage>>;
}

export function KbDocuments({ documents }: Props) {
  const missing = isApiError(documents.error) && documents.error.routeMissing;
  const rows = documents.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Card
      title="Documents"
      extra={<Button size="small" icon={<ReloadOutlined spin={documents.isFetching} />} onClick={() => void documents.refetch()}>Refresh</Button>}
    >
      {documents.isError && !missing ? (
        <ErrorState error={documents.error} onRetry={() => void documents.refetch()} />
      ) : (
        <Flex vertical gap={12}>
          <Table<KbDocument>
            rowKey={(doc) => doc.source}
            size="small"
            loading={documents.isLoading}
            dataSource={rows}
            pagination={false}
            locale={{ emptyText: <EmptyState description={missing ? 'Not available on this server yet.' : 'No documents yet. Import one above.'} /> }}
            columns={[
              { title: 'Source', dataIndex: 'source', ellipsis: true },
              { title: 'Title', dataIndex: 'title', ellipsis: true, render: (title: KbDocument['title']) => title ?? '' },
              { title: 'Chunks', dataIndex: 'chunk_count', width: 100 },
            ]}
          />
          {rows.length > 0 && (
            <Flex align="center" justify="space-between">
              <Typography.Text type="secondary">
                {documents.hasNextPage ? `Showing the first ${rows.length} documents` : `${rows.length} documents`}
              </Typography.Text>
              {documents.hasNextPage && (
                <Button loading={documents.isFetchingNextPage} onClick={() => void documents.fetchNextPage()}>Load more</Button>
              )}
            </Flex>
          )}
        </Flex>
      )}
    </Card>
  );
}
