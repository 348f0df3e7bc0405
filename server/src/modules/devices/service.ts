// Use cases of the device register, ingest and alarms (issue 7). Every message, whether it arrives over
// MQTT or HTTP, goes through `ingest`: it is written in a batch (group commit) together with the
// latest values, the rules' state and the alarms it raises, updates or clears, and the caller (the
// MQTT broker before its PUBACK, the HTTP route before its answer) is told only after that commit.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { sql, type SQL } from 'drizzle-orm';
import { transaction } from '../../db/notified-worker.js';
import { uuidv7 } from '../../db/ids.js';
import type { Db, Executor } from '../../db/pool.js';
import type { Caller, Ctx } from '../../http/context.js';
import { problems } from '../../http/errors.js';
import { appendAudits, auditedChange } from '../audit/service.js';
import { cancelDeadlines, registerDeadlineHandler, scheduleDeadlines } from '../deadlines/service.js';
import { dataScope, placeOf, regionBrief } from '../regions/service.js';
import { placeSummary, residentSummaries } from '../registry/lookup.js';
import { maskName } from '../registry/model.js';
import type { DataKeys } from '../../crypto/personal-data.js';
import { accountPhones, residentOfUser } from '../accounts/service.js';
import { notify, queueSms } from '../notifications/service.js';
import { DEVICE_TYPES, ELDERLY_ALARMS, type DeviceType, type Telemetry } from './model.js';
import { alarmChanges, type AlarmChange } from './feed.js';
import { applySamples, matches, SEVERITIES, type Rule, type RuleState } from './rules.js';
import { deviceRulesLookup, loadedRulesOf } from './rule-config.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// ---- the register ---------------------------------------------------------------------------------

export interface DeviceInput {
  regionId?: string;
  buildingId?: string;
  roomId?: string;
  type: DeviceType;
  name: string;
  lng?: number;
  lat?: number;
  attributes?: Record<string, unknown>;
  residentId?: string;
}

function presentDevice(d: Record<string, unknown>) {
  return {
    id: d.id as string,
    communityId: d.community_id as string,
    type: d.type as string,
    typeLabel: DEVICE_TYPES[d.type as DeviceType]?.label ?? (d.type as string),
    fiwareType: DEVICE_TYPES[d.type as DeviceType]?.fiware ?? 'Device',
    name: d.name as string,
    gridId: (d.grid_id as string | null) ?? null,
    buildingId: (d.building_id as string | null) ?? null,
    roomId: (d.room_id as string | null) ?? null,
    address: (d.address as string | null) ?? null,
    lng: (d.lng as number | null) ?? null,
    lat: (d.lat as number | null) ?? null,
    attributes: (d.attributes as Record<string, unknown>) ?? {},
    status: d.status as string,
    lastSeenAt: d.last_seen_at ? new Date(d.last_seen_at as string).toISOString() : null,
    latest: (d.latest as Record<string, { value: unknown; ts: string }> | null) ?? {},
  };
}

/** A device ready to insert: where it is (resolved and in the caller's scope) and what it is. */
export interface PlacedDevice {
  communityId: string;
  gridId: string | null;
  buildingId: string | null;
  roomId: string | null;
  /** Region path of its grid (or community), for scope and audit. */
  path: string;
  address: string | null;
  lng: number | null;
  lat: number | null;
  type: DeviceType;
  name: string;
  attributes: Record<string, unknown>;
  residentId: string | null;
}

/** Whether a place (by region path) is one the caller may register devices at: in their subtree, or above a grid account's node. */
export function placeInScope(caller: Caller, path: string): boolean {
  return !!caller.regionPath && (path.startsWith(caller.regionPath) || caller.regionPath.startsWith(path));
}

/** Resolves where a device goes (room, building, or community/grid) and checks the caller's scope. */
async function placeDevice(ctx: Ctx, input: DeviceInput): Promise<PlacedDevice> {
  let where: Pick<PlacedDevice, 'communityId' | 'gridId' | 'buildingId' | 'roomId' | 'path' | 'address'>;
  let lng = input.lng ?? null;
  let lat = input.lat ?? null;
  if (input.roomId || input.buildingId) {
    const p = await placeSummary(ctx.db, { roomId: input.roomId, buildingId: input.buildingId });
    if (!p) throw problems.field(input.roomId ? 'body.roomId' : 'body.buildingId', input.roomId ? '房屋不存在' : '楼栋不存在');
    const brief = await regionBrief(ctx.db, p.gridId ?? p.communityId);
    where = {
      communityId: p.communityId,
      gridId: p.gridId,
      buildingId: p.buildingId,
      roomId: p.roomId,
      path: brief!.path,
      address: p.address,
    };
    lng ??= p.lng;
    lat ??= p.lat;
  } else if (input.regionId) {
    const p = await placeOf(ctx.db, input.regionId);
    if (!p) throw problems.field('body.regionId', '应为社区或网格');
    where = { communityId: p.communityId, gridId: p.gridId, buildingId: null, roomId: null, path: p.path, address: null };
  } else throw problems.field('body.regionId', '请提供安装位置：社区/网格、楼栋或房屋');
  if (!placeInScope(ctx.caller, where.path)) throw problems.outOfScope('安装位置不在您的管辖范围内');
  return {
    ...where,
    lng,
    lat,
    type: input.type,
    name: input.name,
    attributes: input.attributes ?? {},
    residentId: input.residentId ?? null,
  };
}

/** Rows per INSERT (13 parameters each, well under PostgreSQL's 65,535). */
const INSERT_CHUNK = 2000;

/**
 * Inserts placed devices in one transaction, each with its own random password (stored as SHA-256)
 * and its own audit entry (the request's action: device.create, device.import). `before` runs first in
 * the same transaction (an import locks and re-checks its serial numbers there). Returns the passwords,
 * which exist nowhere else: the caller shows them once.
 */
export async function insertDevices(
  ctx: Ctx,
  list: PlacedDevice[],
  before?: (tx: Executor) => Promise<void>,
): Promise<{ id: string; password: string; device: PlacedDevice }[]> {
  const made = list.map((device) => ({ id: uuidv7(), password: randomBytes(24).toString('base64url'), device }));
  if (made.length === 0) return made;
  await transaction(ctx.db, async (tx) => {
    await before?.(tx);
    for (let i = 0; i < made.length; i += INSERT_CHUNK) {
      const rows = made.slice(i, i + INSERT_CHUNK).map(
        ({ id, password, device: d }) =>
          sql`(${d.communityId}, ${id}, ${d.type}, ${d.name}, ${d.gridId}, ${d.buildingId}, ${d.roomId}, ${d.address}, ${d.lng}, ${d.lat},
            ${JSON.stringify(d.attributes)}::jsonb, ${sha256(password)}, ${d.residentId})`,
      );
      await tx.execute(sql`
        insert into devices (community_id, id, type, name, grid_id, building_id, room_id, address, lng, lat, attributes, secret_hash, resident_id)
        values ${sql.join(rows, sql`, `)}`);
    }
    await appendAudits(
      tx,
      made.map(({ id, device: d }) => ({
        caller: ctx.caller,
        ip: ctx.ip,
        userAgent: ctx.userAgent,
        action: ctx.action,
        targetType: 'device',
        targetId: id,
        scopePath: d.path,
        outcome: 'success' as const,
        statusCode: 201,
        detail: { type: d.type, name: d.name },
      })),
    );
  });
  ctx.markAudited();
  return made;
}

/** Registers a device at a place; its credentials (MQTT username = id, password) are shown once. */
export async function createDevice(ctx: Ctx, input: DeviceInput) {
  const [made] = await insertDevices(ctx, [await placeDevice(ctx, input)]);
  const { id, password } = made!;
  return { ...(await deviceDetail(ctx.db, id)), credentials: { username: id, password } };
}

const LATEST = sql.raw(`(select jsonb_object_agg(l.key, jsonb_build_object('value', l.value, 'ts', l.ts))
   from device_latest l where l.community_id = d.community_id and l.device_id = d.id) as latest`);

export async function listDevices(db: Db, caller: Caller, q: { communityId?: string; type?: string; buildingId?: string }) {
  const w = await dataScope(db, caller);
  const ids = q.communityId ? w.communityIds.filter((c) => c === q.communityId) : w.communityIds;
  const r = await db.execute(sql`
    select d.*, ${LATEST} from devices d
    where d.community_id = any(${sql.param(ids)}::uuid[]) ${w.gridIds ? sql`and d.grid_id = any(${sql.param(w.gridIds)}::uuid[])` : sql``}
      ${q.type ? sql`and d.type = ${q.type}` : sql``} ${q.buildingId ? sql`and d.building_id = ${q.buildingId}` : sql``}
    order by d.type, d.name limit 2000`);
  return (r.rows as Record<string, unknown>[]).map(presentDevice);
}

export async function deviceDetail(db: Db, id: string) {
  const r = await db.execute(sql`select d.*, ${LATEST} from devices d where d.id = ${id}`);
  const d = r.rows[0] as Record<string, unknown> | undefined;
  if (!d) throw problems.notFound('设备');
  return presentDevice(d);
}

export async function devicePath(db: Db, id: string): Promise<string | null> {
  const r = await db.execute(
    sql`select r.path from devices d join regions r on r.id = coalesce(d.grid_id, d.community_id) where d.id = ${id}`,
  );
  return (r.rows[0] as { path: string } | undefined)?.path ?? null;
}

/** Chart data: a key's values between two times, averaged per bucket. */
export async function series(db: Db, id: string, key: string, from: Date, to: Date, bucketSeconds: number) {
  const r = await db.execute(sql`select community_id from devices where id = ${id}`);
  const communityId = (r.rows[0] as { community_id: string } | undefined)?.community_id;
  if (!communityId) throw problems.notFound('设备');
  const rows = await db.execute(sql`
    select date_bin(make_interval(secs => ${bucketSeconds}), ts, '2000-01-01') as t, avg(value)::float8 as avg, min(value)::float8 as min,
      max(value)::float8 as max, count(*)::int as n
    from telemetry where community_id = ${communityId} and device_id = ${id} and key = ${key}
      and ts >= ${from.toISOString()}::timestamptz and ts < ${to.toISOString()}::timestamptz
    group by 1 order by 1`);
  return (rows.rows as { t: string; avg: number; min: number; max: number; n: number }[]).map((x) => ({
    t: new Date(x.t).toISOString(),
    avg: x.avg,
    min: x.min,
    max: x.max,
    n: x.n,
  }));
}

// ---- device authentication (cached: checked once per connection over MQTT, per request over HTTP) ----

export interface DeviceAuth {
  id: string;
  communityId: string;
  type: DeviceType;
  gridId: string | null;
  buildingId: string | null;
  roomId: string | null;
}

const authCache = new Map<string, { hash: string; device: DeviceAuth | null; at: number }>();
const AUTH_TTL_MS = 30_000;
/** Bumped by every `forgetDeviceAuth`: a lookup that started before it does not fill the cache. */
let authEpoch = 0;

/**
 * Drops a device's cached credentials and status on this node, after its password changed or it was
 * disabled or enabled (call after the commit): the next connection or request reads them again.
 */
export function forgetDeviceAuth(id: string): void {
  authEpoch++;
  authCache.delete(id);
}

/** Channel on which a credential or status change is announced to every node (db/listen.ts). */
export const DEVICE_AUTH_CHANNEL = 'jiayuan_device_auth';
/** `changed` (device id): its credentials or status changed on some node; the broker drops its connections. */
export const deviceAuthFeed = new EventEmitter();
deviceAuthFeed.setMaxListeners(0);

/** In the transaction of a password or status change: every node forgets the device's cached credentials at commit. */
export async function announceDeviceAuthChange(tx: Executor, id: string): Promise<void> {
  await tx.execute(sql`select pg_notify(${DEVICE_AUTH_CHANNEL}, ${id})`);
}

/** What arrives on DEVICE_AUTH_CHANNEL. */
export function deviceAuthNotification(id: string): void {
  forgetDeviceAuth(id);
  deviceAuthFeed.emit('changed', id);
}

export async function authenticateDevice(db: Db, id: string, password: string): Promise<DeviceAuth | null> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return null;
  let hit = authCache.get(id);
  if (!hit || Date.now() - hit.at > AUTH_TTL_MS) {
    const epoch = authEpoch;
    const r = await db.execute(
      sql`select community_id, id, type, grid_id, building_id, room_id, secret_hash, status from devices where id = ${id}`,
    );
    const d = r.rows[0] as Record<string, string | null> | undefined;
    hit = {
      hash: d?.secret_hash ?? '',
      device:
        d && d.status === 'active'
          ? {
              id,
              communityId: d.community_id!,
              type: d.type as DeviceType,
              gridId: d.grid_id ?? null,
              buildingId: d.building_id ?? null,
              roomId: d.room_id ?? null,
            }
          : null,
      at: Date.now(),
    };
    if (epoch === authEpoch) authCache.set(id, hit);
  }
  if (!hit.device) return null;
  const a = Buffer.from(sha256(password), 'hex');
  const b = Buffer.from(hit.hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b) ? hit.device : null;
}

// ---- ingest: batched, durable before acknowledgement --------------------------------------------------

/** Rejected messages, counted (never fatal): malformed, unauthorised, unknown device. */
export const ingestStats = { accepted: 0, rejected: { malformed: 0, unauthorised: 0, topic: 0 } as Record<string, number> };

interface Pending {
  device: DeviceAuth;
  telemetry: Telemetry;
  resolve: () => void;
  reject: (e: unknown) => void;
}
/**
 * Messages per transaction, at most. When a lane falls behind, its next batch takes everything queued:
 * the bench's paced run (15,000 msg/s offered) achieved 10,500 with 2,000 and 14,600 with 5,000.
 */
const MAX_BATCH = 5000;
/**
 * Three writers (lanes), each a group commit of its own, side by side:
 * - alarm: a message that meets the condition of one of its device's rules (a smoke detector's
 *   `smoke: true`, an SOS press; `003` L3P2, L2P6), in small batches of their own: the alarm it raises
 *   does not wait for a batch of thousands of routine readings to be written;
 * - safety: the routine messages of life-safety devices (fire and gas detectors, SOS buttons, fall
 *   detectors, elevator monitors), which a flood of meter and parking readings never holds up;
 * - bulk: everything else.
 * A device's messages stay in order and its rule state has one writer: while a device has messages
 * queued or being written in a lane, its next ones go to the same lane. The alarm lane also takes the
 * repeats of an alarm already active (on a hot day every reading over 35 °C): a flood of them makes its
 * batches larger, not wrong.
 */
const SAFETY_TYPES: ReadonlySet<string> = new Set<DeviceType>([
  'smoke_detector',
  'gas_detector',
  'sos_button',
  'fall_detector',
  'elevator_monitor',
]);
type Lane = { items: Pending[]; writing: boolean; held: Map<string, number> };
const LANES = ['alarm', 'safety', 'bulk'] as const;
export type LaneName = (typeof LANES)[number];
type Lanes = Record<LaneName, Lane>;
const queues = new Map<Db, Lanes>();
const lane = (): Lane => ({ items: [], writing: false, held: new Map() });

/**
 * The lane of a message: the lane already holding the device's messages, if any; else `alarm` when the
 * message meets a condition of one of the device's rules (as last loaded; unknown before the first load);
 * else by the device's type.
 */
export function laneFor(
  heldIn: LaneName | undefined,
  rules: readonly Rule[] | undefined,
  type: string,
  values: Telemetry['values'],
): LaneName {
  if (heldIn) return heldIn;
  if (rules?.some((r) => Object.hasOwn(values, r.condition.key) && matches(r.condition, values[r.condition.key]))) return 'alarm';
  return SAFETY_TYPES.has(type) ? 'safety' : 'bulk';
}

function laneOf(lanes: Lanes, device: DeviceAuth, telemetry: Telemetry): Lane {
  const heldIn = LANES.find((n) => lanes[n].held.has(device.id));
  return lanes[laneFor(heldIn, loadedRulesOf(device), device.type, telemetry.values)];
}

/** Stores one message; resolves once it (and everything it caused) is committed. */
export function ingest(db: Db, device: DeviceAuth, telemetry: Telemetry): Promise<void> {
  let lanes = queues.get(db);
  if (!lanes) queues.set(db, (lanes = { alarm: lane(), safety: lane(), bulk: lane() }));
  const queue = laneOf(lanes, device, telemetry);
  queue.held.set(device.id, (queue.held.get(device.id) ?? 0) + 1);
  return new Promise((resolve, reject) => {
    queue.items.push({ device, telemetry, resolve, reject });
    if (!queue.writing) void drain(db, queue);
  });
}

async function drain(db: Db, q: Lane) {
  q.writing = true;
  try {
    while (q.items.length) {
      const batch = q.items.splice(0, MAX_BATCH);
      try {
        await writeBatch(db, batch);
        ingestStats.accepted += batch.length;
        for (const b of batch) b.resolve();
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
      for (const { device } of batch) {
        const n = q.held.get(device.id)! - 1;
        if (n) q.held.set(device.id, n);
        else q.held.delete(device.id);
      }
    }
  } finally {
    q.writing = false;
  }
}

export { alarmFeed } from './feed.js';

/**
 * `devices.last_seen_at` is written at most once a minute per device and node: a device that reports
 * every few seconds would otherwise rewrite its register row with every batch (a tenth of a batch's
 * time in the bench's paced run). "Online" (measures.ts) means heard from within 24 hours, and the
 * console shows the time to the minute.
 */
const LAST_SEEN_EVERY_MS = 60_000;
const lastSeenWritten = new Map<string, number>();

async function writeBatch(db: Db, batch: Pending[]) {
  // The batch's devices once each, in message order with their samples (rules apply per device in order);
  // a telemetry or latest-value row names its device by its place in that list (1-based), so a batch of
  // thousands of rows does not send two UUIDs with every row.
  const byDevice = new Map<string, { device: DeviceAuth; samples: Telemetry[]; at: number }>();
  for (const { device, telemetry } of batch) {
    const e = byDevice.get(device.id);
    if (e) e.samples.push(telemetry);
    else byDevice.set(device.id, { device, samples: [telemetry], at: byDevice.size + 1 });
  }
  const devices = [...byDevice.values()];
  // Telemetry rows: numbers and booleans as numbers, strings as text.
  const ti: number[] = [];
  const tt: string[] = [];
  const tk: string[] = [];
  const tv: (number | null)[] = [];
  const ts: (string | null)[] = [];
  const latest = new Map<string, { i: number; k: string; v: unknown; t: number }>();
  for (const { device, telemetry } of batch) {
    const i = byDevice.get(device.id)!.at;
    const at = new Date(telemetry.ts).toISOString();
    for (const [k, v] of Object.entries(telemetry.values)) {
      ti.push(i);
      tt.push(at);
      tk.push(k);
      tv.push(typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : null);
      ts.push(typeof v === 'string' ? v : null);
      const key = `${device.id}\u0000${k}`;
      const prev = latest.get(key);
      if (!prev || prev.t <= telemetry.ts) latest.set(key, { i, k, v, t: telemetry.ts });
    }
  }
  const lt = [...latest.values()];
  const now = Date.now();
  const seen = devices.filter(({ device: d }) => now - (lastSeenWritten.get(d.id) ?? 0) >= LAST_SEEN_EVERY_MS);
  // The effective rules of each device's community (rule-config.ts; cached, read before the transaction).
  const rulesOf = await deviceRulesLookup(db, batch);
  const withRules = devices.filter((d) => rulesOf(d.device).length > 0);
  // One statement stores the batch and reads the rule state it needs: every round trip inside the
  // transaction waits for a turn of a busy event loop, and the safety lane's alarms wait for all of them.
  await transaction(db, async (tx) => {
    const r = await tx.execute(sql`
      with batch_devices as (
        select * from unnest(${sql.param(devices.map((x) => x.device.communityId))}::uuid[], ${sql.param(devices.map((x) => x.device.id))}::uuid[])
          with ordinality as b(community_id, device_id, i)),
      telemetry_rows as (
        insert into telemetry (community_id, device_id, ts, key, value, text_value)
        select b.community_id, b.device_id, x.ts, x.key, x.value, x.text_value
        from unnest(${sql.param(ti)}::int[], ${sql.param(tt)}::timestamptz[], ${sql.param(tk)}::text[], ${sql.param(tv)}::float8[],
          ${sql.param(ts)}::text[]) as x(i, ts, key, value, text_value)
        join batch_devices b using (i)
        on conflict do nothing),
      latest_rows as (
        insert into device_latest (community_id, device_id, key, value, ts)
        select b.community_id, b.device_id, x.key, x.value, x.ts
        from unnest(${sql.param(lt.map((x) => x.i))}::int[], ${sql.param(lt.map((x) => x.k))}::text[],
          ${sql.param(lt.map((x) => JSON.stringify(x.v)))}::jsonb[], ${sql.param(lt.map((x) => new Date(x.t).toISOString()))}::timestamptz[]) as x(i, key, value, ts)
        join batch_devices b using (i)
        on conflict (community_id, device_id, key) do update set value = excluded.value, ts = excluded.ts where device_latest.ts <= excluded.ts),
      seen as (
        update devices d set last_seen_at = now() from unnest(${sql.param(seen.map((x) => x.device.communityId))}::uuid[],
          ${sql.param(seen.map((x) => x.device.id))}::uuid[]) as x(c, i) where d.community_id = x.c and d.id = x.i)
      select device_id, rule_id, state from device_rule_state
      where (community_id, device_id) in (select * from unnest(${sql.param(withRules.map((d) => d.device.communityId))}::uuid[],
        ${sql.param(withRules.map((d) => d.device.id))}::uuid[]))`);
    await applyRules(tx, withRules, rulesOf, r.rows as { device_id: string; rule_id: string; state: RuleState }[]);
  });
  for (const { device } of seen) lastSeenWritten.set(device.id, now);
}

/** A rule outcome for one alarm (device and alarm type); `n` occurrences (the alarm's count grows by as many). */
interface Change {
  device: DeviceAuth;
  rule: Rule;
  value: unknown;
  /** When the (first) sample behind it was taken; `lastAt`, the last, when several were merged. */
  at: number;
  lastAt?: number;
  n: number;
}
type Step = { kind: 'raise' | 'update' | 'clear'; change: Change };

/**
 * One alarm's outcomes in a batch, in order, as at most three set-based steps — raise, bump, clear —
 * when they have that shape (a raise first if any, updates, a clear last if any: nearly always). Any
 * other sequence (cleared and raised again within the batch) is returned as it is, to run one step at a
 * time in order.
 */
export function alarmSteps(outcomes: { kind: Step['kind']; change: Omit<Change, 'n'> }[]): { merged: boolean; steps: Step[] } {
  const kinds = outcomes.map((o) => o.kind[0]).join('');
  const shape = /^(r?)(u*)(c?)$/.exec(kinds);
  if (!shape) return { merged: false, steps: outcomes.map((o) => ({ kind: o.kind, change: { ...o.change, n: 1 } })) };
  const [, r, u, c] = shape as unknown as [string, string, string, string];
  const steps: Step[] = [];
  const lastUpdate = outcomes[r.length + u.length - 1];
  if (r)
    steps.push({
      kind: 'raise',
      change: { ...outcomes[0]!.change, ...(u ? { value: lastUpdate!.change.value, lastAt: lastUpdate!.change.at } : {}), n: 1 + u.length },
    });
  else if (u) steps.push({ kind: 'update', change: { ...lastUpdate!.change, n: u.length } });
  if (c) steps.push({ kind: 'clear', change: { ...outcomes[outcomes.length - 1]!.change, n: 1 } });
  return { merged: true, steps };
}

async function applyRules(
  tx: Executor,
  withRules: { device: DeviceAuth; samples: Telemetry[] }[],
  rulesOf: (d: DeviceAuth) => readonly Rule[],
  stateRows: { device_id: string; rule_id: string; state: RuleState }[],
) {
  if (!withRules.length) return;
  const states = new Map(stateRows.map((x) => [`${x.device_id}/${x.rule_id}`, x.state]));
  const newStates: { c: string; d: string; r: string; s: RuleState }[] = [];
  const perAlarm = new Map<string, { kind: Step['kind']; change: Omit<Change, 'n'> }[]>();
  for (const { device, samples } of withRules)
    for (const rule of rulesOf(device)) {
      const before = states.get(`${device.id}/${rule.id}`);
      const { state, outcomes, times } = applySamples(rule, before, samples);
      if (JSON.stringify(state) !== JSON.stringify(before)) newStates.push({ c: device.communityId, d: device.id, r: rule.id, s: state });
      for (const [k, o] of outcomes.entries()) {
        const at = times[k]!;
        const key = `${device.id}/${rule.alarmType}`;
        let list = perAlarm.get(key);
        if (!list) perAlarm.set(key, (list = []));
        if ('raise' in o) list.push({ kind: 'raise', change: { device, rule, value: o.raise.value, at } });
        else if ('update' in o) list.push({ kind: 'update', change: { device, rule, value: o.update.value, at } });
        else list.push({ kind: 'clear', change: { device, rule, value: null, at } });
      }
    }
  const raise: Change[] = [];
  const bump: Change[] = [];
  const clear: Change[] = [];
  const oneByOne: Step[][] = [];
  for (const outcomes of perAlarm.values()) {
    // In the order of the samples behind them: two rules of one device may share an alarm type (one
    // defined above the community, one in it), and their outcomes interleave in time.
    outcomes.sort((a, b) => a.change.at - b.change.at);
    const { merged, steps } = alarmSteps(outcomes);
    if (!merged) oneByOne.push(steps);
    else for (const s of steps) (s.kind === 'raise' ? raise : s.kind === 'update' ? bump : clear).push(s.change);
  }
  const events: AlarmChange[] = [];
  const escalate: { communityId: string; kind: string; subjectId: string; dueAt: Date; payload: { level: number } }[] = [];
  // New rule states and raised alarms in one statement; then bumps, then clears (which see the raises).
  const stateRowsSql = newStates.length
    ? sql`
    insert into device_rule_state (community_id, device_id, rule_id, state)
    select * from unnest(${sql.param(newStates.map((x) => x.c))}::uuid[], ${sql.param(newStates.map((x) => x.d))}::uuid[],
      ${sql.param(newStates.map((x) => x.r))}::text[], ${sql.param(newStates.map((x) => JSON.stringify(x.s)))}::jsonb[])
    on conflict (community_id, device_id, rule_id) do update set state = excluded.state`
    : null;
  if (raise.length) await raiseAlarms(tx, raise, events, escalate, stateRowsSql);
  else if (stateRowsSql) await tx.execute(stateRowsSql);
  if (bump.length) await updateAlarms(tx, 'update', bump, events);
  if (clear.length) await updateAlarms(tx, 'clear', clear, events);
  for (const steps of oneByOne)
    for (const s of steps)
      if (s.kind === 'raise') await raiseAlarms(tx, [s.change], events, escalate, null);
      else await updateAlarms(tx, s.kind, [s.change], events);
  if (escalate.length) await scheduleDeadlines(tx, escalate);
  await alarmChanges(tx, events);
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * Raised: one active alarm per device and type (at most one change per alarm here); if one is already
 * active (raised by another rule or left from before), it is updated instead. With `first`, a statement
 * to run as part of the same one (a WITH item).
 */
async function raiseAlarms(
  tx: Executor,
  raise: Change[],
  events: AlarmChange[],
  escalate: { communityId: string; kind: string; subjectId: string; dueAt: Date; payload: { level: number } }[],
  first: SQL | null,
) {
  const r = await tx.execute(sql`
    ${first ? sql`with rule_states as (${first})` : sql``}
    insert into alarms (community_id, id, device_id, type, label, severity, first_at, last_at, count, value, grid_id, building_id)
    select * from unnest(${sql.param(raise.map((x) => x.device.communityId))}::uuid[], ${sql.param(raise.map(() => uuidv7()))}::uuid[],
      ${sql.param(raise.map((x) => x.device.id))}::uuid[], ${sql.param(raise.map((x) => x.rule.alarmType))}::text[],
      ${sql.param(raise.map((x) => x.rule.label))}::text[], ${sql.param(raise.map((x) => x.rule.severity))}::text[],
      ${sql.param(raise.map((x) => iso(x.at)))}::timestamptz[], ${sql.param(raise.map((x) => iso(x.lastAt ?? x.at)))}::timestamptz[],
      ${sql.param(raise.map((x) => x.n))}::int[], ${sql.param(raise.map((x) => JSON.stringify(x.value)))}::jsonb[],
      ${sql.param(raise.map((x) => x.device.gridId))}::uuid[], ${sql.param(raise.map((x) => x.device.buildingId))}::uuid[])
    on conflict (community_id, device_id, type) where status = 'active'
    do update set last_at = excluded.last_at, count = alarms.count + excluded.count, value = excluded.value
    returning id, device_id, type, (xmax = 0) as fresh`);
  const rowOf = new Map(
    (r.rows as { id: string; device_id: string; type: string; fresh: boolean }[]).map((x) => [`${x.device_id}/${x.type}`, x]),
  );
  for (const x of raise) {
    const row = rowOf.get(`${x.device.id}/${x.rule.alarmType}`)!;
    const a: RaisedAlarm = {
      id: row.id,
      fresh: row.fresh,
      communityId: x.device.communityId,
      deviceId: x.device.id,
      type: x.rule.alarmType,
      severity: x.rule.severity,
      label: x.rule.label,
    };
    events.push({
      topic: row.fresh ? 'devices.alarm-raised' : 'devices.alarm-updated',
      payload: { ...a, deviceType: x.device.type, buildingId: x.device.buildingId, gridId: x.device.gridId, roomId: x.device.roomId },
      communityId: a.communityId,
    });
    if (row.fresh && ELDERLY_ALARMS.has(a.type))
      escalate.push({ communityId: a.communityId, kind: 'devices.escalate', subjectId: row.id, dueAt: new Date(), payload: { level: 0 } });
  }
}

/** Another occurrence of each active alarm (count, last value and time), or its clearing. */
async function updateAlarms(tx: Executor, kind: 'update' | 'clear', xs: Change[], events: AlarmChange[]) {
  const set =
    kind === 'update'
      ? sql`last_at = greatest(a.last_at, x.at), count = a.count + x.n, value = x.v`
      : sql`status = 'cleared', cleared_at = x.at`;
  const r = await tx.execute(sql`
    update alarms a set ${set}
    from unnest(${sql.param(xs.map((x) => x.device.communityId))}::uuid[], ${sql.param(xs.map((x) => x.device.id))}::uuid[],
      ${sql.param(xs.map((x) => x.rule.alarmType))}::text[], ${sql.param(xs.map((x) => iso(x.at)))}::timestamptz[],
      ${sql.param(xs.map((x) => x.n))}::int[], ${sql.param(xs.map((x) => JSON.stringify(x.value)))}::jsonb[]) as x(c, d, t, at, n, v)
    where a.community_id = x.c and a.device_id = x.d and a.type = x.t and a.status = 'active'
    returning a.id, a.device_id, a.type, a.community_id`);
  for (const row of r.rows as { id: string; device_id: string; type: string; community_id: string }[])
    events.push({
      topic: kind === 'update' ? 'devices.alarm-updated' : 'devices.alarm-cleared',
      payload: { id: row.id, deviceId: row.device_id, type: row.type },
      communityId: row.community_id,
    });
}

interface RaisedAlarm {
  id: string;
  communityId: string;
  deviceId: string;
  type: string;
  severity: string;
  label: string;
  fresh: boolean;
}

// ---- alarms -------------------------------------------------------------------------------------------

function presentAlarm(a: Record<string, unknown>) {
  const first = new Date(a.first_at as string);
  const ack = a.acknowledged_at ? new Date(a.acknowledged_at as string) : null;
  const arrived = a.arrived_at ? new Date(a.arrived_at as string) : null;
  return {
    id: a.id as string,
    communityId: a.community_id as string,
    deviceId: a.device_id as string,
    deviceName: (a.device_name as string | undefined) ?? null,
    deviceType: (a.device_type as string | undefined) ?? null,
    address: (a.address as string | null | undefined) ?? null,
    type: a.type as string,
    label: a.label as string,
    severity: a.severity as string,
    severityLabel: SEVERITIES[a.severity as keyof typeof SEVERITIES] ?? (a.severity as string),
    status: a.status as string,
    acknowledged: a.acknowledged as boolean,
    acknowledgedBy: (a.acknowledged_by as string | null) ?? null,
    acknowledgedAt: ack?.toISOString() ?? null,
    arrivedAt: arrived?.toISOString() ?? null,
    arrivedBy: (a.arrived_by as string | null) ?? null,
    assigneeName: (a.assignee_name as string | null) ?? null,
    firstAt: first.toISOString(),
    lastAt: new Date(a.last_at as string).toISOString(),
    count: a.count as number,
    value: a.value ?? null,
    clearedAt: a.cleared_at ? new Date(a.cleared_at as string).toISOString() : null,
    gridEventId: (a.grid_event_id as string | null) ?? null,
    responseMinutes: ack ? Math.round(((ack.getTime() - first.getTime()) / 60000) * 10) / 10 : null,
    arrivalMinutes: arrived ? Math.round(((arrived.getTime() - first.getTime()) / 60000) * 10) / 10 : null,
  };
}

export async function listAlarms(
  db: Db,
  caller: Caller,
  q: { communityId?: string; gridId?: string; buildingId?: string; status?: string; acknowledged?: boolean; limit: number },
) {
  const w = await dataScope(db, caller);
  const ids = q.communityId ? w.communityIds.filter((c) => c === q.communityId) : w.communityIds;
  const r = await db.execute(sql`
    select a.*, d.name as device_name, d.type as device_type, d.address from alarms a
    join devices d on d.community_id = a.community_id and d.id = a.device_id
    where a.community_id = any(${sql.param(ids)}::uuid[]) ${w.gridIds ? sql`and a.grid_id = any(${sql.param(w.gridIds)}::uuid[])` : sql``}
      ${q.gridId ? sql`and a.grid_id = ${q.gridId}` : sql``}
      ${q.buildingId ? sql`and a.building_id = ${q.buildingId}` : sql``} ${q.status ? sql`and a.status = ${q.status}` : sql``}
      ${q.acknowledged !== undefined ? sql`and a.acknowledged = ${q.acknowledged}` : sql``}
    order by (a.status = 'active') desc, a.last_at desc limit ${q.limit}`);
  return (r.rows as Record<string, unknown>[]).map(presentAlarm);
}

export async function alarmPath(db: Db, id: string): Promise<string | null> {
  const r = await db.execute(
    sql`select r.path from alarms a join regions r on r.id = coalesce(a.grid_id, a.community_id) where a.id = ${id}`,
  );
  return (r.rows[0] as { path: string } | undefined)?.path ?? null;
}

export async function alarmDetail(db: Db, id: string) {
  const r = await db.execute(sql`
    select a.*, d.name as device_name, d.type as device_type, d.address from alarms a
    join devices d on d.community_id = a.community_id and d.id = a.device_id where a.id = ${id}`);
  const a = r.rows[0] as Record<string, unknown> | undefined;
  if (!a) throw problems.notFound('告警');
  const c = await db.execute(sql`
    select kind, author, text, at from alarm_comments where community_id = ${a.community_id as string} and alarm_id = ${id} order by at, id`);
  return {
    ...presentAlarm(a),
    log: (c.rows as Record<string, unknown>[]).map((x) => ({
      kind: x.kind as string,
      author: x.author as string,
      text: x.text as string,
      at: new Date(x.at as string).toISOString(),
    })),
  };
}

export type AlarmAction = 'ack' | 'comment' | 'assign' | 'arrive' | 'clear';

/** Acknowledge, comment, assign, record arrival on site (elderly emergencies), or clear by hand. */
export async function actOnAlarm(ctx: Ctx, id: string, input: { action: AlarmAction; text?: string; assigneeName?: string }) {
  const r = await ctx.db.execute(sql`select community_id, status, acknowledged, arrived_at from alarms where id = ${id}`);
  const a = r.rows[0] as { community_id: string; status: string; acknowledged: boolean; arrived_at: string | null } | undefined;
  if (!a) throw problems.notFound('告警');
  if (input.action === 'comment' && !input.text?.trim()) throw problems.field('body.text', '请填写内容');
  if (input.action === 'assign' && !input.assigneeName?.trim()) throw problems.field('body.assigneeName', '请填写负责人');
  if (input.action === 'ack' && a.acknowledged) throw problems.conflict('告警已确认');
  if (input.action === 'arrive' && a.arrived_at) throw problems.conflict('已记录到场');
  if (input.action === 'clear' && a.status !== 'active') throw problems.conflict('告警已清除');
  const path = (await alarmPath(ctx.db, id))!;
  const who = ctx.caller.displayName;
  await auditedChange(
    ctx,
    { targetType: 'alarm', targetId: () => id, scopePath: () => path, detail: () => ({ action: input.action }) },
    async (tx: Executor) => {
      const set =
        input.action === 'ack'
          ? sql`acknowledged = true, acknowledged_by = ${who}, acknowledged_at = now()`
          : input.action === 'arrive'
            ? // Arriving on site is also an acknowledgement.
              sql`arrived_at = now(), arrived_by = ${who}, acknowledged = true, acknowledged_by = coalesce(acknowledged_by, ${who}), acknowledged_at = coalesce(acknowledged_at, now())`
            : input.action === 'assign'
              ? sql`assignee_name = ${input.assigneeName!}`
              : input.action === 'clear'
                ? sql`status = 'cleared', cleared_at = now()`
                : sql`last_at = last_at`;
      await tx.execute(sql`update alarms set ${set} where community_id = ${a.community_id} and id = ${id}`);
      await tx.execute(sql`
      insert into alarm_comments (community_id, id, alarm_id, author, kind, text)
      values (${a.community_id}, ${uuidv7()}, ${id}, ${who}, ${input.action}, ${input.text ?? input.assigneeName ?? ''})`);
      if (input.action === 'ack' || input.action === 'arrive') await cancelDeadlines(tx, a.community_id, id, 'devices.escalate');
      await alarmChanges(tx, [{ topic: 'devices.alarm-updated', payload: { id, action: input.action }, communityId: a.community_id }]);
    },
  );
  return alarmDetail(ctx.db, id);
}

// ---- escalation chains (elderly SOS and falls, `003` L2P6) -----------------------------------------------

/** Who is told at each level until someone acknowledges: family and the grid worker at once, then the community, then the street. */
export const ESCALATION = [
  { afterMinutes: 0, group: '家属与网格员' },
  { afterMinutes: 5, group: '社区值班人员' },
  { afterMinutes: 10, group: '街道应急值班' },
] as const;

let registered = false;
/** Data keys for the escalation's text messages (the phones are decrypted and re-encrypted for the outbox). */
let escalationKeys: DataKeys | null = null;
export function registerDeviceDeadlines(keys: DataKeys): void {
  escalationKeys = keys;
  if (registered) return;
  registered = true;
  registerDeadlineHandler('devices.escalate', async (tx, due) => {
    for (const d of due) {
      const level = Number((d.payload as { level?: number } | null)?.level ?? 0);
      const r = await tx.execute(
        sql`select first_at, acknowledged, status from alarms where community_id = ${d.communityId} and id = ${d.subjectId}`,
      );
      const a = r.rows[0] as { first_at: string; acknowledged: boolean; status: string } | undefined;
      if (!a || a.acknowledged) continue;
      const step = ESCALATION[level]!;
      // Who is told at this level: 0 the family (accounts of people living in the room of the person the
      // device serves, not that person) and the grid's grid workers; 1 the community's administrators;
      // 2 the street's. Each gets an inbox message, and a text message if their account has a phone.
      const who = await tx.execute(sql`
        with x as (select a.community_id, a.grid_id, a.type, a.label, d.name, d.address, d.resident_id from alarms a
                   join devices d on d.community_id = a.community_id and d.id = a.device_id
                   where a.community_id = ${d.communityId} and a.id = ${d.subjectId}),
        home as (select r.community_id, r.room_id from residencies r join x using (community_id, resident_id) where r.moved_out_on is null),
        family as (select distinct h.resident_id from residencies h join home using (community_id, room_id)
                   where h.moved_out_on is null and h.resident_id <> (select resident_id from x))
        select u.id, (u.resident_id in (select resident_id from family)) as family, x.type, x.label, x.name, x.address,
          x.resident_id as served
        from users u cross join x where u.status = 'active' and ${
          level === 0
            ? sql`(u.resident_id in (select resident_id from family) or ('grid_worker' = any(u.roles) and u.region_id = x.grid_id))`
            : level === 1
              ? sql`'community_admin' = any(u.roles) and u.region_id = x.community_id`
              : sql`'street_admin' = any(u.roles) and u.region_id = (select parent_id from regions where id = x.community_id)`
        }`);
      const people = who.rows as {
        id: string;
        family: boolean;
        type: string;
        label: string;
        name: string;
        address: string | null;
        served: string | null;
      }[];
      await notify(
        tx,
        people.map((p) => ({
          communityId: d.communityId,
          recipientUserId: p.id,
          kind: 'alarm.escalation',
          title: `紧急告警：${p.label}`,
          body: `${p.name}${p.address ? `（${p.address}）` : ''}发出${p.label}，尚无人确认，请立即联系或前往查看（第 ${level + 1} 级通知）。`,
          link: p.family ? '/m/family' : '/devices/alarms',
          subjectType: 'alarm',
          subjectId: d.subjectId,
          dedupeKey: `escalate:${d.subjectId}:${level}`,
        })),
      );
      // Text messages: the place and the person's masked name only (the full record stays on the platform).
      const phones =
        people.length && escalationKeys
          ? await accountPhones(
              tx,
              escalationKeys,
              people.map((p) => p.id),
            )
          : new Map<string, string>();
      if (phones.size) {
        const first = people[0]!;
        const served = first.served ? (await residentSummaries(tx, d.communityId, [first.served])).get(first.served) : undefined;
        const what = first.type === 'fall' ? '跌倒' : first.type === 'sos' ? '一键呼救' : first.label;
        const text = `【家园】紧急：${first.address ?? first.name}${served ? maskName(served.name) : ''}的${what}告警尚未确认，请立即处置。`;
        await queueSms(
          tx,
          escalationKeys!,
          [...phones.values()].map((phone) => ({
            communityId: d.communityId,
            phone,
            text,
            subjectType: 'alarm',
            subjectId: d.subjectId,
            dedupeKey: `escalate:${d.subjectId}:${level}`,
          })),
        );
      }
      const said = people.length
        ? `已通知${step.group} ${people.length} 人（第 ${level + 1} 级）${phones.size ? `，其中 ${phones.size} 人同时发送短信` : ''}`
        : `第 ${level + 1} 级无可通知人员（${step.group}）`;
      await tx.execute(sql`
        insert into alarm_comments (community_id, id, alarm_id, author, kind, text, at)
        values (${d.communityId}, ${uuidv7()}, ${d.subjectId}, '系统', 'notify', ${said}, ${d.dueAt.toISOString()})`);
      const next = ESCALATION[level + 1];
      if (next)
        await scheduleDeadlines(tx, [
          {
            communityId: d.communityId,
            kind: 'devices.escalate',
            subjectId: d.subjectId,
            dueAt: new Date(new Date(a.first_at).getTime() + next.afterMinutes * 60_000),
            payload: { level: level + 1 },
          },
        ]);
    }
  });
}

// ---- telemetry partitions and retention ---------------------------------------------------------------

/** Prepares the coming days' partitions and drops those older than the retention. */
export async function maintainTelemetry(db: Db, retentionDays: number): Promise<{ created: number; dropped: string[] }> {
  const made = await db.execute(sql`select telemetry_ensure_partitions(1, 7) as n`);
  const old = await db.execute(sql`
    select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
    where p.relname = 'telemetry' and c.relname ~ '^telemetry_[0-9]{8}$'
      and to_date(substring(c.relname from 11), 'YYYYMMDD') < current_date - ${retentionDays}::int`);
  const dropped = (old.rows as { relname: string }[]).map((r) => r.relname);
  for (const name of dropped) await db.execute(sql.raw(`drop table if exists "${name}"`));
  return { created: Number((made.rows[0] as { n: number }).n), dropped };
}

/** Runs maintenance now and every hour (a missed run only delays it; the default partition takes any stray sample). */
export function startTelemetryMaintenance(db: Db, retentionDays: number, onError: (e: unknown) => void): () => void {
  const run = () => maintainTelemetry(db, retentionDays).catch(onError);
  void run();
  const timer = setInterval(run, 3600_000);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Alarms of the devices that serve someone of the caller's household (an SOS button or fall detector
 * registered for an elderly parent), with who acknowledged and who arrived, for family members.
 */
export async function familyAlarms(db: Db, userId: string) {
  const residentId = await residentOfUser(db, userId);
  if (!residentId) return [];
  const r = await db.execute(sql`
    with mine as (select community_id, room_id from residencies where resident_id = ${residentId} and moved_out_on is null),
    household as (select distinct h.community_id, h.resident_id from residencies h join mine m using (community_id, room_id) where h.moved_out_on is null)
    select a.*, d.name as device_name, d.type as device_type, d.address from alarms a
    join devices d on d.community_id = a.community_id and d.id = a.device_id
    join household x on x.community_id = d.community_id and x.resident_id = d.resident_id
    where a.first_at >= now() - interval '90 days'
    order by a.first_at desc limit 100`);
  const out = [];
  for (const a of r.rows as Record<string, unknown>[]) {
    const log = await db.execute(sql`
      select kind, author, text, at from alarm_comments where community_id = ${a.community_id as string} and alarm_id = ${a.id as string} order by at, id`);
    out.push({
      ...presentAlarm(a),
      log: (log.rows as Record<string, unknown>[]).map((x) => ({
        kind: x.kind as string,
        author: x.author as string,
        text: x.text as string,
        at: new Date(x.at as string).toISOString(),
      })),
    });
  }
  return out;
}
