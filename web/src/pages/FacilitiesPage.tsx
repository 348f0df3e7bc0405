// 场所设施: public places (避难场所、活动中心…) and things (充电桩、消防栓、AED…) of the communities,
// with their status; writers add and edit them and take them out of or back into service.
import { EditOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Input, Popconfirm, Segmented, Select, Space, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { errorText } from '../api/client';
import { facilityApi } from '../api/endpoints';
import type { Facility, FacilityStatus } from '../api/types';
import { useAuth } from '../auth/context';
import { FACILITY_STATUS, FACILITY_STATUSES, facilityGroupLabel, facilityKindOptions, facilityStatus } from '../lib/registry';
import { useRegions } from '../regions/context';
import { FacilityFormModal, type FacilityFormTarget } from './facilities/FacilityFormModal';
import { placeColumnText, selectedCommunity, selectedPlace } from './registry/shared';

type Loaded = { key: string; data: Facility[]; error: null } | { key: string; data: null; error: string };

function attrText(v: unknown): string {
  if (typeof v === 'boolean') return v ? '是' : '否';
  return v === null || v === undefined ? '' : String(v);
}

export default function FacilitiesPage() {
  const { can, user } = useAuth();
  const { message } = App.useApp();
  const { selected, index } = useRegions();
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [kind, setKind] = useState<string | null>(null);
  const [status, setStatus] = useState<FacilityStatus | 'all'>('all');
  const [term, setTerm] = useState('');
  const [formTarget, setFormTarget] = useState<FacilityFormTarget | null>(null);
  const [switching, setSwitching] = useState<string | null>(null);

  const communityId = selectedCommunity(selected, index);
  const gridId = selected?.node.level === 'grid' ? selected.node.id : null;
  const key = JSON.stringify([communityId, kind, version]);
  useEffect(() => {
    const ctrl = new AbortController();
    facilityApi
      .list({ ...(communityId ? { communityId } : {}), ...(kind ? { kind } : {}) }, ctrl.signal)
      .then((data) => setLoaded({ key, data, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, communityId, kind]);

  const loading = loaded?.key !== key;
  // Under a grid: the grid's own and the community-wide ones (as a grid worker sees them).
  const inPlace = useMemo(
    () => (loaded?.key === key ? (loaded.data ?? []) : []).filter((f) => !gridId || f.gridId === null || f.gridId === gridId),
    [loaded, key, gridId],
  );
  const search = term.trim();
  const rows = useMemo(
    () =>
      inPlace
        .filter((f) => status === 'all' || f.status === status)
        .filter((f) => !search || f.name.includes(search) || (f.location ?? '').includes(search)),
    [inPlace, status, search],
  );
  const stats = {
    places: inPlace.filter((f) => f.group === 'place').length,
    things: inPlace.filter((f) => f.group !== 'place').length,
    inService: inPlace.filter((f) => f.status === 'in_service').length,
    outOfService: inPlace.filter((f) => f.status === 'out_of_service').length,
  };
  const writable = can('registry.write');
  /** A grid account sees the community-wide facilities but may change only its grid's. */
  const canChange = (f: Facility) => writable && (user?.regionLevel !== 'grid' || f.gridId === user.regionId);

  const setServiceStatus = async (f: Facility, next: FacilityStatus) => {
    setSwitching(f.id);
    try {
      await facilityApi.update(f.id, { status: next });
      message.success(`${f.name} 已${next === 'in_service' ? '启用' : '停用'}`);
      setVersion((v) => v + 1);
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setSwitching(null);
    }
  };

  const columns: TableColumnsType<Facility> = [
    {
      title: '名称',
      dataIndex: 'name',
      render: (name: string) => <span className="nowrap strong-text">{name}</span>,
    },
    {
      title: '类别',
      key: 'kind',
      width: 190,
      render: (_, f) => (
        <Space size={4} className="nowrap">
          <Tag color={f.group === 'place' ? 'geekblue' : 'cyan'} variant="outlined">
            {facilityGroupLabel(f.group)}
          </Tag>
          <span>{f.kindLabel}</span>
        </Space>
      ),
    },
    {
      title: '状态',
      dataIndex: 'status',
      width: 80,
      render: (s: string) => {
        const st = facilityStatus(s);
        return (
          <Tag color={st.color} data-status={s}>
            {st.text}
          </Tag>
        );
      },
    },
    {
      title: '位置',
      key: 'location',
      render: (_, f) => (
        <div>
          <div>{f.location ?? '—'}</div>
          {f.lng !== null && f.lat !== null && (
            <Typography.Text type="secondary" className="mono small-text">
              {f.lng}, {f.lat}
            </Typography.Text>
          )}
        </div>
      ),
    },
    {
      title: selected && (selected.node.level === 'community' || selected.node.level === 'grid') ? '网格' : '所属区划',
      key: 'place',
      width: 160,
      render: (_, f) => <span className="nowrap">{placeColumnText(index, selected, f.communityId, f.gridId)}</span>,
    },
    { title: '容量', dataIndex: 'capacity', width: 80, align: 'right', render: (c: number | null) => c ?? '—' },
    {
      title: '属性',
      dataIndex: 'attributes',
      render: (a: Record<string, unknown>) => {
        const entries = Object.entries(a);
        if (entries.length === 0) return <Typography.Text type="secondary">—</Typography.Text>;
        return (
          <span className="tag-list">
            {entries.map(([k, v]) => (
              <Tag key={k} className="resident-tag">
                {k}：{attrText(v)}
              </Tag>
            ))}
          </span>
        );
      },
    },
    ...(writable
      ? [
          {
            title: '操作',
            key: 'actions',
            width: 150,
            fixed: 'right' as const,
            render: (_: unknown, f: Facility) => {
              if (!canChange(f)) {
                return (
                  <Tooltip title="社区统一管理的设施，网格账号不能修改">
                    <Typography.Text type="secondary" className="small-text">
                      社区管理
                    </Typography.Text>
                  </Tooltip>
                );
              }
              const next: FacilityStatus = f.status === 'in_service' ? 'out_of_service' : 'in_service';
              const label = next === 'in_service' ? '启用' : '停用';
              return (
                <Space size={4}>
                  <Button
                    size="small"
                    type="link"
                    icon={<EditOutlined />}
                    onClick={() => setFormTarget({ mode: 'edit', facility: f })}
                    data-testid="facility-edit"
                  >
                    编辑
                  </Button>
                  <Popconfirm
                    title={`${label}「${f.name}」？`}
                    description={next === 'out_of_service' ? '停用后仍保留登记信息，可随时启用' : undefined}
                    okText={label}
                    cancelText="取消"
                    okButtonProps={{ danger: next === 'out_of_service' }}
                    onConfirm={() => setServiceStatus(f, next)}
                  >
                    <Button
                      size="small"
                      type="link"
                      danger={next === 'out_of_service'}
                      loading={switching === f.id}
                      data-testid="facility-toggle"
                    >
                      {label}
                    </Button>
                  </Popconfirm>
                </Space>
              );
            },
          },
        ]
      : []),
  ];

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>场所设施</span>
            {selected && (
              <Typography.Text type="secondary" className="card-subtitle">
                {selected.node.name}
                {selected.node.level === 'community' || selected.node.level === 'grid' ? '' : '及下级区划'}的公共场所与设施设备
              </Typography.Text>
            )}
          </Space>
        }
        extra={
          <Space>
            <Tooltip title="刷新">
              <Button icon={<ReloadOutlined />} onClick={() => setVersion((v) => v + 1)} aria-label="刷新" />
            </Tooltip>
            {writable && (
              <Button
                type="primary"
                icon={<PlusOutlined />}
                onClick={() => setFormTarget({ mode: 'create', regionId: selectedPlace(selected) })}
                data-testid="facility-create"
              >
                新增场所设施
              </Button>
            )}
          </Space>
        }
      >
        <div className="stat-row">
          <Statistic title="场所" value={stats.places} suffix="处" />
          <Statistic title="设施设备" value={stats.things} suffix="个" />
          <Statistic title="在用" value={stats.inService} />
          <Statistic title="停用" value={stats.outOfService} />
        </div>
        <Space wrap className="filter-bar">
          <Select
            allowClear
            placeholder="按类别筛选"
            value={kind}
            options={facilityKindOptions()}
            onChange={(k: string | undefined) => setKind(k ?? null)}
            className="filter-select"
            showSearch={{ optionFilterProp: 'label' }}
            data-testid="facility-kind-filter"
          />
          <Segmented
            value={status}
            onChange={(v) => setStatus(v as FacilityStatus | 'all')}
            options={[{ value: 'all', label: '全部状态' }, ...FACILITY_STATUSES.map((s) => ({ value: s, label: FACILITY_STATUS[s].text }))]}
            data-testid="facility-status-filter"
          />
          <Input.Search
            allowClear
            placeholder="名称或位置"
            value={term}
            onChange={(e) => setTerm(e.target.value)}
            className="toolbar-search"
            data-testid="facility-search"
          />
        </Space>
        {loaded?.error && loaded.key === key && (
          <Alert type="error" showIcon title="场所设施加载失败" description={loaded.error} className="form-alert" />
        )}
        <div data-testid="facility-table">
          <Table<Facility>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={rows}
            loading={loading}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: '暂无登记的场所设施' }}
            rowClassName={(f) => (f.status === 'out_of_service' ? 'is-muted-row' : '')}
            pagination={{ defaultPageSize: 20, showSizeChanger: true, showTotal: (total) => `共 ${total} 处` }}
          />
        </div>
      </Card>
      <FacilityFormModal
        target={formTarget}
        onClose={() => setFormTarget(null)}
        onSaved={() => {
          setFormTarget(null);
          setVersion((v) => v + 1);
        }}
      />
    </div>
  );
}
