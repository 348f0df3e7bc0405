// Grid governance (网格化治理): the types and calls of /api/grid/* and /api/public/grid/*, and the
// labels of server/src/modules/grid/model.ts the pages need (statuses, actions, urgencies…).
import { api, fetchBlob, request, type Download } from '../../api/client';
import type { Page } from '../../api/types';

const enc = encodeURIComponent;

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

export const STATUS_COLOR: Record<string, string> = {
  reported: 'orange',
  accepted: 'gold',
  rejected: 'default',
  dispatched: 'blue',
  in_progress: 'processing',
  handled: 'cyan',
  feedback: 'purple',
  closed: 'success',
  merged: 'default',
  suspended: 'warning',
};

export type ActionKey =
  | 'accept'
  | 'reject'
  | 'dispatch'
  | 'grab'
  | 'start'
  | 'return'
  | 'handle'
  | 'verify'
  | 'rework'
  | 'confirm'
  | 'reopen'
  | 'merge'
  | 'suspend'
  | 'resume'
  | 'escalate';

/** The actions people take (system actions left out), with the statuses they start from. */
export const ACTIONS: Record<ActionKey, { label: string; from: readonly Status[]; reason: boolean }> = {
  accept: { label: '立案', from: ['reported'], reason: false },
  reject: { label: '不予受理', from: ['reported'], reason: true },
  dispatch: { label: '派遣', from: ['accepted'], reason: false },
  grab: { label: '抢单', from: ['dispatched'], reason: false },
  start: { label: '开始处置', from: ['dispatched'], reason: false },
  return: { label: '退单', from: ['dispatched', 'in_progress'], reason: true },
  handle: { label: '处置完成', from: ['in_progress'], reason: false },
  verify: { label: '核查通过', from: ['handled'], reason: false },
  rework: { label: '核查不通过', from: ['handled'], reason: true },
  confirm: { label: '确认办结并评价', from: ['feedback'], reason: false },
  reopen: { label: '不满意重办', from: ['feedback'], reason: true },
  merge: { label: '合并重复事件', from: ['reported', 'accepted'], reason: true },
  suspend: { label: '挂起', from: ['accepted', 'dispatched', 'in_progress'], reason: true },
  resume: { label: '恢复', from: ['suspended'], reason: false },
  escalate: { label: '上报上级', from: ['reported', 'accepted', 'dispatched', 'in_progress'], reason: true },
};

/** Actions of the managing staff (grid.manage) and of the handling unit (grid.handle). */
export const MANAGER_ACTIONS: ActionKey[] = [
  'accept',
  'reject',
  'dispatch',
  'verify',
  'rework',
  'confirm',
  'reopen',
  'suspend',
  'resume',
  'escalate',
];
export const HANDLER_ACTIONS: ActionKey[] = ['grab', 'start', 'return', 'handle'];

export const URGENCIES = { normal: '一般', urgent: '紧急' } as const;
export const REPORTER_KINDS: Record<string, string> = {
  resident: '居民',
  grid_worker: '网格员',
  hotline: '热线',
  device: '物联设备',
  platform: '其他平台',
  staff: '工作人员',
  other: '其他',
};
export const DISPATCH_MODES = { assign: '指派', grab: '抢单', round_robin: '轮派' } as const;
export const UNIT_KINDS = { department: '职能部门', street: '街道', community: '社区', property: '物业服务企业', other: '其他' } as const;
export const KPI_DIMENSIONS = {
  street: '街道',
  community: '社区',
  grid: '网格',
  unit: '处置单位',
  handler: '处置人员',
  grid_worker: '网格员（上报）',
} as const;
export type KpiDimension = keyof typeof KPI_DIMENSIONS;

export interface GridEvent {
  id: string;
  number: string;
  communityId: string;
  gridId: string | null;
  categoryCode: string;
  category: string;
  urgency: string;
  description: string;
  photos: string[];
  lng: number | null;
  lat: number | null;
  buildingId: string | null;
  roomId: string | null;
  address: string | null;
  reporterKind: string;
  reporterName: string | null;
  reporterPhone: string | null;
  channel: string;
  status: string;
  statusLabel: string;
  unitId: string | null;
  unitName: string | null;
  assigneeId: string | null;
  assigneeName: string | null;
  suggestedUnitId: string | null;
  mergedInto: string | null;
  handlerNote: string | null;
  resultPhotos: string[];
  satisfaction: number | null;
  ratingComment: string | null;
  escalationLevel: number;
  reopenCount: number;
  returnCount: number;
  reportedAt: string;
  respondedAt: string | null;
  handledAt: string | null;
  closedAt: string | null;
  respondDueAt: string;
  handleDueAt: string;
  respondOverdue: boolean;
  handleOverdue: boolean;
  warned: boolean;
}

export interface Duplicate {
  id: string;
  number: string;
  status: string;
  description: string;
  distanceMetres: number | null;
  reportedAt: string;
}

export interface Transition {
  id: string;
  action: string;
  actionLabel: string;
  fromStatus: string | null;
  toStatus: string;
  actorName: string;
  reason: string | null;
  detail: Record<string, unknown> | null;
  respondOverdue: boolean;
  handleOverdue: boolean;
  at: string;
}

export interface EventDetail extends GridEvent {
  version: number;
  dispatchMode: string;
  needsVerification: boolean;
  suggestedUnitName: string | null;
  /** What the caller may do now, decided by the server. */
  allowedActions: ActionKey[];
  transitions: Transition[];
  suspectedDuplicates: Duplicate[];
}

export interface Reported extends GridEvent {
  trackingCode: string;
  suspectedDuplicates: Duplicate[];
}

export interface CategoryLimits {
  respond: number;
  handle: number;
}

export interface Category {
  code: string;
  parentCode: string | null;
  name: string;
  dispatchMode: keyof typeof DISPATCH_MODES;
  modeLabel?: string;
  needsVerification: boolean;
  limits: Record<'normal' | 'urgent', CategoryLimits>;
  sort: number;
  active: boolean;
  children?: Category[];
}

export interface Unit {
  id: string;
  regionId: string;
  regionName: string;
  name: string;
  kind: string;
  kindLabel: string;
  active: boolean;
  members: { userId: string; name: string }[];
}

export interface RouteRow {
  id: string;
  regionId: string;
  regionName: string;
  categoryCode: string;
  categoryName: string;
  unitId: string;
  unitName: string;
  createdAt: string;
  createdBy: string | null;
  retiredAt: string | null;
  retiredBy: string | null;
}

export interface CalendarDay {
  date: string;
  kind: 'holiday' | 'workday';
  name: string;
}

export interface CalendarYear {
  year: number;
  source: 'configured' | 'built-in' | 'none';
  days: CalendarDay[];
}

export interface Partner {
  id: string;
  name: string;
  createdAt: string;
  createdBy: string | null;
  revoked: boolean;
}

export interface KpiRow {
  reports: number;
  valid: number;
  responseRate: number | null;
  onTimeRate: number | null;
  resolutionRate: number | null;
  satisfactionRate: number | null;
  satisfactionMean: number | null;
  reworks: number;
  overdue: number;
  overdueMultiple: number | null;
  open: number;
}

export interface KpiTable {
  by: string;
  from: string;
  to: string;
  total: KpiRow;
  items: (KpiRow & { rank: number; id: string; name: string })[];
}

export type Geometry = { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };

export interface Dashboard {
  open: number;
  overdue: number;
  escalated: number;
  reportedToday: number;
  byStatus: { status: string; label: string; count: number }[];
  byCategory: { code: string; name: string; total: number; open: number; overdue: number }[];
  events: { id: string; number: string; lng: number; lat: number; status: string; overdue: boolean; category: string }[];
  grids: { id: string; name: string; boundary: Geometry | null }[];
}

export interface Tracked {
  id: string;
  number: string;
  category: string;
  description: string;
  address: string | null;
  status: string;
  statusLabel: string;
  unitName: string | null;
  handlerNote: string | null;
  resultPhotos: string[];
  satisfaction: number | null;
  reportedAt: string;
  handleDueAt: string;
  canConfirm: boolean;
  steps: { action: string; status: string; reason: string | null; at: string }[];
}

export interface EventQuery {
  communityId?: string;
  gridId?: string;
  status?: string;
  categoryCode?: string;
  unitId?: string;
  overdue?: boolean;
  escalated?: boolean;
  view?: 'assigned' | 'reported' | 'triage' | 'open';
  q?: string;
  from?: string;
  to?: string;
  page?: number;
  pageSize?: number;
}

export interface ReportBody {
  categoryCode: string;
  urgency?: 'normal' | 'urgent';
  description: string;
  photos?: string[];
  regionId?: string;
  buildingId?: string;
  roomId?: string;
  lng?: number;
  lat?: number;
  address?: string;
  reporterKind?: 'hotline' | 'other';
  reporterName?: string;
  reporterPhone?: string;
}

export interface ActionBody {
  action: ActionKey;
  reason?: string;
  unitId?: string;
  assigneeId?: string;
  note?: string;
  photos?: string[];
  satisfaction?: number;
  comment?: string;
  intoId?: string;
  version?: number;
}

export interface KpiQuery {
  by: KpiDimension;
  from: string;
  to: string;
  regionId?: string;
}

const put = <T>(path: string, body: unknown) => request<T>(path, { method: 'PUT', body });

export const gridApi = {
  categories: () => api.get<Category[]>('/api/grid/categories'),
  putCategory: (code: string, body: Omit<Category, 'code' | 'children' | 'modeLabel'>) =>
    put<Category>(`/api/grid/categories/${enc(code)}`, body),
  units: () => api.get<Unit[]>('/api/grid/units'),
  createUnit: (body: { regionId: string; name: string; kind: string; memberIds?: string[] }) => api.post<Unit>('/api/grid/units', body),
  setMembers: (id: string, memberIds: string[]) => put<Unit>(`/api/grid/units/${enc(id)}/members`, { memberIds }),
  routes: (history: boolean) => api.get<RouteRow[]>('/api/grid/routes', history ? { history: true } : undefined),
  setRoute: (body: { regionId: string; categoryCode: string; unitId: string | null }) => put<RouteRow[]>('/api/grid/routes', body),
  calendar: (year: number) => api.get<CalendarYear>(`/api/grid/calendar/${year}`),
  putCalendar: (year: number, days: CalendarDay[]) => put<CalendarYear>(`/api/grid/calendar/${year}`, { days }),
  partners: () => api.get<Partner[]>('/api/grid/partners'),
  createPartner: (name: string) => api.post<{ id: string; name: string; apiKey: string }>('/api/grid/partners', { name }),
  revokePartner: (id: string) => api.delete(`/api/grid/partners/${enc(id)}`),

  events: (query: EventQuery, signal?: AbortSignal) => api.get<Page<GridEvent>>('/api/grid/events', { ...query }, signal),
  event: (id: string, signal?: AbortSignal) => api.get<EventDetail>(`/api/grid/events/${enc(id)}`, undefined, signal),
  report: (body: ReportBody) => api.post<Reported>('/api/grid/events', body),
  act: (id: string, body: ActionBody) => api.post<GridEvent>(`/api/grid/events/${enc(id)}/actions`, body),
  revealPhone: (id: string) => api.post<{ phone: string | null }>(`/api/grid/events/${enc(id)}/reveal-phone`),

  kpis: (query: KpiQuery) => api.get<KpiTable>('/api/grid/kpis', { ...query }),
  kpisXlsx: (query: KpiQuery): Promise<Download> => fetchBlob('/api/grid/kpis.xlsx', { ...query }),
  dashboard: (regionId?: string) => api.get<Dashboard>('/api/grid/dashboard', regionId ? { regionId } : undefined),
};

/** Calls without an account (the resident's mobile pages). Sent without a token, so a 401 never logs anyone out. */
async function publicPost<T>(path: string, body: unknown): Promise<T> {
  return request<T>(path, { method: 'POST', body, allowUnauthorized: true });
}

export interface PublicReportBody extends Omit<ReportBody, 'reporterKind' | 'reporterPhone'> {
  plate?: { communityId: string; code: string };
  reporterPhone: string;
}

export const publicGridApi = {
  categories: () => request<Category[]>('/api/grid/categories', { allowUnauthorized: true }),
  report: (body: PublicReportBody) =>
    publicPost<{ number: string; trackingCode: string; statusLabel: string; handleDueAt: string }>('/api/public/grid/reports', body),
  track: (code: string, phone: string) => publicPost<Tracked>('/api/public/grid/track', { code, phone }),
  act: (body: { code: string; phone: string; action: 'confirm' | 'reopen'; satisfaction?: number; comment?: string; reason?: string }) =>
    publicPost<Tracked>('/api/public/grid/track/actions', body),
};

/** Cascader options of the two-level catalogue (only level-2 codes are selectable for a report). */
export function categoryOptions(cats: Category[], leafOnly = true) {
  return cats
    .filter((c) => c.active !== false)
    .map((c) => ({
      value: c.code,
      label: c.name,
      children: (c.children ?? []).filter((k) => k.active !== false).map((k) => ({ value: k.code, label: k.name })),
      ...(leafOnly && !(c.children ?? []).length ? { disabled: true } : {}),
    }));
}
