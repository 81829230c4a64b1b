import { LockOutlined, MailOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { describeError, isApiError } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { safeNext } from '@/lib/format';
import { useLogin, type Credentials } from '../api/login';

export default function LoginPage() {
  const { status, signedIn } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const login = useLogin();
  const next = safeNext(params.get('next'));

  if (status === 'signed-in') return <Navigate to={next} replace />;

  const onFinish = (values: Credentials) => {
    login.mutate(values, {
      onSuccess: (tokens) => {
        signedIn(tokens);
        navigate(next, { replace: true });
      },
    });
  };

  const error = login.error;
  const errorText = isApiError(error) && error.status === 401
    ? 'Wrong e-mail or password. Check both and try again.'
    : error ? describeError(error) : null;

  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f5f5f5', padding: 16 }}>
      <Card style={{ width: '100%', maxWidth: 400 }}>
        <Typography.Title level={3} style={{ marginTop: 0 }}>Help desk console</Typography.Title>
        <Typography.Paragraph type="secondary">Sign in with your help desk account.</Typography.Paragraph>
        {errorText && <Alert type="error" showIcon title={errorText} style={{ marginBottom: 16 }} role="alert" />}
        <Form<Credentials> layout="vertical" onFinish={onFinish} requiredMark={false} disabled={login.isPending}>
          <Form.Item label="E-mail" name="email" rules={[{ required: true, message: 'Enter your e-mail' }, { type: 'email', message: 'Enter a valid e-mail address' }]}>
            <Input prefix={<MailOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item label="Password" name="password" rules={[{ required: true, message: 'Enter your password' }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={login.isPending}>Sign in</Button>
        </Form>
      </Card>
    </div>
  );
}
