// What other modules may ask the register about its people (they never query its tables).
import { and, eq, inArray, sql } from 'drizzle-orm';
import { beijingDay } from '../../db/days.js';
import { coalesced, coalescedPer } from '../../db/coalesce.js';
import type { Db, Executor } from '../../db/pool.js';
import { buildings, residents, rooms } from './schema.js';
import { findByPlate } from './store.js';
import { maskName } from './model.js';

export interface ResidentSummary {
  id: string;
  communityId: string;
  gridId: string | null;
  name: string;
  tags: string[];
}

export async function residentSummaries(db: Executor, communityId: string, ids: string[]): Promise<Map<string, ResidentSummary>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: residents.id, communityId: residents.communityId, gridId: residents.gridId, name: residents.name, tags: residents.tags })
    .from(residents)
    .where(and(eq(residents.communityId, communityId), inArray(residents.id, ids)));
  return new Map(rows.map((r) => [r.id, r]));
}

export async function residentSummary(db: Executor, id: string): Promise<ResidentSummary | undefined> {
  const [r] = await db
    .select({ id: residents.id, communityId: residents.communityId, gridId: residents.gridId, name: residents.name, tags: residents.tags })
    .from(residents)
    .where(eq(residents.id, id));
  return r;
}

export async function roomSummary(db: Executor, id: string): Promise<{ id: string; communityId: string; address: string } | undefined> {
  const [r] = await db.select({ id: rooms.id, communityId: rooms.communityId, address: rooms.address }).from(rooms).where(eq(rooms.id, id));
  return r;
}

/** Where a building or room is: community, grid, address and coordinates (the building's). */
export interface PlaceSummary {
  communityId: string;
  gridId: string | null;
  buildingId: string;
  roomId: string | null;
  address: string;
  lng: number | null;
  lat: number | null;
}

function placeFrom(b: typeof buildings.$inferSelect, r: typeof rooms.$inferSelect | null): PlaceSummary {
  return {
    communityId: b.communityId,
    gridId: b.gridId,
    buildingId: b.id,
    roomId: r?.id ?? null,
    address: r ? r.address : [b.road, `${b.compound}${b.number}栋`].filter(Boolean).join(' '),
    lng: b.lng,
    lat: b.lat,
  };
}

interface PlaceRow {
  key: string;
  community_id: string;
  grid_id: string | null;
  building_id: string;
  room_id: string | null;
  road: string;
  compound: string;
  number: string;
  room_address: string | null;
  lng: number | null;
  lat: number | null;
}

/** Places by `room:<id>` / `building:<id>`, concurrent lookups on the pool coalesced into one query. */
const placesOnPool = coalescedPer((db: Db) =>
  coalesced<string, PlaceSummary>(async (keys) => {
    const { rows } = await db.$client.query<PlaceRow>(
      `select q.key, b.community_id, b.grid_id, b.id as building_id, r.id as room_id, b.road, b.compound, b.number,
              r.address as room_address, b.lng, b.lat
         from unnest($1::text[], $2::uuid[], $3::boolean[]) as q(key, id, is_room)
         left join rooms r on q.is_room and r.id = q.id
         join buildings b on b.id = case when q.is_room then r.building_id else q.id end
                         and (r.id is null or b.community_id = r.community_id)`,
      [keys, keys.map((k) => k.slice(k.indexOf(':') + 1)), keys.map((k) => k.startsWith('room:'))],
    );
    return new Map(
      rows.map((x) => [
        x.key,
        {
          communityId: x.community_id,
          gridId: x.grid_id,
          buildingId: x.building_id,
          roomId: x.room_id,
          address: x.room_address ?? [x.road, `${x.compound}${x.number}栋`].filter(Boolean).join(' '),
          lng: x.lng,
          lat: x.lat,
        },
      ]),
    );
  }),
);

/** A building or a room by id (the room wins when both are given). */
export async function placeSummary(db: Executor, ref: { buildingId?: string; roomId?: string }): Promise<PlaceSummary | undefined> {
  // On the pool (not inside a transaction), concurrent lookups share one query.
  if ('$client' in db && (ref.roomId || ref.buildingId))
    return placesOnPool(db)(ref.roomId ? `room:${ref.roomId}` : `building:${ref.buildingId}`);
  if (ref.roomId) {
    const [r] = await db.select().from(rooms).where(eq(rooms.id, ref.roomId));
    if (!r) return undefined;
    const [b] = await db
      .select()
      .from(buildings)
      .where(and(eq(buildings.communityId, r.communityId), eq(buildings.id, r.buildingId)));
    return b ? placeFrom(b, r) : undefined;
  }
  if (!ref.buildingId) return undefined;
  const [b] = await db.select().from(buildings).where(eq(buildings.id, ref.buildingId));
  return b ? placeFrom(b, null) : undefined;
}

/** The building or room a 数字门牌 code names, within its community. */
export async function placeOfPlate(db: Executor, communityId: string, code: string): Promise<PlaceSummary | undefined> {
  const hit = await findByPlate(db, communityId, code);
  return hit ? placeFrom(hit.building, hit.room) : undefined;
}

/** One entry of a vote's electorate drawn from the register (see democracy). */
export interface VoterEntry {
  voterKey: string;
  /** Masked name and where, for officers checking voters in. */
  label: string;
  /** Owners: exclusive area (专有部分面积, the building area when unknown) of the rooms this owner votes for. */
  area: number | null;
  roomIds: string[] | null;
}

export type ElectorateSpec =
  | { kind: 'residents'; minAge: number }
  | { kind: 'households' }
  /** representatives: room id → the co-owner the room's owners chose to vote for it. */
  | { kind: 'owners'; representatives?: Record<string, string> }
  | { kind: 'list'; residentIds: string[] };

/**
 * The electorate of a vote on a day: active residents of age (by birth date in the register); households
 * (rooms someone lives in); owners (民法典第278条: a person owning several rooms once, with the summed
 * area; co-owners of a room are represented by one of them: the household head, else the owner
 * registered first); or a given list of the community's active residents.
 */
export async function electorate(db: Executor, communityId: string, spec: ElectorateSpec, asOf: Date): Promise<VoterEntry[]> {
  const day = beijingDay(asOf);
  if (spec.kind === 'residents' || spec.kind === 'list') {
    const r = await db.execute(sql`
      select id, name from residents
      where community_id = ${communityId} and status = 'active'
        ${spec.kind === 'residents' ? sql`and birth_date <= ${day}::date - make_interval(years => ${spec.minAge})` : sql`and id = any(${sql.param(spec.residentIds)}::uuid[])`}
      order by name_pinyin, id`);
    return (r.rows as { id: string; name: string }[]).map((x) => ({ voterKey: x.id, label: maskName(x.name), area: null, roomIds: null }));
  }
  if (spec.kind === 'households') {
    const r = await db.execute(sql`
      select r.id, r.address from rooms r
      where r.community_id = ${communityId}
        and exists (select 1 from residencies h where h.community_id = r.community_id and h.room_id = r.id
                    and (h.moved_out_on is null or h.moved_out_on > ${day}::date))
      order by r.address`);
    return (r.rows as { id: string; address: string }[]).map((x) => ({ voterKey: x.id, label: x.address, area: null, roomIds: [x.id] }));
  }
  const r = await db.execute(sql`
    with chosen(room_id, resident_id) as (
      select * from unnest(${sql.param(Object.keys(spec.representatives ?? {}))}::uuid[], ${sql.param(Object.values(spec.representatives ?? {}))}::uuid[])
    ),
    owners as (
      select h.room_id, h.resident_id,
        row_number() over (partition by h.room_id
          order by (exists (select 1 from chosen c where c.room_id = h.room_id and c.resident_id = h.resident_id)) desc,
            h.household_head desc, h.created_at, h.id) as rank
      from residencies h
      where h.community_id = ${communityId} and h.relation = 'owner' and (h.moved_out_on is null or h.moved_out_on > ${day}::date)
    )
    select o.resident_id, s.name, array_agg(o.room_id order by o.room_id) as room_ids,
      sum(coalesce(r.exclusive_area, r.area, 0))::float8 as area, count(*)::int as rooms
    from owners o
    join rooms r on r.community_id = ${communityId} and r.id = o.room_id
    join residents s on s.community_id = ${communityId} and s.id = o.resident_id and s.status = 'active'
    where o.rank = 1
    group by o.resident_id, s.name, s.name_pinyin
    order by s.name_pinyin, o.resident_id`);
  return (r.rows as { resident_id: string; name: string; room_ids: string[]; area: number; rooms: number }[]).map((x) => ({
    voterKey: x.resident_id,
    label: `${maskName(x.name)}（${x.rooms}套）`,
    area: Math.round(x.area * 100) / 100,
    roomIds: x.room_ids,
  }));
}

/** The rooms a resident lives in now (a household vote counts the room). */
export async function currentRooms(db: Executor, communityId: string, residentId: string): Promise<string[]> {
  const r = await db.execute(sql`
    select room_id from residencies where community_id = ${communityId} and resident_id = ${residentId} and moved_out_on is null`);
  return (r.rows as { room_id: string }[]).map((x) => x.room_id);
}

/** The current owners of a room (for co-owners choosing who votes for it). */
export async function ownersOfRoom(db: Executor, communityId: string, roomId: string): Promise<string[]> {
  const r = await db.execute(sql`
    select resident_id from residencies where community_id = ${communityId} and room_id = ${roomId} and relation = 'owner' and moved_out_on is null`);
  return (r.rows as { resident_id: string }[]).map((x) => x.resident_id);
}

/** An address as matched here: white space dropped, full-width characters folded (NFKC). */
export const addressKey = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');

/**
 * Buildings and rooms of a community by address, for imports that name a place (devices). `keys` are
 * `addressKey`s without the region names: a room's standard address after them (road, compound,
 * building, unit, room), a building's road + compound + number栋 or compound + number栋. Each key maps
 * to every place it names (more than one: ambiguous).
 */
export async function placesByAddress(db: Executor, communityId: string, keys: string[]): Promise<Map<string, PlaceSummary[]>> {
  const out = new Map<string, PlaceSummary[]>();
  const wanted = new Set(keys);
  if (wanted.size === 0) return out;
  const add = (key: string, p: PlaceSummary) => {
    if (!wanted.has(key)) return;
    const list = out.get(key) ?? [];
    if (!list.some((x) => x.buildingId === p.buildingId && x.roomId === p.roomId)) list.push(p);
    out.set(key, list);
  };
  const bs = await db.select().from(buildings).where(eq(buildings.communityId, communityId));
  const byId = new Map(bs.map((b) => [b.id, b]));
  for (const b of bs) {
    const p = placeFrom(b, null);
    add(addressKey(`${b.road}${b.compound}${b.number}栋`), p);
    add(addressKey(`${b.compound}${b.number}栋`), p);
  }
  // A room's standard address starts with the region names as one word (registry/service.ts standardAddress).
  const rs = await db
    .select()
    .from(rooms)
    .where(
      and(
        eq(rooms.communityId, communityId),
        sql`regexp_replace(substr(${rooms.address}, strpos(${rooms.address}, ' ') + 1), '\\s', '', 'g') = any(${sql.param([...wanted])}::text[])`,
      ),
    );
  for (const r of rs) {
    const b = byId.get(r.buildingId);
    if (b) add(addressKey(r.address.slice(r.address.indexOf(' ') + 1)), placeFrom(b, r));
  }
  return out;
}

/** Active residents of a community by the blind index of their ID document (registry/service.ts documentIndex). */
export async function residentsByDocumentIndex(
  db: Executor,
  communityId: string,
  indexes: string[],
): Promise<Map<string, { id: string; gridId: string | null }>> {
  if (indexes.length === 0) return new Map();
  const rows = await db
    .select({ id: residents.id, gridId: residents.gridId, index: residents.idNumberIndex })
    .from(residents)
    .where(and(eq(residents.communityId, communityId), eq(residents.status, 'active'), inArray(residents.idNumberIndex, indexes)));
  return new Map(rows.map((r) => [r.index, { id: r.id, gridId: r.gridId }]));
}
