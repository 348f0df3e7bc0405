import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { errorText } from '../api/client';
import { useAuth } from '../auth/context';
import { Logo } from '../components/Logo';

interface Values {
  username: string;
  password: string;
}

function redirectTarget(state: unknown): string {
  const from = (state as { from?: unknown } | null)?.from;
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('/login') ? from : '/';
}

export function LoginPage() {
  const { user, login } = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (user && !submitting) return <Navigate to={redirectTarget(location.state)} replace />;

  const onFinish = async (v: Values) => {
    setSubmitting(true);
    setError(null);
    try {
      await login(v.username.trim(), v.password);
      navigate(redirectTarget(location.state), { replace: true });
    } catch (err) {
      setError(errorText(err));
      form.setFieldValue('password', '');
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div className="login-page">
      <div className="login-banner">
        <div className="login-brand">
          <Logo size={44} />
          <div>
            <div className="login-brand-name">家园</div>
            <div className="login-brand-sub">智慧社区平台</div>
          </div>
        </div>
        <p className="login-slogan">网格化管理 · 精细化服务 · 共建共治共享</p>
      </div>
      <div className="login-card">
        <Typography.Title level={3} className="login-title">
          账号登录
        </Typography.Title>
        <Typography.Paragraph type="secondary" className="login-subtitle">
          请使用分配给您的管理账号登录控制台
        </Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} className="login-error" data-testid="login-error" />}
        <Form<Values>
          form={form}
          layout="vertical"
          size="large"
          onFinish={(v) => void onFinish(v)}
          requiredMark={false}
          data-testid="login-form"
        >
          <Form.Item name="username" label="用户名" rules={[{ required: true, whitespace: true, message: '请输入用户名' }]}>
            <Input prefix={<UserOutlined />} placeholder="请输入用户名" autoComplete="username" autoFocus data-testid="login-username" />
          </Form.Item>
          <Form.Item name="password" label="密码" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password
              prefix={<LockOutlined />}
              placeholder="请输入密码"
              autoComplete="current-password"
              data-testid="login-password"
            />
          </Form.Item>
          <Form.Item className="login-submit-item">
            <Button type="primary" htmlType="submit" block loading={submitting} data-testid="login-submit">
              登 录
            </Button>
          </Form.Item>
        </Form>
        <div className="login-foot">连续多次输错密码，账号将被临时锁定</div>
      </div>
    </div>
  );
}
