import { Button, Result, Spin } from 'antd';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { useAuth } from './AuthContext';

/** Pages behind sign-in; the console is for agents and admins. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { status, user, signOut } = useAuth();
  const location = useLocation();
  if (status === 'loading') {
    return (
      <div style={{ display: 'grid', placeItems: 'center', minHeight: '100vh' }}>
        <Spin size="large" description="Restoring your session…" />
      </div>
    );
  }
  if (status === 'signed-out' || !user) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (user.role === 'requester') {
    return (
      <Result
        status="403"
        title="The console is for agents and admins"
        subTitle={`You are signed in as ${user.email}, a requester. Ask an admin to give you the agent role.`}
        extra={<Button onClick={() => void signOut()}>Sign out</Button>}
      />
    );
  }
  return <>{children}</>;
}
