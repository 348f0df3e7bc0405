// Use cases of grid events (网格事件): report, the transitions of the closed loop (`003` L3P3),
// lists and details, and the deadline handlers. Every transition is one transaction holding the
// event's new state, its transition row (who, when, why, and whether a deadline had passed at that
// moment), the deadlines it schedules or cancels, its outbox event and its audit entry.
import { randomBytes } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { blindIndex, blindIndexes, decrypt, encrypt, type DataKeys } from '../../crypto/personal-data.js';
import { dayStart } from '../../db/days.js';
import { transaction } from '../../db/notified-worker.js';
import { uuidv7 } from '../../db/ids.js';
import type { Db, Executor } from '../../db/pool.js';
import type { Caller } from '../../http/context.js';
import { problems } from '../../http/errors.js';
import { appendAudit, appendAudits } from '../audit/service.js';
import { cancelDeadlines, registerDeadlineHandler, scheduleDeadlines, type DueDeadline } from '../deadlines/service.js';
import { emit, emitMany } from '../events/service.js';
import { notifySelected } from '../notifications/service.js';
import { pointInGeometry } from '../regions/model.js';
import { dataScope, regionBrief } from '../regions/service.js';
import { placeOfPlate, placeSummary, type PlaceSummary } from '../registry/lookup.js';
import { maskPhone, normalisePhone, phoneProblem } from '../registry/model.js';
import { addWorkingMinutes, workingMinutesBetween, type WorkCalendar } from './calendar.js';
import {
  ACTION_KEYS,
  ACTIONS,
  boundingDegrees,
  distanceMetres,
  DUPLICATE_RADIUS_METRES,
  DUPLICATE_WINDOW_HOURS,
  eventNumber,
  HANDLING_STATUSES,
  OPEN_STATUSES,
  REPORTER_KINDS,
  routeFor,
  STATUSES,
  trackingCode,
  transition,
  URGENCIES,
  type Action,
  type Actor,
  type ReporterKind,
  type Status,
  type Urgency,
} from './model.js';
import { reference, type Category, type Reference } from './reference.js';

const PHONE_CTX = 'grid_events.reporter_phone';
/** The reporter has this many working days to confirm and rate before the event closes by itself. */
export const FEEDBACK_DAYS = 3;
/** The handling warning fires when this share of the allowed working time has passed. */
export const WARN_AT = 0.8;

/** Who is acting, for the audit entry and the transition row; `caller` is null for public and partner calls. */
export interface Who {
  db: Db;
  caller: Caller | null;
  ip: string | null;
  userAgent: string | null;
  action: string;
  markAudited(): void;
  /** Shown on the transition when there is no caller (e.g. the reporter, a partner platform). */
  name?: string;
}

async function audited<T>(
  who: Who,
  spec: {
    targetId: (r: NoInfer<T>) => string;
    scopePath: (r: NoInfer<T>) => string;
    statusCode?: number;
    detail?: (r: NoInfer<T>) => Record<string, unknown>;
  },
  change: (tx: Executor) => Promise<T>,
): Promise<T> {
  const r = await transaction(who.db, async (tx) => {
    const out = await change(tx);
    await appendAudit(tx, {
      caller: who.caller,
      ip: who.ip,
      userAgent: who.userAgent,
      action: who.action,
      targetType: 'grid-event',
      targetId: spec.targetId(out),
      scopePath: spec.scopePath(out),
      outcome: 'success',
      statusCode: spec.statusCode ?? 200,
      detail: spec.detail?.(out) ?? {},
    });
    return out;
  });
  who.markAudited();
  return r;
}

// ---- reading --------------------------------------------------------------------------------

export interface EventRow {
  communityId: string;
  id: string;
  number: string;
  trackingCode: string;
  gridId: string | null;
  categoryCode: string;
  urgency: Urgency;
  description: string;
  photos: string[];
  lng: number | null;
  lat: number | null;
  buildingId: string | null;
  roomId: string | null;
  address: string | null;
  reporterKind: ReporterKind;
  reporterUserId: string | null;
  reporterName: string | null;
  reporterPhoneEnc: Buffer | null;
  reporterPhoneHash: string | null;
  reporterPhoneMasked: string | null;
  channel: string;
  partnerId: string | null;
  status: Status;
  suspendedFrom: Status | null;
  suspendedAt: Date | null;
  unitId: string | null;
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
  reportedAt: Date;
  respondedAt: Date | null;
  handledAt: Date | null;
  closedAt: Date | null;
  respondDueAt: Date;
  handleDueAt: Date;
  handleAllowedMinutes: number;
  respondOverdue: boolean;
  handleOverdue: boolean;
  warnedAt: Date | null;
  version: number;
  path: string;
}

const EVENT_COLUMNS = sql.raw(`e.community_id, e.id, e.number, e.tracking_code, e.grid_id, e.category_code, e.urgency, e.description,
  e.photos, e.lng, e.lat, e.building_id, e.room_id, e.address, e.reporter_kind, e.reporter_user_id, e.reporter_name,
  e.reporter_phone_enc, e.reporter_phone_hash, e.reporter_phone_masked, e.channel, e.partner_id, e.status, e.suspended_from,
  e.suspended_at, e.unit_id, e.assignee_id, e.assignee_name, e.suggested_unit_id, e.merged_into, e.handler_note, e.result_photos,
  e.satisfaction, e.rating_comment, e.escalation_level, e.reopen_count, e.return_count, e.reported_at, e.responded_at,
  e.handled_at, e.closed_at, e.respond_due_at, e.handle_due_at, e.handle_allowed_minutes, e.respond_overdue, e.handle_overdue,
  e.warned_at, e.version, r.path`);

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const DATE_FIELDS = new Set([
  'reportedAt',
  'respondedAt',
  'handledAt',
  'closedAt',
  'respondDueAt',
  'handleDueAt',
  'warnedAt',
  'suspendedAt',
]);
function toRow(x: Record<string, unknown>): EventRow {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) {
    const c = camel(k);
    o[c] = DATE_FIELDS.has(c) && v !== null && !(v instanceof Date) ? new Date(v as string) : v;
  }
  return o as unknown as EventRow;
}

async function loadEvent(db: Executor, id: string, lock = false): Promise<EventRow | undefined> {
  const r = await db.execute(sql`
    select ${EVENT_COLUMNS} from grid_events e join regions r on r.id = coalesce(e.grid_id, e.community_id)
    where e.id = ${id} ${lock ? sql`for update of e` : sql``}`);
  const row = r.rows[0] as Record<string, unknown> | undefined;
  return row ? toRow(row) : undefined;
}

/** Scope resolver: an event is in the region of its grid (or its community when it has no grid). */
export async function eventPath(db: Db, id: string): Promise<string | null> {
  const r = await db.execute(
    sql`select r.path from grid_events e join regions r on r.id = coalesce(e.grid_id, e.community_id) where e.id = ${id}`,
  );
  return (r.rows[0] as { path: string } | undefined)?.path ?? null;
}

function categoryOf(ref: Reference, code: string): Category | undefined {
  return ref.categories.get(code);
}

function categoryLabel(ref: Reference, code: string): string {
  const c = ref.categories.get(code);
  if (!c) return code;
  const p = c.parentCode ? ref.categories.get(c.parentCode) : undefined;
  return p ? `${p.name}/${c.name}` : c.name;
}

export function present(ev: EventRow, ref: Reference, names?: Map<string, string>) {
  return {
    id: ev.id,
    number: ev.number,
    communityId: ev.communityId,
    gridId: ev.gridId,
    categoryCode: ev.categoryCode,
    category: categoryLabel(ref, ev.categoryCode),
    urgency: ev.urgency,
    description: ev.description,
    photos: ev.photos,
    lng: ev.lng,
    lat: ev.lat,
    buildingId: ev.buildingId,
    roomId: ev.roomId,
    address: ev.address,
    reporterKind: ev.reporterKind,
    reporterName: ev.reporterName,
    reporterPhone: ev.reporterPhoneMasked,
    channel: ev.channel,
    status: ev.status,
    statusLabel: STATUSES[ev.status],
    unitId: ev.unitId,
    unitName: ev.unitId ? (names?.get(ev.unitId) ?? null) : null,
    assigneeId: ev.assigneeId,
    assigneeName: ev.assigneeName,
    suggestedUnitId: ev.suggestedUnitId,
    mergedInto: ev.mergedInto,
    handlerNote: ev.handlerNote,
    resultPhotos: ev.resultPhotos,
    satisfaction: ev.satisfaction,
    ratingComment: ev.ratingComment,
    reopenCount: ev.reopenCount,
    returnCount: ev.returnCount,
    reportedAt: ev.reportedAt.toISOString(),
    respondedAt: ev.respondedAt?.toISOString() ?? null,
    handledAt: ev.handledAt?.toISOString() ?? null,
    closedAt: ev.closedAt?.toISOString() ?? null,
    respondDueAt: ev.respondDueAt.toISOString(),
    handleDueAt: ev.handleDueAt.toISOString(),
    ...timeState(ev, ref.calendar),
  };
}

/**
 * Where an event stands against its deadlines now: the frozen flags (set by every transition taken
 * late, never cleared) or the clock. Escalation: to the street once the handling limit has passed, to
 * the district once it has passed by as much again (the `grid.handle` / `grid.escalate` deadlines
 * record those moments on the history); a manual escalation counts too. Warned: within the last 20 %
 * of the handling time. A suspended event's clock is stopped.
 */
export function timeState(
  ev: Pick<
    EventRow,
    | 'status'
    | 'respondOverdue'
    | 'handleOverdue'
    | 'respondedAt'
    | 'respondDueAt'
    | 'handledAt'
    | 'handleDueAt'
    | 'handleAllowedMinutes'
    | 'escalationLevel'
  >,
  cal: WorkCalendar,
  now: Date = new Date(),
) {
  const handling = HANDLING_STATUSES.includes(ev.status) && !ev.handledAt;
  const respondOverdue =
    ev.respondOverdue || (ev.respondedAt ? ev.respondedAt > ev.respondDueAt : ev.status === 'reported' && now > ev.respondDueAt);
  const handleOverdue = ev.handleOverdue || (ev.handledAt ? ev.handledAt > ev.handleDueAt : handling && now > ev.handleDueAt);
  let escalationLevel = ev.escalationLevel;
  let warned = false;
  if (handling && now > ev.handleDueAt)
    escalationLevel = Math.max(escalationLevel, workingMinutesBetween(cal, ev.handleDueAt, now) >= ev.handleAllowedMinutes ? 2 : 1);
  else if (handling) warned = workingMinutesBetween(cal, now, ev.handleDueAt) <= ev.handleAllowedMinutes * (1 - WARN_AT);
  return { respondOverdue, handleOverdue, escalationLevel, warned };
}
export type EventView = ReturnType<typeof present>;

async function unitNames(db: Executor, ids: (string | null)[]): Promise<Map<string, string>> {
  const list = [...new Set(ids.filter((x): x is string => !!x))];
  if (!list.length) return new Map();
  const r = await db.execute(sql`select id, name from grid_units where id = any(${sql.param(list)}::uuid[])`);
  return new Map((r.rows as { id: string; name: string }[]).map((x) => [x.id, x.name]));
}

// ---- locating a report ------------------------------------------------------------------------

export interface LocationInput {
  lng?: number;
  lat?: number;
  regionId?: string;
  buildingId?: string;
  roomId?: string;
  plate?: { communityId: string; code: string };
  address?: string;
}

interface Located {
  communityId: string;
  gridId: string | null;
  path: string;
  lng: number | null;
  lat: number | null;
  buildingId: string | null;
  roomId: string | null;
  address: string | null;
}

function gridAt(ref: Reference, lng: number, lat: number, within?: string) {
  return ref.grids.find(
    (g) =>
      g.boundary &&
      g.box &&
      (!within || g.path.startsWith(within) || within.startsWith(g.path)) &&
      lng >= g.box[0] &&
      lng <= g.box[2] &&
      lat >= g.box[1] &&
      lat <= g.box[3] &&
      pointInGeometry([lng, lat], g.boundary),
  );
}

/** Where an event is: a room or building from the register, a 数字门牌, a region node, or a point inside a grid. */
export async function locate(db: Executor, ref: Reference, input: LocationInput, fieldPrefix = 'body'): Promise<Located> {
  let place: PlaceSummary | undefined;
  if (input.roomId || input.buildingId) {
    place = await placeSummary(db, { roomId: input.roomId, buildingId: input.buildingId });
    if (!place)
      throw problems.field(`${fieldPrefix}.${input.roomId ? 'roomId' : 'buildingId'}`, input.roomId ? '房屋不存在' : '楼栋不存在');
  } else if (input.plate) {
    place = await placeOfPlate(db, input.plate.communityId, input.plate.code);
    if (!place) throw problems.field(`${fieldPrefix}.plateCode`, '门牌不存在');
  }
  const hasPoint = input.lng !== undefined && input.lat !== undefined;
  if ((input.lng === undefined) !== (input.lat === undefined)) throw problems.field(`${fieldPrefix}.lat`, '经度和纬度需同时提供');
  if (place) {
    const gridId = place.gridId ?? (hasPoint ? (gridAt(ref, input.lng!, input.lat!)?.id ?? null) : null);
    // Grids' paths are in the reference data; a building outside any grid needs its community's.
    const path = (gridId ? ref.gridsById.get(gridId)?.path : undefined) ?? (await regionBrief(db, gridId ?? place.communityId))!.path;
    return {
      communityId: place.communityId,
      gridId,
      path,
      lng: input.lng ?? place.lng,
      lat: input.lat ?? place.lat,
      buildingId: place.buildingId,
      roomId: place.roomId,
      address: input.address || place.address,
    };
  }
  if (input.regionId) {
    const r = await regionBrief(db, input.regionId);
    if (!r || (r.level !== 'community' && r.level !== 'grid')) throw problems.field(`${fieldPrefix}.regionId`, '应为社区或网格');
    let gridId = r.level === 'grid' ? r.id : null;
    let path = r.path;
    if (!gridId && hasPoint) {
      const g = gridAt(ref, input.lng!, input.lat!, r.path);
      if (g && g.communityId === r.id) {
        gridId = g.id;
        path = g.path;
      }
    }
    return {
      communityId: r.level === 'grid' ? r.parentId! : r.id,
      gridId,
      path,
      lng: input.lng ?? null,
      lat: input.lat ?? null,
      buildingId: null,
      roomId: null,
      address: input.address ?? null,
    };
  }
  if (hasPoint) {
    const g = gridAt(ref, input.lng!, input.lat!);
    if (!g) throw problems.field(`${fieldPrefix}.lng`, '该位置不在本平台任何网格内');
    return {
      communityId: g.communityId,
      gridId: g.id,
      path: g.path,
      lng: input.lng!,
      lat: input.lat!,
      buildingId: null,
      roomId: null,
      address: input.address ?? null,
    };
  }
  throw problems.field(`${fieldPrefix}.regionId`, '请提供事件位置：房屋、楼栋、门牌、网格/社区或经纬度');
}

// ---- duplicates -------------------------------------------------------------------------------

export interface DuplicateSuspect {
  id: string;
  number: string;
  status: Status;
  description: string;
  distanceMetres: number | null;
  reportedAt: string;
}

/** Open events of the same category nearby (same building, or within the radius) in the last 72 hours. */
export async function suspectedDuplicates(
  db: Executor,
  ev: {
    communityId: string;
    id?: string;
    categoryCode: string;
    lng: number | null;
    lat: number | null;
    buildingId: string | null;
    at: Date;
  },
): Promise<DuplicateSuspect[]> {
  const since = new Date(ev.at.getTime() - DUPLICATE_WINDOW_HOURS * 3600_000);
  const near: SQL[] = [];
  if (ev.buildingId) near.push(sql`building_id = ${ev.buildingId}`);
  if (ev.lng !== null && ev.lat !== null) {
    const { dLat, dLng } = boundingDegrees(ev.lat, DUPLICATE_RADIUS_METRES);
    near.push(sql`(lat between ${ev.lat - dLat} and ${ev.lat + dLat} and lng between ${ev.lng - dLng} and ${ev.lng + dLng})`);
  }
  if (!near.length) return [];
  const r = await db.execute(sql`
    select id, number, status, description, lng, lat, building_id, reported_at from grid_events
    where community_id = ${ev.communityId} and category_code = ${ev.categoryCode}
      and reported_at >= ${since.toISOString()}::timestamptz and reported_at <= ${ev.at.toISOString()}::timestamptz
      and status = any(${sql.param(OPEN_STATUSES as Status[])}::text[]) ${ev.id ? sql`and id <> ${ev.id}` : sql``}
      and (${sql.join(near, sql` or `)})
    order by reported_at desc limit 20`);
  const out: DuplicateSuspect[] = [];
  for (const x of r.rows as Record<string, unknown>[]) {
    const d =
      ev.lng !== null && ev.lat !== null && x.lng !== null && x.lat !== null
        ? distanceMetres({ lng: ev.lng, lat: ev.lat }, { lng: x.lng as number, lat: x.lat as number })
        : null;
    if (d !== null && d > DUPLICATE_RADIUS_METRES && x.building_id !== ev.buildingId) continue;
    out.push({
      id: x.id as string,
      number: x.number as string,
      status: x.status as Status,
      description: x.description as string,
      distanceMetres: d === null ? null : Math.round(d),
      reportedAt: new Date(x.reported_at as string).toISOString(),
    });
  }
  return out;
}

// ---- reporting ------------------------------------------------------------------------------

export interface ReportInput extends LocationInput {
  categoryCode: string;
  urgency?: Urgency;
  description: string;
  photos?: string[];
  reporterName?: string;
  reporterPhone?: string;
}

export interface ReporterInfo {
  kind: ReporterKind;
  channel: 'console' | 'mobile' | 'open311' | 'device' | 'hotline';
  partnerId?: string;
  deviceId?: string;
  /** Trusted reporters' events are accepted (立案) at once and dispatched by the routing table. */
  trusted: boolean;
}

interface Transitioned {
  action: Action;
  from: Status | null;
  to: Status;
  reason?: string | null;
  detail?: Record<string, unknown>;
}

function actorOf(who: Who): { id: string | null; name: string } {
  return { id: who.caller?.userId ?? null, name: who.caller?.displayName ?? who.name ?? '匿名' };
}

async function insertTransitions(tx: Executor, ev: EventRow, who: { id: string | null; name: string }, list: Transitioned[], now: Date) {
  if (!list.length) return;
  // Frozen at this moment: had the respond / handle deadline passed? (later edits cannot change these rows)
  const { respondOverdue: respondLate, handleOverdue: handleLate } = timeState(ev, (await reference(tx)).calendar, now);
  await tx.execute(sql`
    insert into grid_event_transitions (community_id, id, event_id, action, from_status, to_status, actor_id, actor_name, reason, detail,
      respond_overdue, handle_overdue, at)
    select ${ev.communityId}::uuid, x.id, ${ev.id}::uuid, x.action, x.from_status, x.to_status, ${who.id}::uuid, ${who.name}, x.reason, x.detail,
      ${respondLate}, ${handleLate}, ${now.toISOString()}::timestamptz + (x.n * interval '1 microsecond')
    from unnest(${sql.param(list.map(() => uuidv7()))}::uuid[], ${sql.param(list.map((t) => t.action))}::text[], ${sql.param(list.map((t) => t.from))}::text[],
      ${sql.param(list.map((t) => t.to))}::text[], ${sql.param(list.map((t) => t.reason ?? null))}::text[], ${sql.param(list.map((t) => (t.detail ? JSON.stringify(t.detail) : null)))}::jsonb[])
      with ordinality as x(id, action, from_status, to_status, reason, detail, n)`);
}

/** Picks the assignee for a dispatch under the category's mode; null leaves the event to the unit (grab, or the unit decides). */
async function pickAssignee(tx: Executor, category: Category, unitId: string, explicit: string | null | undefined) {
  if (explicit) {
    const r = await tx.execute(sql`
      select m.user_id, u.display_name from grid_unit_members m join users u on u.id = m.user_id
      where m.unit_id = ${unitId} and m.user_id = ${explicit} and u.status = 'active'`);
    const row = r.rows[0] as { user_id: string; display_name: string } | undefined;
    if (!row) throw problems.field('body.assigneeId', '该人员不是处置单位的成员');
    await tx.execute(sql`update grid_unit_members set last_assigned_at = now() where unit_id = ${unitId} and user_id = ${explicit}`);
    return { id: row.user_id, name: row.display_name };
  }
  if (category.dispatchMode !== 'round_robin') return null;
  // 轮派: the active member assigned longest ago (never assigned first); the row lock serialises concurrent dispatches.
  const r = await tx.execute(sql`
    select m.user_id, u.display_name from grid_unit_members m join users u on u.id = m.user_id
    where m.unit_id = ${unitId} and u.status = 'active'
    order by m.last_assigned_at nulls first, m.user_id limit 1 for update of m`);
  const row = r.rows[0] as { user_id: string; display_name: string } | undefined;
  if (!row) return null;
  await tx.execute(
    sql`update grid_unit_members set last_assigned_at = clock_timestamp() where unit_id = ${unitId} and user_id = ${row.user_id}`,
  );
  return { id: row.user_id, name: row.display_name };
}

type DeadlineEvent = {
  communityId: string;
  id: string;
  reportedAt: Date;
  handleDueAt: Date;
  handleAllowedMinutes: number;
  respondDueAt: Date;
};

/**
 * The handling deadlines form a chain: a report schedules its warning (80 % of the time), and the
 * warning's handler schedules the limit and the escalation (`afterWarning`) — one row per report at
 * report time instead of three. From a later moment (resume, reopen) the chain starts where the clock is.
 */
function deadlinesFor(ev: DeadlineEvent, ref: Reference, withRespond: boolean, now: Date = ev.reportedAt) {
  const warnAt = addWorkingMinutes(ref.calendar, ev.reportedAt, ev.handleAllowedMinutes * WARN_AT);
  return [
    ...(withRespond ? [{ communityId: ev.communityId, kind: 'grid.respond', subjectId: ev.id, dueAt: ev.respondDueAt }] : []),
    ...(warnAt > now
      ? [{ communityId: ev.communityId, kind: 'grid.warn', subjectId: ev.id, dueAt: warnAt }]
      : afterWarning(ev, ref).filter((d) => d.dueAt > now)),
  ];
}

function afterWarning(ev: Pick<DeadlineEvent, 'communityId' | 'id' | 'handleDueAt' | 'handleAllowedMinutes'>, ref: Reference) {
  return [
    { communityId: ev.communityId, kind: 'grid.handle', subjectId: ev.id, dueAt: ev.handleDueAt },
    {
      communityId: ev.communityId,
      kind: 'grid.escalate',
      subjectId: ev.id,
      dueAt: addWorkingMinutes(ref.calendar, ev.handleDueAt, ev.handleAllowedMinutes),
    },
  ];
}

export async function reportEvent(who: Who, keys: DataKeys, input: ReportInput, reporter: ReporterInfo) {
  const db = who.db;
  const ref = await reference(db);
  const category = categoryOf(ref, input.categoryCode);
  if (!category || !category.active || !category.parentCode)
    throw problems.field('body.categoryCode', category ? '请选择二级事件类别' : '事件类别不存在');
  if (input.reporterPhone) {
    const p = phoneProblem(input.reporterPhone);
    if (p) throw problems.field('body.reporterPhone', p);
  }
  const place = await locate(db, ref, input);
  if (who.caller && !place.path.startsWith(who.caller.regionPath) && !who.caller.regionPath.startsWith(place.path))
    throw problems.outOfScope('事件位置不在您的管辖范围内');
  const urgency: Urgency = input.urgency ?? 'normal';
  const limits = category.limits[urgency];
  const now = new Date();
  const respondDueAt = addWorkingMinutes(ref.calendar, now, limits.respond * 60);
  const handleAllowedMinutes = Math.round(limits.handle * 60);
  const handleDueAt = addWorkingMinutes(ref.calendar, now, handleAllowedMinutes);
  const unitId = routeFor(ref.routes, place.path, category.code, category.parentCode);
  const id = uuidv7();
  const phone = input.reporterPhone ? normalisePhone(input.reporterPhone) : null;
  const code = trackingCode(randomBytes(10));
  const actor = actorOf(who);
  const reporterName =
    input.reporterName ??
    (reporter.kind === 'resident' || reporter.kind === 'grid_worker' || reporter.kind === 'staff' ? actor.name : null);

  const prepared: PreparedReport = {
    who,
    input,
    reporter,
    category,
    place,
    urgency,
    now,
    respondDueAt,
    handleDueAt,
    handleAllowedMinutes,
    unitId,
    id,
    code,
    actor,
    reporterName,
    phone: phone ? { enc: encrypt(keys, phone, PHONE_CTX), hash: blindIndex(keys, 'phone', phone), masked: maskPhone(phone) } : null,
  };
  const { ev, duplicates } = await submitReport(db, prepared);
  who.markAudited();
  return { ...present(ev, ref, ref.units), trackingCode: ev.trackingCode, suspectedDuplicates: duplicates };
}

// ---- writing reports in batches (group commit) -------------------------------------------------
//
// Reports that arrive while a batch is being written wait for the next one, which writes all of them
// in one transaction with one statement per table (events, transitions, deadlines, outbox, audit):
// at 16 concurrent reporters that is about one round trip per report instead of eleven. Each report
// is answered only after its batch has committed; a batch that fails is retried report by report,
// so one bad report cannot take others down with it. Batches on one node are written one at a time.

interface PreparedReport {
  who: Who;
  input: ReportInput;
  reporter: ReporterInfo;
  category: Category;
  place: Located;
  urgency: Urgency;
  now: Date;
  respondDueAt: Date;
  handleDueAt: Date;
  handleAllowedMinutes: number;
  unitId: string | null;
  id: string;
  code: string;
  actor: { id: string | null; name: string };
  reporterName: string | null;
  phone: { enc: Buffer; hash: string; masked: string } | null;
}

interface WrittenReport {
  ev: EventRow;
  duplicates: DuplicateSuspect[];
}

interface Pending {
  p: PreparedReport;
  resolve: (r: WrittenReport) => void;
  reject: (e: unknown) => void;
}

const MAX_BATCH = 200;
const queues = new Map<Db, { items: Pending[]; writing: boolean }>();

function submitReport(db: Db, p: PreparedReport): Promise<WrittenReport> {
  let q = queues.get(db);
  if (!q) queues.set(db, (q = { items: [], writing: false }));
  const queue = q;
  return new Promise((resolve, reject) => {
    queue.items.push({ p, resolve, reject });
    if (!queue.writing) void drainReports(db, queue);
  });
}

async function drainReports(db: Db, q: { items: Pending[]; writing: boolean }) {
  q.writing = true;
  try {
    while (q.items.length) {
      const batch = q.items.splice(0, MAX_BATCH);
      try {
        const out = await writeReports(
          db,
          batch.map((b) => b.p),
        );
        batch.forEach((b, i) => b.resolve(out[i]!));
      } catch (e) {
        if (batch.length === 1) batch[0]!.reject(e);
        else
          for (const b of batch) {
            try {
              b.resolve((await writeReports(db, [b.p]))[0]!);
            } catch (e2) {
              b.reject(e2);
            }
          }
      }
    }
  } finally {
    q.writing = false;
  }
}

const hex = (b: Buffer) => `\\x${b.toString('hex')}`;

async function writeReports(db: Db, items: PreparedReport[]): Promise<WrittenReport[]> {
  const ref = await reference(db);
  return transaction(db, async (tx) => {
    const seq = await tx.execute(sql`select nextval('grid_event_number_seq')::text as n from generate_series(1, ${items.length})`);
    const numbers = (seq.rows as { n: string }[]).map((r, i) => eventNumber(items[i]!.now, Number(r.n)));
    const duplicates = await batchDuplicates(tx, items, numbers);

    // Status, transitions and the unit of each report; round robin (轮派) takes turns inside the batch too.
    const rr = await roundRobinState(tx, items, duplicates);
    const rows: Record<string, unknown>[] = [];
    const transitions: Record<string, unknown>[] = [];
    const written: WrittenReport[] = [];
    for (const [i, p] of items.entries()) {
      const dups = duplicates[i]!;
      const trans: Transitioned[] = [
        {
          action: 'report',
          from: null,
          to: 'reported',
          detail: dups.length ? { suspectedDuplicates: dups.map((d) => d.number) } : undefined,
        },
      ];
      let status: Status = 'reported';
      let assignee: { id: string; name: string } | null = null;
      let dispatchedUnit: string | null = null;
      // A trusted reporter's event is accepted at once (网格员上报即立案); routed when the table knows the unit,
      // unless it looks like a duplicate (then a person decides).
      if (p.reporter.trusted) {
        trans.push({ action: 'accept', from: 'reported', to: 'accepted' });
        status = 'accepted';
        if (p.unitId && !dups.length) {
          assignee = p.category.dispatchMode === 'round_robin' ? rr.next(p.unitId) : null;
          dispatchedUnit = p.unitId;
          trans.push({
            action: 'dispatch',
            from: 'accepted',
            to: 'dispatched',
            detail: { unitId: p.unitId, assigneeId: assignee?.id ?? null, mode: p.category.dispatchMode, routed: true },
          });
          status = 'dispatched';
        }
      }
      const ev: EventRow = {
        communityId: p.place.communityId,
        id: p.id,
        number: numbers[i]!,
        trackingCode: p.code,
        gridId: p.place.gridId,
        categoryCode: p.category.code,
        urgency: p.urgency,
        description: p.input.description,
        photos: p.input.photos ?? [],
        lng: p.place.lng,
        lat: p.place.lat,
        buildingId: p.place.buildingId,
        roomId: p.place.roomId,
        address: p.place.address,
        reporterKind: p.reporter.kind,
        reporterUserId: p.who.caller?.userId ?? null,
        reporterName: p.reporterName,
        reporterPhoneEnc: p.phone?.enc ?? null,
        reporterPhoneHash: p.phone?.hash ?? null,
        reporterPhoneMasked: p.phone?.masked ?? null,
        channel: p.reporter.channel,
        partnerId: p.reporter.partnerId ?? null,
        status,
        suspendedFrom: null,
        suspendedAt: null,
        unitId: dispatchedUnit,
        assigneeId: assignee?.id ?? null,
        assigneeName: assignee?.name ?? null,
        suggestedUnitId: p.unitId,
        mergedInto: null,
        handlerNote: null,
        resultPhotos: [],
        satisfaction: null,
        ratingComment: null,
        escalationLevel: 0,
        reopenCount: 0,
        returnCount: 0,
        reportedAt: p.now,
        respondedAt: p.reporter.trusted ? p.now : null,
        handledAt: null,
        closedAt: null,
        respondDueAt: p.respondDueAt,
        handleDueAt: p.handleDueAt,
        handleAllowedMinutes: p.handleAllowedMinutes,
        respondOverdue: false,
        handleOverdue: false,
        warnedAt: null,
        version: 1,
        path: p.place.path,
      };
      rows.push({
        community_id: ev.communityId,
        id: ev.id,
        number: ev.number,
        tracking_code: ev.trackingCode,
        grid_id: ev.gridId,
        category_code: ev.categoryCode,
        urgency: ev.urgency,
        description: ev.description,
        photos: ev.photos,
        lng: ev.lng,
        lat: ev.lat,
        building_id: ev.buildingId,
        room_id: ev.roomId,
        address: ev.address,
        reporter_kind: ev.reporterKind,
        reporter_user_id: ev.reporterUserId,
        reporter_name: ev.reporterName,
        reporter_phone_enc: ev.reporterPhoneEnc ? hex(ev.reporterPhoneEnc) : null,
        reporter_phone_hash: ev.reporterPhoneHash,
        reporter_phone_masked: ev.reporterPhoneMasked,
        channel: ev.channel,
        partner_id: ev.partnerId,
        device_id: p.reporter.deviceId ?? null,
        status: ev.status,
        unit_id: ev.unitId,
        assignee_id: ev.assigneeId,
        assignee_name: ev.assigneeName,
        suggested_unit_id: ev.suggestedUnitId,
        result_photos: [],
        escalation_level: 0,
        reopen_count: 0,
        return_count: 0,
        reported_at: ev.reportedAt.toISOString(),
        responded_at: ev.respondedAt?.toISOString() ?? null,
        respond_due_at: ev.respondDueAt.toISOString(),
        handle_due_at: ev.handleDueAt.toISOString(),
        handle_allowed_minutes: ev.handleAllowedMinutes,
        respond_overdue: false,
        handle_overdue: false,
        version: 1,
        updated_at: p.now.toISOString(),
      });
      trans.forEach((t, n) =>
        transitions.push({
          community_id: ev.communityId,
          id: uuidv7(),
          event_id: ev.id,
          action: t.action,
          from_status: t.from,
          to_status: t.to,
          actor_id: p.actor.id,
          actor_name: p.actor.name,
          reason: t.reason ?? null,
          detail: t.detail ?? null,
          respond_overdue: false,
          handle_overdue: false,
          // n microseconds apart, so the steps of one report keep their order
          at: p.now.toISOString().replace('Z', `${String(n).padStart(3, '0')}Z`),
        }),
      );
      written.push({ ev, duplicates: dups });
    }
    await tx.execute(
      sql`insert into grid_events select * from jsonb_populate_recordset(null::grid_events, ${JSON.stringify(rows)}::jsonb)`,
    );
    await tx.execute(
      sql`insert into grid_event_transitions select * from jsonb_populate_recordset(null::grid_event_transitions, ${JSON.stringify(transitions)}::jsonb)`,
    );
    await rr.save();
    await scheduleDeadlines(
      tx,
      written.flatMap((w, i) => deadlinesFor(w.ev, ref, !items[i]!.reporter.trusted)),
    );
    await emitMany(
      tx,
      written.map((w) => ({ topic: 'grid.event-reported', payload: eventPayload(w.ev, ref), communityId: w.ev.communityId })),
    );
    await appendAudits(
      tx,
      written.map((w, i) => {
        const who = items[i]!.who;
        return {
          caller: who.caller,
          ip: who.ip,
          userAgent: who.userAgent,
          action: who.action,
          targetType: 'grid-event',
          targetId: w.ev.id,
          scopePath: w.ev.path,
          outcome: 'success' as const,
          statusCode: 201,
          detail: { number: w.ev.number, category: w.ev.categoryCode, status: w.ev.status },
        };
      }),
    );
    return written;
  });
}

/** Suspected duplicates of each report: open events already stored, and earlier reports of the same batch. */
async function batchDuplicates(tx: Executor, items: PreparedReport[], numbers: string[]): Promise<DuplicateSuspect[][]> {
  const boxes = items.map((p) =>
    p.place.lat !== null && p.place.lng !== null ? boundingDegrees(p.place.lat, DUPLICATE_RADIUS_METRES) : null,
  );
  const r = await tx.execute(sql`
    select q.i::int as i, e.id, e.number, e.status, e.description, e.lng, e.lat, e.building_id, e.reported_at
    from unnest(${sql.param(items.map((p) => p.place.communityId))}::uuid[], ${sql.param(items.map((p) => p.category.code))}::text[],
      ${sql.param(items.map((p) => p.place.buildingId))}::uuid[],
      ${sql.param(items.map((p, i) => (boxes[i] ? p.place.lat! - boxes[i].dLat : null)))}::float8[],
      ${sql.param(items.map((p, i) => (boxes[i] ? p.place.lat! + boxes[i].dLat : null)))}::float8[],
      ${sql.param(items.map((p, i) => (boxes[i] ? p.place.lng! - boxes[i].dLng : null)))}::float8[],
      ${sql.param(items.map((p, i) => (boxes[i] ? p.place.lng! + boxes[i].dLng : null)))}::float8[],
      ${sql.param(items.map((p) => new Date(p.now.getTime() - DUPLICATE_WINDOW_HOURS * 3600_000).toISOString()))}::timestamptz[])
      with ordinality as q(cid, cat, bid, la0, la1, ln0, ln1, since, i)
    cross join lateral (
      select id, number, status, description, lng, lat, building_id, reported_at from grid_events e
      where e.community_id = q.cid and e.category_code = q.cat and e.reported_at >= q.since
        and e.status = any(${sql.param(OPEN_STATUSES as Status[])}::text[])
        and (e.building_id = q.bid or (e.lat between q.la0 and q.la1 and e.lng between q.ln0 and q.ln1))
      order by e.reported_at desc limit 20) e`);
  const out: DuplicateSuspect[][] = items.map(() => []);
  const near = (p: PreparedReport, lng: number | null, lat: number | null, buildingId: string | null) => {
    const d =
      p.place.lng !== null && p.place.lat !== null && lng !== null && lat !== null
        ? distanceMetres({ lng: p.place.lng, lat: p.place.lat }, { lng, lat })
        : null;
    const ok = (buildingId !== null && buildingId === p.place.buildingId) || (d !== null && d <= DUPLICATE_RADIUS_METRES);
    return { ok, d };
  };
  for (const x of r.rows as Record<string, unknown>[]) {
    const i = (x.i as number) - 1;
    const p = items[i]!;
    const { ok, d } = near(p, x.lng as number | null, x.lat as number | null, x.building_id as string | null);
    if (!ok) continue;
    out[i]!.push({
      id: x.id as string,
      number: x.number as string,
      status: x.status as Status,
      description: x.description as string,
      distanceMetres: d === null ? null : Math.round(d),
      reportedAt: new Date(x.reported_at as string).toISOString(),
    });
  }
  for (const [i, p] of items.entries())
    for (let k = 0; k < i; k++) {
      const o = items[k]!;
      if (o.place.communityId !== p.place.communityId || o.category.code !== p.category.code) continue;
      const { ok, d } = near(p, o.place.lng, o.place.lat, o.place.buildingId);
      if (ok)
        out[i]!.push({
          id: o.id,
          number: numbers[k]!,
          status: 'reported',
          description: o.input.description,
          distanceMetres: d === null ? null : Math.round(d),
          reportedAt: o.now.toISOString(),
        });
    }
  return out;
}

/** 轮派 for a batch: the members of the units involved, taken in turn from the one assigned longest ago. */
async function roundRobinState(tx: Executor, items: PreparedReport[], duplicates: DuplicateSuspect[][]) {
  const units = [
    ...new Set(
      items.flatMap((p, i) =>
        p.reporter.trusted && p.unitId && p.category.dispatchMode === 'round_robin' && !duplicates[i]!.length ? [p.unitId] : [],
      ),
    ),
  ];
  const members = new Map<string, { id: string; name: string }[]>();
  const used: { unitId: string; userId: string; at: string }[] = [];
  if (units.length) {
    const r = await tx.execute(sql`
      select m.unit_id, m.user_id, u.display_name from grid_unit_members m join users u on u.id = m.user_id
      where m.unit_id = any(${sql.param(units)}::uuid[]) and u.status = 'active'
      order by m.unit_id, m.last_assigned_at nulls first, m.user_id`);
    for (const x of r.rows as { unit_id: string; user_id: string; display_name: string }[]) {
      const list = members.get(x.unit_id) ?? [];
      list.push({ id: x.user_id, name: x.display_name });
      members.set(x.unit_id, list);
    }
  }
  const turn = new Map<string, number>();
  return {
    next(unitId: string) {
      const list = members.get(unitId);
      if (!list?.length) return null;
      const k = turn.get(unitId) ?? 0;
      turn.set(unitId, k + 1);
      const m = list[k % list.length]!;
      used.push({ unitId, userId: m.id, at: new Date(Date.now() + used.length).toISOString() });
      return m;
    },
    async save() {
      if (!used.length) return;
      await tx.execute(sql`
        update grid_unit_members m set last_assigned_at = v.at
        from unnest(${sql.param(used.map((u) => u.unitId))}::uuid[], ${sql.param(used.map((u) => u.userId))}::uuid[],
          ${sql.param(used.map((u) => u.at))}::timestamptz[]) as v(unit_id, user_id, at)
        where m.unit_id = v.unit_id and m.user_id = v.user_id`);
    },
  };
}

function eventPayload(ev: EventRow, ref: Reference, extra: Record<string, unknown> = {}) {
  return {
    eventId: ev.id,
    number: ev.number,
    category: categoryLabel(ref, ev.categoryCode),
    status: ev.status,
    roomId: ev.roomId,
    buildingId: ev.buildingId,
    reporterUserId: ev.reporterUserId,
    ...extra,
  };
}

// ---- transitions ------------------------------------------------------------------------------

export interface ActionInput {
  action: Action;
  reason?: string;
  unitId?: string;
  assigneeId?: string;
  note?: string;
  photos?: string[];
  satisfaction?: number;
  comment?: string;
  intoId?: string;
  /** The event's version as the caller saw it; a stale version is refused (409). */
  version?: number;
}

/** Units the user is a member of. */
async function unitsOf(db: Executor, userId: string): Promise<string[]> {
  const r = await db.execute(sql`select unit_id from grid_unit_members where user_id = ${userId}`);
  return (r.rows as { unit_id: string }[]).map((x) => x.unit_id);
}

function hasPermission(caller: Caller | null, perm: string, permsOf: (c: Caller) => readonly string[]): boolean {
  return !!caller && permsOf(caller).includes(perm);
}

/** The roles a caller acts in on this event. */
async function actorsFor(
  db: Executor,
  who: Who,
  ev: EventRow,
  permsOf: (c: Caller) => readonly string[],
  viaTracking: boolean,
): Promise<Set<Actor>> {
  const roles = new Set<Actor>();
  if (viaTracking) {
    roles.add('reporter');
    return roles;
  }
  const c = who.caller;
  if (!c) return roles;
  if (ev.reporterUserId === c.userId) roles.add('reporter');
  if (hasPermission(c, 'grid.manage', permsOf)) {
    roles.add('manager');
    // 核查 by someone other than the person who handled it.
    if (ev.assigneeId !== c.userId) roles.add('verifier');
  }
  if (hasPermission(c, 'grid.handle', permsOf) && ev.unitId) {
    if (ev.assigneeId === c.userId || (await unitsOf(db, c.userId)).includes(ev.unitId)) roles.add('handler');
  }
  return roles;
}

/** The actions this caller may take on the event now (what the console offers; `act` decides again). */
async function allowedActions(db: Db, ev: EventRow, caller: Caller, permsOf: (c: Caller) => readonly string[], needsVerification: boolean) {
  const who: Who = { db, caller, ip: null, userAgent: null, action: '', markAudited: () => {} };
  const actors = await actorsFor(db, who, ev, permsOf, false);
  return ACTION_KEYS.filter((a) => {
    const spec = ACTIONS[a];
    if (a === 'report' || !(spec.actors as readonly Actor[]).some((x) => x !== 'system' && actors.has(x))) return false;
    if ('error' in transition({ status: ev.status, suspendedFrom: ev.suspendedFrom, needsVerification }, a)) return false;
    if (a === 'grab' && ev.assigneeId) return false;
    if (a === 'start' && ev.assigneeId && ev.assigneeId !== caller.userId) return false;
    if ((a === 'verify' || a === 'rework') && !needsVerification) return false;
    return true;
  });
}

export async function act(
  who: Who,
  id: string,
  input: ActionInput,
  permsOf: (c: Caller) => readonly string[],
  opts: { viaTracking?: boolean } = {},
) {
  const spec = ACTIONS[input.action];
  if (!spec || input.action === 'report' || spec.actors.every((a) => a === 'system')) throw problems.field('body.action', '不支持的操作');
  if (spec.reason && !input.reason?.trim()) throw problems.field('body.reason', `${spec.label}需填写原因`);
  const db = who.db;
  const ref = await reference(db);
  const now = new Date();
  const out = await audited(
    who,
    { targetId: (r) => r.id, scopePath: (r) => r.path, detail: (r) => ({ action: input.action, number: r.number, status: r.status }) },
    async (tx: Executor) => {
      const ev = await loadEvent(tx, id, true);
      if (!ev) throw problems.notFound('事件');
      if (input.version !== undefined && input.version !== ev.version)
        throw problems.conflict('事件已被他人更新，请刷新后再操作', [{ field: 'body.version', message: '版本已过期' }]);
      const category = categoryOf(ref, ev.categoryCode)!;
      const next = transition(
        { status: ev.status, suspendedFrom: ev.suspendedFrom, needsVerification: category?.needsVerification ?? false },
        input.action,
      );
      if ('error' in next) throw problems.conflict(next.error, [{ field: 'body.action', message: next.error }]);
      const actors = await actorsFor(tx, who, ev, permsOf, !!opts.viaTracking);
      const allowed = (spec.actors as readonly Actor[]).some((a) => actors.has(a));
      if (!allowed) {
        if (input.action === 'verify' || input.action === 'rework')
          throw problems.forbidden(ev.assigneeId === who.caller?.userId ? '处置人不能核查自己办理的事件' : '只有管理人员可以核查');
        throw problems.forbidden(`您不能对此事件执行“${spec.label}”`);
      }
      const set: SQL[] = [];
      const late = timeState(ev, ref.calendar, now);
      let status: Status = next.to;
      const trans: Transitioned[] = [{ action: input.action, from: ev.status, to: next.to, reason: input.reason ?? null }];
      const actor = actorOf(who);
      let newDeadlines: Parameters<typeof scheduleDeadlines>[1] = [];
      let cancel: string | null = null;
      switch (input.action) {
        case 'accept':
        case 'reject':
          set.push(sql`responded_at = coalesce(responded_at, ${now.toISOString()}::timestamptz)`);
          if (input.action === 'reject') cancel = 'grid.';
          else cancel = 'grid.respond';
          if (input.action === 'accept' && (input.unitId || ev.suggestedUnitId)) {
            // 立案 and dispatch in one step when the unit is known.
            const unitId = input.unitId ?? ev.suggestedUnitId!;
            const assignee = await pickAssignee(tx, category, unitId, input.assigneeId);
            set.push(sql`unit_id = ${unitId}, assignee_id = ${assignee?.id ?? null}, assignee_name = ${assignee?.name ?? null}`);
            trans.push({
              action: 'dispatch',
              from: 'accepted',
              to: 'dispatched',
              detail: { unitId, assigneeId: assignee?.id ?? null, mode: category.dispatchMode },
            });
            status = 'dispatched';
          }
          break;
        case 'dispatch': {
          const unitId = input.unitId ?? ev.suggestedUnitId;
          if (!unitId) throw problems.field('body.unitId', '请选择处置单位（路由表未匹配到单位）');
          const unit = await tx.execute(sql`select id from grid_units where id = ${unitId} and active`);
          if (!unit.rows.length) throw problems.field('body.unitId', '处置单位不存在或已停用');
          const assignee = await pickAssignee(tx, category, unitId, input.assigneeId);
          set.push(sql`unit_id = ${unitId}, assignee_id = ${assignee?.id ?? null}, assignee_name = ${assignee?.name ?? null}`);
          trans[0]!.detail = { unitId, assigneeId: assignee?.id ?? null, mode: category.dispatchMode };
          break;
        }
        case 'grab':
        case 'start':
          if (input.action === 'grab' && ev.assigneeId) throw problems.conflict('该事件已被他人领取');
          if (input.action === 'start' && ev.assigneeId && ev.assigneeId !== who.caller?.userId)
            throw problems.forbidden('该事件已指派给其他人员');
          set.push(sql`assignee_id = ${who.caller!.userId}, assignee_name = ${who.caller!.displayName}`);
          break;
        case 'return':
          set.push(sql`unit_id = null, assignee_id = null, assignee_name = null, return_count = return_count + 1`);
          trans[0]!.detail = { unitId: ev.unitId };
          break;
        case 'handle':
          if (!input.note?.trim()) throw problems.field('body.note', '请填写处置情况');
          set.push(
            sql`handled_at = ${now.toISOString()}::timestamptz, handler_note = ${input.note}, result_photos = ${JSON.stringify(input.photos ?? [])}::jsonb`,
          );
          cancel = 'grid.';
          if (next.to === 'feedback') newDeadlines = [feedbackDeadline(ev, ref, now)];
          break;
        case 'verify':
          newDeadlines = [feedbackDeadline(ev, ref, now)];
          break;
        case 'rework':
          set.push(sql`handled_at = null`);
          break;
        case 'confirm': {
          if (!input.satisfaction || input.satisfaction < 1 || input.satisfaction > 5)
            throw problems.field('body.satisfaction', '请评价满意度（1–5）');
          set.push(sql`satisfaction = ${input.satisfaction}, rating_comment = ${input.comment ?? null}`);
          trans[0]!.detail = { satisfaction: input.satisfaction, onBehalf: !opts.viaTracking && ev.reporterUserId !== who.caller?.userId };
          cancel = 'grid.';
          break;
        }
        case 'reopen': {
          // Back to the same unit and person, with a fresh handling deadline of the same length.
          const handleDueAt = addWorkingMinutes(ref.calendar, now, ev.handleAllowedMinutes);
          set.push(sql`reopen_count = reopen_count + 1, handled_at = null, handle_due_at = ${handleDueAt.toISOString()}::timestamptz`);
          cancel = 'grid.';
          newDeadlines = deadlinesFor({ ...ev, reportedAt: now, handleDueAt }, ref, false, now);
          break;
        }
        case 'merge': {
          if (!input.intoId || input.intoId === ev.id) throw problems.field('body.intoId', '请选择要合并到的事件');
          const into = await loadEvent(tx, input.intoId);
          if (!into || into.communityId !== ev.communityId) throw problems.field('body.intoId', '目标事件不存在或不在同一社区');
          if (!OPEN_STATUSES.includes(into.status)) throw problems.field('body.intoId', '目标事件已结束');
          set.push(sql`merged_into = ${into.id}`);
          trans[0]!.detail = { into: into.number };
          cancel = 'grid.';
          break;
        }
        case 'suspend':
          set.push(sql`suspended_from = ${ev.status}, suspended_at = ${now.toISOString()}::timestamptz`);
          cancel = 'grid.';
          break;
        case 'resume': {
          // The handling clock stopped while suspended: the deadline moves by the working time spent suspended.
          const paused = ev.suspendedAt ? workingMinutesBetween(ref.calendar, ev.suspendedAt, now) : 0;
          const handleDueAt =
            ev.handleDueAt > (ev.suspendedAt ?? now) ? addWorkingMinutes(ref.calendar, ev.handleDueAt, paused) : ev.handleDueAt;
          set.push(sql`suspended_from = null, suspended_at = null, handle_due_at = ${handleDueAt.toISOString()}::timestamptz`);
          trans[0]!.detail = { pausedWorkingMinutes: Math.round(paused) };
          if (HANDLING_STATUSES.includes(next.to) && handleDueAt > now)
            newDeadlines = deadlinesFor({ ...ev, handleDueAt }, ref, false, now);
          break;
        }
        case 'escalate':
          if (late.escalationLevel >= 2) throw problems.conflict('事件已上报至区级');
          set.push(sql`escalation_level = ${late.escalationLevel + 1}`);
          break;
      }
      // Every transition freezes what the clock says now: a deadline missed stays missed, whatever happens later.
      if (late.respondOverdue && !ev.respondOverdue) set.push(sql`respond_overdue = true`);
      if (late.handleOverdue && !ev.handleOverdue) set.push(sql`handle_overdue = true`);
      if (input.action !== 'escalate' && late.escalationLevel > ev.escalationLevel)
        set.push(sql`escalation_level = ${late.escalationLevel}`);
      if (status === 'closed' || status === 'rejected' || status === 'merged')
        set.push(sql`closed_at = coalesce(closed_at, ${now.toISOString()}::timestamptz)`);
      const r = await tx.execute(sql`
        update grid_events set status = ${status}, version = version + 1, updated_at = now() ${set.length ? sql`, ${sql.join(set, sql`, `)}` : sql``}
        where community_id = ${ev.communityId} and id = ${ev.id} returning id`);
      if (!r.rows.length) throw problems.notFound('事件');
      await insertTransitions(tx, ev, actor, trans, now);
      if (cancel) await cancelDeadlines(tx, ev.communityId, ev.id, cancel);
      await scheduleDeadlines(tx, newDeadlines);
      const after = (await loadEvent(tx, ev.id))!;
      await emit(tx, `grid.event-${input.action}`, eventPayload(after, ref, { reason: input.reason ?? null }), ev.communityId);
      return after;
    },
  );
  const names = await unitNames(db, [out.unitId]);
  return present(out, ref, names);
}

function feedbackDeadline(ev: EventRow, ref: Reference, now: Date) {
  return {
    communityId: ev.communityId,
    kind: 'grid.feedback',
    subjectId: ev.id,
    dueAt: addWorkingMinutes(ref.calendar, now, FEEDBACK_DAYS * ref.dayMinutes),
  };
}

// ---- lists and details ------------------------------------------------------------------------

export interface ListQuery {
  communityId?: string;
  gridId?: string;
  status?: Status;
  categoryCode?: string;
  unitId?: string;
  overdue?: boolean;
  escalated?: boolean;
  /** assigned: my tasks (assigned to me, or waiting in my units); reported: what I reported; triage: accepted without a unit. */
  view?: 'assigned' | 'reported' | 'triage' | 'open';
  q?: string;
  from?: string;
  to?: string;
  page: number;
  pageSize: number;
}

export async function listEvents(db: Db, caller: Caller, q: ListQuery) {
  const ref = await reference(db);
  const w = await dataScope(db, caller);
  const conds: SQL[] = [sql`e.community_id = any(${sql.param(w.communityIds)}::uuid[])`];
  if (w.gridIds) conds.push(sql`e.grid_id = any(${sql.param(w.gridIds)}::uuid[])`);
  if (q.communityId) conds.push(sql`e.community_id = ${q.communityId}`);
  if (q.gridId) conds.push(sql`e.grid_id = ${q.gridId}`);
  if (q.status) conds.push(sql`e.status = ${q.status}`);
  if (q.categoryCode) conds.push(sql`(e.category_code = ${q.categoryCode} or e.category_code like ${q.categoryCode + '.%'})`);
  if (q.unitId) conds.push(sql`e.unit_id = ${q.unitId}`);
  if (q.overdue)
    conds.push(
      sql`(e.handle_overdue or (e.handled_at is null and e.handle_due_at < now() and e.status = any(${sql.param(HANDLING_STATUSES as Status[])}::text[])))`,
    );
  if (q.escalated)
    conds.push(
      sql`e.status = any(${sql.param(OPEN_STATUSES as Status[])}::text[]) and (e.escalation_level > 0 or (e.handled_at is null and e.handle_due_at < now() and e.status = any(${sql.param(HANDLING_STATUSES as Status[])}::text[])))`,
    );
  if (q.from) conds.push(sql`e.reported_at >= ${dayStart(q.from)}`);
  if (q.to) conds.push(sql`e.reported_at < ${dayStart(q.to, 1)}`);
  if (q.q)
    conds.push(
      sql`(e.number like ${q.q.replace(/[\\%_]/g, '\\$&') + '%'} or e.description ilike ${'%' + q.q.replace(/[\\%_]/g, '\\$&') + '%'})`,
    );
  if (q.view === 'assigned') {
    const units = await unitsOf(db, caller.userId);
    conds.push(sql`(e.assignee_id = ${caller.userId} or (e.assignee_id is null and e.unit_id = any(${sql.param(units)}::uuid[])))`);
    conds.push(sql`e.status = any(${sql.param(['dispatched', 'in_progress', 'handled'] as Status[])}::text[])`);
  } else if (q.view === 'reported') conds.push(sql`e.reporter_user_id = ${caller.userId}`);
  else if (q.view === 'triage') conds.push(sql`(e.status = 'reported' or (e.status = 'accepted' and e.unit_id is null))`);
  else if (q.view === 'open') conds.push(sql`e.status = any(${sql.param(OPEN_STATUSES as Status[])}::text[])`);
  const where = sql.join(conds, sql` and `);
  const [rows, total] = await Promise.all([
    db.execute(sql`
      select ${EVENT_COLUMNS} from grid_events e join regions r on r.id = coalesce(e.grid_id, e.community_id)
      where ${where} order by e.reported_at desc, e.id desc limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}`),
    db.execute(sql`select count(*)::int as n from grid_events e where ${where}`),
  ]);
  const events = (rows.rows as Record<string, unknown>[]).map(toRow);
  const names = await unitNames(
    db,
    events.map((e) => e.unitId),
  );
  return { items: events.map((e) => present(e, ref, names)), total: (total.rows[0] as { n: number }).n };
}

async function transitionsOf(db: Executor, ev: EventRow) {
  const r = await db.execute(sql`
    select id, action, from_status, to_status, actor_id, actor_name, reason, detail, respond_overdue, handle_overdue, at
    from grid_event_transitions where community_id = ${ev.communityId} and event_id = ${ev.id} order by at, id`);
  return (r.rows as Record<string, unknown>[]).map((t) => ({
    id: t.id as string,
    action: t.action as string,
    actionLabel: ACTIONS[t.action as Action]?.label ?? (t.action as string),
    fromStatus: (t.from_status as string | null) ?? null,
    toStatus: t.to_status as string,
    actorName: t.actor_name as string,
    reason: (t.reason as string | null) ?? null,
    detail: (t.detail as Record<string, unknown> | null) ?? null,
    respondOverdue: t.respond_overdue as boolean,
    handleOverdue: t.handle_overdue as boolean,
    at: new Date(t.at as string).toISOString(),
  }));
}

export async function eventDetail(db: Db, id: string, caller?: Caller, permsOf?: (c: Caller) => readonly string[]) {
  const ref = await reference(db);
  const ev = await loadEvent(db, id);
  if (!ev) throw problems.notFound('事件');
  const [transitions, duplicates, names] = await Promise.all([
    transitionsOf(db, ev),
    OPEN_STATUSES.includes(ev.status)
      ? suspectedDuplicates(db, {
          communityId: ev.communityId,
          id: ev.id,
          categoryCode: ev.categoryCode,
          lng: ev.lng,
          lat: ev.lat,
          buildingId: ev.buildingId,
          at: new Date(),
        })
      : Promise.resolve([]),
    unitNames(db, [ev.unitId, ev.suggestedUnitId]),
  ]);
  const category = ref.categories.get(ev.categoryCode);
  return {
    ...present(ev, ref, names),
    version: ev.version,
    dispatchMode: category?.dispatchMode ?? 'assign',
    needsVerification: category?.needsVerification ?? false,
    suggestedUnitName: ev.suggestedUnitId ? (names.get(ev.suggestedUnitId) ?? null) : null,
    allowedActions: caller && permsOf ? await allowedActions(db, ev, caller, permsOf, category?.needsVerification ?? false) : [],
    transitions,
    suspectedDuplicates: duplicates,
  };
}

/** Full reporter phone, for the staff who call the reporter back (电话回访); each reveal is audited. */
export async function revealReporterPhone(who: Who, keys: DataKeys, id: string) {
  const ev = await loadEvent(who.db, id);
  if (!ev) throw problems.notFound('事件');
  return audited(
    who,
    { targetId: () => ev.id, scopePath: () => ev.path, detail: () => ({ number: ev.number, field: 'reporterPhone' }) },
    async () => ({
      phone: ev.reporterPhoneEnc ? decrypt(keys, ev.reporterPhoneEnc, PHONE_CTX) : null,
    }),
  );
}

export async function isReporter(db: Db, id: string, userId: string): Promise<boolean> {
  const r = await db.execute(sql`select 1 from grid_events where id = ${id} and reporter_user_id = ${userId}`);
  return r.rows.length > 0;
}

/** What a resident gets for someone else's event: the same as for no event at all. */
export const notVisible = () => problems.notFound('事件');

// ---- following an event without an account (phone + tracking code) ----------------------------

async function findTracked(db: Executor, keys: DataKeys, code: string, phone: string): Promise<EventRow> {
  const r = await db.execute(sql`
    select ${EVENT_COLUMNS} from grid_events e join regions r on r.id = coalesce(e.grid_id, e.community_id)
    where e.tracking_code = ${code.trim().toUpperCase()} and e.reporter_phone_hash is not null`);
  const row = r.rows[0] as Record<string, unknown> | undefined;
  const ev = row ? toRow(row) : undefined;
  // One answer for "no such code" and "wrong phone", so codes cannot be probed with any phone.
  const ph = normalisePhone(phone);
  // Any key's index: until the rotation job has rewritten the event, it may carry a previous key's.
  if (!ev || !ev.reporterPhoneHash || !blindIndexes(keys, 'phone', ph).includes(ev.reporterPhoneHash))
    throw problems.notFound('事件（请核对查询码与手机号）');
  return ev;
}

/** What the reporter sees: the state and the steps, no staff names beyond the unit, nothing about other people. */
export async function trackedEvent(db: Db, keys: DataKeys, code: string, phone: string) {
  return reporterView(db, await findTracked(db, keys, code, phone));
}

async function ownRow(db: Db, id: string, userId: string): Promise<EventRow> {
  const ev = await loadEvent(db, id);
  if (!ev || ev.reporterUserId !== userId) throw notVisible();
  return ev;
}

/** A resident's own report, as the reporter sees it. */
export async function ownEvent(db: Db, id: string, userId: string) {
  return reporterView(db, await ownRow(db, id, userId));
}

export async function ownEventAct(who: Who, id: string, input: ActionInput) {
  if (input.action !== 'confirm' && input.action !== 'reopen') throw problems.field('body.action', '只能确认办结或要求重办');
  await ownRow(who.db, id, who.caller!.userId);
  await act(who, id, input, () => [], { viaTracking: true });
  return ownEvent(who.db, id, who.caller!.userId);
}

async function reporterView(db: Db, ev: EventRow) {
  const ref = await reference(db);
  const names = await unitNames(db, [ev.unitId]);
  const steps = (await transitionsOf(db, ev)).filter((t) => !['warn', 'overdue'].includes(t.action));
  return {
    id: ev.id,
    number: ev.number,
    category: categoryLabel(ref, ev.categoryCode),
    description: ev.description,
    address: ev.address,
    status: ev.status,
    statusLabel: STATUSES[ev.status],
    unitName: ev.unitId ? (names.get(ev.unitId) ?? null) : null,
    handlerNote: ev.handlerNote,
    resultPhotos: ev.resultPhotos,
    satisfaction: ev.satisfaction,
    reportedAt: ev.reportedAt.toISOString(),
    handleDueAt: ev.handleDueAt.toISOString(),
    canConfirm: ev.status === 'feedback',
    steps: steps.map((s) => ({ action: s.actionLabel, status: STATUSES[s.toStatus as Status] ?? s.toStatus, reason: s.reason, at: s.at })),
  };
}

export async function trackedAct(who: Who, keys: DataKeys, code: string, phone: string, input: ActionInput) {
  if (input.action !== 'confirm' && input.action !== 'reopen') throw problems.field('body.action', '只能确认办结或要求重办');
  const ev = await findTracked(who.db, keys, code, phone);
  await act({ ...who, name: ev.reporterName ? `${ev.reporterName}（报告人）` : '报告人' }, ev.id, input, () => [], { viaTracking: true });
  return trackedEvent(who.db, keys, code, phone);
}

// ---- deadlines ------------------------------------------------------------------------------

/**
 * A deadline passing is recorded as a system step on the event's history, stamped with the moment the
 * limit passed (so a batch that fires late, or several steps at once, keep their order). Whether an
 * event is overdue or escalated is a function of its deadlines and the clock (`timeState`), so the
 * wave of 100,000 deadlines falling due together only appends rows; the event itself changes only when
 * its status does (feedback auto-close), and every person's transition freezes the overdue flags.
 */
async function systemStep(
  tx: Executor,
  source: SQL,
  opts: { action: Action; only: readonly Status[]; reason: string; respondLate?: boolean; handleLate?: boolean; set?: SQL },
): Promise<Stepped[]> {
  // Each due deadline makes at most one transition, which takes the deadline's id (a uuidv7, unique,
  // and fired once): nothing to draw per row, and the rows are read where they are (the batch's
  // deadlines in the database), not sent from here.
  const dueRows = sql`select community_id, subject_id, due_at, id from ${source} as s`;
  const insert = sql`insert into grid_event_transitions (community_id, id, event_id, action, from_status, to_status, actor_name, reason,
      respond_overdue, handle_overdue, at)`;
  // What the step touched, by community (for whoever must hear of it): every id when the caller goes
  // on with the events (a status change), else the count and five of them for the digest — sending
  // 10,000 ids back per batch to be counted was a tenth of the firing time.
  const stepped = (ins: SQL) => sql`, ins as (${ins} returning community_id, event_id)
      select community_id, count(*)::int as n,
        ${opts.set ? sql`array_agg(event_id)` : sql`(array_agg(event_id order by event_id))[1:5]`} as ids
      from ins group by community_id`;
  if (opts.set) {
    const r = await tx.execute(sql`
      with due(community_id, id, due_at, tid) as (${dueRows}),
      before as (select e.community_id, e.id, e.status, due.due_at, due.tid from grid_events e join due using (community_id, id)
                 where e.status = any(${sql.param(opts.only as Status[])}::text[]) for update of e),
      upd as (update grid_events e set ${opts.set}, version = e.version + 1, updated_at = now()
              from before b where e.community_id = b.community_id and e.id = b.id
              returning e.community_id, e.id, b.status as from_status, e.status as to_status, e.respond_overdue, e.handle_overdue, b.due_at, b.tid)
      ${stepped(sql`${insert}
      select community_id, tid, id, ${opts.action}, from_status, to_status, '系统', ${opts.reason}, respond_overdue, handle_overdue, due_at
      from upd`)}`);
    return r.rows as Stepped[];
  }
  const r = await tx.execute(sql`
    with due(community_id, id, due_at, tid) as (${dueRows})
    ${stepped(sql`${insert}
    select e.community_id, due.tid, e.id, ${opts.action}, e.status, e.status, '系统', ${opts.reason},
      e.respond_overdue or ${opts.respondLate ?? false}, e.handle_overdue or ${opts.handleLate ?? false}, due.due_at
    from grid_events e join due using (community_id, id)
    where e.status = any(${sql.param(opts.only as Status[])}::text[])`)}`);
  return r.rows as Stepped[];
}

/** The events a system step touched in one community: how many, and their ids (all of them for a status change, else five). */
type Stepped = {
  community_id: string;
  n: number;
  ids: string[];
};

// ---- who hears of a system step (督办, `003` L3P3) ----------------------------------------------------
//
// A warning reaches whoever handles the event (the assignee, else every member of the unit); a missed
// deadline reaches the level it is escalated to — the community for acceptance, the street for handling,
// the district at twice the time — as one digest per community and batch (a wave of thousands of overdue
// events is a few messages, not thousands); an automatic closure reaches the reporter through the outbox
// (grid.event-auto-close, like any other status change: inbox, or a text message to a phone).

const dueKeys = (due: DueDeadline[]) =>
  sql`unnest(${sql.param(due.map((d) => d.communityId))}::uuid[], ${sql.param(due.map((d) => d.subjectId))}::uuid[]) as d(c, i)`;

function tellHandlers(tx: Executor, due: DueDeadline[]) {
  return notifySelected(
    tx,
    sql`
    select e.community_id, r.user_id as recipient_user_id, 'grid.warn' as kind, '事件即将超过处置时限' as title,
      '“' || c.name || '”事件（编号 ' || e.number || '）将于 ' || to_char(e.handle_due_at at time zone 'Asia/Shanghai', 'MM-DD HH24:MI')
        || ' 超过处置时限，请尽快处置。' as body,
      '/grid/events?q=' || e.number as link, 'grid_event' as subject_type, e.id as subject_id, 'warn:' || e.id as dedupe_key
    from grid_events e join ${dueKeys(due)} on e.community_id = d.c and e.id = d.i
    join grid_categories c on c.code = e.category_code
    cross join lateral (
      select e.assignee_id as user_id where e.assignee_id is not null
      union all
      select m.user_id from grid_unit_members m join users u on u.id = m.user_id and u.status = 'active'
      where e.assignee_id is null and m.unit_id = e.unit_id) r
    where e.status = any(${sql.param(HANDLING_STATUSES as Status[])}::text[])`,
  );
}

/** One digest per community and batch to the administrators of `level` above the events' community. */
function tellSupervisors(tx: Executor, stepped: Stepped[], level: 'community' | 'street' | 'district', what: string, view: string) {
  if (!stepped.length) return Promise.resolve(0);
  const region = level === 'community' ? sql`cm.id` : level === 'street' ? sql`cm.parent_id` : sql`st.parent_id`;
  const batch = uuidv7();
  // The digest names up to five events of each community (their numbers read for those five only).
  const sample = stepped.flatMap((s) => s.ids.slice(0, 5).map((id) => ({ c: s.community_id, id })));
  return notifySelected(
    tx,
    sql`
    select x.community_id, u.id as recipient_user_id, ${`grid.${view}`}::text as kind, ${what}::text as title,
      cm.name || ' ' || x.n || ' 件事件' || ${what}::text || '：' || s.numbers || case when x.n > 5 then ' 等' else '' end || '。' as body,
      ${`/grid/events?view=${view}`}::text as link, 'grid_event' as subject_type, null::uuid as subject_id,
      ${batch}::text || ':' || x.community_id as dedupe_key
    from unnest(${sql.param(stepped.map((s) => s.community_id))}::uuid[], ${sql.param(stepped.map((s) => s.n))}::int[]) as x(community_id, n)
    join (select e.community_id, array_to_string(array_agg(e.number order by e.number), '、') as numbers
          from grid_events e join unnest(${sql.param(sample.map((x) => x.c))}::uuid[], ${sql.param(sample.map((x) => x.id))}::uuid[]) as d(c, i)
            on e.community_id = d.c and e.id = d.i
          group by e.community_id) s on s.community_id = x.community_id
    join regions cm on cm.id = x.community_id
    left join regions st on st.id = cm.parent_id
    join users u on u.region_id = ${region} and ${`${level}_admin`}::text = any(u.roles) and u.status = 'active'`,
  );
}

let deadlinesRegistered = false;
export function registerGridDeadlines(): void {
  if (deadlinesRegistered) return;
  deadlinesRegistered = true;
  // A missed limit appends its step to each event's history and tells the level it goes to, in the
  // database alone ({ rows: false }): the reason is both the step's and the digest's.
  const missed = (
    kind: string,
    step: { action: Action; only: readonly Status[]; reason: string; respondLate?: boolean; handleLate?: boolean },
    level: 'community' | 'street' | 'district',
    view: string,
  ) =>
    registerDeadlineHandler(
      kind,
      async (tx, _due, _now, source) => {
        await tellSupervisors(tx, await systemStep(tx, source, step), level, step.reason, view);
      },
      { rows: false },
    );
  missed('grid.respond', { action: 'overdue', only: ['reported'], reason: '超过受理时限未受理', respondLate: true }, 'community', 'triage');
  registerDeadlineHandler('grid.warn', async (tx, due, _now, source) => {
    await systemStep(tx, source, { action: 'warn', only: HANDLING_STATUSES, reason: '即将超过处置时限' });
    await tellHandlers(tx, due);
    // Next in the chain: the limit itself and the escalation, for the events still being handled.
    const r = await tx.execute(sql`
      select e.community_id, e.id, e.handle_due_at, e.handle_allowed_minutes from grid_events e
      join unnest(${sql.param(due.map((d) => d.communityId))}::uuid[], ${sql.param(due.map((d) => d.subjectId))}::uuid[]) as d(community_id, id)
        using (community_id, id)
      where e.status = any(${sql.param(HANDLING_STATUSES as Status[])}::text[])`);
    const ref = await reference(tx);
    await scheduleDeadlines(
      tx,
      (r.rows as { community_id: string; id: string; handle_due_at: string; handle_allowed_minutes: number }[]).flatMap((x) =>
        afterWarning(
          { communityId: x.community_id, id: x.id, handleDueAt: new Date(x.handle_due_at), handleAllowedMinutes: x.handle_allowed_minutes },
          ref,
        ),
      ),
    );
  });
  missed(
    'grid.handle',
    { action: 'overdue', only: HANDLING_STATUSES, reason: '超过处置时限，已上报街道督办', handleLate: true },
    'street',
    'overdue',
  );
  missed(
    'grid.escalate',
    { action: 'escalate', only: HANDLING_STATUSES, reason: '超过处置时限一倍仍未处置，上报区级督办', handleLate: true },
    'district',
    'escalated',
  );
  registerDeadlineHandler('grid.feedback', async (tx, _due, _now, source) => {
    const closed = await systemStep(tx, source, {
      action: 'auto-close',
      only: ['feedback'],
      set: sql`status = 'closed', closed_at = now()`,
      reason: `报告人${FEEDBACK_DAYS}个工作日内未反馈，自动结案`,
    });
    if (!closed.length) return;
    // The reporter hears of it like any other status change (notifications' outbox subscriber).
    const ref = await reference(tx);
    const r = await tx.execute(sql`
      select e.community_id, e.id, e.number, e.category_code, e.room_id, e.building_id, e.reporter_user_id from grid_events e
      join unnest(${sql.param(closed.flatMap((x) => x.ids.map(() => x.community_id)))}::uuid[], ${sql.param(closed.flatMap((x) => x.ids))}::uuid[]) as d(c, i)
        on e.community_id = d.c and e.id = d.i`);
    await emitMany(
      tx,
      (r.rows as Record<string, string | null>[]).map((x) => ({
        topic: 'grid.event-auto-close',
        communityId: x.community_id!,
        payload: {
          eventId: x.id,
          number: x.number,
          category: categoryLabel(ref, x.category_code!),
          status: 'closed',
          roomId: x.room_id,
          buildingId: x.building_id,
          reporterUserId: x.reporter_user_id,
          reason: `${FEEDBACK_DAYS}个工作日内未反馈，自动结案`,
        },
      })),
    );
  });
}

export { REPORTER_KINDS, URGENCIES };
