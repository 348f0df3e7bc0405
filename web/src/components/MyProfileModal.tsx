import { App, Checkbox, Form, Input } from 'antd';
import { authApi } from '../api/endpoints';
import { useAuth } from '../auth/context';
import { mobileRule } from '../lib/phone';
import { FormModal } from './FormModal';

interface Values {
  phone?: string;
  clearPhone: boolean;
}

const SMS_NOTE = '家人或辖区内老人一键呼救、跌倒告警时，除站内消息外也会向此号码发送短信';

/** 我的资料: one's own mobile phone, to which urgent alarms (SOS, falls) are also sent by text message. */
export function MyProfileModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { user, refresh } = useAuth();
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const clearPhone = Form.useWatch('clearPhone', form);

  const save = async (v: Values) => {
    const phone = v.clearPhone ? null : v.phone?.trim() || undefined;
    if (phone !== undefined) {
      await authApi.updateMe({ phone });
      await refresh();
      message.success(phone ? '手机号码已保存' : '手机号码已清除');
    }
    onClose();
  };

  return (
    <FormModal<Values>
      title="我的资料"
      open={open}
      onClose={onClose}
      form={form}
      fields={['phone']}
      initialValues={{ clearPhone: false }}
      onSubmit={save}
      testId="profile-form"
    >
      <Form.Item
        name="phone"
        label="手机号码"
        rules={[mobileRule]}
        extra={user?.phone ? `当前 ${user.phone}；留空则不修改。${SMS_NOTE}` : SMS_NOTE}
      >
        <Input maxLength={20} className="mono" placeholder={user?.phone ?? '如 13800138000'} disabled={!!clearPhone} />
      </Form.Item>
      {user?.phone && (
        <Form.Item name="clearPhone" valuePropName="checked">
          <Checkbox>清除手机号码</Checkbox>
        </Form.Item>
      )}
    </FormModal>
  );
}
