import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Input, Select, Space, Table, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { errorText } from '../api/client';
import { residentApi } from '../api/endpoints';
import type { Page, Resident } from '../api/types';
import { useAuth } from '../auth/context';
import { genderLabel, relationLabel, tagLabel, visibleTags } from '../lib/registry';
import { useRegions } from '../regions/context';
import { ResidentExportButton } from './registry/ExportButton';
import { HukouTag, placeColumnText, placeFilter, selectedPlace, TagList } from './registry/shared';
import { ResidentDrawer } from './residents/ResidentDrawer';
import { ResidentFormModal, type ResidentFormTarget } from './residents/ResidentFormModal';

interface Query {
  regionId: string | null;
  q: string;
  tag: string | null;
  page: number;
  pageSize: number;
}

type Loaded = { key: string; data: Page<Resident>; error: null } | { key: string; data: null; error: string };

const RESIDENT_SEARCH_HINT = '姓名 / 拼音首字母 / 电话 / 证件号 / 地址';

export default function ResidentsPage() {
  const { can } = useAuth();
  const { selectedId, selected, index } = useRegions();
  const [query, setQuery] = useState<Query>({ regionId: selectedId, q: '', tag: null, page: 1, pageSize: 20 });
  const [search, setSearch] = useState('');
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [formTarget, setFormTarget] = useState<ResidentFormTarget | null>(null);

  // A new region in the tree starts the list again from page 1.
  if (query.regionId !== selectedId) setQuery({ ...query, regionId: selectedId, page: 1 });

  const filter = useMemo(() => placeFilter(selected), [selected]);
  const key = JSON.stringify([query, filter, version]);
  useEffect(() => {
    const ctrl = new AbortController();
    residentApi
      .list(
        {
          ...filter,
          ...(query.q ? { q: query.q } : {}),
          ...(query.tag ? { tag: query.tag } : {}),
          page: query.page,
          pageSize: query.pageSize,
        },
        ctrl.signal,
      )
      .then((data) => setLoaded({ key, data, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, query, filter]);

  const loading = loaded?.key !== key;
  const data = loaded?.data ?? null;
  const writable = can('registry.write');
  const tagOptions = visibleTags(can('registry.sensitive')).map((t) => ({ value: t, label: tagLabel(t) }));

  const columns: TableColumnsType<Resident> = [
    {
      title: '姓名',
      dataIndex: 'name',
      width: 110,
      fixed: 'left',
      render: (name: string) => <Typography.Link>{name}</Typography.Link>,
    },
    { title: '性别', dataIndex: 'gender', width: 64, render: (g: string | null) => genderLabel(g) },
    { title: '年龄', dataIndex: 'age', width: 64, render: (a: number | null) => a ?? '—' },
    { title: '证件号码', dataIndex: 'idNumber', width: 190, render: (v: string) => <span className="mono">{v}</span> },
    {
      title: '联系电话',
      dataIndex: 'phone',
      width: 130,
      render: (v: string | null) => (v ? <span className="mono">{v}</span> : <Typography.Text type="secondary">—</Typography.Text>),
    },
    {
      title: '现住址',
      key: 'homes',
      width: 240,
      render: (_, r) =>
        r.homes?.length ? (
          <Tooltip title={r.homes.map((h) => `${h.address}（${relationLabel(h.relation)}）`).join('；')}>
            <span className="nowrap">
              {r.homes[0]!.address}
              {r.homes.length > 1 && <Typography.Text type="secondary"> 等 {r.homes.length} 处</Typography.Text>}
            </span>
          </Tooltip>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
    { title: '人员标签', dataIndex: 'tags', render: (tags: string[]) => <TagList tags={tags} /> },
    { title: '户籍', dataIndex: 'hukou', width: 90, render: (h: string) => <HukouTag hukou={h} /> },
    {
      title: selected && (selected.node.level === 'community' || selected.node.level === 'grid') ? '网格' : '所属区划',
      key: 'place',
      width: 200,
      render: (_, r) => <span className="nowrap">{placeColumnText(index, selected, r.communityId, r.gridId)}</span>,
    },
  ];

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>居民</span>
            {selected && (
              <Typography.Text type="secondary" className="card-subtitle">
                {selected.node.name}
                {selected.node.level === 'community' || selected.node.level === 'grid' ? '的居民' : '及下级区划的居民'}
              </Typography.Text>
            )}
          </Space>
        }
        extra={
          <Space>
            <Tooltip title="刷新">
              <Button icon={<ReloadOutlined />} onClick={() => setVersion((v) => v + 1)} aria-label="刷新" />
            </Tooltip>
            <ResidentExportButton
              query={{ ...filter, ...(query.q ? { q: query.q } : {}), ...(query.tag ? { tag: query.tag } : {}) }}
              filename="居民台账.xlsx"
              disabled={data?.total === 0}
              testId="resident-export"
            />
            {writable && (
              <Button
                type="primary"
                icon={<PlusOutlined />}
                onClick={() => setFormTarget({ mode: 'create', regionId: selectedPlace(selected) })}
                data-testid="resident-create"
              >
                新增居民
              </Button>
            )}
          </Space>
        }
      >
        <Space wrap className="filter-bar">
          <Input.Search
            allowClear
            placeholder={RESIDENT_SEARCH_HINT}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            onSearch={(v) => setQuery({ ...query, q: v.trim(), page: 1 })}
            className="resident-search"
            maxLength={60}
            data-testid="resident-search"
          />
          <Select
            allowClear
            placeholder="按人员标签筛选"
            value={query.tag}
            options={tagOptions}
            onChange={(tag: string | undefined) => setQuery({ ...query, tag: tag ?? null, page: 1 })}
            className="filter-select"
            data-testid="resident-tag-filter"
          />
        </Space>
        {loaded?.error && loaded.key === key && (
          <Alert type="error" showIcon title="居民列表加载失败" description={loaded.error} className="form-alert" />
        )}
        <div data-testid="resident-table">
          <Table<Resident>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={data?.items ?? []}
            loading={loading}
            scroll={{ x: 'max-content' }}
            onRow={(r) => ({ onClick: () => setOpenId(r.id), className: 'clickable-row' })}
            pagination={{
              current: query.page,
              pageSize: query.pageSize,
              total: data?.total ?? 0,
              showSizeChanger: true,
              pageSizeOptions: [10, 20, 50, 100],
              showTotal: (total) => `共 ${total} 人`,
              onChange: (page, pageSize) => setQuery({ ...query, page: pageSize !== query.pageSize ? 1 : page, pageSize }),
            }}
          />
        </div>
      </Card>
      <ResidentDrawer residentId={openId} onClose={() => setOpenId(null)} onChanged={() => setVersion((v) => v + 1)} />
      <ResidentFormModal
        target={formTarget}
        onClose={() => setFormTarget(null)}
        onSaved={(r) => {
          setFormTarget(null);
          setVersion((v) => v + 1);
          setOpenId(r.id);
        }}
      />
    </div>
  );
}
