// 组织: the community's Party organisation, committees, property company, social organisations,
// local units and volunteer teams, filterable by kind; a drawer shows one with its members.
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Input, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { errorText } from '../api/client';
import { organisationApi } from '../api/endpoints';
import type { Organisation } from '../api/types';
import { useAuth } from '../auth/context';
import { ORGANISATION_KIND_LABEL, ORGANISATION_KINDS, organisationKindColor } from '../lib/registry';
import { useRegions } from '../regions/context';
import { OrganisationDrawer } from './organisations/OrganisationDrawer';
import { OrganisationFormModal, type OrganisationFormTarget } from './organisations/OrganisationFormModal';
import { placeName, selectedCommunity } from './registry/shared';

type Loaded = { key: string; data: Organisation[]; error: null } | { key: string; data: null; error: string };

const kindOrder = (k: string) => {
  const i = (ORGANISATION_KINDS as readonly string[]).indexOf(k);
  return i < 0 ? ORGANISATION_KINDS.length : i;
};

export default function OrganisationsPage() {
  const { can, user } = useAuth();
  const { selected, index } = useRegions();
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [kind, setKind] = useState<string | null>(null);
  const [term, setTerm] = useState('');
  const [openId, setOpenId] = useState<string | null>(null);
  const [formTarget, setFormTarget] = useState<OrganisationFormTarget | null>(null);

  const communityId = selectedCommunity(selected, index);
  const key = JSON.stringify([communityId, version]);
  useEffect(() => {
    const ctrl = new AbortController();
    organisationApi
      .list(communityId ? { communityId } : {}, ctrl.signal)
      .then((data) => setLoaded({ key, data, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, communityId]);

  const loading = loaded?.key !== key;
  const all = useMemo(() => (loaded?.key === key ? (loaded.data ?? []) : []), [loaded, key]);
  const counts = useMemo(() => {
    const m = new Map<string, number>();
    for (const o of all) m.set(o.kind, (m.get(o.kind) ?? 0) + 1);
    return m;
  }, [all]);
  const search = term.trim();
  const rows = useMemo(
    () =>
      all
        .filter((o) => !kind || o.kind === kind)
        .filter((o) => !search || o.name.includes(search) || (o.creditCode ?? '').includes(search.toUpperCase()))
        .sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind) || a.name.localeCompare(b.name, 'zh-CN')),
    [all, kind, search],
  );
  /** Organisations belong to a community as a whole: grid accounts neither see nor register them. */
  const gridAccount = user?.regionLevel === 'grid';
  const writable = can('registry.write') && !gridAccount;
  const oneCommunity = communityId !== null;

  const columns: TableColumnsType<Organisation> = [
    {
      title: '名称',
      dataIndex: 'name',
      render: (name: string) => <Typography.Link className="nowrap">{name}</Typography.Link>,
    },
    {
      title: '类型',
      dataIndex: 'kind',
      width: 130,
      render: (k: string, o) => <Tag color={organisationKindColor(k)}>{o.kindLabel}</Tag>,
    },
    ...(oneCommunity
      ? []
      : [
          {
            title: '所属社区',
            key: 'community',
            width: 140,
            render: (_: unknown, o: Organisation) => <span className="nowrap">{placeName(index, o.communityId, null)}</span>,
          },
        ]),
    { title: '在任成员', dataIndex: 'members', width: 90, align: 'right', render: (n: number) => `${n} 人` },
    { title: '联系人', dataIndex: 'contactName', width: 90, render: (v: string | null) => v ?? '—' },
    {
      title: '联系电话',
      dataIndex: 'contactPhone',
      width: 140,
      render: (v: string | null) => (v ? <span className="mono">{v}</span> : '—'),
    },
    { title: '成立日期', dataIndex: 'establishedOn', width: 110, render: (v: string | null) => v ?? '—' },
    {
      title: '统一社会信用代码',
      dataIndex: 'creditCode',
      width: 190,
      render: (v: string | null) => (v ? <span className="mono small-text">{v}</span> : '—'),
    },
  ];

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>组织</span>
            {selected && !gridAccount && (
              <Typography.Text type="secondary" className="card-subtitle">
                {oneCommunity ? `${index.get(communityId)?.node.name ?? ''}的组织` : `${selected.node.name}及下级社区的组织`}
              </Typography.Text>
            )}
          </Space>
        }
        extra={
          <Space>
            <Input.Search
              allowClear
              placeholder="组织名称或信用代码"
              value={term}
              onChange={(e) => setTerm(e.target.value)}
              className="toolbar-search"
              data-testid="organisation-search"
            />
            <Tooltip title="刷新">
              <Button icon={<ReloadOutlined />} onClick={() => setVersion((v) => v + 1)} aria-label="刷新" />
            </Tooltip>
            {writable && (
              <Button
                type="primary"
                icon={<PlusOutlined />}
                onClick={() => setFormTarget({ mode: 'create', regionId: communityId })}
                data-testid="organisation-create"
              >
                新增组织
              </Button>
            )}
          </Space>
        }
      >
        <div className="group-picker" data-testid="organisation-kinds">
          <span className="group-picker-label">组织类型：</span>
          <Tag.CheckableTag checked={kind === null} onChange={() => setKind(null)} className="group-tag" data-kind="">
            全部（{all.length}）
          </Tag.CheckableTag>
          {ORGANISATION_KINDS.map((k) => (
            <Tag.CheckableTag
              key={k}
              checked={kind === k}
              onChange={() => setKind(kind === k ? null : k)}
              className="group-tag"
              data-kind={k}
            >
              {ORGANISATION_KIND_LABEL[k]}（{counts.get(k) ?? 0}）
            </Tag.CheckableTag>
          ))}
        </div>
        {gridAccount && <Alert type="info" showIcon title="组织由社区统一管理，网格账号不显示组织" className="form-alert" />}
        {loaded?.error && loaded.key === key && (
          <Alert type="error" showIcon title="组织列表加载失败" description={loaded.error} className="form-alert" />
        )}
        <div data-testid="organisation-table">
          <Table<Organisation>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={rows}
            loading={loading}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: kind ? `暂无${ORGANISATION_KIND_LABEL[kind as keyof typeof ORGANISATION_KIND_LABEL] ?? ''}` : '暂无组织' }}
            onRow={(o) => ({ onClick: () => setOpenId(o.id), className: 'clickable-row' })}
            pagination={{ defaultPageSize: 20, showSizeChanger: true, showTotal: (total) => `共 ${total} 个` }}
          />
        </div>
      </Card>
      <OrganisationDrawer organisationId={openId} onClose={() => setOpenId(null)} onChanged={() => setVersion((v) => v + 1)} />
      <OrganisationFormModal
        target={formTarget}
        onClose={() => setFormTarget(null)}
        onSaved={(o) => {
          setFormTarget(null);
          setVersion((v) => v + 1);
          setOpenId(o.id);
        }}
      />
    </div>
  );
}
