// 设备分布: the devices of one community by building. Buildings with coordinates are drawn on a plan
// (SVG, the grid dashboard's projection), the others as tiles, and devices without a building as
// 未关联楼栋. Each shows its devices by type, how many are online and its active alarms coloured by the
// worst severity; the alarm stream (Server-Sent Events) reloads them live. A building opens a side panel
// with its devices and alarms, which open the device and alarm drawers.
import { ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Empty, Select, Space, Spin, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { errorText } from '../../api/client';
import { buildingApi } from '../../api/endpoints';
import type { Building } from '../../api/types';
import { useAuth } from '../../auth/context';
import { fitProjection } from '../grid/projection';
import { devicesApi, SEVERITIES, type Alarm, type Device } from './api';
import { AlarmDrawer } from './AlarmDrawer';
import { BuildingPanel } from './BuildingPanel';
import { DeviceDrawer } from './DeviceDrawer';
import { groupByBuilding, SEVERITY_HEX, SEVERITY_ORDER, type BuildingGroup } from './deviceMap';
import { DeviceTypeIcon } from './DeviceTypeIcon';
import { useSelection } from './shared';
import { useAlarmStream, type StreamState } from './useAlarmStream';
import './devices.css';
import './deviceMap.css';

interface Data {
  communityId: string;
  /** null when the caller may not read the register (no building names or coordinates). */
  buildings: Building[] | null;
  devices: Device[];
  alarms: Alarm[];
  /** When it was loaded: "online" is judged against this. */
  at: number;
}

type Loaded = { key: string; data: Data; error: null } | { key: string; communityId: string; data: null; error: string };

/** Reload at least this often, for devices going on- and offline and their latest values. */
const REFRESH_MS = 60_000;

const PLAN_W = 720;
const PLAN_H = 440;
const PLAN_PAD = 48;

function StreamTag({ state }: { state: StreamState }) {
  if (state === 'live')
    return (
      <Tag color="success" data-testid="device-map-live">
        <span className="alarm-live-dot" />
        实时
      </Tag>
    );
  if (state === 'refused') return <Tag>实时推送不可用</Tag>;
  return <Tag color="warning">{state === 'connecting' ? '连接中…' : '重新连接中…'}</Tag>;
}

function AlarmBadge({ group }: { group: BuildingGroup }) {
  if (!group.worst) return null;
  const s = SEVERITIES[group.worst];
  return (
    <Tag color={s?.color ?? 'red'} data-testid="building-alarm-badge" data-severity={group.worst} style={{ marginInlineEnd: 0 }}>
      告警 {group.alarms.length}
    </Tag>
  );
}

function TypeBadges({ group }: { group: BuildingGroup }) {
  return (
    <span className="device-map-types">
      {group.byType.map((t) => (
        <Tooltip key={t.type} title={`${t.label} ${t.count} 台`}>
          <span className="device-map-type" data-type={t.type} aria-label={`${t.label} ${t.count} 台`}>
            <DeviceTypeIcon type={t.type} />
            {t.count}
          </span>
        </Tooltip>
      ))}
    </span>
  );
}

function BuildingTile({ group, active, onOpen }: { group: BuildingGroup; active: boolean; onOpen: () => void }) {
  const colour = group.worst ? SEVERITY_HEX[group.worst] : undefined;
  return (
    <div
      role="button"
      tabIndex={0}
      className={`device-map-tile${active ? ' is-active' : ''}${group.worst === 'critical' ? ' is-critical' : ''}`}
      style={colour ? { borderColor: colour.stroke, background: colour.fill } : undefined}
      data-testid="building-tile"
      data-building={group.key || 'unassigned'}
      data-severity={group.worst ?? 'none'}
      onClick={onOpen}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onOpen();
        }
      }}
    >
      <div className="device-map-tile-head">
        <span className="device-map-tile-name" data-testid="building-name">
          {group.label}
        </span>
        <AlarmBadge group={group} />
      </div>
      <div className="device-map-tile-counts">
        设备 <b data-testid="building-device-count">{group.devices.length}</b> 台 · 在线{' '}
        <b data-testid="building-online-count">{group.online}</b>
      </div>
      {group.byType.length ? <TypeBadges group={group} /> : <Typography.Text type="secondary">暂无设备</Typography.Text>}
    </div>
  );
}

/** Buildings with coordinates, placed on an SVG plan. */
function BuildingPlan({ groups, openKey, onOpen }: { groups: BuildingGroup[]; openKey: string | null; onOpen: (key: string) => void }) {
  const projection = fitProjection(
    groups.map((g) => [g.building!.lng!, g.building!.lat!] as const),
    PLAN_W,
    PLAN_H,
    PLAN_PAD,
  );
  if (!projection) return null;
  const { px, py } = projection;
  return (
    <svg
      viewBox={`0 0 ${PLAN_W} ${PLAN_H}`}
      width="100%"
      className="device-map-plan"
      role="img"
      aria-label="楼栋设备分布图"
      data-testid="device-map-plan"
    >
      {groups.map((g) => {
        const x = px(g.building!.lng!);
        const y = py(g.building!.lat!);
        const colour = g.worst ? SEVERITY_HEX[g.worst] : undefined;
        const types = g.byType.map((t) => `${t.label} ${t.count}`).join('，');
        return (
          <g
            key={g.key}
            data-testid="building-marker"
            data-building={g.key}
            data-severity={g.worst ?? 'none'}
            className={`device-map-marker${g.worst === 'critical' ? ' is-critical' : ''}`}
            onClick={() => onOpen(g.key)}
          >
            <title>{`${g.label}：设备 ${g.devices.length} 台（${types || '无'}），在线 ${g.online}，活动告警 ${g.alarms.length}`}</title>
            <rect
              x={x - 30}
              y={y - 18}
              width={60}
              height={36}
              rx={4}
              fill={colour?.fill ?? '#f0f5ff'}
              stroke={colour?.stroke ?? '#5b7db8'}
              strokeWidth={openKey === g.key ? 3 : 1.5}
            />
            <text x={x} y={y + 5} textAnchor="middle" fontSize={14} fontWeight={600} fill="#1f2d3d">
              {g.devices.length}
            </text>
            <text x={x} y={y + 32} textAnchor="middle" fontSize={11} fill="#34495e">
              {g.label}
            </text>
            {g.alarms.length > 0 && (
              <g>
                <circle cx={x + 30} cy={y - 18} r={10} fill={colour?.stroke ?? '#cf1322'} />
                <text x={x + 30} y={y - 14} textAnchor="middle" fontSize={11} fill="#fff">
                  {g.alarms.length}
                </text>
              </g>
            )}
          </g>
        );
      })}
    </svg>
  );
}

export default function DeviceMapPage() {
  const { can } = useAuth();
  const selection = useSelection();
  const [params, setParams] = useSearchParams();
  const communities = selection.communities;
  const fromUrl = params.get('community');
  const communityId =
    selection.communityId ??
    (fromUrl && communities.some((c) => c.id === fromUrl) ? fromUrl : communities.length === 1 ? communities[0]!.id : undefined);
  const readRegister = can('registry.read');

  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [open, setOpen] = useState<{ communityId: string; key: string } | null>(null);
  const [deviceId, setDeviceId] = useState<string | null>(null);
  const [alarmId, setAlarmId] = useState<string | null>(null);

  const key = JSON.stringify([communityId, version]);
  useEffect(() => {
    if (!communityId) return;
    const ctrl = new AbortController();
    Promise.all([
      readRegister ? buildingApi.list(communityId, ctrl.signal) : Promise.resolve(null),
      devicesApi.list({ communityId }, ctrl.signal),
      devicesApi.alarms({ communityId, status: 'active', limit: 1000 }, ctrl.signal),
    ])
      .then(([buildings, devices, alarms]) =>
        setLoaded({ key, data: { communityId, buildings, devices, alarms, at: Date.now() }, error: null }),
      )
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, communityId, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, communityId, readRegister]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const stream = useAlarmStream(reload, reload);
  useEffect(() => {
    const t = setInterval(reload, REFRESH_MS);
    return () => clearInterval(t);
  }, [reload]);

  // The last answer for this community stays on screen while the next one loads.
  const data = loaded?.data && loaded.data.communityId === communityId ? loaded.data : null;
  const error = loaded && !loaded.data && loaded.communityId === communityId ? loaded.error : null;
  const groups = useMemo(() => (data ? groupByBuilding(data.buildings, data.devices, data.alarms, data.at) : []), [data]);
  const placed = groups.filter((g) => g.building && g.building.lng !== null && g.building.lat !== null);
  const tiles = placed.length ? groups.filter((g) => !placed.includes(g)) : groups;
  const openKey = open && open.communityId === communityId ? open.key : null;
  const openGroup = openKey === null ? undefined : groups.find((g) => g.key === openKey);
  const totals = useMemo(
    () => ({
      devices: data?.devices.length ?? 0,
      online: groups.reduce((n, g) => n + g.online, 0),
      alarms: groups.reduce((n, g) => n + g.alarms.length, 0),
    }),
    [data, groups],
  );
  const openGroupKey = (k: string) => communityId && setOpen({ communityId, key: k });

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>设备分布</span>
            {selection.name && (
              <Typography.Text type="secondary" className="card-subtitle">
                {selection.name}
              </Typography.Text>
            )}
            <StreamTag state={stream} />
          </Space>
        }
        extra={
          <Tooltip title="刷新">
            <Button icon={<ReloadOutlined />} onClick={reload} aria-label="刷新" disabled={!communityId} />
          </Tooltip>
        }
      >
        <div className="filter-bar" style={{ display: 'flex', flexWrap: 'wrap', gap: 12, alignItems: 'center', marginBottom: 12 }}>
          <Select
            placeholder="选择社区"
            value={communityId}
            onChange={(v: string) =>
              setParams(
                (prev) => {
                  const next = new URLSearchParams(prev);
                  next.set('community', v);
                  return next;
                },
                { replace: true },
              )
            }
            options={communities.map((c) => ({ value: c.id, label: c.name }))}
            showSearch={{ optionFilterProp: 'label' }}
            style={{ width: 220 }}
            data-testid="device-map-community"
          />
          {data && (
            <Space size={4} wrap data-testid="device-map-totals">
              <Tag>设备 {totals.devices} 台</Tag>
              <Tag color="green">在线 {totals.online}</Tag>
              <Tag color={totals.alarms ? 'red' : 'default'}>活动告警 {totals.alarms}</Tag>
            </Space>
          )}
          <Space size={4} wrap className="device-map-legend">
            <Typography.Text type="secondary" className="small-text">
              告警级别：
            </Typography.Text>
            {SEVERITY_ORDER.map((s) => (
              <Tag key={s} color={SEVERITIES[s]?.color}>
                {SEVERITIES[s]?.label ?? s}
              </Tag>
            ))}
            <Typography.Text type="secondary" className="small-text">
              在线：24 小时内有上报
            </Typography.Text>
          </Space>
        </div>
        {selection.gridId && (
          <Alert type="info" showIcon title="设备分布按社区显示，已显示所选网格所在社区的全部楼栋" className="form-alert" />
        )}
        {!readRegister && data && (
          <Alert type="info" showIcon title="无基础信息库查看权限：楼栋按设备地址显示，不含坐标" className="form-alert" />
        )}
        {error && <Alert type="error" showIcon title="设备分布加载失败" description={error} className="form-alert" />}
        {!communityId ? (
          <Empty description={communities.length ? '请选择社区' : '当前范围内没有社区'} />
        ) : !data && !error ? (
          <div className="center-pad">
            <Spin />
          </div>
        ) : data ? (
          <div className={`device-map-layout${openGroup ? ' with-panel' : ''}`}>
            <div className="device-map-main" data-testid="device-map">
              {placed.length > 0 && <BuildingPlan groups={placed} openKey={openKey} onOpen={openGroupKey} />}
              {placed.length > 0 && tiles.length > 0 && (
                <Typography.Title level={5} style={{ margin: '16px 0 8px' }}>
                  未标注坐标的楼栋
                </Typography.Title>
              )}
              {tiles.length > 0 && (
                <div className="device-map-tiles">
                  {tiles.map((g) => (
                    <BuildingTile key={g.key || 'unassigned'} group={g} active={openKey === g.key} onOpen={() => openGroupKey(g.key)} />
                  ))}
                </div>
              )}
              {!groups.length && <Empty description="该社区暂无楼栋和设备" />}
            </div>
            {openGroup && (
              <BuildingPanel group={openGroup} now={data.at} onClose={() => setOpen(null)} onDevice={setDeviceId} onAlarm={setAlarmId} />
            )}
          </div>
        ) : null}
      </Card>
      <DeviceDrawer deviceId={deviceId} onClose={() => setDeviceId(null)} />
      <AlarmDrawer alarmId={alarmId} version={version} onClose={() => setAlarmId(null)} onChanged={reload} />
    </div>
  );
}
