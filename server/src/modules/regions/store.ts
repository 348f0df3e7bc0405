// SQL for the regions table. Only the regions module reads or writes it.
import { and, asc, count, eq, inArray, like, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../db/pool.js';
import { regions } from './schema.js';
import type { Geometry, Level } from './model.js';

export type RegionRow = typeof regions.$inferSelect;

export async function findRegion(db: Executor, id: string): Promise<RegionRow | undefined> {
  const [r] = await db.select().from(regions).where(eq(regions.id, id));
  return r;
}

export async function findRegionByCode(db: Executor, code: string): Promise<RegionRow | undefined> {
  const [r] = await db.select().from(regions).where(eq(regions.code, code));
  return r;
}

export async function regionPath(db: Db, id: string): Promise<string | null> {
  const { rows } = await db.$client.query<{ path: string }>('select path from regions where id = $1', [id]);
  return rows[0]?.path ?? null;
}

/** The communities under `path`, with the name of the street each belongs to, in code order. */
export async function communitiesWithin(db: Db, path: string) {
  const { rows } = await db.$client.query<{ id: string; name: string; street: string }>(
    `select c.id, c.name, coalesce(s.name, '') as street
       from regions c left join regions s on s.id = c.parent_id
      where c.level = 'community' and c.path like $1 || '%' order by c.code`,
    [path],
  );
  return rows;
}

/** The subtree under `path` without boundaries (they can be large): the tree the caller sees. */
export async function listSubtree(db: Executor, path: string) {
  return db
    .select({
      id: regions.id,
      parentId: regions.parentId,
      name: regions.name,
      level: regions.level,
      code: regions.code,
      sortOrder: regions.sortOrder,
    })
    .from(regions)
    .where(like(regions.path, `${path}%`))
    .orderBy(asc(regions.depth), asc(regions.sortOrder), asc(regions.code));
}

export async function ancestorsOf(db: Executor, path: string) {
  const ids = path.split('/').filter(Boolean);
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: regions.id, name: regions.name, level: regions.level, depth: regions.depth })
    .from(regions)
    .where(inArray(regions.id, ids));
  return rows.sort((a, b) => a.depth - b.depth).map(({ id, name, level }) => ({ id, name, level: level as Level }));
}

export async function childCount(db: Executor, id: string): Promise<number> {
  const [r] = await db.select({ n: count() }).from(regions).where(eq(regions.parentId, id));
  return r?.n ?? 0;
}

export async function insertRegion(db: Executor, row: typeof regions.$inferInsert): Promise<RegionRow> {
  const [r] = await db.insert(regions).values(row).returning();
  return r!;
}

export async function updateRegion(
  db: Executor,
  id: string,
  patch: { name?: string; code?: string; boundary?: Geometry | null; sortOrder?: number },
): Promise<RegionRow> {
  const [r] = await db
    .update(regions)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(regions.id, id))
    .returning();
  return r!;
}

export async function deleteRegion(db: Executor, id: string): Promise<void> {
  await db.delete(regions).where(and(eq(regions.id, id)));
}

/** The sort order that puts a new child after its siblings. */
export async function nextSortOrder(db: Executor, parentId: string): Promise<number> {
  const [r] = await db
    .select({ m: sql<number | null>`max(${regions.sortOrder})` })
    .from(regions)
    .where(eq(regions.parentId, parentId));
  return r?.m === null || r?.m === undefined ? 0 : Number(r.m) + 1;
}

export async function idsAtLevelWithin(db: Executor, path: string, level: Level): Promise<string[]> {
  const rows = await db
    .select({ id: regions.id })
    .from(regions)
    .where(and(like(regions.path, `${path}%`), eq(regions.level, level)));
  return rows.map((r) => r.id);
}

export async function namesOf(db: Executor, ids: string[]) {
  if (ids.length === 0) return new Map<string, { name: string; level: Level; path: string }>();
  const rows = await db
    .select({ id: regions.id, name: regions.name, level: regions.level, path: regions.path })
    .from(regions)
    .where(inArray(regions.id, ids));
  return new Map(rows.map((r) => [r.id, { name: r.name, level: r.level as Level, path: r.path }]));
}

export async function gridsWithBoundaries(db: Executor) {
  const rows = await db
    .select({ id: regions.id, communityId: regions.parentId, path: regions.path, boundary: regions.boundary })
    .from(regions)
    .where(eq(regions.level, 'grid'));
  return rows.map((r) => ({ id: r.id, communityId: r.communityId!, path: r.path, boundary: r.boundary as Geometry | null }));
}
