import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Input, Space, Statistic, Table, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { errorText } from '../api/client';
import { buildingApi } from '../api/endpoints';
import type { Building } from '../api/types';
import { useAuth } from '../auth/context';
import { BUILDING_USE_LABEL, labelOf } from '../lib/registry';
import { useRegions, type IndexedRegion } from '../regions/context';
import { BuildingDrawer, OccupancyBar } from './buildings/BuildingDrawer';
import { BuildingFormModal } from './buildings/BuildingFormModal';
import { placeColumnText, selectedPlace } from './registry/shared';

type Loaded = { key: string; data: Building[]; error: null } | { key: string; data: null; error: string };

/**
 * How to ask for the buildings of the selected node: a community by its id; a grid through its
 * community (when visible; a grid worker's own grid is its whole scope) and then by grid on this
 * side, since the list has no grid filter; higher levels unfiltered (everything in scope).
 */
function buildingScope(selected: IndexedRegion | null, index: Map<string, IndexedRegion>) {
  if (selected?.node.level === 'community') return { communityId: selected.node.id, gridId: null };
  if (selected?.node.level === 'grid') {
    const parent = selected.parentId ? index.get(selected.parentId) : undefined;
    return { communityId: parent?.node.level === 'community' ? parent.node.id : null, gridId: selected.node.id };
  }
  return { communityId: null, gridId: null };
}

export default function BuildingsPage() {
  const { can } = useAuth();
  const { selected, index } = useRegions();
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [term, setTerm] = useState('');
  const [openId, setOpenId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

  const scope = useMemo(() => buildingScope(selected, index), [selected, index]);
  const key = JSON.stringify([scope.communityId, version]);
  useEffect(() => {
    const ctrl = new AbortController();
    buildingApi
      .list(scope.communityId ?? undefined, ctrl.signal)
      .then((data) => setLoaded({ key, data, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, scope.communityId]);

  const loading = loaded?.key !== key;
  const search = term.trim();
  const rows = useMemo(
    () =>
      (loaded?.data ?? [])
        .filter((b) => !scope.gridId || b.gridId === scope.gridId)
        .filter((b) => !search || b.label.includes(search) || b.road.includes(search) || b.plateCode.includes(search))
        .sort((a, b) => a.label.localeCompare(b.label, 'zh-CN', { numeric: true })),
    [loaded, scope.gridId, search],
  );
  const totals = rows.reduce((t, b) => ({ rooms: t.rooms + b.rooms, occupied: t.occupied + b.occupied }), { rooms: 0, occupied: 0 });

  const columns: TableColumnsType<Building> = [
    {
      title: '楼栋',
      dataIndex: 'label',
      width: 150,
      render: (label: string) => <Typography.Link className="nowrap">{label}</Typography.Link>,
    },
    { title: '道路门牌', dataIndex: 'road', width: 140, render: (r: string) => r || '—' },
    {
      title: selected && (selected.node.level === 'community' || selected.node.level === 'grid') ? '网格' : '所属区划',
      key: 'place',
      render: (_, b) => <span className="nowrap">{placeColumnText(index, selected, b.communityId, b.gridId)}</span>,
    },
    { title: '层数', dataIndex: 'floors', width: 70, render: (f: number | null) => (f !== null ? `${f} 层` : '—') },
    { title: '用途', dataIndex: 'use', width: 70, render: (u: string) => labelOf(BUILDING_USE_LABEL, u) },
    { title: '建成年份', dataIndex: 'builtYear', width: 90, render: (y: number | null) => y ?? '—' },
    {
      title: '入住（套）',
      key: 'occupancy',
      width: 190,
      sorter: (a, b) => a.occupied / (a.rooms || 1) - b.occupied / (b.rooms || 1),
      render: (_, b) => <OccupancyBar occupied={b.occupied} rooms={b.rooms} />,
    },
    { title: '门牌码', dataIndex: 'plateCode', render: (c: string) => <span className="mono small-text">{c}</span> },
  ];

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>楼栋房屋</span>
            {selected && (
              <Typography.Text type="secondary" className="card-subtitle">
                {selected.node.name}
                {selected.node.level === 'community' || selected.node.level === 'grid' ? '的楼栋' : '及下级区划的楼栋'}
              </Typography.Text>
            )}
          </Space>
        }
        extra={
          <Space>
            <Input.Search
              allowClear
              placeholder="楼栋名称、道路或门牌码"
              value={term}
              onChange={(e) => setTerm(e.target.value)}
              className="toolbar-search"
              data-testid="building-search"
            />
            <Tooltip title="刷新">
              <Button icon={<ReloadOutlined />} onClick={() => setVersion((v) => v + 1)} aria-label="刷新" />
            </Tooltip>
            {can('registry.write') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="building-create">
                新增楼栋
              </Button>
            )}
          </Space>
        }
      >
        <div className="stat-row">
          <Statistic title="楼栋" value={rows.length} suffix="栋" />
          <Statistic title="房屋" value={totals.rooms} suffix="套" />
          <Statistic title="有人居住" value={totals.occupied} suffix="套" />
          <Statistic
            title="入住率"
            value={totals.rooms ? Math.round((totals.occupied / totals.rooms) * 1000) / 10 : 0}
            precision={1}
            suffix="%"
          />
        </div>
        {loaded?.error && loaded.key === key && (
          <Alert type="error" showIcon title="楼栋列表加载失败" description={loaded.error} className="form-alert" />
        )}
        <div data-testid="building-table">
          <Table<Building>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={rows}
            loading={loading}
            scroll={{ x: 'max-content' }}
            onRow={(b) => ({ onClick: () => setOpenId(b.id), className: 'clickable-row' })}
            pagination={{ defaultPageSize: 20, showSizeChanger: true, showTotal: (total) => `共 ${total} 栋` }}
          />
        </div>
      </Card>
      <BuildingDrawer buildingId={openId} onClose={() => setOpenId(null)} onChanged={() => setVersion((v) => v + 1)} />
      <BuildingFormModal
        open={creating}
        regionId={selectedPlace(selected)}
        onClose={() => setCreating(false)}
        onSaved={(b) => {
          setCreating(false);
          setVersion((v) => v + 1);
          setOpenId(b.id);
        }}
      />
    </div>
  );
}
