import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Flex, Skeleton, Table, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { Ticket } from '@/api/types';
import { PriorityTag, StatusTag, TagChips } from '@/components/chips';
import { EmptyState, ErrorState } from '@/components/states';
import { formatDateTime, formatRelative } from '@/lib/format';
import { useAuth } from '@/lib/auth';
import { SlaChip } from '@/components/sla/SlaChip';
import { useUserDirectory } from '@/api/users/get-users';
import { useTickets } from '@/api/tickets/get-tickets';
import { hasFilters, NO_FILTERS, PAGE_SIZES, parseListParams, toApiQuery, toSearchParams, withFilter, type TicketListParams } from '../list-params';
import { TicketFilters } from './TicketFilters';

export default function TicketListPage() {
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const params = parseListParams(search);
  const tickets = useTickets(toApiQuery(params));
  const directory = useUserDirectory();
  const { user } = useAuth();
  const setParams = (next: TicketListParams) => setSearch(toSearchParams(next));

  const columns: ColumnsType<Ticket> = [
    { title: 'ID', dataIndex: 'id', width: 72, render: (id: number) => <Typography.Text type="secondary">#{id}</Typography.Text> },
    {
      title: 'Title',
      dataIndex: 'title',
      ellipsis: true,
      render: (title: string, ticket) => <Link to={`/tickets/${ticket.id}`} onClick={(e) => e.stopPropagation()}>{title}</Link>,
    },
    { title: 'Status', dataIndex: 'status', width: 112, render: (status: Ticket['status']) => <StatusTag status={status} /> },
    { title: 'Priority', dataIndex: 'priority', width: 92, render: (priority: Ticket['priority']) => <PriorityTag priority={priority} /> },
    { title: 'SLA', key: 'sla', width: 130, render: (_: unknown, ticket) => <SlaChip ticket={ticket} /> },
    {
      title: 'Assignee',
      dataIndex: 'assignee_id',
      width: 150,
      ellipsis: true,
      responsive: ['md'],
      render: (id: number | null) =>
        id === null ? <Typography.Text type="secondary">Unassigned</Typography.Text> : id === user?.id ? 'Me' : directory.data?.byId.get(id)?.name ?? `#${id}`,
    },
    { title: 'Tags', dataIndex: 'tags', width: 180, render: (tags: string[]) => <TagChips tags={tags} />, responsive: ['xl'] },
    {
      title: 'Requester',
      dataIndex: 'requester_id',
      width: 170,
      ellipsis: true,
      responsive: ['xxl'],
      render: (id: number) => directory.data?.byId.get(id)?.name ?? `#${id}`,
    },
    {
      title: 'Created',
      dataIndex: 'created_at',
      width: 130,
      render: (at: string) => <Tooltip title={formatDateTime(at)}><span>{formatRelative(at)}</span></Tooltip>,
    },
  ];

  const filtered = hasFilters(params);
  const empty = filtered ? (
    <EmptyState
      description="No tickets match these filters."
      action={<Button onClick={() => setParams(withFilter(params, NO_FILTERS))}>Clear filters</Button>}
    />
  ) : (
    <EmptyState description="No tickets yet." action={<Link to="/tickets/new"><Button type="primary">Create the first ticket</Button></Link>} />
  );

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={2} style={{ margin: 0 }}>Tickets</Typography.Title>
        <Flex gap={8}>
          <Button icon={<ReloadOutlined spin={tickets.isFetching && !tickets.isLoading} />} onClick={() => void tickets.refetch()}>Refresh</Button>
          <Link to="/tickets/new"><Button type="primary" icon={<PlusOutlined />}>New Ticket</Button></Link>
        </Flex>
      </Flex>
      <TicketFilters params={params} onChange={setParams} meId={user?.id} />
      {tickets.isError && <ErrorState error={tickets.error} onRetry={() => void tickets.refetch()} />}
      {tickets.isLoading ? (
        <Skeleton active paragraph={{ rows: 8 }} />
      ) : (
        !tickets.isError && (
          <Table<Ticket>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={tickets.data?.items ?? []}
            loading={tickets.isFetching && tickets.isPlaceholderData}
            locale={{ emptyText: empty }}
            scroll={{ x: 900 }}
            onRow={(ticket) => ({ onClick: () => navigate(`/tickets/${ticket.id}`), style: { cursor: 'pointer' } })}
            pagination={{
              current: params.page,
              pageSize: params.pageSize,
              total: tickets.data?.total ?? undefined,
              showSizeChanger: true,
              pageSizeOptions: PAGE_SIZES.map(String),
              showTotal: (total) => `${total} ticket${total === 1 ? '' : 's'}`,
              onChange: (page, pageSize) => setParams({ ...params, page: pageSize === params.pageSize ? page : 1, pageSize }),
            }}
          />
        )
      )}
    </Flex>
  );
}
