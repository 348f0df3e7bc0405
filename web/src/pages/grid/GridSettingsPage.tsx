// 治理配置: the routing table (区域 × 类别 → 处置单位, with history), handling units and their members,
// the working calendar, the category catalogue and Open311 partners. Routes and units need
// grid.manage; calendar, categories and partners are editable with grid.configure.
import { App, Alert, Button, Card, Form, Input, InputNumber, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { errorText } from '../../api/client';
import { userApi } from '../../api/endpoints';
import type { User } from '../../api/types';
import { useAuth } from '../../auth/context';
import { FormModal } from '../../components/FormModal';
import { formatTime } from '../../lib/time';
import { useRegions } from '../../regions/context';
import {
  DISPATCH_MODES,
  gridApi,
  UNIT_KINDS,
  type CalendarDay,
  type CalendarYear,
  type Category,
  type Partner,
  type RouteRow,
  type Unit,
} from './api';

/** Loads with `load` whenever `key` changes (or on reload); `load` must depend on nothing but what `key` names. */
function useLoad<T>(key: string, load: () => Promise<T>) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let cancelled = false;
    load()
      .then((d) => {
        if (cancelled) return;
        setData(d);
        setError(null);
      })
      .catch((err: unknown) => !cancelled && setError(errorText(err)));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, version]);
  return { data, error, reload: () => setVersion((v) => v + 1) };
}

function useAreaOptions() {
  const { index } = useRegions();
  return useMemo(
    () =>
      [...index.values()]
        .filter((r) => r.node.level !== 'city' || r.parentId === null)
        .map((r) => ({ value: r.node.id, label: r.path.map((n) => n.name).join(' / ') })),
    [index],
  );
}

function categorySelectOptions(cats: Category[]) {
  return cats.flatMap((c) => [
    { value: c.code, label: c.name },
    ...(c.children ?? []).map((k) => ({ value: k.code, label: `${c.name} / ${k.name}` })),
  ]);
}

// ---- 派单路由 -------------------------------------------------------------------------------

function RoutesTab() {
  const { message } = App.useApp();
  const [history, setHistory] = useState(false);
  const routes = useLoad(`routes:${history}`, () => gridApi.routes(history));
  const units = useLoad('units', () => gridApi.units());
  const cats = useLoad('categories', () => gridApi.categories());
  const areas = useAreaOptions();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ regionId: string; categoryCode: string; unitId?: string | null }>();

  const columns: TableColumnsType<RouteRow> = [
    { title: '区域', dataIndex: 'regionName' },
    { title: '类别', dataIndex: 'categoryName' },
    { title: '处置单位', dataIndex: 'unitName' },
    { title: '设置人', dataIndex: 'createdBy', render: (v: string | null) => v ?? '—' },
    { title: '设置时间', dataIndex: 'createdAt', render: (v: string) => formatTime(v, 'YYYY-MM-DD HH:mm') },
    ...(history
      ? [
          {
            title: '停用',
            key: 'retired',
            render: (_: unknown, r: RouteRow) =>
              r.retiredAt ? `${formatTime(r.retiredAt, 'YYYY-MM-DD HH:mm')} ${r.retiredBy ?? ''}` : <Tag color="green">当前</Tag>,
          },
        ]
      : []),
  ];

  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <Button type="primary" onClick={() => setOpen(true)}>
          设置
        </Button>
        <span>历史版本</span>
        <Switch checked={history} onChange={setHistory} />
      </Space>
      {routes.error && <Alert type="error" showIcon title={routes.error} className="form-alert" />}
      <Table<RouteRow>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={routes.data ?? []}
        loading={!routes.data && !routes.error}
        locale={{ emptyText: '暂无路由' }}
      />
      <FormModal
        title="设置派单路由"
        open={open}
        onClose={() => setOpen(false)}
        form={form}
        fields={['regionId', 'categoryCode', 'unitId']}
        onSubmit={async (v) => {
          await gridApi.setRoute({ regionId: v.regionId, categoryCode: v.categoryCode, unitId: v.unitId ?? null });
          message.success(v.unitId ? '已设置路由' : '已清除路由');
          setOpen(false);
          routes.reload();
        }}
      >
        <Form.Item name="regionId" label="区域" rules={[{ required: true, message: '请选择区域' }]}>
          <Select showSearch={{ optionFilterProp: 'label' }} options={areas} />
        </Form.Item>
        <Form.Item name="categoryCode" label="事件类别（一级或二级）" rules={[{ required: true, message: '请选择类别' }]}>
          <Select showSearch={{ optionFilterProp: 'label' }} options={categorySelectOptions(cats.data ?? [])} />
        </Form.Item>
        <Form.Item name="unitId" label="处置单位（留空为清除）">
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            options={(units.data ?? []).map((u) => ({ value: u.id, label: `${u.name}（${u.regionName}）` }))}
          />
        </Form.Item>
      </FormModal>
    </>
  );
}

// ---- 处置单位 -------------------------------------------------------------------------------

function UserPicker({
  value,
  onChange,
  initial,
}: {
  value?: string[];
  onChange?: (v: string[]) => void;
  initial: { userId: string; name: string }[];
}) {
  const [options, setOptions] = useState<{ value: string; label: string }[]>(initial.map((m) => ({ value: m.userId, label: m.name })));
  const search = (q: string) => {
    userApi
      .list({ q, pageSize: 30 })
      .then((p) =>
        setOptions((old) => {
          const m = new Map(old.map((o) => [o.value, o]));
          for (const u of p.items as User[]) m.set(u.id, { value: u.id, label: `${u.displayName}（${u.username}，${u.regionName}）` });
          return [...m.values()];
        }),
      )
      .catch(() => undefined);
  };
  return (
    <Select
      mode="multiple"
      value={value}
      onChange={onChange}
      options={options}
      showSearch={{ filterOption: false, onSearch: search }}
      placeholder="输入姓名或账号搜索"
      onFocus={() => search('')}
    />
  );
}

function UnitsTab() {
  const { message } = App.useApp();
  const units = useLoad('units', () => gridApi.units());
  const areas = useAreaOptions();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Unit | null>(null);
  const [form] = Form.useForm<{ regionId: string; name: string; kind: string; memberIds?: string[] }>();
  const [mform] = Form.useForm<{ memberIds: string[] }>();

  const columns: TableColumnsType<Unit> = [
    { title: '名称', dataIndex: 'name' },
    { title: '类型', dataIndex: 'kindLabel', render: (v: string) => <Tag>{v}</Tag> },
    { title: '所属区域', dataIndex: 'regionName' },
    { title: '成员', dataIndex: 'members', render: (m: Unit['members']) => (m.length ? m.map((x) => x.name).join('、') : '—') },
    {
      title: '操作',
      key: 'op',
      render: (_: unknown, u) => (
        <Button size="small" onClick={() => setEditing(u)}>
          编辑成员
        </Button>
      ),
    },
  ];

  return (
    <>
      <Button type="primary" onClick={() => setCreating(true)} style={{ marginBottom: 12 }}>
        新增处置单位
      </Button>
      {units.error && <Alert type="error" showIcon title={units.error} className="form-alert" />}
      <Table<Unit>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={units.data ?? []}
        loading={!units.data && !units.error}
        locale={{ emptyText: '暂无处置单位' }}
      />
      <FormModal
        title="新增处置单位"
        open={creating}
        onClose={() => setCreating(false)}
        form={form}
        fields={['regionId', 'name', 'kind', 'memberIds']}
        initialValues={{ kind: 'property' }}
        onSubmit={async (v) => {
          await gridApi.createUnit({ regionId: v.regionId, name: v.name.trim(), kind: v.kind, memberIds: v.memberIds ?? [] });
          message.success('已新增处置单位');
          setCreating(false);
          units.reload();
        }}
      >
        <Form.Item name="regionId" label="所属区域" rules={[{ required: true, message: '请选择区域' }]}>
          <Select showSearch={{ optionFilterProp: 'label' }} options={areas} />
        </Form.Item>
        <Form.Item name="name" label="名称" rules={[{ required: true, whitespace: true, message: '请填写名称' }]}>
          <Input maxLength={60} />
        </Form.Item>
        <Form.Item name="kind" label="类型">
          <Select options={Object.entries(UNIT_KINDS).map(([value, label]) => ({ value, label }))} />
        </Form.Item>
        <Form.Item name="memberIds" label="成员（处置人员、物业人员、网格员或管理员）">
          <UserPicker initial={[]} />
        </Form.Item>
      </FormModal>
      <FormModal
        title={`编辑成员：${editing?.name ?? ''}`}
        open={editing !== null}
        onClose={() => setEditing(null)}
        form={mform}
        fields={['memberIds']}
        initialValues={{ memberIds: editing?.members.map((m) => m.userId) ?? [] }}
        onSubmit={async (v) => {
          await gridApi.setMembers(editing!.id, v.memberIds ?? []);
          message.success('已保存成员');
          setEditing(null);
          units.reload();
        }}
      >
        <Form.Item name="memberIds" label="成员">
          <UserPicker initial={editing?.members ?? []} />
        </Form.Item>
      </FormModal>
    </>
  );
}

// ---- 工作日历 -------------------------------------------------------------------------------

function CalendarTab({ editable }: { editable: boolean }) {
  const { message } = App.useApp();
  const [year, setYear] = useState(() => new Date().getFullYear());
  const cal = useLoad<CalendarYear>(`calendar:${year}`, () => gridApi.calendar(year));
  const [days, setDays] = useState<CalendarDay[] | null>(null);
  const [saving, setSaving] = useState(false);
  const rows = days ?? cal.data?.days ?? [];

  const update = (i: number, patch: Partial<CalendarDay>) => setDays(rows.map((d, j) => (j === i ? { ...d, ...patch } : d)));

  const save = async () => {
    setSaving(true);
    try {
      await gridApi.putCalendar(year, rows);
      message.success('已保存工作日历');
      setDays(null);
      cal.reload();
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <span>年份</span>
        <InputNumber
          min={2000}
          max={2100}
          value={year}
          onChange={(v) => {
            if (v) {
              setYear(v);
              setDays(null);
            }
          }}
        />
        {cal.data && (
          <Tag color={cal.data.source === 'configured' ? 'blue' : cal.data.source === 'built-in' ? 'green' : 'default'}>
            {cal.data.source === 'configured' ? '已配置' : cal.data.source === 'built-in' ? '内置国务院安排' : '无安排（仅周末休息）'}
          </Tag>
        )}
        {editable && (
          <>
            <Button onClick={() => setDays([...rows, { date: `${year}-01-01`, kind: 'holiday', name: '' }])}>添加一行</Button>
            <Button type="primary" loading={saving} disabled={days === null} onClick={() => void save()}>
              保存
            </Button>
          </>
        )}
      </Space>
      {cal.error && <Alert type="error" showIcon title={cal.error} className="form-alert" />}
      <Table<CalendarDay & { i: number }>
        rowKey="i"
        size="small"
        pagination={false}
        dataSource={rows.map((d, i) => ({ ...d, i }))}
        columns={[
          {
            title: '日期',
            dataIndex: 'date',
            render: (v: string, r) =>
              editable ? <Input value={v} onChange={(e) => update(r.i, { date: e.target.value })} style={{ width: 130 }} /> : v,
          },
          {
            title: '类型',
            dataIndex: 'kind',
            render: (v: CalendarDay['kind'], r) =>
              editable ? (
                <Select
                  value={v}
                  style={{ width: 120 }}
                  onChange={(k: 'holiday' | 'workday') => update(r.i, { kind: k })}
                  options={[
                    { value: 'holiday', label: '节假日' },
                    { value: 'workday', label: '调休上班' },
                  ]}
                />
              ) : v === 'holiday' ? (
                '节假日'
              ) : (
                '调休上班'
              ),
          },
          {
            title: '名称',
            dataIndex: 'name',
            render: (v: string, r) =>
              editable ? <Input value={v} onChange={(e) => update(r.i, { name: e.target.value })} style={{ width: 160 }} /> : v,
          },
          ...(editable
            ? [
                {
                  title: '',
                  key: 'del',
                  render: (_: unknown, r: CalendarDay & { i: number }) => (
                    <Button size="small" danger type="link" onClick={() => setDays(rows.filter((_, j) => j !== r.i))}>
                      删除
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
    </>
  );
}

// ---- 事件类别 -------------------------------------------------------------------------------

interface CategoryValues {
  code: string;
  parentCode?: string | null;
  name: string;
  dispatchMode: keyof typeof DISPATCH_MODES;
  needsVerification: boolean;
  normalRespond: number;
  normalHandle: number;
  urgentRespond: number;
  urgentHandle: number;
  sort: number;
  active: boolean;
}

function CategoriesTab({ editable }: { editable: boolean }) {
  const { message } = App.useApp();
  const cats = useLoad('categories', () => gridApi.categories());
  const [editing, setEditing] = useState<Partial<CategoryValues> | null>(null);
  const [form] = Form.useForm<CategoryValues>();

  const open = (c: Category | null, parentCode: string | null = null) =>
    setEditing(
      c
        ? {
            code: c.code,
            parentCode: c.parentCode,
            name: c.name,
            dispatchMode: c.dispatchMode,
            needsVerification: c.needsVerification,
            normalRespond: c.limits.normal.respond,
            normalHandle: c.limits.normal.handle,
            urgentRespond: c.limits.urgent.respond,
            urgentHandle: c.limits.urgent.handle,
            sort: c.sort,
            active: c.active,
          }
        : {
            parentCode,
            dispatchMode: 'assign',
            needsVerification: false,
            normalRespond: 4,
            normalHandle: 22.5,
            urgentRespond: 1,
            urgentHandle: 4,
            sort: 0,
            active: true,
          },
    );

  const columns: TableColumnsType<Category> = [
    { title: '名称', dataIndex: 'name' },
    { title: '代码', dataIndex: 'code', render: (v: string) => <span className="mono">{v}</span> },
    { title: '派单方式', dataIndex: 'dispatchMode', render: (v: keyof typeof DISPATCH_MODES) => DISPATCH_MODES[v] ?? v },
    { title: '需核查', dataIndex: 'needsVerification', render: (v: boolean) => (v ? '是' : '否') },
    {
      title: '时限（工作小时）一般 受理/处置',
      key: 'normal',
      render: (_: unknown, c) => `${c.limits.normal.respond} / ${c.limits.normal.handle}`,
    },
    { title: '紧急 受理/处置', key: 'urgent', render: (_: unknown, c) => `${c.limits.urgent.respond} / ${c.limits.urgent.handle}` },
    { title: '状态', dataIndex: 'active', render: (v: boolean) => (v ? <Tag color="green">启用</Tag> : <Tag>停用</Tag>) },
    ...(editable
      ? [
          {
            title: '操作',
            key: 'op',
            render: (_: unknown, c: Category) => (
              <Space>
                <Button size="small" onClick={() => open(c)}>
                  编辑
                </Button>
                {!c.parentCode && (
                  <Button size="small" onClick={() => open(null, c.code)}>
                    新增子类
                  </Button>
                )}
              </Space>
            ),
          },
        ]
      : []),
  ];

  return (
    <>
      {editable && (
        <Button type="primary" style={{ marginBottom: 12 }} onClick={() => open(null)}>
          新增一级类别
        </Button>
      )}
      {cats.error && <Alert type="error" showIcon title={cats.error} className="form-alert" />}
      <Table<Category>
        rowKey="code"
        size="small"
        columns={columns}
        dataSource={(cats.data ?? []).map((c) => ({ ...c, children: c.children?.length ? c.children : undefined }))}
        loading={!cats.data && !cats.error}
        pagination={false}
      />
      <FormModal<CategoryValues>
        title={editing?.code ? `编辑类别：${editing.name}` : '新增类别'}
        open={editing !== null}
        onClose={() => setEditing(null)}
        form={form}
        fields={['code', 'name', 'parentCode', 'dispatchMode', 'needsVerification', 'sort', 'active']}
        initialValues={editing ?? {}}
        width={560}
        onSubmit={async (v) => {
          const code = editing?.code ?? v.code;
          await gridApi.putCategory(code, {
            parentCode: editing?.parentCode ?? null,
            name: v.name.trim(),
            dispatchMode: v.dispatchMode,
            needsVerification: v.needsVerification,
            limits: {
              normal: { respond: v.normalRespond, handle: v.normalHandle },
              urgent: { respond: v.urgentRespond, handle: v.urgentHandle },
            },
            sort: v.sort,
            active: v.active,
          });
          message.success('已保存类别');
          setEditing(null);
          cats.reload();
        }}
      >
        {!editing?.code && (
          <Form.Item
            name="code"
            label={editing?.parentCode ? `代码（以 ${editing.parentCode}. 开头）` : '代码（小写字母、数字、下划线）'}
            rules={[{ required: true, pattern: /^[a-z0-9_]+(\.[a-z0-9_]+)?$/, message: '代码格式不正确' }]}
          >
            <Input />
          </Form.Item>
        )}
        <Form.Item name="name" label="名称" rules={[{ required: true, whitespace: true, message: '请填写名称' }]}>
          <Input maxLength={40} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="dispatchMode" label="派单方式">
            <Select style={{ width: 120 }} options={Object.entries(DISPATCH_MODES).map(([value, label]) => ({ value, label }))} />
          </Form.Item>
          <Form.Item name="needsVerification" label="处置后需核查" valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="active" label="启用" valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="sort" label="排序">
            <InputNumber />
          </Form.Item>
        </Space>
        <Typography.Text type="secondary">时限（工作小时）</Typography.Text>
        <Space wrap>
          <Form.Item name="normalRespond" label="一般·受理" rules={[{ required: true }]}>
            <InputNumber min={0.1} max={2000} step={0.5} />
          </Form.Item>
          <Form.Item name="normalHandle" label="一般·处置" rules={[{ required: true }]}>
            <InputNumber min={0.1} max={2000} step={0.5} />
          </Form.Item>
          <Form.Item name="urgentRespond" label="紧急·受理" rules={[{ required: true }]}>
            <InputNumber min={0.1} max={2000} step={0.5} />
          </Form.Item>
          <Form.Item name="urgentHandle" label="紧急·处置" rules={[{ required: true }]}>
            <InputNumber min={0.1} max={2000} step={0.5} />
          </Form.Item>
        </Space>
      </FormModal>
    </>
  );
}

// ---- Open311 合作方 --------------------------------------------------------------------------

function PartnersTab() {
  const { message, modal } = App.useApp();
  const partners = useLoad('partners', () => gridApi.partners());
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm<{ name: string }>();

  const columns: TableColumnsType<Partner> = [
    { title: '名称', dataIndex: 'name' },
    { title: '创建人', dataIndex: 'createdBy', render: (v: string | null) => v ?? '—' },
    { title: '创建时间', dataIndex: 'createdAt', render: (v: string) => formatTime(v, 'YYYY-MM-DD HH:mm') },
    { title: '状态', dataIndex: 'revoked', render: (v: boolean) => (v ? <Tag>已吊销</Tag> : <Tag color="green">有效</Tag>) },
    {
      title: '操作',
      key: 'op',
      render: (_: unknown, p) =>
        !p.revoked && (
          <Button
            size="small"
            danger
            onClick={() =>
              modal.confirm({
                title: `吊销“${p.name}”的 api_key？`,
                content: '吊销后该合作方无法再通过 Open311 接口上报或查询。',
                okText: '吊销',
                okButtonProps: { danger: true },
                cancelText: '取消',
                onOk: async () => {
                  try {
                    await gridApi.revokePartner(p.id);
                    message.success('已吊销');
                    partners.reload();
                  } catch (err) {
                    message.error(errorText(err));
                  }
                },
              })
            }
          >
            吊销
          </Button>
        ),
    },
  ];

  return (
    <>
      <Button type="primary" style={{ marginBottom: 12 }} onClick={() => setCreating(true)}>
        新增合作方
      </Button>
      {partners.error && <Alert type="error" showIcon title={partners.error} className="form-alert" />}
      <Table<Partner>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={partners.data ?? []}
        loading={!partners.data && !partners.error}
        locale={{ emptyText: '暂无合作方' }}
      />
      <FormModal
        title="新增 Open311 合作方"
        open={creating}
        onClose={() => setCreating(false)}
        form={form}
        fields={['name']}
        onSubmit={async (v) => {
          const r = await gridApi.createPartner(v.name.trim());
          setCreating(false);
          partners.reload();
          modal.info({
            title: `“${r.name}”的 api_key`,
            width: 560,
            content: (
              <div>
                <Typography.Paragraph copyable={{ text: r.apiKey }} className="mono" style={{ wordBreak: 'break-all' }}>
                  {r.apiKey}
                </Typography.Paragraph>
                <Alert type="warning" showIcon title="api_key 只显示这一次，请立即复制并安全地交给合作方。" />
              </div>
            ),
            okText: '我已复制',
          });
        }}
      >
        <Form.Item name="name" label="合作方名称" rules={[{ required: true, whitespace: true, message: '请填写名称' }]}>
          <Input maxLength={60} />
        </Form.Item>
      </FormModal>
    </>
  );
}

export default function GridSettingsPage() {
  const { can } = useAuth();
  const configure = can('grid.configure');
  const items = [
    { key: 'routes', label: '派单路由', children: <RoutesTab /> },
    { key: 'units', label: '处置单位', children: <UnitsTab /> },
    { key: 'calendar', label: '工作日历', children: <CalendarTab editable={configure} /> },
    { key: 'categories', label: '事件类别', children: <CategoriesTab editable={configure} /> },
    ...(configure ? [{ key: 'partners', label: 'Open311 合作方', children: <PartnersTab /> }] : []),
  ];
  return (
    <div className="page">
      <Card className="page-card" title="治理配置">
        <Tabs items={items} destroyOnHidden />
      </Card>
    </div>
  );
}
