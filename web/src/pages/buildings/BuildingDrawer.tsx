// A building: its facts, and its rooms laid out unit by unit, floor by floor (vacant or occupied).
import { PlusOutlined, PrinterOutlined, QrcodeOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Collapse, Descriptions, Drawer, Empty, Progress, Space, Spin, Table, Tooltip } from 'antd';
import { useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import { buildingApi } from '../../api/endpoints';
import type { BuildingDetail, BuildingRoom } from '../../api/types';
import { useAuth } from '../../auth/context';
import { BUILDING_USE_LABEL, labelOf } from '../../lib/registry';
import { useRegions } from '../../regions/context';
import { placeName, PlateLink } from '../registry/shared';
import { RoomFormModal } from './RoomFormModal';
import { RoomModal } from './RoomModal';

type Loaded = { key: string; detail: BuildingDetail; error: null } | { key: string; detail: null; error: string };

const byNumber = (a: string, b: string) => a.localeCompare(b, 'zh-CN', { numeric: true });

interface Grid {
  /** Unit numbers left to right; null for rooms outside any unit. */
  units: (string | null)[];
  /** Floors top to bottom; null for rooms without a floor. */
  floors: (number | null)[];
  cell: (floor: number | null, unit: string | null) => BuildingRoom[];
}

export function roomGrid(d: BuildingDetail): Grid {
  const unitSet = new Set<string>(d.units.map((u) => u.number));
  let noUnit = false;
  const floorSet = new Set<number>();
  let noFloor = false;
  const cells = new Map<string, BuildingRoom[]>();
  for (const r of d.roomList) {
    if (r.unitNumber === null) noUnit = true;
    else unitSet.add(r.unitNumber);
    if (r.floor === null) noFloor = true;
    else floorSet.add(r.floor);
    const k = `${r.floor ?? ''}|${r.unitNumber ?? ''}`;
    cells.set(k, [...(cells.get(k) ?? []), r]);
  }
  for (const list of cells.values()) list.sort((a, b) => byNumber(a.number, b.number));
  return {
    units: [...[...unitSet].sort(byNumber), ...(noUnit ? [null] : [])],
    floors: [...[...floorSet].sort((a, b) => b - a), ...(noFloor ? [null] : [])],
    cell: (floor, unit) => cells.get(`${floor ?? ''}|${unit ?? ''}`) ?? [],
  };
}

function RoomCell({ room, onClick }: { room: BuildingRoom; onClick: () => void }) {
  const occupied = room.occupants > 0;
  return (
    <Tooltip title={room.address}>
      <button
        type="button"
        className={`room-cell ${occupied ? 'is-occupied' : 'is-vacant'}`}
        onClick={onClick}
        data-testid="room-cell"
        data-room-id={room.id}
      >
        <span className="room-cell-number">{room.number}</span>
        <span className="room-cell-count">{occupied ? `${room.occupants}人` : '空置'}</span>
      </button>
    </Tooltip>
  );
}

/**
 * Opens the building's printable plate sheet in a new window. The sheet needs the bearer token, so
 * it is fetched here and shown from a Blob URL; the window is opened at once (inside the click) so
 * that popup blockers let it through, and filled when the sheet arrives.
 */
async function openPlateSheet(buildingId: string): Promise<void> {
  const win = window.open('', '_blank');
  if (win) {
    win.document.title = '数字门牌';
    win.document.body.textContent = '正在生成数字门牌，请稍候…';
  }
  try {
    const { blob } = await buildingApi.plates(buildingId);
    const url = URL.createObjectURL(new Blob([blob], { type: 'text/html;charset=utf-8' }));
    if (win && !win.closed) win.location.replace(url);
    else if (!window.open(url, '_blank')) throw new Error('浏览器拦截了新窗口，请允许本站弹出窗口后重试');
    // The window has loaded it long before; let the memory go eventually.
    setTimeout(() => URL.revokeObjectURL(url), 10 * 60_000);
  } catch (err) {
    win?.close();
    throw err;
  }
}

export function OccupancyBar({ occupied, rooms }: { occupied: number; rooms: number }) {
  const percent = rooms > 0 ? Math.round((occupied / rooms) * 100) : 0;
  return (
    <div className="occupancy">
      <span className="occupancy-text">
        {occupied}/{rooms}
      </span>
      <Progress percent={percent} size="small" showInfo={false} className="occupancy-bar" />
    </div>
  );
}

export function BuildingDrawer({
  buildingId,
  onClose,
  onChanged,
}: {
  buildingId: string | null;
  onClose: () => void;
  /** Rooms or residencies were added: the list's counts are out of date. */
  onChanged: () => void;
}) {
  const { can } = useAuth();
  const { index } = useRegions();
  const { message } = App.useApp();
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [printing, setPrinting] = useState(false);
  const [roomFormFor, setRoomFormFor] = useState<BuildingDetail | null>(null);
  const [room, setRoom] = useState<BuildingRoom | null>(null);

  const key = `${buildingId ?? ''}#${version}`;
  useEffect(() => {
    if (!buildingId) return;
    const ctrl = new AbortController();
    buildingApi
      .get(buildingId, ctrl.signal)
      .then((detail) => setLoaded({ key, detail, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, detail: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, buildingId]);

  const current = loaded?.key === key ? loaded : null;
  const detail = current?.detail ?? (loaded?.detail?.id === buildingId ? loaded.detail : null);
  const refresh = () => setVersion((v) => v + 1);
  const changed = () => {
    refresh();
    onChanged();
  };
  const grid = detail ? roomGrid(detail) : null;

  const print = (id: string) => {
    setPrinting(true);
    openPlateSheet(id)
      .catch((err: unknown) => message.error(errorText(err)))
      .finally(() => setPrinting(false));
  };

  return (
    <Drawer
      title={detail?.label ?? '楼栋详情'}
      open={buildingId !== null}
      onClose={onClose}
      size={920}
      destroyOnHidden
      extra={
        detail && (
          <Space>
            <Tooltip title="在新窗口打开本楼栋及各房屋的二维码门牌，可直接打印">
              <Button icon={<PrinterOutlined />} loading={printing} onClick={() => print(detail.id)} data-testid="building-print-plates">
                打印门牌
              </Button>
            </Tooltip>
            {can('registry.write') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setRoomFormFor(detail)} data-testid="room-create">
                新增房屋
              </Button>
            )}
            <Tooltip title="刷新">
              <Button icon={<ReloadOutlined />} onClick={refresh} aria-label="刷新" />
            </Tooltip>
          </Space>
        )
      }
    >
      <div data-testid="building-detail" data-building-id={detail?.id}>
        {current?.error ? (
          <Alert type="error" showIcon title="楼栋详情加载失败" description={current.error} />
        ) : !detail || !grid ? (
          <div className="center-pad">
            <Spin />
          </div>
        ) : (
          <>
            <Descriptions
              column={3}
              bordered
              size="small"
              items={[
                { key: 'road', label: '道路门牌', children: detail.road || '—' },
                { key: 'compound', label: '小区', children: detail.compound || '—' },
                { key: 'number', label: '楼号', children: `${detail.number}栋` },
                { key: 'place', label: '所属区划', span: 2, children: placeName(index, detail.communityId, detail.gridId) },
                { key: 'use', label: '用途', children: labelOf(BUILDING_USE_LABEL, detail.use) },
                { key: 'floors', label: '层数', children: detail.floors !== null ? `${detail.floors} 层` : '—' },
                { key: 'units', label: '单元', children: detail.units.length ? `${detail.units.length} 个` : '未划分' },
                { key: 'built', label: '建成年份', children: detail.builtYear ?? '—' },
                {
                  key: 'occupancy',
                  label: '入住',
                  span: 2,
                  children: <OccupancyBar occupied={detail.occupied} rooms={detail.rooms} />,
                },
                {
                  key: 'coords',
                  label: '坐标',
                  children: detail.lng !== null && detail.lat !== null ? `${detail.lng}, ${detail.lat}` : '—',
                },
                {
                  key: 'plate',
                  label: '门牌码',
                  span: 3,
                  children: <PlateLink communityId={detail.communityId} code={detail.plateCode} testId="building-plate" />,
                },
              ]}
            />
            <div className="section-head">
              <span className="section-label">房屋分布（{detail.roomList.length} 套）</span>
              <span className="room-legend">
                <span className="room-legend-item is-occupied">有人居住</span>
                <span className="room-legend-item is-vacant">空置</span>
              </span>
            </div>
            {detail.roomList.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="尚未登记房屋" />
            ) : (
              <div className="room-grid-wrap">
                <table className="room-grid" data-testid="room-grid">
                  <thead>
                    <tr>
                      <th className="room-grid-floor">楼层</th>
                      {grid.units.map((u) => (
                        <th key={u ?? '-'}>{u === null ? '未分单元' : `${u}单元`}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {grid.floors.map((f) => (
                      <tr key={f ?? '-'}>
                        <th className="room-grid-floor">{f === null ? '未标注' : `${f}层`}</th>
                        {grid.units.map((u) => (
                          <td key={u ?? '-'}>
                            <div className="room-grid-cell">
                              {grid.cell(f, u).map((r) => (
                                <RoomCell key={r.id} room={r} onClick={() => setRoom(r)} />
                              ))}
                            </div>
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {detail.roomList.length > 0 && (
              <Collapse
                className="plate-collapse"
                size="small"
                items={[
                  {
                    key: 'plates',
                    label: (
                      <span>
                        <QrcodeOutlined /> 房屋门牌码（{detail.roomList.length}）
                      </span>
                    ),
                    children: (
                      <Table<BuildingRoom>
                        rowKey="id"
                        size="small"
                        dataSource={[...detail.roomList].sort(
                          (a, b) => byNumber(a.unitNumber ?? '', b.unitNumber ?? '') || byNumber(a.number, b.number),
                        )}
                        pagination={{ defaultPageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
                        data-testid="room-plates"
                        columns={[
                          {
                            title: '房屋',
                            key: 'room',
                            render: (_, r) => `${r.unitNumber ? `${r.unitNumber}单元 ` : ''}${r.number}室`,
                          },
                          {
                            title: '门牌码（点击打开门牌页）',
                            dataIndex: 'plateCode',
                            render: (code: string, r) => <PlateLink communityId={r.communityId} code={code} />,
                          },
                        ]}
                      />
                    ),
                  },
                ]}
              />
            )}
          </>
        )}
      </div>
      <RoomFormModal
        building={roomFormFor}
        onClose={() => setRoomFormFor(null)}
        onSaved={() => {
          setRoomFormFor(null);
          changed();
        }}
      />
      <RoomModal room={room} buildingLabel={detail?.label ?? ''} onClose={() => setRoom(null)} onChanged={changed} />
    </Drawer>
  );
}
