import { ArrowLeftOutlined } from '@ant-design/icons';
import { Breadcrumb, Button, Card, Descriptions, Flex, Skeleton, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { Ticket } from '@/api/types';
import { PriorityTag, StatusTag, TagChips } from '@/components/chips';
import { EmptyState, ErrorState, NotFoundState } from '@/components/states';
import { isApiError } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { useTickets } from '@/api/tickets/get-tickets';
import { useUser } from '@/api/users/get-user';
import { RoleTag } from './RoleTag';

export default function UserDetailPage() {
  const userId = Number(useParams().userId);
  const user = useUser(userId);
  const navigate = useNavigate();
  const [page, setPage] = useState(1);
  const tickets = useTickets({ requester_id: userId, page, page_size: 10 });
  const assigned = useTickets({ assignee_id: userId, page_size: 1 });

  if (user.isError && isApiError(user.error) && user.error.status === 404) {
    return <NotFoundState what="User" action={<Link to="/users"><Button type="primary">Back to users</Button></Link>} />;
  }
  if (user.isLoading) return <Skeleton active paragraph={{ rows: 8 }} />;
  if (user.isError || !user.data) return <ErrorState error={user.error} onRetry={() => void user.refetch()} />;
  const u = user.data;

  return (
    <Flex vertical gap={16}>
      <Breadcrumb items={[{ title: <Link to="/users"><ArrowLeftOutlined /> Users</Link> }, { title: u.name }]} />
      <Typography.Title level={2} style={{ margin: 0 }}>{u.name}</Typography.Title>
      <Card>
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 2, lg: 3 }}
          items={[
            { key: 'email', label: 'E-mail', children: u.email },
            { key: 'role', label: 'Role', children: <RoleTag role={u.role} /> },
            { key: 'id', label: 'ID', children: `#${u.id}` },
            { key: 'created', label: 'Created', children: formatDateTime(u.created_at) },
            { key: 'assigned', label: 'Assigned tickets', children: assigned.data?.total ?? '…' },
          ]}
        />
      </Card>
      <Card title={`Tickets requested by ${u.name}`} extra={<Link to={`/tickets?requester=${u.id}`}>Open in ticket list</Link>}>
        {tickets.isError ? (
          <ErrorState error={tickets.error} onRetry={() => void tickets.refetch()} />
        ) : (
          <Table<Ticket>
            rowKey="id"
            size="small"
            loading={tickets.isLoading}
            dataSource={tickets.data?.items ?? []}
            locale={{ emptyText: <EmptyState description={`${u.name} has not opened any tickets.`} /> }}
            onRow={(t) => ({ onClick: () => navigate(`/tickets/${t.id}`), style: { cursor: 'pointer' } })}
            scroll={{ x: 600 }}
            columns={[
              { title: 'ID', dataIndex: 'id', width: 80, render: (id: number) => `#${id}` },
              { title: 'Title', dataIndex: 'title', ellipsis: true, render: (title: string, t) => <Link to={`/tickets/${t.id}`}>{title}</Link> },
              { title: 'Status', dataIndex: 'status', width: 120, render: (s: Ticket['status']) => <StatusTag status={s} /> },
              { title: 'Priority', dataIndex: 'priority', width: 100, render: (p: Ticket['priority']) => <PriorityTag priority={p} /> },
              { title: 'Tags', dataIndex: 'tags', responsive: ['lg'], render: (tags: string[]) => <TagChips tags={tags} /> },
              { title: 'Created', dataIndex: 'created_at', width: 180, render: (at: string) => formatDateTime(at) },
            ]}
            pagination={{ current: page, pageSize: 10, total: tickets.data?.total ?? undefined, onChange: setPage, showSizeChanger: false }}
          />
        )}
      </Card>
    </Flex>
  );
}
