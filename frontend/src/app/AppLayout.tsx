import {
  ApiOutlined,
  BookOutlined,
  DashboardOutlined,
  FieldTimeOutlined,
  HomeOutlined,
  LogoutOutlined,
  ProfileOutlined,
  RobotOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { Button, Layout, Menu, Space, Typography } from 'antd';
import { useState } from 'react';
import { Link, Outlet, useLocation } from 'react-router-dom';
import type { Role } from '@/api/types';
import { useAuth } from '@/lib/auth';

const NAV: { key: string; icon: React.ReactNode; label: string; roles?: Role[] }[] = [
  { key: '/', icon: <HomeOutlined />, label: 'Home' },
  { key: '/tickets', icon: <ProfileOutlined />, label: 'Tickets' },
  { key: '/kb', icon: <BookOutlined />, label: 'Knowledge base' },
  { key: '/users', icon: <TeamOutlined />, label: 'Users' },
  { key: '/dashboard', icon: <DashboardOutlined />, label: 'Dashboard' },
  { key: '/settings/sla', icon: <FieldTimeOutlined />, label: 'SLA policy' },
  { key: '/settings/ai', icon: <RobotOutlined />, label: 'AI classifier' },
  { key: '/settings/webhooks', icon: <ApiOutlined />, label: 'Webhooks', roles: ['admin'] },
];

function selectedKey(pathname: string): string {
  const match = NAV.filter((item) => item.key !== '/' && pathname.startsWith(item.key));
  return match[0]?.key ?? '/';
}

export function AppLayout() {
  const { user, signOut } = useAuth();
  const { pathname } = useLocation();
  const [collapsed, setCollapsed] = useState(false);
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider breakpoint="lg" collapsible collapsed={collapsed} onCollapse={setCollapsed} width={208}>
        <div style={{ color: '#fff', fontWeight: 600, padding: '16px 20px', whiteSpace: 'nowrap', overflow: 'hidden' }}>
          {collapsed ? 'HD' : 'Help desk'}
        </div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={[selectedKey(pathname)]}
          items={NAV.filter((item) => !item.roles || (user && item.roles.includes(user.role))).map((item) => ({ key: item.key, icon: item.icon, label: <Link to={item.key}>{item.label}</Link> }))}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', padding: '0 24px', display: 'flex', justifyContent: 'flex-end', alignItems: 'center' }}>
          <Space>
            <Typography.Text data-testid="current-user">{user?.name} <Typography.Text type="secondary">({user?.role})</Typography.Text></Typography.Text>
            <Button icon={<LogoutOutlined />} onClick={() => void signOut()} title="Ends your session on every device">Sign out</Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 24, minWidth: 0 }}>
          <main style={{ maxWidth: 1400, margin: '0 auto' }}>
            <Outlet />
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
