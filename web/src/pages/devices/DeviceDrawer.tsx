// One device: its fields, latest values, and a chart of one numeric key over a time range. Managers
// reset its password (the new one shown once) and disable or enable it, each after a confirmation.
import { Alert, App, Button, Descriptions, Drawer, Empty, Segmented, Select, Space, Spin, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { errorText } from '../../api/client';
import { useAuth } from '../../auth/context';
import { formatTime } from '../../lib/time';
import { devicesApi, formatValue, telemetryTopic, type Device, type DeviceCreated, type SeriesPoint } from './api';
import { LineChart } from './LineChart';
import { CredentialsModal } from './RegisterDeviceModal';

const RANGES = [
  { value: 1, label: '1 小时', bucket: 60 },
  { value: 24, label: '24 小时', bucket: 900 },
  { value: 168, label: '7 天', bucket: 3600 },
];

type Series = { key: string; points: SeriesPoint[]; from: number; to: number } | { key: string; error: string };

/** 停用 / 启用 and 重置密码, each confirmed first; `onChange` gets the device as it now is. */
function DeviceActions({
  device,
  onChange,
  onRotated,
}: {
  device: Device;
  onChange: (d: Device) => void;
  onRotated: (d: DeviceCreated) => void;
}) {
  const { modal, message } = App.useApp();
  const active = device.status === 'active';
  const rotate = () =>
    modal.confirm({
      title: '重置设备密码？',
      content: '将生成新的随机密码并仅显示一次；旧密码立即失效，设备需改用新密码连接。',
      okText: '重置密码',
      cancelText: '取消',
      okButtonProps: { 'data-testid': 'device-rotate-confirm' },
      onOk: async () => {
        try {
          const c = await devicesApi.rotateCredentials(device.id);
          onRotated({ ...device, credentials: { username: c.username, password: c.password } });
        } catch (err) {
          void message.error(`重置失败：${errorText(err)}`);
        }
      },
    });
  const toggle = () =>
    modal.confirm({
      title: active ? `停用设备“${device.name}”？` : `启用设备“${device.name}”？`,
      content: active
        ? '停用后平台拒绝该设备的 HTTP 上报和 MQTT 连接（已连接的设备立即断开），可随时启用。'
        : '启用后设备可用原密码重新连接和上报。',
      okText: active ? '停用' : '启用',
      okButtonProps: { danger: active, 'data-testid': 'device-toggle-confirm' },
      cancelText: '取消',
      onOk: async () => {
        try {
          onChange(await (active ? devicesApi.disable(device.id) : devicesApi.enable(device.id)));
          void message.success(active ? '设备已停用' : '设备已启用');
        } catch (err) {
          void message.error(`${active ? '停用' : '启用'}失败：${errorText(err)}`);
        }
      },
    });
  return (
    <Space>
      <Button onClick={rotate} data-testid="device-rotate">
        重置密码
      </Button>
      <Button danger={active} onClick={toggle} data-testid="device-toggle">
        {active ? '停用' : '启用'}
      </Button>
    </Space>
  );
}

export function DeviceDrawer({
  deviceId,
  onClose,
  onChanged,
}: {
  deviceId: string | null;
  onClose: () => void;
  /** The device's status changed (the list shows it). */
  onChanged?: () => void;
}) {
  const { can } = useAuth();
  const [device, setDevice] = useState<Device | null>(null);
  const [rotated, setRotated] = useState<DeviceCreated | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosenKey, setChosenKey] = useState<string | null>(null);
  const [hours, setHours] = useState(24);
  const [series, setSeries] = useState<Series | null>(null);

  useEffect(() => {
    if (!deviceId) return;
    const ctrl = new AbortController();
    devicesApi
      .get(deviceId, ctrl.signal)
      .then((d) => {
        setDevice(d);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setError(errorText(err));
      });
    return () => ctrl.abort();
  }, [deviceId]);

  const current = device && device.id === deviceId ? device : null;
  // Numbers and booleans are stored as numbers (true = 1), so both can be drawn.
  const numericKeys = useMemo(
    () => (current ? Object.keys(current.latest).filter((k) => ['number', 'boolean'].includes(typeof current.latest[k]!.value)) : []),
    [current],
  );
  const key = chosenKey && numericKeys.includes(chosenKey) ? chosenKey : (numericKeys[0] ?? null);
  const seriesKey = JSON.stringify([deviceId, key, hours]);

  useEffect(() => {
    if (!deviceId || !key) return;
    const ctrl = new AbortController();
    const to = Date.now();
    const from = to - hours * 3600_000;
    const bucket = RANGES.find((r) => r.value === hours)?.bucket ?? 900;
    devicesApi
      .series(deviceId, { key, from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket }, ctrl.signal)
      .then((points) => setSeries({ key: seriesKey, points, from, to }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setSeries({ key: seriesKey, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [deviceId, key, hours, seriesKey]);

  const shown = series?.key === seriesKey ? series : null;

  return (
    <Drawer
      open={!!deviceId}
      onClose={onClose}
      size={720}
      title={current ? current.name : '设备'}
      destroyOnHidden
      extra={
        current &&
        can('devices.manage') && (
          <DeviceActions
            device={current}
            onRotated={setRotated}
            onChange={(d) => {
              setDevice({ ...current, ...d });
              onChanged?.();
            }}
          />
        )
      }
    >
      <div data-testid="device-drawer">
        {error && <Alert type="error" showIcon title="设备加载失败" description={error} className="form-alert" />}
        {!current && !error && (
          <div className="center-pad">
            <Spin />
          </div>
        )}
        {current && (
          <div style={{ display: 'flex', flexDirection: 'column', gap: 24 }}>
            <Descriptions column={2} size="small" bordered>
              <Descriptions.Item label="类型">{current.typeLabel}</Descriptions.Item>
              <Descriptions.Item label="数据模型">{current.fiwareType}</Descriptions.Item>
              <Descriptions.Item label="状态" span={2}>
                <DeviceStatusTag status={current.status} />
              </Descriptions.Item>
              <Descriptions.Item label="地址" span={2}>
                {current.address ?? '—'}
              </Descriptions.Item>
              <Descriptions.Item label="坐标">
                {current.lng !== null && current.lat !== null ? `${current.lng.toFixed(6)}, ${current.lat.toFixed(6)}` : '—'}
              </Descriptions.Item>
              <Descriptions.Item label="最近上报">{formatTime(current.lastSeenAt)}</Descriptions.Item>
              <Descriptions.Item label="设备 ID" span={2}>
                <Typography.Text className="mono" copyable>
                  {current.id}
                </Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label="MQTT 主题" span={2}>
                <Typography.Text className="mono" copyable>
                  {telemetryTopic(current.id)}
                </Typography.Text>
              </Descriptions.Item>
            </Descriptions>
            <div>
              <Typography.Title level={5}>最新数据</Typography.Title>
              <Table
                size="small"
                rowKey="key"
                pagination={false}
                locale={{ emptyText: '尚未收到数据' }}
                dataSource={Object.entries(current.latest).map(([k, v]) => ({ key: k, value: v.value, ts: v.ts }))}
                columns={[
                  { title: '测量项', dataIndex: 'key', render: (v: string) => <span className="mono">{v}</span> },
                  { title: '值', dataIndex: 'value', render: (v: unknown) => formatValue(v) },
                  { title: '时间', dataIndex: 'ts', render: (v: string) => formatTime(v) },
                ]}
              />
            </div>
            <div>
              <Space wrap style={{ marginBottom: 8 }}>
                <Typography.Title level={5} style={{ margin: 0 }}>
                  曲线
                </Typography.Title>
                <Select
                  value={key ?? undefined}
                  onChange={setChosenKey}
                  options={numericKeys.map((k) => ({ value: k, label: k }))}
                  placeholder="测量项"
                  style={{ width: 160 }}
                  disabled={!numericKeys.length}
                />
                <Segmented value={hours} onChange={(v) => setHours(v)} options={RANGES.map(({ value, label }) => ({ value, label }))} />
              </Space>
              {!key ? (
                <Empty description="没有可绘制的数值测量项" image={Empty.PRESENTED_IMAGE_SIMPLE} />
              ) : !shown ? (
                <div className="center-pad">
                  <Spin />
                </div>
              ) : 'error' in shown ? (
                <Alert type="error" showIcon title="曲线加载失败" description={shown.error} />
              ) : (
                <LineChart points={shown.points} from={shown.from} to={shown.to} label={key} />
              )}
            </div>
          </div>
        )}
      </div>
      <CredentialsModal device={rotated} title="新密码" onClose={() => setRotated(null)} />
    </Drawer>
  );
}

export function DeviceStatusTag({ status }: { status: string }) {
  return (
    <Tag color={status === 'active' ? 'green' : 'default'} data-testid="device-status">
      {status === 'active' ? '启用' : '停用'}
    </Tag>
  );
}
