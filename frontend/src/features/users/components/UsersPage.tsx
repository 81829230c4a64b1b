import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Flex, Select, Skeleton, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { Role, User } from '@/api/types';
import { ROLES } from '@/api/types';
import { EmptyState, ErrorState } from '@/components/states';
import { formatDateTime, humanize } from '@/lib/format';
import { useAuth } from '@/lib/auth';
import { useUsers } from '@/api/users/get-users';
import { CreateUserModal } from './CreateUserModal';
import { RoleTag } from './RoleTag';

export default function UsersPage() {
  const { user: me } = useAuth();
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const roleParam = search.get('role');
  const role = ROLES.includes(roleParam as Role) ? (roleParam as Role) : undefined;
  const page = Math.max(1, Number(search.get('page')) || 1);
  const users = useUsers({ role, page, page_size: 20 });
  const [creating, setCreating] = useState(false);

  const setParams = (next: { role?: Role; page?: number }) => {
    const params = new URLSearchParams();
    if (next.role) params.set('role', next.role);
    if (next.page && next.page > 1) params.set('page', String(next.page));
    setSearch(params);
  };

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={2} style={{ margin: 0 }}>Users</Typography.Title>
        <Flex gap={8}>
          <Button icon={<ReloadOutlined spin={users.isFetching && !users.isLoading} />} onClick={() => void users.refetch()}>Refresh</Button>
          {me?.role === 'admin' && <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>New User</Button>}
        </Flex>
      </Flex>
      <Select
        aria-label="Filter by role"
        placeholder="Any role"
        allowClear
        style={{ width: 180 }}
        value={role}
        onChange={(value?: Role) => setParams({ role: value })}
        options={ROLES.map((r) => ({ value: r, label: humanize(r) }))}
      />
      {users.isError && <ErrorState error={users.error} onRetry={() => void users.refetch()} />}
      {users.isLoading ? (
        <Skeleton active paragraph={{ rows: 8 }} />
      ) : (
        !users.isError && (
          <Table<User>
            rowKey="id"
            size="middle"
            dataSource={users.data?.items ?? []}
            loading={users.isFetching && users.isPlaceholderData}
            scroll={{ x: 640 }}
            locale={{ emptyText: <EmptyState description={role ? `No ${role}s yet.` : 'No users yet.'} /> }}
            onRow={(user) => ({ onClick: () => navigate(`/users/${user.id}`), style: { cursor: 'pointer' } })}
            columns={[
              { title: 'ID', dataIndex: 'id', width: 80, render: (id: number) => <Typography.Text type="secondary">#{id}</Typography.Text> },
              { title: 'Name', dataIndex: 'name', render: (name: string, user) => <Link to={`/users/${user.id}`} onClick={(e) => e.stopPropagation()}>{name}</Link> },
              { title: 'E-mail', dataIndex: 'email', ellipsis: true },
              { title: 'Role', dataIndex: 'role', width: 120, render: (r: Role) => <RoleTag role={r} /> },
              { title: 'Created', dataIndex: 'created_at', width: 190, responsive: ['md'], render: (at: string) => formatDateTime(at) },
            ]}
            pagination={{
              current: page,
              pageSize: 20,
              total: users.data?.total ?? undefined,
              showSizeChanger: false,
              showTotal: (total) => `${total} user${total === 1 ? '' : 's'}`,
              onChange: (next) => setParams({ role, page: next }),
            }}
          />
        )
      )}
      <CreateUserModal open={creating} onClose={() => setCreating(false)} />
    </Flex>
  );
}
