import { Alert, App, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { authApi } from '../api/endpoints';
import { applyServerErrors } from '../lib/formErrors';
import { PASSWORD_HINT, passwordRule } from '../lib/password';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

export function ChangePasswordModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    setError(null);
    try {
      await authApi.changePassword(v.currentPassword, v.newPassword);
      message.success('密码已修改，其他设备上的登录已失效');
      onClose();
    } catch (err) {
      setError(applyServerErrors(form, err, ['currentPassword', 'newPassword']));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title="修改密码"
      open={open}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      okText="保存"
      confirmLoading={saving}
      destroyOnHidden
      afterClose={() => setError(null)}
    >
      <Form form={form} layout="vertical" preserve={false} autoComplete="off">
        {error && <Alert type="error" showIcon title={error} className="form-alert" />}
        <Form.Item name="currentPassword" label="当前密码" rules={[{ required: true, message: '请输入当前密码' }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label="新密码"
          extra={PASSWORD_HINT}
          rules={[{ required: true, message: '请输入新密码' }, passwordRule]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label="确认新密码"
          dependencies={['newPassword']}
          rules={[
            { required: true, message: '请再次输入新密码' },
            ({ getFieldValue }) => ({
              validator: (_, value: string | undefined) =>
                !value || getFieldValue('newPassword') === value ? Promise.resolve() : Promise.reject(new Error('两次输入的密码不一致')),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
