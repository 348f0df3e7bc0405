// SQL for the register's tables. Only the registry module reads or writes them.
import { and, asc, count, desc, eq, ilike, inArray, isNull, like, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/pool.js';
import { buildings, residencies, residents, rooms, units } from './schema.js';

export type ResidentRow = typeof residents.$inferSelect;
export type BuildingRow = typeof buildings.$inferSelect;
export type RoomRow = typeof rooms.$inferSelect;
export type ResidencyRow = typeof residencies.$inferSelect;

/** Limits a per-community table to the caller's communities (and grid, for grid-level accounts). */
export interface Within {
  communityIds: string[];
  gridIds: string[] | null;
}

function within(t: { communityId: AnyPgColumn; gridId: AnyPgColumn }, w: Within): SQL {
  const c = w.communityIds.length ? inArray(t.communityId, w.communityIds) : sql`false`;
  return w.gridIds ? and(c, inArray(t.gridId, w.gridIds))! : c;
}

export async function findResident(db: Executor, id: string): Promise<ResidentRow | undefined> {
  const [r] = await db.select().from(residents).where(eq(residents.id, id));
  return r;
}

export async function findResidentByIdNumber(db: Executor, communityId: string, idNumberIndex: string) {
  const [r] = await db
    .select()
    .from(residents)
    .where(and(eq(residents.communityId, communityId), eq(residents.idNumberIndex, idNumberIndex)));
  return r;
}

export interface ResidentFilter {
  /** Exact matches through blind indexes. */
  idNumberIndex?: string;
  phoneIndex?: string;
  /** Lower-case ASCII: pinyin initials or full pinyin prefix. */
  pinyin?: string;
  /** Chinese name fragment or address fragment. */
  text?: string;
  tag?: string;
  gridId?: string;
  communityId?: string;
}

/**
 * One page of the residents matching `f` in scope, and how many match in all. The count is a second
 * query only when the page does not already tell it (a page that is not full ends the list).
 */
export async function searchResidents(db: Executor, w: Within, f: ResidentFilter, limit: number, offset: number) {
  const conds: SQL[] = [within(residents, w)];
  if (f.communityId) conds.push(eq(residents.communityId, f.communityId));
  if (f.gridId) conds.push(eq(residents.gridId, f.gridId));
  if (f.tag) conds.push(sql`${residents.tags} @> array[${f.tag}]::text[]`);
  if (f.idNumberIndex) conds.push(eq(residents.idNumberIndex, f.idNumberIndex));
  if (f.phoneIndex) conds.push(eq(residents.phoneIndex, f.phoneIndex));
  if (f.pinyin) conds.push(or(like(residents.nameInitials, `${f.pinyin}%`), like(residents.namePinyin, `${f.pinyin}%`))!);
  if (f.text) {
    const pat = `%${f.text.replace(/[\\%_]/g, '\\$&')}%`;
    const ids = sql.param(w.communityIds);
    // A name or a current home's address matches. Written as a union of the two lookups, each by its
    // own trigram index (residents.name, rooms.address), not as `name ilike … or exists (…)`, which
    // PostgreSQL can only answer by testing every resident in scope.
    // Correlated names are written out: Drizzle may leave a column unqualified inside a subquery.
    conds.push(
      sql`(residents.community_id, residents.id) in (
            select n.community_id, n.id from residents n
             where n.community_id = any(${ids}::uuid[]) and n.name ilike ${pat}
            union
            select rs.community_id, rs.resident_id from residencies rs
              join rooms r on r.community_id = rs.community_id and r.id = rs.room_id
             where rs.community_id = any(${ids}::uuid[]) and rs.moved_out_on is null and r.address ilike ${pat})`,
    );
  }
  const where = and(...conds);
  const items = await db
    .select()
    .from(residents)
    .where(where)
    .orderBy(asc(residents.communityId), asc(residents.name), asc(residents.id))
    .limit(limit)
    .offset(offset);
  if (items.length < limit && (items.length > 0 || offset === 0)) return { items, total: offset + items.length };
  const [total] = await db.select({ n: count() }).from(residents).where(where);
  return { items, total: total?.n ?? 0 };
}

export async function insertResident(db: Executor, row: typeof residents.$inferInsert): Promise<ResidentRow> {
  const [r] = await db.insert(residents).values(row).returning();
  return r!;
}

export async function updateResident(db: Executor, communityId: string, id: string, patch: Partial<typeof residents.$inferInsert>) {
  const [r] = await db
    .update(residents)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(and(eq(residents.communityId, communityId), eq(residents.id, id)))
    .returning();
  return r!;
}

export async function currentHomes(db: Executor, communityId: string, residentId: string) {
  return db
    .select({
      residencyId: residencies.id,
      relation: residencies.relation,
      householdHead: residencies.householdHead,
      movedInOn: residencies.movedInOn,
      movedOutOn: residencies.movedOutOn,
      roomId: rooms.id,
      address: rooms.address,
    })
    .from(residencies)
    .innerJoin(rooms, and(eq(rooms.communityId, residencies.communityId), eq(rooms.id, residencies.roomId)))
    .where(and(eq(residencies.communityId, communityId), eq(residencies.residentId, residentId)))
    .orderBy(desc(residencies.movedInOn));
}

export async function findBuilding(db: Executor, id: string): Promise<BuildingRow | undefined> {
  const [r] = await db.select().from(buildings).where(eq(buildings.id, id));
  return r;
}

export async function listBuildings(db: Executor, w: Within, communityId?: string) {
  const conds: SQL[] = [within(buildings, w)];
  if (communityId) conds.push(eq(buildings.communityId, communityId));
  const roomCounts = db
    .select({
      communityId: rooms.communityId,
      buildingId: rooms.buildingId,
      rooms: sql<number>`count(*)::int`.as('rooms'),
      occupied:
        sql<number>`count(*) filter (where exists (select 1 from residencies rs where rs.community_id = rooms.community_id and rs.room_id = rooms.id and rs.moved_out_on is null))::int`.as(
          'occupied',
        ),
    })
    .from(rooms)
    .groupBy(rooms.communityId, rooms.buildingId)
    .as('rc');
  return db
    .select({
      building: buildings,
      rooms: sql<number>`coalesce(${roomCounts.rooms}, 0)`,
      occupied: sql<number>`coalesce(${roomCounts.occupied}, 0)`,
    })
    .from(buildings)
    .leftJoin(roomCounts, and(eq(roomCounts.communityId, buildings.communityId), eq(roomCounts.buildingId, buildings.id)))
    .where(and(...conds))
    .orderBy(asc(buildings.communityId), asc(buildings.compound), sql`length(${buildings.number})`, asc(buildings.number));
}

export async function insertBuilding(db: Executor, row: typeof buildings.$inferInsert) {
  const [r] = await db.insert(buildings).values(row).returning();
  return r!;
}

export async function insertUnits(db: Executor, rows: (typeof units.$inferInsert)[]) {
  if (rows.length) await db.insert(units).values(rows);
}

export async function unitsOf(db: Executor, communityId: string, buildingId: string) {
  return db
    .select()
    .from(units)
    .where(and(eq(units.communityId, communityId), eq(units.buildingId, buildingId)))
    .orderBy(sql`length(${units.number})`, asc(units.number));
}

export async function roomsOf(db: Executor, communityId: string, buildingId: string) {
  return db
    .select({
      room: rooms,
      occupants: sql<number>`(select count(*)::int from residencies rs where rs.community_id = rooms.community_id and rs.room_id = rooms.id and rs.moved_out_on is null)`,
    })
    .from(rooms)
    .where(and(eq(rooms.communityId, communityId), eq(rooms.buildingId, buildingId)))
    .orderBy(asc(rooms.floor), sql`length(${rooms.number})`, asc(rooms.number));
}

export async function findRoom(db: Executor, id: string): Promise<RoomRow | undefined> {
  const [r] = await db.select().from(rooms).where(eq(rooms.id, id));
  return r;
}

export async function insertRoom(db: Executor, row: typeof rooms.$inferInsert) {
  const [r] = await db.insert(rooms).values(row).returning();
  return r!;
}

export async function findResidency(db: Executor, id: string): Promise<ResidencyRow | undefined> {
  const [r] = await db.select().from(residencies).where(eq(residencies.id, id));
  return r;
}

export async function currentResidency(db: Executor, communityId: string, residentId: string, roomId: string, relation: string) {
  const [r] = await db
    .select()
    .from(residencies)
    .where(
      and(
        eq(residencies.communityId, communityId),
        eq(residencies.residentId, residentId),
        eq(residencies.roomId, roomId),
        eq(residencies.relation, relation),
        isNull(residencies.movedOutOn),
      ),
    );
  return r;
}

export async function insertResidency(db: Executor, row: typeof residencies.$inferInsert) {
  const [r] = await db.insert(residencies).values(row).returning();
  return r!;
}

export async function endResidency(db: Executor, communityId: string, id: string, on: string) {
  const [r] = await db
    .update(residencies)
    .set({ movedOutOn: on, updatedAt: sql`now()` })
    .where(and(eq(residencies.communityId, communityId), eq(residencies.id, id)))
    .returning();
  return r!;
}

/** Every room of a community by `compound|building|unit|room`, as ledgers name them. */
export async function roomKeys(db: Executor, communityId: string) {
  const rows = await db
    .select({
      roomId: rooms.id,
      gridId: buildings.gridId,
      compound: buildings.compound,
      building: buildings.number,
      unit: units.number,
      room: rooms.number,
    })
    .from(rooms)
    .innerJoin(buildings, and(eq(buildings.communityId, rooms.communityId), eq(buildings.id, rooms.buildingId)))
    .leftJoin(units, and(eq(units.communityId, rooms.communityId), eq(units.id, rooms.unitId)))
    .where(eq(rooms.communityId, communityId));
  return new Map(rows.map((r) => [`${r.compound}|${r.building}|${r.unit ?? ''}|${r.room}`, { roomId: r.roomId, gridId: r.gridId }]));
}

export async function idNumberIndexes(db: Executor, communityId: string): Promise<Set<string>> {
  const rows = await db.select({ i: residents.idNumberIndex }).from(residents).where(eq(residents.communityId, communityId));
  return new Set(rows.map((r) => r.i));
}

/** Inserts many residents and their homes in batches (inside the caller's transaction). */
export async function insertResidentsBatch(
  db: Executor,
  people: (typeof residents.$inferInsert)[],
  homes: (typeof residencies.$inferInsert)[],
) {
  for (let i = 0; i < people.length; i += 1000) await db.insert(residents).values(people.slice(i, i + 1000));
  for (let i = 0; i < homes.length; i += 1000) await db.insert(residencies).values(homes.slice(i, i + 1000));
}

/** The building or room whose plate code this is. */
export async function findByPlate(db: Executor, communityId: string, code: string) {
  const [b] = await db
    .select()
    .from(buildings)
    .where(and(eq(buildings.communityId, communityId), eq(buildings.plateCode, code)));
  if (b) return { building: b, room: null };
  const [r] = await db
    .select()
    .from(rooms)
    .where(and(eq(rooms.communityId, communityId), eq(rooms.plateCode, code)));
  if (!r) return null;
  const [rb] = await db
    .select()
    .from(buildings)
    .where(and(eq(buildings.communityId, communityId), eq(buildings.id, r.buildingId)));
  return rb ? { building: rb, room: r } : null;
}
