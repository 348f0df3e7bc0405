// The side panel of 设备分布: one building's (or 未关联楼栋's) devices with type, status and latest
// values, and its active alarms. A device opens the device drawer, an alarm the alarm drawer; links go
// to 设备台账 and 告警中心.
import { CloseOutlined } from '@ant-design/icons';
import { Button, Card, Empty, List, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { Link } from 'react-router-dom';
import { formatTime } from '../../lib/time';
import { formatValue, type Alarm, type Device } from './api';
import { isOnline, type BuildingGroup } from './deviceMap';
import { DeviceTypeIcon } from './DeviceTypeIcon';
import { SeverityTag } from './shared';

function DeviceStatus({ device, now, alarms }: { device: Device; now: number; alarms: Alarm[] }) {
  return (
    <span className="nowrap">
      {device.status !== 'active' ? (
        <Tag>停用</Tag>
      ) : !device.lastSeenAt ? (
        <Tag>未上报</Tag>
      ) : isOnline(device, now) ? (
        <Tag color="green">在线</Tag>
      ) : (
        <Tag color="default">离线</Tag>
      )}
      {alarms.map((a) => (
        <SeverityTag key={a.id} severity={a.severity} label={a.severityLabel} />
      ))}
    </span>
  );
}

function Latest({ latest }: { latest: Device['latest'] }) {
  const entries = Object.entries(latest);
  if (!entries.length) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <span className="device-value-tags">
      {entries.slice(0, 3).map(([k, v]) => (
        <Tag key={k} color={v.value === true ? 'red' : undefined}>
          {k}: {formatValue(v.value)}
        </Tag>
      ))}
      {entries.length > 3 && <Tag>+{entries.length - 3}</Tag>}
    </span>
  );
}

export function BuildingPanel({
  group,
  now,
  onClose,
  onDevice,
  onAlarm,
}: {
  group: BuildingGroup;
  now: number;
  onClose: () => void;
  onDevice: (id: string) => void;
  onAlarm: (id: string) => void;
}) {
  const alarmsByDevice = new Map<string, Alarm[]>();
  for (const a of group.alarms) alarmsByDevice.set(a.deviceId, [...(alarmsByDevice.get(a.deviceId) ?? []), a]);

  const columns: TableColumnsType<Device> = [
    {
      title: '名称',
      dataIndex: 'name',
      render: (v: string) => <Typography.Link>{v}</Typography.Link>,
    },
    {
      title: '类型',
      dataIndex: 'typeLabel',
      render: (v: string, d) => (
        <span className="nowrap">
          <DeviceTypeIcon type={d.type} /> {v}
        </span>
      ),
    },
    {
      title: '状态',
      dataIndex: 'lastSeenAt',
      render: (_: unknown, d) => <DeviceStatus device={d} now={now} alarms={alarmsByDevice.get(d.id) ?? []} />,
    },
    { title: '最新数据', dataIndex: 'latest', render: (v: Device['latest']) => <Latest latest={v} /> },
  ];

  return (
    <Card
      size="small"
      className="device-map-panel"
      data-testid="building-panel"
      title={group.label}
      extra={<Button type="text" size="small" icon={<CloseOutlined />} onClick={onClose} aria-label="关闭" />}
    >
      <Space size={4} wrap style={{ marginBottom: 12 }}>
        <Tag>设备 {group.devices.length} 台</Tag>
        <Tag color="green">在线 {group.online}</Tag>
        <Tag color={group.alarms.length ? 'red' : 'default'}>活动告警 {group.alarms.length}</Tag>
        {group.building?.floors ? <Tag>{group.building.floors} 层</Tag> : null}
      </Space>

      <Typography.Title level={5} style={{ marginTop: 0 }}>
        活动告警
        <Link to="/devices/alarms" style={{ fontSize: 12, fontWeight: 'normal', marginLeft: 8 }}>
          告警中心
        </Link>
      </Typography.Title>
      {group.alarms.length ? (
        <List<Alarm>
          size="small"
          dataSource={group.alarms}
          data-testid="building-panel-alarms"
          renderItem={(a) => (
            <List.Item className="clickable-row" onClick={() => onAlarm(a.id)} style={{ cursor: 'pointer' }}>
              <Space size={6} wrap>
                <SeverityTag severity={a.severity} label={a.severityLabel} />
                <Typography.Link>{a.label}</Typography.Link>
                <span>{a.deviceName ?? '—'}</span>
                {!a.acknowledged && <Tag color="orange">未确认</Tag>}
                <Typography.Text type="secondary" className="small-text">
                  {formatTime(a.lastAt, 'MM-DD HH:mm:ss')}
                </Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      ) : (
        <Typography.Paragraph type="secondary">暂无活动告警</Typography.Paragraph>
      )}

      <Typography.Title level={5}>
        设备
        <Link to="/devices" style={{ fontSize: 12, fontWeight: 'normal', marginLeft: 8 }}>
          设备台账
        </Link>
      </Typography.Title>
      {group.devices.length ? (
        <div data-testid="building-panel-devices">
          <Table<Device>
            rowKey="id"
            size="small"
            columns={columns}
            dataSource={group.devices}
            scroll={{ x: 'max-content' }}
            onRow={(d) => ({ onClick: () => onDevice(d.id), className: 'clickable-row' })}
            pagination={group.devices.length > 10 ? { pageSize: 10, size: 'small' } : false}
          />
        </div>
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="暂无设备" />
      )}
    </Card>
  );
}
