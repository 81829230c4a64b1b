import {
  ApiOutlined,
  BookOutlined,
  DashboardOutlined,
  FieldTimeOutlined,
  HomeOutlined,
  LogoutOutlined,
  MenuOutlined,
  MessageOutlined,
  ProfileOutlined,
  RobotOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { Button, Drawer, Grid, Layout, Menu, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router-dom';
import type { Role } from '@/api/types';
import { LanguageSwitch } from '@/components/layout/LanguageSwitch';
import { useAuth } from '@/lib/auth';

// Pages add themselves here (labels are i18n keys under common.nav).
export const NAV: { key: string; icon: React.ReactNode; label: string; roles?: Role[] }[] = [
  { key: '/', icon: <HomeOutlined />, label: 'home' },
  { key: '/tickets', icon: <ProfileOutlined />, label: 'tickets' },
  { key: '/kb', icon: <BookOutlined />, label: 'kb' },
  { key: '/copilot', icon: <MessageOutlined />, label: 'copilot' },
  { key: '/users', icon: <TeamOutlined />, label: 'users' },
  { key: '/dashboard', icon: <DashboardOutlined />, label: 'dashboard' },
  { key: '/settings/sla', icon: <FieldTimeOutlined />, label: 'sla' },
  { key: '/settings/ai', icon: <RobotOutlined />, label: 'ai' },
  { key: '/settings/webhooks', icon: <ApiOutlined />, label: 'webhooks', roles: ['admin'] },
];

export function selectedKey(pathname: string): string {
  const match = NAV.filter((item) => item.key !== '/' && pathname.startsWith(item.key));
  return match.sort((a, b) => b.key.length - a.key.length)[0]?.key ?? '/';
}

/**
 * The agent's frame. From 768 px up: a sidebar (an icon strip below 992 px); below 768 px (phones): a top bar
 * whose menu button opens the navigation as a drawer. Nothing in the frame is wider than the screen.
 */
export function AppLayout() {
  const { user, signOut } = useAuth();
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const screens = Grid.useBreakpoint();
  const phone = screens.md === false;
  const [collapsed, setCollapsed] = useState(false);
  const [drawer, setDrawer] = useState(false);

  const menu = (theme: 'dark' | 'light') => (
    <Menu
      theme={theme}
      mode="inline"
      selectedKeys={[selectedKey(pathname)]}
      onClick={() => setDrawer(false)}
      items={NAV.filter((item) => !item.roles || (user && item.roles.includes(user.role))).map((item) => ({
        key: item.key,
        icon: item.icon,
        label: <Link to={item.key}>{t(`common.nav.${item.label}`)}</Link>,
      }))}
    />
  );

  return (
    <Layout style={{ minHeight: '100vh' }}>
      {!phone && (
        <Layout.Sider breakpoint="lg" collapsible collapsed={collapsed} onCollapse={setCollapsed} width={208}
          trigger={<span aria-label={collapsed ? t('common.expandMenu') : t('common.collapseMenu')}>{collapsed ? '»' : '«'}</span>}>
          <div style={{ color: '#fff', fontWeight: 600, padding: '16px 20px', whiteSpace: 'nowrap', overflow: 'hidden' }}>
            {collapsed ? t('common.productShort') : t('common.product')}
          </div>
          <nav aria-label={t('common.navigation')}>{menu('dark')}</nav>
        </Layout.Sider>
      )}
      {phone && (
        <Drawer
          placement="left"
          open={drawer}
          onClose={() => setDrawer(false)}
          title={t('common.product')}
          size={260}
          styles={{ body: { padding: 0 } }}
        >
          <nav aria-label={t('common.navigation')} data-testid="nav-drawer">{menu('light')}</nav>
        </Drawer>
      )}
      <Layout style={{ minWidth: 0 }}>
        <Layout.Header
          style={{
            background: '#fff', padding: phone ? '0 8px' : '0 24px', display: 'flex', alignItems: 'center', gap: 8,
            height: 56, lineHeight: '56px', borderBottom: '1px solid #f0f0f0', position: phone ? 'sticky' : undefined, top: 0, zIndex: 10,
          }}
        >
          {phone && (
            <>
              <Button type="text" icon={<MenuOutlined />} aria-label={t('common.openMenu')} aria-expanded={drawer} onClick={() => setDrawer(true)} data-testid="menu-button" />
              <Typography.Text strong style={{ whiteSpace: 'nowrap' }}>{t('common.product')}</Typography.Text>
            </>
          )}
          <div style={{ flex: 1 }} />
          <LanguageSwitch compact={phone} />
          <Typography.Text data-testid="current-user" ellipsis style={{ maxWidth: phone ? 96 : 280 }}>
            {user?.name}{!phone && <Typography.Text type="secondary"> ({t(`common.roles.${user?.role ?? 'agent'}`)})</Typography.Text>}
          </Typography.Text>
          <Button icon={<LogoutOutlined />} onClick={() => void signOut()} title={t('common.signOutHint')} aria-label={t('common.signOut')}>
            {!phone && t('common.signOut')}
          </Button>
        </Layout.Header>
        <Layout.Content style={{ padding: phone ? 12 : 24, minWidth: 0 }}>
          <main style={{ maxWidth: 1400, margin: '0 auto', minWidth: 0 }}>
            <Outlet />
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
