// 登记设备: type, name, the building it is installed in (or just the community), optional
// coordinates. The answer carries the device's credentials, shown once in CredentialsModal together
// with how to connect (broker, topic and HTTP address as GET /api/devices/connection reports them).
import { Alert, App, Form, Input, InputNumber, Modal, Select, Space, Spin, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { Building, RegionNode } from '../../api/types';
import { errorText } from '../../api/client';
import { buildingApi } from '../../api/endpoints';
import { applyServerErrors } from '../../lib/formErrors';
import { DEVICE_TYPE_KEYS, DEVICE_TYPES, devicesApi, type DeviceConnection, type DeviceCreated, type DeviceType } from './api';

interface Values {
  communityId: string;
  type: DeviceType;
  name: string;
  buildingId?: string;
  lng?: number | null;
  lat?: number | null;
}

const FIELDS = ['communityId', 'type', 'name', 'buildingId', 'lng', 'lat'] as const;

export function RegisterDeviceModal({
  open,
  communities,
  defaultCommunityId,
  onClose,
  onCreated,
}: {
  open: boolean;
  communities: RegionNode[];
  defaultCommunityId: string | undefined;
  onClose: () => void;
  onCreated: (d: DeviceCreated) => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [buildings, setBuildings] = useState<{ communityId: string; list: Building[] } | null>(null);
  const communityId = Form.useWatch('communityId', form);

  useEffect(() => {
    if (!open || !communityId) return;
    const ctrl = new AbortController();
    buildingApi
      .list(communityId, ctrl.signal)
      .then((list) => setBuildings({ communityId, list }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) void message.error(`楼栋加载失败：${err instanceof Error ? err.message : String(err)}`);
      });
    return () => ctrl.abort();
  }, [open, communityId, message]);

  const list = buildings && buildings.communityId === communityId ? buildings.list : [];

  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    setError(null);
    try {
      const created = await devicesApi.create({
        ...(v.buildingId ? { buildingId: v.buildingId } : { communityId: v.communityId }),
        type: v.type,
        name: v.name.trim(),
        ...(typeof v.lng === 'number' && typeof v.lat === 'number' ? { lng: v.lng, lat: v.lat } : {}),
      });
      form.resetFields();
      onCreated(created);
    } catch (err) {
      setError(applyServerErrors(form, err, FIELDS));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={open}
      title="登记设备"
      okText="登记"
      cancelText="取消"
      confirmLoading={saving}
      onOk={() => void submit()}
      onCancel={() => {
        setError(null);
        onClose();
      }}
      destroyOnHidden
      width={560}
    >
      {error && <Alert type="error" showIcon title="登记失败" description={error} className="form-alert" />}
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ communityId: defaultCommunityId ?? (communities.length === 1 ? communities[0]!.id : undefined) }}
        data-testid="device-form"
      >
        <Form.Item name="type" label="设备类型" rules={[{ required: true, message: '请选择设备类型' }]}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            placeholder="选择设备类型"
            options={DEVICE_TYPE_KEYS.map((k) => ({ value: k, label: DEVICE_TYPES[k] }))}
            data-testid="device-type"
          />
        </Form.Item>
        <Form.Item name="name" label="名称" rules={[{ required: true, whitespace: true, message: '请填写名称' }]}>
          <Input maxLength={80} placeholder="如：3栋2单元楼道烟感" data-testid="device-name" />
        </Form.Item>
        <Form.Item name="communityId" label="社区" rules={[{ required: true, message: '请选择社区' }]} hidden={communities.length === 1}>
          <Select
            placeholder="选择社区"
            options={communities.map((c) => ({ value: c.id, label: c.name }))}
            onChange={() => form.setFieldValue('buildingId', undefined)}
          />
        </Form.Item>
        <Form.Item name="buildingId" label="楼栋" extra="不选楼栋则登记在社区（如路灯、充电桩）">
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={communityId ? '选择楼栋' : '请先选择社区'}
            disabled={!communityId}
            options={list.map((b) => ({ value: b.id, label: b.label }))}
            data-testid="device-building"
          />
        </Form.Item>
        <Space size={12} style={{ display: 'flex' }}>
          <Form.Item name="lng" label="经度（可选）" style={{ flex: 1 }}>
            <InputNumber min={-180} max={180} step={0.000001} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item
            name="lat"
            label="纬度（可选）"
            style={{ flex: 1 }}
            dependencies={['lng']}
            rules={[
              ({ getFieldValue }) => ({
                validator: (_, v: unknown) =>
                  (typeof v === 'number') === (typeof getFieldValue('lng') === 'number')
                    ? Promise.resolve()
                    : Promise.reject(new Error('经纬度需同时填写')),
              }),
            ]}
          >
            <InputNumber min={-90} max={90} step={0.000001} style={{ width: '100%' }} />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  );
}

type Connection = { data: DeviceConnection; error: null } | { data: null; error: string };

/** How devices connect (GET /api/devices/connection), loaded while `active`. */
export function useDeviceConnection(active: boolean): Connection | null {
  const [loaded, setLoaded] = useState<Connection | null>(null);
  useEffect(() => {
    if (!active) return;
    const ctrl = new AbortController();
    devicesApi
      .connection(ctrl.signal)
      .then((data) => setLoaded({ data, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [active]);
  return loaded;
}

/** The broker, topic and HTTP address devices use, as the server reports them. */
export function ConnectionHelp({ connection, deviceId }: { connection: Connection | null; deviceId?: string }) {
  if (!connection) return <Spin size="small" />;
  if (connection.error !== null) return <Alert type="warning" showIcon title="接入方式加载失败" description={connection.error} />;
  const c = connection.data;
  const id = deviceId ?? '{设备ID}';
  return (
    <div data-testid="device-connection" style={{ display: 'flex', flexDirection: 'column', gap: 4 }}>
      <div>
        <Typography.Text type="secondary">MQTT 代理：</Typography.Text>
        <Typography.Text className="mono" copyable data-testid="device-mqtt-url">
          {c.mqtt.url}
        </Typography.Text>
        {c.mqtt.external && <Tag style={{ marginLeft: 8 }}>外部代理</Tag>}
      </div>
      <div>
        <Typography.Text type="secondary">MQTT 主题：</Typography.Text>
        <Typography.Text className="mono" copyable>
          {c.mqtt.topic.replace('{id}', id)}
        </Typography.Text>
        <Typography.Text type="secondary">（QoS {c.mqtt.qos}）</Typography.Text>
      </div>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        用户名为设备 ID，密码为设备密码。{c.mqtt.note}。报文为 JSON <span className="mono">{'{"ts"?: …, "values": {…}}'}</span>。
      </Typography.Paragraph>
      <div>
        <Typography.Text type="secondary">HTTP 上报：</Typography.Text>
        <Typography.Text className="mono" copyable>
          {`${c.http.method} ${c.http.url.replace('{id}', id)}`}
        </Typography.Text>
        <Typography.Text type="secondary">（{c.http.auth}）</Typography.Text>
      </div>
    </div>
  );
}

/** A device's credentials, shown once: after registration, or (with `title`) after a password reset. */
export function CredentialsModal({
  device,
  onClose,
  title = '设备凭据',
}: {
  device: DeviceCreated | null;
  onClose: () => void;
  title?: string;
}) {
  const connection = useDeviceConnection(!!device);
  const c = device?.credentials;
  const url = connection?.data?.http.url.replace('{id}', device?.id ?? '') ?? '';
  const curl =
    c && url
      ? `curl -u '${c.username}:${c.password}' -H 'content-type: application/json' \\\n  -d '{"values":{"temperature":23.5}}' \\\n  ${url}`
      : '';
  return (
    <Modal
      open={!!device}
      title={title}
      okText="我已保存"
      onOk={onClose}
      onCancel={onClose}
      cancelButtonProps={{ style: { display: 'none' } }}
      maskClosable={false}
      width={640}
      destroyOnHidden
    >
      {device && c && (
        <div data-testid="device-credentials" style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
          <Alert
            type="warning"
            showIcon
            title="密码仅显示一次"
            description="关闭此窗口后无法再次查看设备密码，请立即复制并妥善保存；遗失后可在设备详情中重置密码。"
          />
          <div>
            <Typography.Text type="secondary">设备：</Typography.Text>
            {device.name}（{device.typeLabel}）
          </div>
          <div>
            <Typography.Text type="secondary">用户名（设备 ID）：</Typography.Text>
            <Typography.Text className="mono" copyable data-testid="device-username">
              {c.username}
            </Typography.Text>
          </div>
          <div>
            <Typography.Text type="secondary">密码：</Typography.Text>
            <Typography.Text className="mono" copyable data-testid="device-password">
              {c.password}
            </Typography.Text>
          </div>
          <ConnectionHelp connection={connection} deviceId={device.id} />
          {curl && (
            <div>
              <Typography.Text type="secondary">HTTP 上报示例：</Typography.Text>
              <Typography.Paragraph copyable={{ text: curl }} style={{ margin: 0 }}>
                <pre className="mono" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', margin: 0, fontSize: 12 }}>
                  {curl}
                </pre>
              </Typography.Paragraph>
            </div>
          )}
        </div>
      )}
    </Modal>
  );
}
