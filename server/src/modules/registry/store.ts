// SQL for the register's tables. Only the registry module reads or writes them.
import { and, asc, count, desc, eq, ilike, inArray, isNull, like, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db, Executor } from '../../db/pool.js';
import { nameQueryGrams } from './model.js';
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

/** A resident of the community holding any of these document indexes (registry/service.ts documentIndexes). */
export async function findResidentByIdNumber(db: Executor, communityId: string, idNumberIndexes: string[]) {
  const [r] = await db
    .select()
    .from(residents)
    .where(and(eq(residents.communityId, communityId), inArray(residents.idNumberIndex, idNumberIndexes)));
  return r;
}

export interface ResidentFilter {
  /** Exact matches through blind indexes: any of them (the current and the previous keys' indexes). */
  idNumberIndex?: string[];
  phoneIndex?: string[];
  /** Lower-case ASCII: pinyin initials or full pinyin prefix. */
  pinyin?: string;
  /** Chinese name fragment or address fragment. */
  text?: string;
  tag?: string;
  gridId?: string;
  communityId?: string;
}

/** A current home of a resident, as lists show it. */
export interface Home {
  address: string;
  relation: string;
}

/**
 * A resident's current homes (room address and relation), head-of-household homes first, as a column
 * of a query over `residents` (named so: Drizzle leaves a lone table's columns unqualified, which
 * inside this subquery would read as the residencies' own).
 */
const homes = sql<Home[]>`(select coalesce(json_agg(json_build_object('address', r.address, 'relation', rs.relation)
                  order by rs.household_head desc, rs.moved_in_on desc nulls last), '[]'::json)
     from residencies rs join rooms r on r.community_id = rs.community_id and r.id = rs.room_id
    where rs.community_id = residents.community_id and rs.resident_id = residents.id and rs.moved_out_on is null)`;

/**
 * Residents in scope matching the filter, a page of them with their current homes, and how many
 * match. A search (`f` has a text, pinyin or exact-match key) runs as one statement, which also
 * writes `audit` — the read's audit entry, given the SQL of what was returned and found — so that the
 * search and its record are one round trip; `audited` tells whether it did.
 */
export async function searchResidents(
  db: Db,
  w: Within,
  f: ResidentFilter,
  limit: number,
  offset: number,
  audit?: (found: { returned: SQL; total: SQL }) => SQL,
): Promise<{ items: (ResidentRow & { homes: Home[] })[]; total: number; audited: boolean }> {
  const conds: SQL[] = [within(residents, w)];
  if (f.communityId) conds.push(eq(residents.communityId, f.communityId));
  if (f.gridId) conds.push(eq(residents.gridId, f.gridId));
  if (f.tag) conds.push(sql`${residents.tags} @> array[${f.tag}]::text[]`);
  if (f.idNumberIndex) conds.push(inArray(residents.idNumberIndex, f.idNumberIndex));
  if (f.phoneIndex) conds.push(inArray(residents.phoneIndex, f.phoneIndex));
  if (f.pinyin) conds.push(or(like(residents.nameInitials, `${f.pinyin}%`), like(residents.namePinyin, `${f.pinyin}%`))!);
  if (f.text) {
    const pat = `%${f.text.replace(/[\\%_]/g, '\\$&')}%`;
    const ids = sql.param(w.communityIds);
    const grams = nameQueryGrams(f.text);
    // A name or a current home's address matches. Written as a union of the two lookups, each by its
    // own index, not as `name ilike … or exists (…)`, which PostgreSQL can only answer by testing
    // every resident in scope. Names: the scope and the name's pieces in one GIN index (nameGrams),
    // rechecked as a substring when the query is longer than one piece. Addresses: the matching
    // rooms first, by the trigram index on rooms.address (`offset 0` keeps the planner from starting
    // at the residencies), then who lives there now.
    // Correlated names are written out: Drizzle may leave a column unqualified inside a subquery.
    const byName = grams.length
      ? sql`select n.community_id, n.id from residents n
             where n.community_id = any(${ids}::uuid[]) and n.name_grams @> ${arrayParam(grams)}::text[]
               ${grams.length > 1 || Array.from(grams[0]!).length > 2 ? sql`and n.name ilike ${pat}` : sql``}
            union`
      : sql``;
    conds.push(
      sql`(residents.community_id, residents.id) in (
            ${byName}
            select rs.community_id, rs.resident_id
              from (select r.community_id, r.id from rooms r
                     where r.community_id = any(${ids}::uuid[]) and r.address ilike ${pat} offset 0) r
              join residencies rs on rs.community_id = r.community_id and rs.room_id = r.id and rs.moved_out_on is null)`,
    );
  }
  const where = and(...conds);
  const order = (t: { communityId: AnyPgColumn; name: AnyPgColumn; id: AnyPgColumn }) => [asc(t.communityId), asc(t.name), asc(t.id)];
  const withHomes = (rows: { resident: ResidentRow; homes: Home[] | null }[]) => rows.map((r) => ({ ...r.resident, homes: r.homes ?? [] }));
  if (!f.text && !f.pinyin && !f.idNumberIndex && !f.phoneIndex) {
    // Everyone in scope (perhaps with a tag): the page and the count are two different walks.
    const [rows, [total]] = await Promise.all([
      db
        .select({ resident: residents, homes })
        .from(residents)
        .where(where)
        .orderBy(...order(residents))
        .limit(limit)
        .offset(offset),
      db.select({ n: count() }).from(residents).where(where),
    ]);
    return { items: withHomes(rows), total: total?.n ?? 0, audited: false };
  }
  // A search: its hits are found once, then counted and paged in the same statement (an exact match
  // by blind index finds a few rows at most), with the audit entry.
  const hits = db
    .$with('hits')
    .as(db.select({ communityId: residents.communityId, id: residents.id, name: residents.name }).from(residents).where(where));
  const page = db.$with('page').as(
    db
      .select()
      .from(hits)
      .orderBy(...order(hits))
      .limit(limit)
      .offset(offset),
  );
  const entry = audit
    ? [
        db
          .$with('audit_entry', { id: sql<string>`id` })
          .as(audit({ returned: sql`(select count(*) from page)`, total: sql`(select count(*) from hits)` })),
      ]
    : [];
  const rows = await db
    .with(hits, page, ...entry)
    .select({ resident: residents, homes, total: sql<number>`(select count(*) from ${hits})`.mapWith(Number) })
    .from(page)
    .innerJoin(residents, and(eq(residents.communityId, page.communityId), eq(residents.id, page.id)))
    .orderBy(...order(page));
  const audited = audit !== undefined;
  if (rows.length > 0) return { items: withHomes(rows), total: rows[0]!.total, audited };
  if (offset === 0) return { items: [], total: 0, audited };
  const [total] = await db.select({ n: count() }).from(residents).where(where);
  return { items: [], total: total?.n ?? 0, audited };
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

export async function listBuildings(db: Executor, w: Within, communityId?: string, gridId?: string) {
  const conds: SQL[] = [within(buildings, w)];
  if (communityId) conds.push(eq(buildings.communityId, communityId));
  if (gridId) conds.push(eq(buildings.gridId, gridId));
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

/** Residents with their homes, one array per column (element i of each is the i-th person). */
export interface ResidentColumns {
  id: string[];
  gridId: (string | null)[];
  name: string[];
  namePinyin: string[];
  nameInitials: string[];
  nameGrams: string[][];
  gender: (string | null)[];
  birthDate: (string | null)[];
  idType: string[];
  idNumberEnc: Buffer[];
  idNumberIndex: string[];
  idNumberMasked: string[];
  phoneEnc: (Buffer | null)[];
  phoneIndex: (string | null)[];
  phoneMasked: (string | null)[];
  hukou: string[];
  hukouAddress: (string | null)[];
  tags: string[][];
  disabilityGrade: (number | null)[];
  note: (string | null)[];
  homeId: string[];
  roomId: string[];
  relation: string[];
  householdHead: boolean[];
  movedInOn: (string | null)[];
}

export function residentColumns(): ResidentColumns {
  return {
    id: [],
    gridId: [],
    name: [],
    namePinyin: [],
    nameInitials: [],
    nameGrams: [],
    gender: [],
    birthDate: [],
    idType: [],
    idNumberEnc: [],
    idNumberIndex: [],
    idNumberMasked: [],
    phoneEnc: [],
    phoneIndex: [],
    phoneMasked: [],
    hukou: [],
    hukouAddress: [],
    tags: [],
    disabilityGrade: [],
    note: [],
    homeId: [],
    roomId: [],
    relation: [],
    householdHead: [],
    movedInOn: [],
  };
}

/** A text[] parameter (as its literal). */
const arrayParam = (xs: string[]) => sql.param(textArrayLiteral(xs));

/** A text[] literal, for one row's array inside an unnest()ed column. */
const textArrayLiteral = (xs: string[]) => `{${xs.map(quoteElement).join(',')}}`;

/** An array element, quoted (so that no value reads as NULL or splits), with `\\` and `"` escaped. */
const quoteElement = (x: string) => (/["\\]/.test(x) ? `"${x.replace(/["\\]/g, '\\$&')}"` : `"${x}"`);

/**
 * A one-dimensional array parameter, written as PostgreSQL's array literal here (what node-postgres
 * would write for a JS array, with less work per element): strings, numbers, booleans, byte strings.
 */
function arrayLiteral(xs: readonly (string | number | boolean | Buffer | null)[]): string {
  let out = '{';
  for (let i = 0; i < xs.length; i++) {
    if (i > 0) out += ',';
    const x = xs[i];
    if (x === null || x === undefined) out += 'NULL';
    else if (typeof x === 'string') out += quoteElement(x);
    else if (Buffer.isBuffer(x)) out += `"\\\\x${x.toString('hex')}"`;
    else out += String(x);
  }
  return `${out}}`;
}

/**
 * Inserts residents and their homes (inside the caller's transaction): one statement per table,
 * each column sent as one array parameter and unnest()ed, which costs far less to build and to
 * parse than a multi-row VALUES list with a parameter per cell.
 */
export async function insertResidentColumns(db: Executor, communityId: string, c: ResidentColumns) {
  if (c.id.length === 0) return;
  const cols = (xs: AnyPgColumn[]) =>
    sql.join(
      xs.map((x) => sql.identifier(x.name)),
      sql`, `,
    );
  const p = (v: readonly (string | number | boolean | Buffer | null)[], type: string) => sql`${arrayLiteral(v)}::${sql.raw(type)}[]`;
  await db.execute(sql`
    insert into ${residents} (${cols([residents.communityId, residents.id, residents.gridId, residents.name, residents.namePinyin, residents.nameInitials, residents.nameGrams, residents.gender, residents.birthDate, residents.idType, residents.idNumberEnc, residents.idNumberIndex, residents.idNumberMasked, residents.phoneEnc, residents.phoneIndex, residents.phoneMasked, residents.hukou, residents.hukouAddress, residents.tags, residents.disabilityGrade, residents.note])})
    select ${communityId}::uuid, t.id, t.grid_id, t.name, t.name_pinyin, t.name_initials, t.name_grams::text[], t.gender, t.birth_date, t.id_type,
           t.id_number_enc, t.id_number_index, t.id_number_masked, t.phone_enc, t.phone_index, t.phone_masked,
           t.hukou, t.hukou_address, t.tags::text[], t.disability_grade, t.note
      from unnest(${p(c.id, 'uuid')}, ${p(c.gridId, 'uuid')}, ${p(c.name, 'text')}, ${p(c.namePinyin, 'text')}, ${p(c.nameInitials, 'text')}, ${p(c.nameGrams.map(textArrayLiteral), 'text')},
                  ${p(c.gender, 'text')}, ${p(c.birthDate, 'date')}, ${p(c.idType, 'text')}, ${p(c.idNumberEnc, 'bytea')},
                  ${p(c.idNumberIndex, 'text')}, ${p(c.idNumberMasked, 'text')}, ${p(c.phoneEnc, 'bytea')}, ${p(c.phoneIndex, 'text')},
                  ${p(c.phoneMasked, 'text')}, ${p(c.hukou, 'text')}, ${p(c.hukouAddress, 'text')}, ${p(c.tags.map(textArrayLiteral), 'text')},
                  ${p(c.disabilityGrade, 'smallint')}, ${p(c.note, 'text')})
        as t(id, grid_id, name, name_pinyin, name_initials, name_grams, gender, birth_date, id_type, id_number_enc, id_number_index,
             id_number_masked, phone_enc, phone_index, phone_masked, hukou, hukou_address, tags, disability_grade, note)`);
  await db.execute(sql`
    insert into ${residencies} (${cols([residencies.communityId, residencies.id, residencies.residentId, residencies.roomId, residencies.relation, residencies.householdHead, residencies.movedInOn])})
    select ${communityId}::uuid, t.id, t.resident_id, t.room_id, t.relation, t.household_head, t.moved_in_on
      from unnest(${p(c.homeId, 'uuid')}, ${p(c.id, 'uuid')}, ${p(c.roomId, 'uuid')}, ${p(c.relation, 'text')},
                  ${p(c.householdHead, 'boolean')}, ${p(c.movedInOn, 'date')})
        as t(id, resident_id, room_id, relation, household_head, moved_in_on)`);
}

/**
 * Merges the name index's pending entries (schema.ts, residents_name_grams_idx) into the index, so
 * that searches after a large import do not scan them. Outside the import's transaction: it only
 * reorganises the index, and a merge by autovacuum or another session at the same time is harmless.
 */
export async function mergePendingNameEntries(db: Executor) {
  await db.execute(sql`select gin_clean_pending_list('residents_name_grams_idx'::regclass)`);
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

/** Rooms by address fragment (trigram index on rooms.address), within the caller's communities/grid. */
export async function searchRooms(db: Executor, w: Within, q: string | undefined, limit: number, offset: number) {
  if (w.communityIds.length === 0) return { items: [], total: 0 };
  const conds: SQL[] = [inArray(rooms.communityId, w.communityIds)];
  if (w.gridIds) conds.push(inArray(buildings.gridId, w.gridIds));
  if (q) conds.push(ilike(rooms.address, `%${q.replace(/[\\%_]/g, '\\$&')}%`));
  const where = and(...conds);
  const occupants = sql<number>`(select count(*)::int from residencies rs where rs.community_id = rooms.community_id and rs.room_id = rooms.id and rs.moved_out_on is null)`;
  const base = db
    .select({ room: rooms, occupants })
    .from(rooms)
    .innerJoin(buildings, and(eq(buildings.communityId, rooms.communityId), eq(buildings.id, rooms.buildingId)))
    .where(where);
  const [items, [total]] = await Promise.all([
    base.orderBy(asc(rooms.address)).limit(limit).offset(offset),
    db
      .select({ n: count() })
      .from(rooms)
      .innerJoin(buildings, and(eq(buildings.communityId, rooms.communityId), eq(buildings.id, rooms.buildingId)))
      .where(where),
  ]);
  return { items, total: total?.n ?? 0 };
}
