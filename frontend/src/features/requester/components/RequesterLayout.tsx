import { CustomerServiceOutlined, LogoutOutlined } from '@ant-design/icons';
import { Button, Layout, Space, Typography } from 'antd';
import { Link, Outlet } from 'react-router-dom';
import { useAuth } from '@/lib/auth';

/** The requester's console: their own tickets only, no agent or admin navigation. */
export function RequesterLayout() {
  const { user, signOut } = useAuth();
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ background: '#fff', padding: '0 24px', display: 'flex', justifyContent: 'space-between', alignItems: 'center', borderBottom: '1px solid #f0f0f0' }}>
        <Link to="/" style={{ fontWeight: 600, fontSize: 16 }}><CustomerServiceOutlined /> Help desk · My tickets</Link>
        <Space>
          <Typography.Text data-testid="current-user">{user?.name} <Typography.Text type="secondary">({user?.role})</Typography.Text></Typography.Text>
          <Button icon={<LogoutOutlined />} onClick={() => void signOut()} title="Ends your session on every device">Sign out</Button>
        </Space>
      </Layout.Header>
      <Layout.Content style={{ padding: 24, minWidth: 0 }}>
        <main style={{ maxWidth: 960, margin: '0 auto' }}>
          <Outlet />
        </main>
      </Layout.Content>
    </Layout>
  );
}
