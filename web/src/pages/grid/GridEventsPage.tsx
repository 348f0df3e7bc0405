// 事件工作台: events by view (待受理/待派遣, 在办, 我的待办, 超期, 督办, 全部) and filters; a row opens
// the event's drawer; 上报事件 records a new one. The view and filters live in the URL query
// (?view=&category=&status=&from=&to=&q=), so a link such as /grid/events?q=路灯 opens them filtered.
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Cascader, DatePicker, Input, Segmented, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { errorText } from '../../api/client';
import type { Page } from '../../api/types';
import { useAuth } from '../../auth/context';
import { formatTime } from '../../lib/time';
import { useRegions } from '../../regions/context';
import { categoryOptions, gridApi, STATUSES, type Category, type EventQuery, type GridEvent } from './api';
import { EventDrawer } from './EventDrawer';
import { ReportModal } from './ReportModal';
import { StatusTag } from './shared';

type View = 'triage' | 'open' | 'assigned' | 'overdue' | 'escalated' | 'all';

const VIEWS: { value: View; label: string }[] = [
  { value: 'triage', label: '待受理/待派遣' },
  { value: 'open', label: '在办' },
  { value: 'assigned', label: '我的待办' },
  { value: 'overdue', label: '超期' },
  { value: 'escalated', label: '督办' },
  { value: 'all', label: '全部' },
];

const isView = (v: string | null): v is View => VIEWS.some((x) => x.value === v);
const DAY = /^\d{4}-\d{2}-\d{2}$/;

type Loaded = { key: string; data: Page<GridEvent>; error: null } | { key: string; data: null; error: string };

export default function GridEventsPage() {
  const { can } = useAuth();
  const { selected } = useRegions();
  const [params, setParams] = useSearchParams();
  const defaultView: View = can('grid.manage') ? 'triage' : 'assigned';
  const viewParam = params.get('view');
  const view: View = isView(viewParam) ? viewParam : defaultView;
  const categoryParam = params.get('category') ?? '';
  const category = useMemo(() => (categoryParam ? categoryParam.split(',') : null), [categoryParam]);
  const status = params.get('status') || null;
  const fromParam = params.get('from') ?? '';
  const toParam = params.get('to') ?? '';
  const from = DAY.test(fromParam) ? fromParam : '';
  const to = DAY.test(toParam) ? toParam : '';
  const range = useMemo<[Dayjs | null, Dayjs | null] | null>(
    () => (from || to ? [from ? dayjs(from) : null, to ? dayjs(to) : null] : null),
    [from, to],
  );
  const q = (params.get('q') ?? '').trim();
  // The search box's text, reset whenever the URL's q changes (a link, back/forward).
  const [text, setText] = useState(q);
  const [textFor, setTextFor] = useState(q);
  if (textFor !== q) {
    setTextFor(q);
    setText(q);
  }
  /** Writes filters into the URL (empty values removed); the page goes back to 1. */
  const setFilters = (changes: Record<string, string | null>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(changes)) {
          if (v) next.set(k, v);
          else next.delete(k);
        }
        return next;
      },
      { replace: true },
    );
  // Paging is local; a change of filters (the URL) starts again at page 1.
  const filterKey = params.toString();
  const [paging, setPaging] = useState({ key: filterKey, page: 1 });
  const page = paging.key === filterKey ? paging.page : 1;
  const setPage = (p: number) => setPaging({ key: filterKey, page: p });
  const [pageSize, setPageSize] = useState(20);
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [cats, setCats] = useState<Category[]>([]);
  const [openId, setOpenId] = useState<string | null>(null);
  const [reporting, setReporting] = useState(false);

  useEffect(() => {
    gridApi
      .categories()
      .then(setCats)
      .catch(() => undefined);
  }, []);

  const query = useMemo<EventQuery>(() => {
    const out: EventQuery = { page, pageSize };
    if (view === 'triage' || view === 'open' || view === 'assigned') out.view = view;
    if (view === 'overdue') out.overdue = true;
    if (view === 'escalated') out.escalated = true;
    if (selected?.node.level === 'community') out.communityId = selected.node.id;
    if (selected?.node.level === 'grid') out.gridId = selected.node.id;
    if (category?.length) out.categoryCode = category[category.length - 1];
    if (status) out.status = status;
    if (from) out.from = from;
    if (to) out.to = to;
    if (q) out.q = q;
    return out;
  }, [view, selected, category, status, from, to, q, page, pageSize]);

  const key = JSON.stringify([query, version]);
  useEffect(() => {
    const ctrl = new AbortController();
    gridApi
      .events(query, ctrl.signal)
      .then((data) => setLoaded({ key, data, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, query]);

  const loading = loaded?.key !== key;
  const data = loaded?.data ?? { items: [], total: 0 };

  const columns: TableColumnsType<GridEvent> = [
    {
      title: '编号',
      dataIndex: 'number',
      width: 150,
      render: (v: string) => <Typography.Link className="mono nowrap">{v}</Typography.Link>,
    },
    { title: '类别', dataIndex: 'category', width: 110, render: (v: string) => <span className="nowrap">{v}</span> },
    {
      title: '描述',
      dataIndex: 'description',
      render: (v: string, e) => (
        <span>
          {e.urgency === 'urgent' && <Tag color="red">紧急</Tag>}
          {e.escalationLevel > 0 && <Tag color="volcano">督办</Tag>}
          {v.length > 40 ? `${v.slice(0, 40)}…` : v}
        </span>
      ),
    },
    { title: '地址', dataIndex: 'address', width: 180, render: (v: string | null) => v ?? '—' },
    {
      title: '状态',
      dataIndex: 'status',
      width: 150,
      render: (_: string, e) => <StatusTag status={e.status} label={e.statusLabel} overdue={e.handleOverdue} />,
    },
    { title: '处置单位', dataIndex: 'unitName', width: 150, render: (v: string | null) => v ?? '—' },
    {
      title: '上报时间',
      dataIndex: 'reportedAt',
      width: 140,
      render: (v: string) => <span className="nowrap">{formatTime(v, 'MM-DD HH:mm')}</span>,
    },
    {
      title: '处置时限',
      dataIndex: 'handleDueAt',
      width: 140,
      render: (v: string, e) => (
        <span className={e.handleOverdue ? 'nowrap' : 'nowrap'} style={e.handleOverdue ? { color: '#cf1322' } : undefined}>
          {formatTime(v, 'MM-DD HH:mm')}
        </span>
      ),
    },
  ];

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>事件工作台</span>
            {selected && (
              <Typography.Text type="secondary" className="card-subtitle">
                {selected.node.name}
              </Typography.Text>
            )}
          </Space>
        }
        extra={
          <Space>
            <Tooltip title="刷新">
              <Button icon={<ReloadOutlined />} onClick={() => setVersion((v) => v + 1)} aria-label="刷新" />
            </Tooltip>
            {can('grid.report') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setReporting(true)} data-testid="grid-report">
                上报事件
              </Button>
            )}
          </Space>
        }
      >
        <Segmented<View>
          options={VIEWS}
          value={view}
          onChange={(v) => setFilters({ view: v === defaultView ? null : v })}
          data-testid="grid-views"
          style={{ marginBottom: 12 }}
        />
        <div className="filter-bar" style={{ display: 'flex', flexWrap: 'wrap', gap: 8, marginBottom: 12 }}>
          <Cascader
            options={categoryOptions(cats, false)}
            value={category ?? undefined}
            onChange={(v) => setFilters({ category: v?.length ? (v as string[]).join(',') : null })}
            changeOnSelect
            allowClear
            placeholder="事件类别"
            style={{ width: 180 }}
          />
          <Select
            allowClear
            placeholder="状态"
            value={status}
            onChange={(v) => setFilters({ status: v ?? null })}
            options={Object.entries(STATUSES).map(([value, label]) => ({ value, label }))}
            style={{ width: 150 }}
          />
          <DatePicker.RangePicker
            value={range}
            onChange={(v) => setFilters({ from: v?.[0]?.format('YYYY-MM-DD') ?? null, to: v?.[1]?.format('YYYY-MM-DD') ?? null })}
            placeholder={['上报起', '上报止']}
          />
          <Input.Search
            allowClear
            placeholder="编号、描述或地址"
            value={text}
            onChange={(e) => setText(e.target.value)}
            onSearch={(v) => setFilters({ q: v.trim() || null })}
            data-testid="grid-event-search"
            style={{ width: 220 }}
          />
        </div>
        {loaded?.error && loaded.key === key && (
          <Alert type="error" showIcon title="事件加载失败" description={loaded.error} className="form-alert" />
        )}
        <div data-testid="grid-event-table">
          <Table<GridEvent>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={data.items}
            loading={loading}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: '暂无事件' }}
            onRow={(e) => ({ onClick: () => setOpenId(e.id), className: 'clickable-row' })}
            pagination={{
              current: page,
              pageSize,
              total: data.total,
              showSizeChanger: true,
              showTotal: (t) => `共 ${t} 件`,
              onChange: (p, s) => {
                setPage(p);
                setPageSize(s);
              },
            }}
          />
        </div>
      </Card>
      <EventDrawer eventId={openId} onClose={() => setOpenId(null)} onChanged={() => setVersion((v) => v + 1)} />
      <ReportModal
        open={reporting}
        onClose={() => setReporting(false)}
        onReported={(id) => {
          setReporting(false);
          setVersion((v) => v + 1);
          setOpenId(id);
        }}
      />
    </div>
  );
}
