import { formatTime } from '../lib/time';
import { EditOutlined, EyeOutlined, LockOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Badge, Button, Card, Input, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { errorText } from '../api/client';
import { userApi } from '../api/endpoints';
import type { Page, User } from '../api/types';
import { useAuth } from '../auth/context';
import { LEVEL_COLOR, LEVEL_LABEL } from '../lib/labels';
import { useRegions } from '../regions/context';
import { UserFormModal, type UserFormTarget } from './users/UserFormModal';

interface Query {
  regionId: string | null;
  q: string;
  page: number;
  pageSize: number;
}

/** The masked phone, and for those who manage the account a button that shows the full number (each look audited). */
function PhoneCell({ user, canReveal }: { user: User; canReveal: boolean }) {
  const { modal, message } = App.useApp();
  const [full, setFull] = useState<string | null>(null);
  if (!user.phone) return <Typography.Text type="secondary">—</Typography.Text>;
  const reveal = () =>
    modal.confirm({
      title: '查看完整手机号码',
      content: (
        <div data-testid="user-reveal-confirm">
          <p>将显示账号「{user.displayName}」的完整手机号码。</p>
          <p>本次查看将被记录（操作人、时间、查看对象），请仅在工作需要时查看。</p>
        </div>
      ),
      okText: '确认查看',
      cancelText: '取消',
      onOk: async () => {
        try {
          setFull((await userApi.revealPhone(user.id)).phone ?? '');
        } catch (err) {
          message.error(errorText(err));
        }
      },
    });
  return (
    <Space size={4}>
      <span className="mono" data-testid="user-phone">
        {full || user.phone}
      </span>
      {canReveal && full === null && (
        <Tooltip title="查看完整号码（留痕）">
          <Button
            type="link"
            size="small"
            icon={<EyeOutlined />}
            onClick={reveal}
            aria-label="查看完整号码"
            data-testid="user-reveal-phone"
          />
        </Tooltip>
      )}
    </Space>
  );
}

type Loaded = { key: string; data: Page<User>; error: null } | { key: string; data: null; error: string };

export default function UsersPage() {
  const { user: me, can, roleLabel } = useAuth();
  const { selectedId, selected } = useRegions();
  const [query, setQuery] = useState<Query>({ regionId: selectedId, q: '', page: 1, pageSize: 20 });
  const [search, setSearch] = useState('');
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [formTarget, setFormTarget] = useState<UserFormTarget | null>(null);

  // A new region in the tree starts the list again from page 1.
  if (query.regionId !== selectedId) setQuery({ ...query, regionId: selectedId, page: 1 });

  const key = JSON.stringify([query, version]);
  useEffect(() => {
    const ctrl = new AbortController();
    userApi
      .list(
        {
          ...(query.regionId ? { regionId: query.regionId } : {}),
          ...(query.q ? { q: query.q } : {}),
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
  }, [key, query]);

  const loading = loaded?.key !== key;
  const data = loaded?.data ?? null;
  const writable = can('users.write');
  const grantable = new Set<string>(me?.grantableRoles ?? []);
  const manageable = (u: User) => u.id === me?.id || u.roles.every((r) => grantable.has(r));

  const columns: TableColumnsType<User> = [
    {
      title: '用户名',
      dataIndex: 'username',
      width: 150,
      render: (v: string, u) => (
        <Space size={4}>
          <span className="mono">{v}</span>
          {u.id === me?.id && <Tag color="blue">本人</Tag>}
        </Space>
      ),
    },
    { title: '姓名', dataIndex: 'displayName', width: 110 },
    {
      title: '手机号码',
      key: 'phone',
      width: 150,
      render: (_, u) => <PhoneCell key={u.id} user={u} canReveal={writable && manageable(u)} />,
    },
    {
      title: '角色',
      dataIndex: 'roles',
      render: (roles: User['roles']) => (
        <Space size={[4, 4]} wrap>
          {roles.map((r) => (
            <Tag key={r}>{roleLabel(r)}</Tag>
          ))}
        </Space>
      ),
    },
    {
      title: '所属区划',
      key: 'region',
      width: 190,
      render: (_, u) => (
        <Space size={4}>
          <span>{u.regionName}</span>
          <Tag color={LEVEL_COLOR[u.regionLevel]} variant="outlined">
            {LEVEL_LABEL[u.regionLevel]}
          </Tag>
        </Space>
      ),
    },
    {
      title: '状态',
      key: 'status',
      width: 130,
      render: (_, u) => (
        <Space size={4}>
          {u.status === 'active' ? <Badge status="success" text="启用" /> : <Badge status="default" text="停用" />}
          {u.lockedUntil && (
            <Tooltip title={`登录失败次数过多，锁定至 ${formatTime(u.lockedUntil, 'YYYY-MM-DD HH:mm')}`}>
              <Tag color="red" icon={<LockOutlined />}>
                已锁定
              </Tag>
            </Tooltip>
          )}
        </Space>
      ),
    },
    {
      title: '最近登录',
      dataIndex: 'lastLoginAt',
      width: 160,
      render: (t: string | null) => (t ? formatTime(t, 'YYYY-MM-DD HH:mm') : <Typography.Text type="secondary">从未登录</Typography.Text>),
    },
  ];
  if (writable) {
    columns.push({
      title: '操作',
      key: 'actions',
      width: 90,
      render: (_, u) =>
        manageable(u) ? (
          <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setFormTarget({ mode: 'edit', user: u })}>
            编辑
          </Button>
        ) : (
          <Tooltip title="该账号拥有您无权授予的角色，需由上级管理员维护">
            <Button type="link" size="small" icon={<EditOutlined />} disabled>
              编辑
            </Button>
          </Tooltip>
        ),
    });
  }

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>账号管理</span>
            {selected && (
              <Typography.Text type="secondary" className="card-subtitle">
                {selected.node.name}及下级区划的账号
              </Typography.Text>
            )}
          </Space>
        }
        extra={
          <Space>
            <Input.Search
              allowClear
              placeholder="搜索用户名或姓名"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              onSearch={(v) => setQuery({ ...query, q: v.trim(), page: 1 })}
              className="toolbar-search"
              data-testid="user-search"
            />
            <Tooltip title="刷新">
              <Button icon={<ReloadOutlined />} onClick={() => setVersion((v) => v + 1)} aria-label="刷新" />
            </Tooltip>
            {writable && (
              <Button
                type="primary"
                icon={<PlusOutlined />}
                onClick={() => setFormTarget({ mode: 'create', regionId: selectedId })}
                data-testid="user-create"
              >
                新建账号
              </Button>
            )}
          </Space>
        }
      >
        {loaded?.error && loaded.key === key && (
          <Alert type="error" showIcon title="账号列表加载失败" description={loaded.error} className="form-alert" />
        )}
        <div data-testid="user-table">
          <Table<User>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={data?.items ?? []}
            loading={loading}
            scroll={{ x: 'max-content' }}
            pagination={{
              current: query.page,
              pageSize: query.pageSize,
              total: data?.total ?? 0,
              showSizeChanger: true,
              pageSizeOptions: [10, 20, 50, 100],
              showTotal: (total) => `共 ${total} 个账号`,
              onChange: (page, pageSize) => setQuery({ ...query, page: pageSize !== query.pageSize ? 1 : page, pageSize }),
            }}
          />
        </div>
      </Card>
      <UserFormModal
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
