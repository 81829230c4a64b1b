import { CustomerServiceOutlined, LogoutOutlined } from '@ant-design/icons';
import { Button, Grid, Layout, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, Outlet } from 'react-router-dom';
import { LanguageSwitch } from '@/components/layout/LanguageSwitch';
import { useAuth } from '@/lib/auth';

/** The requester's console: their own tickets only, no agent or admin navigation. */
export function RequesterLayout() {
  const { user, signOut } = useAuth();
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ background: '#fff', padding: phone ? '0 8px' : '0 24px', display: 'flex', gap: 8, alignItems: 'center', height: 56, lineHeight: '56px', borderBottom: '1px solid #f0f0f0' }}>
        <Link to="/" style={{ fontWeight: 600, fontSize: 16, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis', minWidth: 0 }}>
          <CustomerServiceOutlined /> {phone ? t('requester.shortTitle') : t('requester.layoutTitle')}
        </Link>
        <div style={{ flex: 1 }} />
        <LanguageSwitch compact={phone} />
        <Typography.Text data-testid="current-user" ellipsis style={{ maxWidth: phone ? 96 : 280 }}>
          {user?.name}{!phone && <Typography.Text type="secondary"> ({t(`common.roles.${user?.role ?? 'requester'}`)})</Typography.Text>}
        </Typography.Text>
        <Button icon={<LogoutOutlined />} onClick={() => void signOut()} title={t('common.signOutHint')} aria-label={t('common.signOut')}>
          {!phone && t('common.signOut')}
        </Button>
      </Layout.Header>
      <Layout.Content style={{ padding: phone ? 12 : 24, minWidth: 0 }}>
        <main style={{ maxWidth: 960, margin: '0 auto', minWidth: 0 }}>
          <Outlet />
        </main>
      </Layout.Content>
    </Layout>
  );
}
