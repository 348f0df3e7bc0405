// Pure rules of grid governance (`003` L3P3: 问题发现、事件上报跟踪、智能派单、线下处置、问题反馈、
// 绩效考核的完整闭环; `002` #30; `004` 5.2.4): the state machine, routing, duplicate suspicion and the
// assessment figures. No I/O; tested in model.test.ts.
import { beijingDay } from '../../db/days.js';

export const STATUSES = {
  reported: '待受理',
  accepted: '已立案待派遣',
  rejected: '不予受理',
  dispatched: '已派遣',
  in_progress: '处置中',
  handled: '已处置待核查',
  feedback: '待反馈',
  closed: '已结案',
  merged: '已合并',
  suspended: '已挂起',
} as const;
export type Status = keyof typeof STATUSES;
export const STATUS_KEYS = Object.keys(STATUSES) as Status[];

/** Still in the loop: deadlines run, the event counts as open. */
export const OPEN_STATUSES: readonly Status[] = ['reported', 'accepted', 'dispatched', 'in_progress', 'handled', 'feedback', 'suspended'];
/** The handling deadline stops once the event is handled. */
export const HANDLING_STATUSES: readonly Status[] = ['reported', 'accepted', 'dispatched', 'in_progress'];

/** Who may take an action: the managing community/street staff, the handling unit, a verifier, the reporter, or the system. */
export type Actor = 'manager' | 'handler' | 'verifier' | 'reporter' | 'system';

interface ActionSpec {
  label: string;
  from: readonly Status[];
  /** `same`: the status does not change (escalate, warn, overdue). `resume`: back to the status before suspension. */
  to: Status | 'same' | 'resume' | 'handled-or-feedback';
  actors: readonly Actor[];
  reason: boolean;
}

export const ACTIONS = {
  report: { label: '上报', from: [], to: 'reported', actors: ['manager', 'handler', 'reporter', 'system'], reason: false },
  accept: { label: '立案', from: ['reported'], to: 'accepted', actors: ['manager'], reason: false },
  reject: { label: '不予受理', from: ['reported'], to: 'rejected', actors: ['manager'], reason: true },
  dispatch: { label: '派遣', from: ['accepted'], to: 'dispatched', actors: ['manager', 'system'], reason: false },
  grab: { label: '抢单', from: ['dispatched'], to: 'in_progress', actors: ['handler'], reason: false },
  start: { label: '开始处置', from: ['dispatched'], to: 'in_progress', actors: ['handler'], reason: false },
  return: { label: '退单', from: ['dispatched', 'in_progress'], to: 'accepted', actors: ['handler'], reason: true },
  handle: { label: '处置完成', from: ['in_progress'], to: 'handled-or-feedback', actors: ['handler'], reason: false },
  verify: { label: '核查通过', from: ['handled'], to: 'feedback', actors: ['verifier'], reason: false },
  rework: { label: '核查不通过', from: ['handled'], to: 'in_progress', actors: ['verifier'], reason: true },
  confirm: { label: '确认办结并评价', from: ['feedback'], to: 'closed', actors: ['reporter', 'manager'], reason: false },
  reopen: { label: '不满意重办', from: ['feedback'], to: 'dispatched', actors: ['reporter', 'manager'], reason: true },
  'auto-close': { label: '反馈期满自动结案', from: ['feedback'], to: 'closed', actors: ['system'], reason: false },
  merge: { label: '合并重复事件', from: ['reported', 'accepted'], to: 'merged', actors: ['manager'], reason: true },
  suspend: { label: '挂起', from: ['accepted', 'dispatched', 'in_progress'], to: 'suspended', actors: ['manager'], reason: true },
  resume: { label: '恢复', from: ['suspended'], to: 'resume', actors: ['manager'], reason: false },
  escalate: {
    label: '上报上级',
    from: ['reported', 'accepted', 'dispatched', 'in_progress'],
    to: 'same',
    actors: ['manager', 'system'],
    reason: true,
  },
  warn: { label: '临期预警', from: OPEN_STATUSES, to: 'same', actors: ['system'], reason: false },
  overdue: { label: '超期', from: OPEN_STATUSES, to: 'same', actors: ['system'], reason: false },
} as const satisfies Record<string, ActionSpec>;
export type Action = keyof typeof ACTIONS;
export const ACTION_KEYS = Object.keys(ACTIONS) as Action[];

/** The status after `action`, or why it is refused (Chinese, for people). */
export function transition(
  ev: { status: Status; suspendedFrom: Status | null; needsVerification: boolean },
  action: Action,
): { to: Status } | { error: string } {
  const spec: ActionSpec = ACTIONS[action];
  if (!(spec.from as readonly string[]).includes(ev.status)) return { error: `事件当前为“${STATUSES[ev.status]}”，不能${spec.label}` };
  switch (spec.to) {
    case 'same':
      return { to: ev.status };
    case 'resume':
      return ev.suspendedFrom ? { to: ev.suspendedFrom } : { error: '无法确定挂起前的状态' };
    case 'handled-or-feedback':
      return { to: ev.needsVerification ? 'handled' : 'feedback' };
    default:
      return { to: spec.to };
  }
}

export const URGENCIES = { normal: '一般', urgent: '紧急' } as const;
export type Urgency = keyof typeof URGENCIES;

export const REPORTER_KINDS = {
  resident: '居民',
  grid_worker: '网格员',
  hotline: '热线',
  device: '物联设备',
  platform: '其他平台',
  staff: '工作人员',
  other: '其他',
} as const;
export type ReporterKind = keyof typeof REPORTER_KINDS;

export const DISPATCH_MODES = { assign: '指派', grab: '抢单', round_robin: '轮派' } as const;
export type DispatchMode = keyof typeof DISPATCH_MODES;

export const UNIT_KINDS = { department: '职能部门', street: '街道', community: '社区', property: '物业服务企业', other: '其他' } as const;

// ---- routing ---------------------------------------------------------------------------------

export interface RouteRow {
  regionPath: string;
  categoryCode: string;
  unitId: string;
}

/**
 * The handling unit for an event at `eventPath` (its grid's or community's region path) of
 * `category` (level-2 code) whose level-1 parent is `parent`. The most specific row wins: the
 * deepest area containing the event; within it an exact category before its level-1 parent.
 */
export function routeFor(routes: readonly RouteRow[], eventPath: string, category: string, parent: string | null): string | null {
  let best: RouteRow | null = null;
  let bestRank = -1;
  for (const r of routes) {
    if (!eventPath.startsWith(r.regionPath)) continue;
    const exact = r.categoryCode === category;
    if (!exact && r.categoryCode !== parent) continue;
    const rank = r.regionPath.length * 2 + (exact ? 1 : 0);
    if (rank > bestRank) {
      best = r;
      bestRank = rank;
    }
  }
  return best?.unitId ?? null;
}

// ---- duplicates ------------------------------------------------------------------------------

/** Great-circle distance in metres (WGS 84 mean radius). */
export function distanceMetres(a: { lng: number; lat: number }, b: { lng: number; lat: number }): number {
  const R = 6_371_008.8;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Degrees of latitude / longitude that certainly contain a circle of `metres` around `lat` (for an index pre-filter). */
export function boundingDegrees(lat: number, metres: number): { dLat: number; dLng: number } {
  const dLat = (metres / 111_000) * 1.01;
  const cos = Math.max(0.01, Math.cos((Math.abs(lat) * Math.PI) / 180));
  return { dLat, dLng: dLat / cos };
}

export const DUPLICATE_RADIUS_METRES = 150;
export const DUPLICATE_WINDOW_HOURS = 72;

// ---- assessment (绩效考核) --------------------------------------------------------------------

/** What the figures need of one event. */
export interface KpiEvent {
  status: Status;
  reopenCount: number;
  satisfaction: number | null;
  respondedAt: Date | null;
  respondDueAt: Date;
  handledAt: Date | null;
  handleDueAt: Date;
  respondOverdue: boolean;
  handleOverdue: boolean;
  /** Working minutes from the report to handling (or to now while unhandled). */
  handleMinutes: number;
  handleAllowedMinutes: number;
}

export interface Kpis {
  /** Events reported in the period. */
  reports: number;
  /** Not rejected and not merged as a duplicate. */
  valid: number;
  /** Valid events accepted or dispatched within the respond deadline ÷ valid (percent). */
  responseRate: number | null;
  /** Handled events handled by the deadline ÷ handled events. */
  onTimeRate: number | null;
  /** Closed ÷ valid. */
  resolutionRate: number | null;
  /** Ratings of 4 or 5 ÷ ratings. */
  satisfactionRate: number | null;
  /** Mean rating, 1–5. */
  satisfactionMean: number | null;
  /** Reopened after an unsatisfied reporter (返工). */
  reworks: number;
  /** Valid events past their handling deadline (handled late, or still unhandled after it). */
  overdue: number;
  /** Mean of (working time taken ÷ time allowed) over the overdue events; 1.5 = half again as long. */
  overdueMultiple: number | null;
  open: number;
}

const pct = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10000) / 100);

export function kpis(events: readonly KpiEvent[]): Kpis {
  const valid = events.filter((e) => e.status !== 'rejected' && e.status !== 'merged');
  const responded = valid.filter((e) => e.respondedAt && !e.respondOverdue && e.respondedAt <= e.respondDueAt).length;
  const handled = valid.filter((e) => e.handledAt);
  const onTime = handled.filter((e) => !e.handleOverdue && e.handledAt! <= e.handleDueAt).length;
  const closed = valid.filter((e) => e.status === 'closed').length;
  const rated = valid.filter((e) => e.satisfaction !== null);
  const satisfied = rated.filter((e) => e.satisfaction! >= 4).length;
  const overdue = valid.filter((e) => e.handleOverdue);
  const multiples = overdue.filter((e) => e.handleAllowedMinutes > 0).map((e) => e.handleMinutes / e.handleAllowedMinutes);
  return {
    reports: events.length,
    valid: valid.length,
    responseRate: pct(responded, valid.length),
    onTimeRate: pct(onTime, handled.length),
    resolutionRate: pct(closed, valid.length),
    satisfactionRate: pct(satisfied, rated.length),
    satisfactionMean: rated.length ? Math.round((rated.reduce((s, e) => s + e.satisfaction!, 0) / rated.length) * 100) / 100 : null,
    reworks: valid.reduce((s, e) => s + e.reopenCount, 0),
    overdue: overdue.length,
    overdueMultiple: multiples.length ? Math.round((multiples.reduce((s, m) => s + m, 0) / multiples.length) * 100) / 100 : null,
    open: valid.filter((e) => OPEN_STATUSES.includes(e.status)).length,
  };
}

/** Event number: date (Asia/Shanghai) and a sequence, e.g. 20261203-000123. */
export function eventNumber(at: Date, seq: number): string {
  return `${beijingDay(at).replaceAll('-', '')}-${String(seq).padStart(6, '0')}`;
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** A tracking code from random bytes: 10 characters without look-alikes (about 50 bits). */
export function trackingCode(random: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += CODE_ALPHABET[random[i]! % CODE_ALPHABET.length];
  return s;
}
