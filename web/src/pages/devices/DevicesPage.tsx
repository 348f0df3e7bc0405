// 设备台账: the devices of the selected region with their latest values, filtered by type (with counts
// per type); 登记设备 registers one and shows its credentials once; 批量导入 registers many from an xlsx
// ledger (ImportDevicesModal); a row opens its drawer.
import { PlusOutlined, ReloadOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Input, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { errorText } from '../../api/client';
import { useAuth } from '../../auth/context';
import { formatTime } from '../../lib/time';
import { DEVICE_TYPE_KEYS, DEVICE_TYPES, devicesApi, formatValue, type Device, type DeviceCreated } from './api';
import { DeviceDrawer, DeviceStatusTag } from './DeviceDrawer';
import { ImportDevicesModal } from './ImportDevicesModal';
import { CredentialsModal, RegisterDeviceModal } from './RegisterDeviceModal';
import { useSelection } from './shared';
import './devices.css';

type Loaded = { key: string; data: Device[]; error: null } | { key: string; data: null; error: string };

function LatestTags({ latest }: { latest: Device['latest'] }) {
  const entries = Object.entries(latest);
  if (!entries.length) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <span className="device-value-tags">
      {entries.slice(0, 4).map(([k, v]) => (
        <Tag key={k} color={v.value === true ? 'red' : undefined}>
          {k}: {formatValue(v.value)}
        </Tag>
      ))}
      {entries.length > 4 && <Tag>+{entries.length - 4}</Tag>}
    </span>
  );
}

export default function DevicesPage() {
  const { can } = useAuth();
  const selection = useSelection();
  const [type, setType] = useState<string | null>(null);
  const [q, setQ] = useState('');
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [registering, setRegistering] = useState(false);
  const [importing, setImporting] = useState(false);
  const [created, setCreated] = useState<DeviceCreated | null>(null);

  const communityId = selection.communityId;
  const key = JSON.stringify([communityId, version]);
  useEffect(() => {
    const ctrl = new AbortController();
    devicesApi
      .list(communityId ? { communityId } : {}, ctrl.signal)
      .then((data) => setLoaded({ key, data, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, communityId]);

  const loading = loaded?.key !== key;
  const gridId = selection.gridId;
  const all = useMemo(() => (loaded?.data ?? []).filter((d) => !gridId || d.gridId === gridId), [loaded, gridId]);
  const counts = useMemo(() => {
    const m = new Map<string, number>();
    for (const d of all) m.set(d.type, (m.get(d.type) ?? 0) + 1);
    return m;
  }, [all]);
  const rows = useMemo(() => {
    const text = q.trim();
    return all.filter((d) => (!type || d.type === type) && (!text || d.name.includes(text) || (d.address ?? '').includes(text)));
  }, [all, type, q]);

  const columns: TableColumnsType<Device> = [
    {
      title: '名称',
      dataIndex: 'name',
      render: (v: string, d) => (
        <Space size={4}>
          <Typography.Link>{v}</Typography.Link>
          {d.status !== 'active' && <DeviceStatusTag status={d.status} />}
        </Space>
      ),
    },
    { title: '类型', dataIndex: 'typeLabel', width: 150, render: (v: string) => <span className="nowrap">{v}</span> },
    { title: '地址', dataIndex: 'address', width: 200, render: (v: string | null) => v ?? '—' },
    { title: '最新数据', dataIndex: 'latest', render: (v: Device['latest']) => <LatestTags latest={v} /> },
    {
      title: '最近上报',
      dataIndex: 'lastSeenAt',
      width: 140,
      render: (v: string | null) => (v ? <span className="nowrap">{formatTime(v, 'MM-DD HH:mm:ss')}</span> : <Tag>未上报</Tag>),
    },
  ];

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>设备台账</span>
            {selection.name && (
              <Typography.Text type="secondary" className="card-subtitle">
                {selection.name}
              </Typography.Text>
            )}
          </Space>
        }
        extra={
          <Space>
            <Tooltip title="刷新">
              <Button icon={<ReloadOutlined />} onClick={() => setVersion((v) => v + 1)} aria-label="刷新" />
            </Tooltip>
            {can('devices.manage') && (
              <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="device-import-open">
                批量导入
              </Button>
            )}
            {can('devices.manage') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setRegistering(true)} data-testid="device-register">
                登记设备
              </Button>
            )}
          </Space>
        }
      >
        <div className="filter-bar" style={{ display: 'flex', flexWrap: 'wrap', gap: 8, marginBottom: 12 }}>
          <Select
            allowClear
            placeholder={`设备类型（共 ${all.length} 台）`}
            value={type}
            onChange={(v) => setType(v ?? null)}
            options={DEVICE_TYPE_KEYS.map((k) => ({ value: k, label: `${DEVICE_TYPES[k]}（${counts.get(k) ?? 0}）` }))}
            style={{ width: 260 }}
            data-testid="device-type-filter"
          />
          <Input.Search allowClear placeholder="名称或地址" onSearch={setQ} style={{ width: 220 }} />
        </div>
        {counts.size > 0 && (
          <div style={{ marginBottom: 12 }}>
            {DEVICE_TYPE_KEYS.filter((k) => counts.has(k)).map((k) => (
              <Tag.CheckableTag key={k} checked={type === k} onChange={(on) => setType(on ? k : null)}>
                {DEVICE_TYPES[k]} {counts.get(k)}
              </Tag.CheckableTag>
            ))}
          </div>
        )}
        {loaded?.error && loaded.key === key && (
          <Alert type="error" showIcon title="设备加载失败" description={loaded.error} className="form-alert" />
        )}
        <div data-testid="device-table">
          <Table<Device>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={rows}
            loading={loading}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: '暂无设备' }}
            onRow={(d) => ({ onClick: () => setOpenId(d.id), className: 'clickable-row' })}
            pagination={{ pageSize: 20, showSizeChanger: true, showTotal: (t) => `共 ${t} 台` }}
          />
        </div>
      </Card>
      <DeviceDrawer deviceId={openId} onClose={() => setOpenId(null)} onChanged={() => setVersion((v) => v + 1)} />
      <ImportDevicesModal
        open={importing}
        communities={selection.communities}
        defaultCommunityId={communityId}
        onClose={() => setImporting(false)}
        onImported={() => setVersion((v) => v + 1)}
      />
      <RegisterDeviceModal
        open={registering}
        communities={selection.communities}
        defaultCommunityId={communityId}
        onClose={() => setRegistering(false)}
        onCreated={(d) => {
          setRegistering(false);
          setCreated(d);
          setVersion((v) => v + 1);
        }}
      />
      <CredentialsModal device={created} onClose={() => setCreated(null)} />
    </div>
  );
}
