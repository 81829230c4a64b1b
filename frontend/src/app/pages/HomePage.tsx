import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Col, Flex, Row, Skeleton, Statistic, Tooltip, Typography } from 'antd';
import { Link } from 'react-router-dom';
import type { Ticket } from '@/api/types';
import { PriorityTag, StatusTag } from '@/components/chips';
import { EmptyState, ErrorState } from '@/components/states';
import { formatRelative } from '@/lib/format';
import { useAuth } from '@/lib/auth';
import { useSummary } from '@/features/dashboard/api/get-summary';
import { lastDays } from '@/features/dashboard/summary';
import { SlaChip } from '@/components/sla/SlaChip';
import { useTicketCount, useTickets } from '@/api/tickets/get-tickets';

function CountCard({ title, to, count }: { title: string; to: string; count: ReturnType<typeof useTicketCount> }) {
  return (
    <Card style={{ height: '100%' }}>
      <Link to={to} aria-label={`${title}: open the list`}>
        <Statistic title={title} value={count.data ?? undefined} loading={count.isLoading} formatter={count.isError ? () => '—' : undefined} />
      </Link>
    </Card>
  );
}

function TicketList({ query, empty }: { query: ReturnType<typeof useTickets>; empty: React.ReactNode }) {
  if (query.isLoading) return <Skeleton active paragraph={{ rows: 4 }} />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const items = query.data?.items ?? [];
  if (items.length === 0) return <>{empty}</>;
  // A plain list: antd's List is deprecated in 6.x and warns in the console when it renders items.
  return (
    <ul aria-label="Tickets" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
      {items.map((t: Ticket, index) => (
        <li key={t.id} style={{ padding: '12px 0', borderTop: index ? '1px solid #f0f0f0' : undefined }}>
          <Flex gap={8} align="center" justify="space-between" wrap>
            <Flex gap={8} align="center" wrap style={{ minWidth: 0 }}>
              <Typography.Text type="secondary">#{t.id}</Typography.Text>
              <Link to={`/tickets/${t.id}`}>{t.title}</Link>
              <StatusTag status={t.status} />
              <PriorityTag priority={t.priority} />
              <SlaChip ticket={t} />
            </Flex>
            <Typography.Text type="secondary">{formatRelative(t.created_at)}</Typography.Text>
          </Flex>
        </li>
      ))}
    </ul>
  );
}

export default function HomePage() {
  const { user } = useAuth();
  const open = useTicketCount({ status: 'open' });
  const inProgress = useTicketCount({ status: 'in_progress' });
  const unassigned = useTicketCount({ status: 'open', assignee_id: 'none' });
  const mine = useTickets({ assignee_id: user?.id, page_size: 5 });
  const newest = useTickets({ status: 'open', page_size: 5 });
  // The dashboard's own query (same key for its default range), so opening the dashboard next is instant.
  const summary = useSummary(lastDays(30));
  const breaches = summary.data?.breaches;

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={2} style={{ margin: 0 }}>Today’s queue</Typography.Title>
        <Link to="/tickets/new"><Button type="primary" icon={<PlusOutlined />}>New Ticket</Button></Link>
      </Flex>
      <Row gutter={[16, 16]}>
        <Col xs={12} lg={6}><CountCard title="Open" to="/tickets?status=open" count={open} /></Col>
        <Col xs={12} lg={6}><CountCard title="In progress" to="/tickets?status=in_progress" count={inProgress} /></Col>
        <Col xs={12} lg={6}><CountCard title="Open and unassigned" to="/tickets?status=open&assignee=none" count={unassigned} /></Col>
        <Col xs={12} lg={6}>
          <Card style={{ height: '100%' }}>
            <Link to="/dashboard" aria-label="SLA breaches: open the dashboard">
              <Tooltip title={breaches ? `First response: ${breaches.firstResponse} · Resolution: ${breaches.resolution}` : undefined}>
                <Statistic
                  title="SLA breached (last 30 days)"
                  value={breaches?.total}
                  loading={summary.isLoading}
                  formatter={summary.isError ? () => '—' : undefined}
                  styles={breaches && breaches.total > 0 ? { content: { color: '#cf1322' } } : undefined}
                />
              </Tooltip>
            </Link>
          </Card>
        </Col>
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title="My recent tickets" extra={<Link to={user ? `/tickets?assignee=${user.id}` : '/tickets'}>All my tickets</Link>}>
            <TicketList query={mine} empty={<EmptyState description="Nothing is assigned to you. Pick a ticket from the open queue." />} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title="Newest open tickets" extra={<Link to="/tickets?status=open">Open queue</Link>}>
            <TicketList query={newest} empty={<EmptyState description="No open tickets. The queue is clear." />} />
          </Card>
        </Col>
      </Row>
    </Flex>
  );
}
