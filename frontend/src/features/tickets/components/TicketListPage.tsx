import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Flex, Grid, Skeleton, Table, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { Ticket } from '@/api/types';
import { PriorityTag, StatusTag, TagChips } from '@/components/chips';
import { EmptyState, ErrorState } from '@/components/states';
import { formatDateTime, formatNumber, formatRelative } from '@/lib/format';
import { useAuth } from '@/lib/auth';
import { usePageTitle } from '@/lib/page-title';
import { SlaChip } from '@/components/sla/SlaChip';
import { useUserDirectory } from '@/api/users/get-users';
import { useTickets } from '@/api/tickets/get-tickets';
import { hasFilters, NO_FILTERS, PAGE_SIZES, parseListParams, toApiQuery, toSearchParams, withFilter, type TicketListParams } from '../list-params';
import { TicketFilters } from './TicketFilters';

/**
 * The ticket list. Layout: the title row with the list's actions (`data-slot="list-actions"`), the filters
 * row (`data-slot="list-filters"`), then the table. Below 768 px the table has one column that keeps the
 * title whole and puts the status, priority, SLA and assignee under it, so nothing scrolls sideways.
 */
export default function TicketListPage() {
  const { t } = useTranslation();
  usePageTitle(t('tickets.list.title'));
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const params = parseListParams(search);
  const tickets = useTickets(toApiQuery(params));
  const directory = useUserDirectory();
  const { user } = useAuth();
  const phone = Grid.useBreakpoint().md === false;
  const setParams = (next: TicketListParams) => setSearch(toSearchParams(next));

  const assigneeName = (id: number | null) =>
    id === null ? t('common.unassigned') : id === user?.id ? t('tickets.list.me') : directory.data?.byId.get(id)?.name ?? `#${id}`;
  const titleLink = (ticket: Ticket) => <Link to={`/tickets/${ticket.id}`} onClick={(e) => e.stopPropagation()}>{ticket.title}</Link>;

  const desktop: ColumnsType<Ticket> = [
    { title: t('tickets.list.id'), dataIndex: 'id', width: 72, render: (id: number) => <Typography.Text type="secondary">#{id}</Typography.Text> },
    { title: t('tickets.list.colTitle'), dataIndex: 'title', ellipsis: true, render: (_: string, ticket) => titleLink(ticket) },
    { title: t('common.ticketForm.status'), dataIndex: 'status', width: 112, render: (status: Ticket['status']) => <StatusTag status={status} /> },
    { title: t('common.ticketForm.priority'), dataIndex: 'priority', width: 92, render: (priority: Ticket['priority']) => <PriorityTag priority={priority} /> },
    { title: t('tickets.list.sla'), key: 'sla', width: 130, render: (_: unknown, ticket) => <SlaChip ticket={ticket} /> },
    {
      title: t('common.assignee.label'),
      dataIndex: 'assignee_id',
      width: 150,
      ellipsis: true,
      responsive: ['lg'],
      render: (id: number | null) => (id === null ? <Typography.Text type="secondary">{assigneeName(id)}</Typography.Text> : assigneeName(id)),
    },
    { title: t('common.ticketForm.tags'), dataIndex: 'tags', width: 180, render: (tags: string[]) => <TagChips tags={tags} />, responsive: ['xl'] },
    {
      title: t('common.ticketForm.requester'),
      dataIndex: 'requester_id',
      width: 170,
      ellipsis: true,
      responsive: ['xxl'],
      render: (id: number) => directory.data?.byId.get(id)?.name ?? `#${id}`,
    },
    {
      title: t('tickets.list.created'),
      dataIndex: 'created_at',
      width: 130,
      render: (at: string) => <Tooltip title={formatDateTime(at)}><span>{formatRelative(at)}</span></Tooltip>,
    },
  ];
  const narrow: ColumnsType<Ticket> = [
    {
      title: t('tickets.list.colTitle'),
      key: 'ticket',
      render: (_: unknown, ticket) => (
        <Flex vertical gap={4} style={{ minWidth: 0 }}>
          <span style={{ overflowWrap: 'anywhere', fontWeight: 500 }}>{titleLink(ticket)}</span>
          <Flex gap={4} wrap align="center">
            <Typography.Text type="secondary">#{ticket.id}</Typography.Text>
            <StatusTag status={ticket.status} />
            <PriorityTag priority={ticket.priority} />
            <SlaChip ticket={ticket} />
          </Flex>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {assigneeName(ticket.assignee_id)} · <span title={formatDateTime(ticket.created_at)}>{formatRelative(ticket.created_at)}</span>
          </Typography.Text>
        </Flex>
      ),
    },
  ];

  const filtered = hasFilters(params);
  const empty = filtered ? (
    <EmptyState
      description={t('tickets.list.noMatch')}
      action={<Button onClick={() => setParams(withFilter(params, NO_FILTERS))}>{t('tickets.filters.clear')}</Button>}
    />
  ) : (
    <EmptyState description={t('tickets.list.none')} action={<Link to="/tickets/new"><Button type="primary">{t('tickets.list.createFirst')}</Button></Link>} />
  );

  return (
    <Flex vertical gap={16} style={{ minWidth: 0 }}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={2} style={{ margin: 0 }}>{t('tickets.list.title')}</Typography.Title>
        <Flex gap={8} wrap data-slot="list-actions">
          <Button icon={<ReloadOutlined spin={tickets.isFetching && !tickets.isLoading} />} onClick={() => void tickets.refetch()}>{t('tickets.list.refresh')}</Button>
          <Link to="/tickets/new"><Button type="primary" icon={<PlusOutlined />}>{t('tickets.list.new')}</Button></Link>
        </Flex>
      </Flex>
      <Flex vertical gap={8} data-slot="list-filters" style={{ minWidth: 0 }}>
        <TicketFilters params={params} onChange={setParams} meId={user?.id} />
      </Flex>
      {tickets.isError && <ErrorState error={tickets.error} onRetry={() => void tickets.refetch()} />}
      {tickets.isLoading ? (
        <Skeleton active paragraph={{ rows: 8 }} />
      ) : (
        !tickets.isError && (
          <Table<Ticket>
            rowKey="id"
            size="middle"
            columns={phone ? narrow : desktop}
            dataSource={tickets.data?.items ?? []}
            loading={tickets.isFetching && tickets.isPlaceholderData}
            locale={{ emptyText: empty }}
            scroll={phone ? undefined : { x: 900 }}
            onRow={(ticket) => ({ onClick: () => navigate(`/tickets/${ticket.id}`), style: { cursor: 'pointer' } })}
            pagination={{
              current: params.page,
              pageSize: params.pageSize,
              total: tickets.data?.total ?? undefined,
              showSizeChanger: !phone,
              simple: phone,
              pageSizeOptions: PAGE_SIZES.map(String),
              showTotal: phone ? undefined : (total) => t('tickets.list.total', { count: total, formatted: formatNumber(total) }),
              onChange: (page, pageSize) => setParams({ ...params, page: pageSize === params.pageSize ? page : 1, pageSize }),
            }}
          />
        )
      )}
    </Flex>
  );
}
