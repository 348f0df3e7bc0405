import { ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { errorText } from '../api/client';
import { residentApi } from '../api/endpoints';
import type { Page, Resident, ResidentHome, ResidentTag } from '../api/types';
import { useAuth } from '../auth/context';
import { genderLabel, SENSITIVE_TAGS, TAG_LABEL, tagColor, visibleTags } from '../lib/registry';
import { useRegions } from '../regions/context';
import { ResidentExportButton } from './registry/ExportButton';
import { placeColumnText, placeFilter, TagList } from './registry/shared';
import { ResidentDrawer } from './residents/ResidentDrawer';

interface Query {
  regionId: string | null;
  tag: ResidentTag;
  page: number;
  pageSize: number;
}

type Loaded = { key: string; data: Page<Resident>; error: null } | { key: string; data: null; error: string };

type Homes = { homes: ResidentHome[] } | { error: string };

/** Addresses come from the detail endpoint, one (audited) call per person: only the page shown, a few at a time. */
const ADDRESS_CONCURRENCY = 3;

/** The address without the administrative names in front (the tree already says where we are). */
function shortAddress(address: string): string {
  const parts = address.split(' ');
  return parts.length > 1 ? parts.slice(1).join(' ') : address;
}

export default function SpecialGroupsPage() {
  const { can } = useAuth();
  const { selectedId, selected, index } = useRegions();
  const tags = visibleTags(can('registry.sensitive'));
  const [query, setQuery] = useState<Query>({ regionId: selectedId, tag: 'elderly_alone', page: 1, pageSize: 20 });
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [homes, setHomes] = useState<Record<string, Homes>>({});
  const [openId, setOpenId] = useState<string | null>(null);
  const fetched = useRef(new Set<string>());

  if (query.regionId !== selectedId) setQuery({ ...query, regionId: selectedId, page: 1 });

  const filter = useMemo(() => placeFilter(selected), [selected]);
  const key = JSON.stringify([query, filter, version]);
  useEffect(() => {
    const ctrl = new AbortController();
    residentApi
      .list({ ...filter, tag: query.tag, page: query.page, pageSize: query.pageSize }, ctrl.signal)
      .then((data) => setLoaded({ key, data, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, query, filter]);

  const loading = loaded?.key !== key;
  const items = useMemo(() => (loaded?.key === key ? (loaded.data?.items ?? []) : []), [loaded, key]);
  const ids = items.map((r) => r.id).join(',');

  // Current homes of the people on this page, fetched once each.
  useEffect(() => {
    const todo = ids ? ids.split(',').filter((id) => !fetched.current.has(id)) : [];
    if (todo.length === 0) return;
    const ctrl = new AbortController();
    let next = 0;
    const worker = async () => {
      while (next < todo.length && !ctrl.signal.aborted) {
        const id = todo[next++]!;
        try {
          const d = await residentApi.get(id, ctrl.signal);
          fetched.current.add(id);
          setHomes((h) => ({ ...h, [id]: { homes: d.homes.filter((x) => !x.movedOutOn) } }));
        } catch (err) {
          if (!ctrl.signal.aborted) setHomes((h) => ({ ...h, [id]: { error: errorText(err) } }));
        }
      }
    };
    for (let i = 0; i < Math.min(ADDRESS_CONCURRENCY, todo.length); i++) void worker();
    return () => ctrl.abort();
  }, [ids, version]);

  const refresh = () => {
    fetched.current.clear();
    setVersion((v) => v + 1);
  };

  const columns: TableColumnsType<Resident> = [
    { title: '姓名', dataIndex: 'name', width: 100, render: (n: string) => <Typography.Link>{n}</Typography.Link> },
    { title: '性别', dataIndex: 'gender', width: 60, render: (g: string | null) => genderLabel(g) },
    { title: '年龄', dataIndex: 'age', width: 60, render: (a: number | null) => a ?? '—' },
    {
      title: '现住地址',
      key: 'address',
      render: (_, r) => {
        const h = homes[r.id];
        if (!h) return <Typography.Text type="secondary">加载中…</Typography.Text>;
        if ('error' in h) return <Typography.Text type="danger">{h.error}</Typography.Text>;
        const [first, ...rest] = h.homes;
        if (!first) return <Typography.Text type="secondary">暂无在住房屋</Typography.Text>;
        return (
          <Tooltip title={h.homes.map((x) => x.address).join('；')}>
            <span className="nowrap" data-testid="special-address">
              {shortAddress(first.address)}
              {rest.length > 0 && <Typography.Text type="secondary">（等 {h.homes.length} 处）</Typography.Text>}
            </span>
          </Tooltip>
        );
      },
    },
    {
      title: '联系电话',
      dataIndex: 'phone',
      width: 130,
      render: (p: string | null) => (p ? <span className="mono">{p}</span> : <Typography.Text type="secondary">—</Typography.Text>),
    },
    {
      title: '其他标签',
      dataIndex: 'tags',
      render: (t: string[]) => <TagList tags={t.filter((x) => x !== query.tag)} />,
    },
    {
      title: selected && (selected.node.level === 'community' || selected.node.level === 'grid') ? '网格' : '所属区划',
      key: 'place',
      width: 190,
      render: (_, r) => <span className="nowrap">{placeColumnText(index, selected, r.communityId, r.gridId)}</span>,
    },
  ];

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>重点人群</span>
            {selected && (
              <Typography.Text type="secondary" className="card-subtitle">
                {selected.node.name}
                {selected.node.level === 'community' || selected.node.level === 'grid' ? '' : '及下级区划'}
              </Typography.Text>
            )}
          </Space>
        }
        extra={
          <Space>
            <Tooltip title="刷新">
              <Button icon={<ReloadOutlined />} onClick={refresh} aria-label="刷新" />
            </Tooltip>
            <ResidentExportButton
              query={{ ...filter, tag: query.tag }}
              filename={`居民台账-${TAG_LABEL[query.tag]}.xlsx`}
              label="导出"
              disabled={loaded?.key === key && loaded.data?.total === 0}
              testId="special-export"
            />
          </Space>
        }
      >
        <div className="group-picker" data-testid="special-tags">
          <span className="group-picker-label">人群类别：</span>
          {tags.map((t) => (
            <Tag.CheckableTag
              key={t}
              checked={query.tag === t}
              onChange={() => setQuery({ ...query, tag: t, page: 1 })}
              className={`group-tag${SENSITIVE_TAGS.has(t) ? ' is-sensitive' : ''}`}
              data-tag={t}
            >
              {TAG_LABEL[t]}
            </Tag.CheckableTag>
          ))}
        </div>
        {loaded?.error && loaded.key === key && (
          <Alert type="error" showIcon title="名单加载失败" description={loaded.error} className="form-alert" />
        )}
        <div data-testid="special-table">
          <Table<Resident>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={items}
            loading={loading}
            scroll={{ x: 'max-content' }}
            onRow={(r) => ({ onClick: () => setOpenId(r.id), className: 'clickable-row' })}
            title={() => (
              <Space size={6}>
                <Tag color={tagColor(query.tag)}>{TAG_LABEL[query.tag]}</Tag>
                <span>共 {loaded?.key === key ? (loaded.data?.total ?? 0) : '…'} 人</span>
              </Space>
            )}
            pagination={{
              current: query.page,
              pageSize: query.pageSize,
              total: loaded?.data?.total ?? 0,
              showSizeChanger: true,
              pageSizeOptions: [10, 20],
              showTotal: (total) => `共 ${total} 人`,
              onChange: (page, pageSize) => setQuery({ ...query, page: pageSize !== query.pageSize ? 1 : page, pageSize }),
            }}
          />
        </div>
      </Card>
      <ResidentDrawer residentId={openId} onClose={() => setOpenId(null)} onChanged={refresh} />
    </div>
  );
}
