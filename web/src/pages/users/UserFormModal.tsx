import { formatTime } from '../../lib/time';
import { Alert, App, Checkbox, Col, Form, Input, Modal, Radio, Row, Select, TreeSelect, Typography } from 'antd';
import { useState } from 'react';
import { userApi } from '../../api/endpoints';
import type { RoleId, User, UserPatch, UserStatus } from '../../api/types';
import { useAuth } from '../../auth/context';
import { applyServerErrors } from '../../lib/formErrors';
import { PASSWORD_HINT, passwordRule } from '../../lib/password';
import { mobileRule } from '../../lib/phone';
import { useRegions } from '../../regions/context';
import { regionOptions, roleOptions } from './shared';

interface Values {
  username: string;
  displayName: string;
  password?: string;
  roles: RoleId[];
  regionId: string;
  status: UserStatus;
  unlock: boolean;
  phone?: string;
  clearPhone: boolean;
}

const FIELDS = ['username', 'displayName', 'password', 'roles', 'regionId', 'status', 'unlock', 'phone'] as const;

export type UserFormTarget = { mode: 'create'; regionId: string | null } | { mode: 'edit'; user: User };

export function UserFormModal({
  target,
  onClose,
  onSaved,
}: {
  target: UserFormTarget | null;
  onClose: () => void;
  onSaved: (user: User) => void;
}) {
  const { user: me, roles } = useAuth();
  const { tree, index } = useRegions();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const regionId = Form.useWatch('regionId', form);

  const editing = target?.mode === 'edit' ? target.user : null;
  const level = regionId ? index.get(regionId)?.node.level : editing?.regionLevel;
  const options = roleOptions(roles, me?.grantableRoles ?? [], level, editing?.roles);
  const isSelf = editing?.id === me?.id;

  const initialValues: Partial<Values> = editing
    ? {
        username: editing.username,
        displayName: editing.displayName,
        roles: editing.roles,
        regionId: editing.regionId,
        status: editing.status,
        unlock: false,
        clearPhone: false,
      }
    : {
        roles: [],
        ...(target?.mode === 'create' && target.regionId ? { regionId: target.regionId } : {}),
        status: 'active',
        unlock: false,
        clearPhone: false,
      };
  const clearPhone = Form.useWatch('clearPhone', form);

  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    setError(null);
    try {
      if (!editing) {
        const created = await userApi.create({
          username: v.username.trim(),
          password: v.password ?? '',
          displayName: v.displayName.trim(),
          roles: v.roles,
          regionId: v.regionId,
          ...(v.phone?.trim() ? { phone: v.phone.trim() } : {}),
        });
        message.success(`已新建账号 ${created.username}`);
        onSaved(created);
        return;
      }
      const patch: UserPatch = {};
      if (v.displayName.trim() !== editing.displayName) patch.displayName = v.displayName.trim();
      if ([...v.roles].sort().join() !== [...editing.roles].sort().join()) patch.roles = v.roles;
      if (v.regionId !== editing.regionId) patch.regionId = v.regionId;
      if (v.status !== editing.status) patch.status = v.status;
      if (v.password) patch.password = v.password;
      if (v.unlock) patch.unlock = true;
      if (v.clearPhone) patch.phone = null;
      else if (v.phone?.trim()) patch.phone = v.phone.trim();
      if (Object.keys(patch).length === 0) {
        message.info('没有需要保存的修改');
        onClose();
        return;
      }
      const updated = await userApi.update(editing.id, patch);
      message.success(`已保存账号 ${updated.username}`);
      onSaved(updated);
    } catch (err) {
      setError(applyServerErrors(form, err, FIELDS));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title={editing ? `编辑账号：${editing.username}` : '新建账号'}
      open={target !== null}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      okText="保存"
      confirmLoading={saving}
      destroyOnHidden
      afterClose={() => setError(null)}
      width={640}
    >
      <Form form={form} layout="vertical" initialValues={initialValues} preserve={false} autoComplete="off" data-testid="user-form">
        {error && <Alert type="error" showIcon title={error} className="form-alert" />}
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item
              name="username"
              label="用户名"
              rules={
                editing
                  ? []
                  : [
                      { required: true, message: '请输入用户名' },
                      { pattern: /^[A-Za-z0-9_.-]+$/, message: '只能包含字母、数字、_ . -' },
                      { min: 3, max: 32, message: '长度为 3–32 个字符' },
                    ]
              }
              extra={editing ? undefined : '登录用，创建后不能修改'}
            >
              <Input disabled={!!editing} maxLength={32} autoComplete="off" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="displayName"
              label="姓名"
              rules={[
                { required: true, whitespace: true, message: '请输入姓名' },
                { max: 40, message: '不能超过 40 个字' },
              ]}
            >
              <Input maxLength={40} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="regionId" label="所属区划" rules={[{ required: true, message: '请选择所属区划' }]}>
              <TreeSelect
                treeData={regionOptions(tree)}
                showSearch={{ treeNodeFilterProp: 'search' }}
                treeDefaultExpandedKeys={tree.map((n) => n.id)}
                placeholder="选择账号所属的区划"
                disabled={isSelf}
              />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item
              name="roles"
              label="角色"
              rules={[{ required: true, type: 'array', min: 1, message: '请至少选择一个角色' }]}
              extra="灰色的角色与所选区划的级别不符，或不在您可授予的范围内"
            >
              <Select mode="multiple" options={options} placeholder="选择角色" optionFilterProp="label" disabled={isSelf} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="phone"
              label="手机号码"
              rules={[mobileRule]}
              extra={
                editing?.phone
                  ? `当前 ${editing.phone}；留空则不修改。一键呼救、跌倒告警升级时向此号码发送短信`
                  : '选填；一键呼救、跌倒告警升级时向此号码发送短信'
              }
            >
              <Input maxLength={20} className="mono" placeholder={editing?.phone ?? '如 13800138000'} disabled={!!clearPhone} />
            </Form.Item>
          </Col>
          {editing?.phone && (
            <Col span={12}>
              <Form.Item name="clearPhone" valuePropName="checked" label=" ">
                <Checkbox data-testid="user-clear-phone">清除手机号码</Checkbox>
              </Form.Item>
            </Col>
          )}
          {!editing && (
            <Col span={24}>
              <Form.Item
                name="password"
                label="初始密码"
                extra={PASSWORD_HINT}
                rules={[{ required: true, message: '请输入初始密码' }, passwordRule]}
              >
                <Input.Password autoComplete="new-password" />
              </Form.Item>
            </Col>
          )}
          {editing && (
            <>
              <Col span={12}>
                <Form.Item name="status" label="状态">
                  <Radio.Group
                    disabled={isSelf}
                    optionType="button"
                    options={[
                      { value: 'active', label: '启用' },
                      { value: 'disabled', label: '停用' },
                    ]}
                  />
                </Form.Item>
              </Col>
              {!isSelf && (
                <Col span={12}>
                  <Form.Item name="password" label="重置密码" extra="留空则不修改；重置后该账号需用新密码重新登录" rules={[passwordRule]}>
                    <Input.Password autoComplete="new-password" placeholder="新密码" />
                  </Form.Item>
                </Col>
              )}
              {editing.lockedUntil && (
                <Col span={24}>
                  <Form.Item name="unlock" valuePropName="checked" className="unlock-item">
                    <Checkbox>
                      解除锁定
                      <Typography.Text type="secondary">
                        （因多次登录失败锁定至 {formatTime(editing.lockedUntil, 'YYYY-MM-DD HH:mm')}）
                      </Typography.Text>
                    </Checkbox>
                  </Form.Item>
                </Col>
              )}
            </>
          )}
        </Row>
        {isSelf && (
          <Alert
            type="info"
            showIcon
            title="这是您本人的账号：所属区划、角色和状态需由上级管理员修改；修改密码请使用页面右上角的「修改密码」。"
          />
        )}
      </Form>
    </Modal>
  );
}
