// 告警中心: the alarms of the selected region, kept current by the alarm stream (Server-Sent Events):
// every event reloads the list. Newly raised critical alarms flash. A row opens its drawer.
import { ReloadOutlined } from '@ant-design/icons';
import { Alert, Badge, Button, Card, Checkbox, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { errorText } from '../../api/client';
import { formatTime } from '../../lib/time';
import { DEVICE_TYPES, devicesApi, type Alarm, type AlarmQuery } from './api';
import { AlarmDrawer } from './AlarmDrawer';
import { AlarmStatusTags, SeverityTag, useSelection } from './shared';
import { useAlarmStream, type StreamState } from './useAlarmStream';
import './devices.css';

type Loaded = { key: string; data: Alarm[]; error: null } | { key: string; data: null; error: string };

function LiveBadge({ state }: { state: StreamState }) {
  if (state === 'live')
    return (
      <Tag color="success" data-testid="alarm-live">
        <span className="alarm-live-dot" />
        实时
      </Tag>
    );
  if (state === 'refused') return <Tag color="default">实时推送不可用</Tag>;
  return (
    <Tag color="warning" data-testid="alarm-reconnecting">
      {state === 'connecting' ? '连接中…' : '重新连接中…'}
    </Tag>
  );
}

export default function AlarmsPage() {
  const selection = useSelection();
  const [activeOnly, setActiveOnly] = useState(true);
  const [unackOnly, setUnackOnly] = useState(false);
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [flash, setFlash] = useState<Set<string>>(new Set());
  const seen = useRef<{ key: string; ids: Set<string> } | null>(null);

  const query = useMemo<AlarmQuery>(() => {
    const out: AlarmQuery = {};
    if (selection.communityId) out.communityId = selection.communityId;
    if (activeOnly) out.status = 'active';
    if (unackOnly) out.acknowledged = false;
    return out;
  }, [selection.communityId, activeOnly, unackOnly]);

  const queryKey = JSON.stringify(query);
  const key = JSON.stringify([query, version]);
  useEffect(() => {
    const ctrl = new AbortController();
    devicesApi
      .alarms(query, ctrl.signal)
      .then((data) => {
        // Flash critical alarms that were not in the previous answer for the same filters.
        const prev = seen.current?.key === queryKey ? seen.current.ids : null;
        if (prev) {
          const fresh = data.filter((a) => a.severity === 'critical' && a.status === 'active' && !prev.has(a.id)).map((a) => a.id);
          if (fresh.length) setFlash((f) => new Set([...f, ...fresh]));
        }
        seen.current = { key: queryKey, ids: new Set(data.map((a) => a.id)) };
        setLoaded({ key, data, error: null });
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, query, queryKey]);

  useEffect(() => {
    if (!flash.size) return;
    const t = setTimeout(() => setFlash(new Set()), 4000);
    return () => clearTimeout(t);
  }, [flash]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const stream = useAlarmStream(reload, reload);

  const loading = loaded?.key !== key;
  const rows = loaded?.data ?? [];
  const activeCount = rows.filter((a) => a.status === 'active').length;

  const columns: TableColumnsType<Alarm> = [
    {
      title: '级别',
      dataIndex: 'severity',
      width: 80,
      render: (v: string, a) => <SeverityTag severity={v} label={a.severityLabel} />,
    },
    { title: '告警', dataIndex: 'label', width: 140, render: (v: string) => <Typography.Link className="nowrap">{v}</Typography.Link> },
    {
      title: '设备',
      dataIndex: 'deviceName',
      render: (v: string | null, a) => (
        <span>
          {v ?? '—'}
          {a.deviceType && (
            <Typography.Text type="secondary" style={{ marginLeft: 6, fontSize: 12 }}>
              {DEVICE_TYPES[a.deviceType as keyof typeof DEVICE_TYPES] ?? a.deviceType}
            </Typography.Text>
          )}
        </span>
      ),
    },
    { title: '地址', dataIndex: 'address', width: 200, render: (v: string | null) => v ?? '—' },
    {
      title: '首次 / 最近',
      dataIndex: 'firstAt',
      width: 130,
      render: (v: string, a) => (
        <span className="nowrap">
          {formatTime(v, 'MM-DD HH:mm:ss')}
          <br />
          <Typography.Text type="secondary">{formatTime(a.lastAt, 'MM-DD HH:mm:ss')}</Typography.Text>
        </span>
      ),
    },
    { title: '次数', dataIndex: 'count', width: 64, align: 'right' },
    {
      title: '状态',
      dataIndex: 'status',
      width: 150,
      render: (v: string, a) => <AlarmStatusTags status={v} acknowledged={a.acknowledged} />,
    },
    {
      title: '响应（分钟）',
      dataIndex: 'responseMinutes',
      width: 110,
      align: 'right',
      render: (v: number | null) => (v === null ? '—' : v),
    },
  ];

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>告警中心</span>
            {selection.name && (
              <Typography.Text type="secondary" className="card-subtitle">
                {selection.name}
              </Typography.Text>
            )}
            <LiveBadge state={stream} />
          </Space>
        }
        extra={
          <Space>
            <Badge count={activeCount} overflowCount={999} title="活动告警" />
            <Tooltip title="刷新">
              <Button icon={<ReloadOutlined />} onClick={reload} aria-label="刷新" />
            </Tooltip>
          </Space>
        }
      >
        <div className="filter-bar" style={{ display: 'flex', flexWrap: 'wrap', gap: 16, marginBottom: 12 }}>
          <Checkbox checked={activeOnly} onChange={(e) => setActiveOnly(e.target.checked)} data-testid="alarm-active-only">
            仅活动告警
          </Checkbox>
          <Checkbox checked={unackOnly} onChange={(e) => setUnackOnly(e.target.checked)}>
            仅未确认
          </Checkbox>
          {selection.gridId && <Typography.Text type="secondary">按网格筛选告警暂不支持，显示所在社区的告警</Typography.Text>}
        </div>
        {loaded?.error && loaded.key === key && (
          <Alert type="error" showIcon title="告警加载失败" description={loaded.error} className="form-alert" />
        )}
        <div data-testid="alarm-table">
          <Table<Alarm>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={rows}
            loading={loading && !loaded}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: activeOnly ? '暂无活动告警' : '暂无告警' }}
            onRow={(a) => ({
              onClick: () => setOpenId(a.id),
              className: flash.has(a.id) ? 'clickable-row alarm-row-flash' : 'clickable-row',
            })}
            pagination={{ pageSize: 20, showSizeChanger: true, showTotal: (t) => `共 ${t} 条` }}
          />
        </div>
      </Card>
      <AlarmDrawer alarmId={openId} version={version} onClose={() => setOpenId(null)} onChanged={reload} />
    </div>
  );
}
