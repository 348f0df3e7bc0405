// 绩效考核 (`003` L3P3): figures per grid worker, handler, unit, grid, community and street over any
// period; the dashboard counts; the closed-loop live measure for evaluation.
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { dayStart } from '../../db/days.js';
import type { Db, Executor } from '../../db/pool.js';
import type { Caller } from '../../http/context.js';
import { registerMeasures } from '../evaluation/measures.js';
import { dataScope, gridsWithBoundaries, regionNames } from '../regions/service.js';
import { userBriefs } from '../accounts/service.js';
import { workingMinutesBetween } from './calendar.js';
import { HANDLING_STATUSES, kpis, OPEN_STATUSES, STATUSES, type KpiEvent, type Kpis, type Status } from './model.js';
import { reference } from './reference.js';

export const KPI_DIMENSIONS = {
  street: '街道',
  community: '社区',
  grid: '网格',
  unit: '处置单位',
  handler: '处置人员',
  grid_worker: '网格员（上报）',
} as const;
export type KpiDimension = keyof typeof KPI_DIMENSIONS;

interface Row extends KpiEvent {
  communityId: string;
  gridId: string | null;
  unitId: string | null;
  assigneeId: string | null;
  reporterKind: string;
  reporterUserId: string | null;
  reportedAt: Date;
}

async function loadRows(db: Executor, communityIds: string[], gridIds: string[] | null, from: string, to: string): Promise<Row[]> {
  const ref = await reference(db);
  const r = await db.execute(sql`
    select community_id, grid_id, unit_id, assignee_id, reporter_kind, reporter_user_id, status, reopen_count, satisfaction,
      reported_at, responded_at, respond_due_at, handled_at, handle_due_at, respond_overdue, handle_overdue, handle_allowed_minutes
    from grid_events
    where community_id = any(${sql.param(communityIds)}::uuid[]) ${gridIds ? sql`and grid_id = any(${sql.param(gridIds)}::uuid[])` : sql``}
      and reported_at >= ${dayStart(from)} and reported_at < ${dayStart(to, 1)}`);
  const now = new Date();
  return (r.rows as Record<string, unknown>[]).map((x) => {
    const reportedAt = new Date(x.reported_at as string);
    const handledAt = x.handled_at ? new Date(x.handled_at as string) : null;
    const handleDueAt = new Date(x.handle_due_at as string);
    const status = x.status as Status;
    const handleMinutes = workingMinutesBetween(ref.calendar, reportedAt, handledAt ?? now);
    return {
      communityId: x.community_id as string,
      gridId: (x.grid_id as string | null) ?? null,
      unitId: (x.unit_id as string | null) ?? null,
      assigneeId: (x.assignee_id as string | null) ?? null,
      reporterKind: x.reporter_kind as string,
      reporterUserId: (x.reporter_user_id as string | null) ?? null,
      status,
      reopenCount: x.reopen_count as number,
      satisfaction: (x.satisfaction as number | null) ?? null,
      reportedAt,
      respondedAt: x.responded_at ? new Date(x.responded_at as string) : null,
      respondDueAt: new Date(x.respond_due_at as string),
      handledAt,
      handleDueAt,
      respondOverdue:
        (x.respond_overdue as boolean) ||
        (x.responded_at
          ? new Date(x.responded_at as string) > new Date(x.respond_due_at as string)
          : now > new Date(x.respond_due_at as string)),
      // Still unhandled past the deadline counts as overdue now, even before the deadline job has run.
      handleOverdue: (x.handle_overdue as boolean) || (!handledAt && HANDLING_STATUSES.includes(status) && handleDueAt < now),
      handleMinutes,
      handleAllowedMinutes: x.handle_allowed_minutes as number,
    };
  });
}

export interface KpiQuery {
  regionId?: string;
  from: string;
  to: string;
  by: KpiDimension;
}

export async function kpiTable(db: Db, caller: Caller, q: KpiQuery) {
  const w = await dataScope(db, caller);
  let communityIds = w.communityIds;
  let gridIds = w.gridIds;
  if (q.regionId) {
    const names = await regionNames(db, [q.regionId]);
    const path = names.get(q.regionId)?.path;
    if (path) {
      const within = await regionNames(db, communityIds);
      communityIds = communityIds.filter((c) => within.get(c)?.path.startsWith(path) || path.startsWith(within.get(c)?.path ?? '\u0000'));
      if (names.get(q.regionId)?.level === 'grid') gridIds = [q.regionId];
    }
  }
  const rows = await loadRows(db, communityIds, gridIds, q.from, q.to);
  const key = (e: Row): string | null => {
    switch (q.by) {
      case 'community':
        return e.communityId;
      case 'grid':
        return e.gridId;
      case 'unit':
        return e.unitId;
      case 'handler':
        return e.assigneeId;
      case 'grid_worker':
        return e.reporterKind === 'grid_worker' ? e.reporterUserId : null;
      case 'street':
        return e.communityId; // mapped to its street below
    }
  };
  let groups = new Map<string, Row[]>();
  for (const e of rows) {
    const k = key(e);
    if (!k) continue;
    const list = groups.get(k);
    if (list) list.push(e);
    else groups.set(k, [e]);
  }
  let names = new Map<string, string>();
  if (q.by === 'street') {
    const info = await regionNames(db, [...groups.keys()]);
    const byStreet = new Map<string, Row[]>();
    for (const [c, list] of groups) {
      const street = info.get(c)?.path.split('/').filter(Boolean).at(-2);
      if (!street) continue;
      byStreet.set(street, [...(byStreet.get(street) ?? []), ...list]);
    }
    groups = byStreet;
  }
  if (q.by === 'street' || q.by === 'community' || q.by === 'grid') {
    const info = await regionNames(db, [...groups.keys()]);
    names = new Map([...info].map(([id, v]) => [id, v.name]));
  } else if (q.by === 'unit') {
    const r = await db.execute(sql`select id, name from grid_units where id = any(${sql.param([...groups.keys()])}::uuid[])`);
    names = new Map((r.rows as { id: string; name: string }[]).map((x) => [x.id, x.name]));
  } else {
    const users = await userBriefs(db, [...groups.keys()]);
    names = new Map([...users].map(([id, u]) => [id, u.displayName]));
  }
  const items = [...groups].map(([id, list]) => ({ id, name: names.get(id) ?? id, ...kpis(list) }));
  // Ranking: resolution first, then on-time handling, then satisfaction (null last).
  const n = (x: number | null) => x ?? -1;
  items.sort(
    (a, b) =>
      n(b.resolutionRate) - n(a.resolutionRate) ||
      n(b.onTimeRate) - n(a.onTimeRate) ||
      n(b.satisfactionRate) - n(a.satisfactionRate) ||
      a.name.localeCompare(b.name),
  );
  return { by: q.by, from: q.from, to: q.to, total: kpis(rows), items: items.map((x, i) => ({ rank: i + 1, ...x })) };
}

export const KPI_COLUMNS: { key: keyof Kpis; label: string }[] = [
  { key: 'reports', label: '上报数' },
  { key: 'valid', label: '有效数' },
  { key: 'responseRate', label: '按时响应率(%)' },
  { key: 'onTimeRate', label: '按时办结率(%)' },
  { key: 'resolutionRate', label: '结案率(%)' },
  { key: 'satisfactionRate', label: '满意率(%)' },
  { key: 'satisfactionMean', label: '平均满意度' },
  { key: 'reworks', label: '返工次数' },
  { key: 'overdue', label: '超期数' },
  { key: 'overdueMultiple', label: '平均超期倍数' },
  { key: 'open', label: '在办数' },
];

export async function kpiWorkbook(t: Awaited<ReturnType<typeof kpiTable>>, label: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('绩效考核');
  ws.addRow([`网格化治理绩效考核（${label}）`, '', `统计期 ${t.from} 至 ${t.to}（按上报时间）`]);
  ws.addRow(['排名', label, ...KPI_COLUMNS.map((c) => c.label)]).font = { bold: true };
  for (const r of t.items) ws.addRow([r.rank, r.name, ...KPI_COLUMNS.map((c) => r[c.key] ?? '')]);
  ws.addRow(['', '合计', ...KPI_COLUMNS.map((c) => t.total[c.key] ?? '')]).font = { bold: true };
  ws.getColumn(2).width = 24;
  for (let i = 3; i <= KPI_COLUMNS.length + 2; i++) ws.getColumn(i).width = 14;
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ---- dashboard --------------------------------------------------------------------------------

export async function dashboard(db: Db, caller: Caller, regionId?: string) {
  const ref = await reference(db);
  const w = await dataScope(db, caller);
  let communityIds = w.communityIds;
  let gridIds = w.gridIds;
  if (regionId) {
    const info = await regionNames(db, [regionId, ...communityIds]);
    const path = info.get(regionId)?.path ?? '';
    communityIds = communityIds.filter((c) => (info.get(c)?.path ?? '').startsWith(path) || path.startsWith(info.get(c)?.path ?? '\u0000'));
    if (info.get(regionId)?.level === 'grid') gridIds = [regionId];
  }
  const where = sql`community_id = any(${sql.param(communityIds)}::uuid[]) ${gridIds ? sql`and grid_id = any(${sql.param(gridIds)}::uuid[])` : sql``}`;
  const overdueExpr = sql`(handle_overdue or (handled_at is null and handle_due_at < now() and status = any(${sql.param(HANDLING_STATUSES as Status[])}::text[])))`;
  const [byStatus, byCategory, points, today] = await Promise.all([
    db.execute(sql`select status, count(*)::int as n from grid_events where ${where} group by status`),
    db.execute(sql`
      select category_code, count(*)::int as total,
        count(*) filter (where status = any(${sql.param(OPEN_STATUSES as Status[])}::text[]))::int as open,
        count(*) filter (where status = any(${sql.param(OPEN_STATUSES as Status[])}::text[]) and ${overdueExpr})::int as overdue
      from grid_events where ${where} group by category_code order by open desc, total desc`),
    db.execute(sql`
      select id, number, lng, lat, status, category_code, ${overdueExpr} as overdue from grid_events
      where ${where} and lng is not null and status = any(${sql.param(OPEN_STATUSES as Status[])}::text[]) order by reported_at desc limit 2000`),
    db.execute(sql`
      select count(*)::int as n, count(*) filter (where status = any(${sql.param(OPEN_STATUSES as Status[])}::text[]) and (escalation_level > 0 or ${overdueExpr}))::int as escalated
      from grid_events where ${where} and reported_at >= date_trunc('day', now() at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai'`),
  ]);
  const statusCounts = Object.fromEntries((byStatus.rows as { status: string; n: number }[]).map((x) => [x.status, x.n]));
  const open = OPEN_STATUSES.reduce((s, k) => s + (statusCounts[k] ?? 0), 0);
  const cats = byCategory.rows as { category_code: string; total: number; open: number; overdue: number }[];
  const grids = (await gridsWithBoundaries(db)).filter(
    (g) => communityIds.includes(g.communityId) && (!gridIds || gridIds.includes(g.id)) && g.boundary,
  );
  const gridNames = await regionNames(
    db,
    grids.map((g) => g.id),
  );
  const escalatedAll = await db.execute(
    sql`select count(*)::int as n from grid_events where ${where} and status = any(${sql.param(OPEN_STATUSES as Status[])}::text[]) and (escalation_level > 0 or ${overdueExpr})`,
  );
  return {
    open,
    overdue: cats.reduce((s, c) => s + c.overdue, 0),
    escalated: (escalatedAll.rows[0] as { n: number }).n,
    reportedToday: (today.rows[0] as { n: number }).n,
    byStatus: Object.entries(STATUSES).map(([k, label]) => ({ status: k, label, count: statusCounts[k] ?? 0 })),
    byCategory: cats.map((c) => {
      const cat = ref.categories.get(c.category_code);
      const parent = cat?.parentCode ? ref.categories.get(cat.parentCode) : undefined;
      return {
        code: c.category_code,
        name: parent ? `${parent.name}/${cat!.name}` : (cat?.name ?? c.category_code),
        total: c.total,
        open: c.open,
        overdue: c.overdue,
      };
    }),
    events: (points.rows as Record<string, unknown>[]).map((p) => ({
      id: p.id as string,
      number: p.number as string,
      lng: p.lng as number,
      lat: p.lat as number,
      status: p.status as string,
      overdue: p.overdue as boolean,
      category: ref.categories.get(p.category_code as string)?.name ?? (p.category_code as string),
    })),
    grids: grids.map((g) => ({ id: g.id, name: gridNames.get(g.id)?.name ?? '', boundary: g.boundary })),
  };
}

// ---- the live measure for evaluation (`003` L3P3) -----------------------------------------------------

interface LoopLoad {
  byCommunity: Map<string, { valid: number; closed: number; closedRated: number }>;
}

registerMeasures<LoopLoad>(
  async (db, communityIds) => {
    const r = await db.execute(sql`
      select community_id,
        count(*) filter (where status not in ('rejected', 'merged'))::int as valid,
        count(*) filter (where status = 'closed')::int as closed,
        count(*) filter (where status = 'closed' and satisfaction is not null and unit_id is not null and handled_at is not null)::int as closed_rated
      from grid_events
      where community_id = any(${sql.param(communityIds)}::uuid[]) and reported_at >= now() - interval '365 days'
      group by community_id`);
    return {
      byCommunity: new Map(
        (r.rows as { community_id: string; valid: number; closed: number; closed_rated: number }[]).map((x) => [
          x.community_id,
          { valid: x.valid, closed: x.closed, closedRated: x.closed_rated },
        ]),
      ),
    };
  },
  [
    {
      key: 'grid.closed-loop',
      title: '网格事件闭环（近365天）',
      method: '近365天有效事件（不含不予受理、合并）中已结案的比例；至少一件事件走完“上报→派遣→处置→反馈评价→结案”全流程即视为形成完整闭环',
      clause: '003 L3P3',
      value: (loaded, communityId) => {
        const c = loaded.byCommunity.get(communityId);
        if (!c || c.valid === 0) return { value: 0, met: false, numerator: 0, denominator: 0, records: 0 };
        return {
          value: Math.round((c.closed / c.valid) * 10000) / 100,
          met: c.closedRated > 0,
          numerator: c.closed,
          denominator: c.valid,
          records: c.valid,
        };
      },
    },
  ],
);
