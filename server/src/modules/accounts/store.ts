// SQL for users and sessions. Only the accounts module reads or writes them.
import { and, asc, count, eq, ilike, isNull, like, ne, or, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../db/pool.js';
import { regions } from '../regions/schema.js';
import { sessions, users } from './schema.js';

export type UserRow = typeof users.$inferSelect;

const userView = {
  id: users.id,
  username: users.username,
  displayName: users.displayName,
  roles: users.roles,
  status: users.status,
  regionId: users.regionId,
  regionName: regions.name,
  regionLevel: regions.level,
  regionPath: regions.path,
  lockedUntil: users.lockedUntil,
  lastLoginAt: users.lastLoginAt,
  createdAt: users.createdAt,
};

export async function findByUsername(db: Executor, username: string): Promise<UserRow | undefined> {
  const [u] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.username}) = lower(${username})`);
  return u;
}

export async function findUserView(db: Executor, id: string) {
  const [u] = await db.select(userView).from(users).innerJoin(regions, eq(regions.id, users.regionId)).where(eq(users.id, id));
  return u;
}

export async function findUser(db: Executor, id: string): Promise<UserRow | undefined> {
  const [u] = await db.select().from(users).where(eq(users.id, id));
  return u;
}

export async function userRegionPath(db: Db, id: string): Promise<string | null> {
  const { rows } = await db.$client.query<{ path: string }>(
    'select r.path from users u join regions r on r.id = u.region_id where u.id = $1',
    [id],
  );
  return rows[0]?.path ?? null;
}

export async function listUsers(db: Executor, scopePath: string, q: string | undefined, limit: number, offset: number) {
  const conds = [like(regions.path, `${scopePath}%`)];
  if (q) {
    const pat = `%${q.replace(/[\\%_]/g, '\\$&')}%`;
    conds.push(or(ilike(users.username, pat), ilike(users.displayName, pat))!);
  }
  const where = and(...conds);
  const [items, [total]] = await Promise.all([
    db
      .select(userView)
      .from(users)
      .innerJoin(regions, eq(regions.id, users.regionId))
      .where(where)
      .orderBy(asc(regions.path), asc(users.username))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(users).innerJoin(regions, eq(regions.id, users.regionId)).where(where),
  ]);
  return { items, total: total?.n ?? 0 };
}

export async function insertUser(db: Executor, row: typeof users.$inferInsert) {
  await db.insert(users).values(row);
}

export async function patchUser(db: Executor, id: string, patch: Partial<typeof users.$inferInsert>) {
  await db
    .update(users)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(users.id, id));
}

export async function recordFailure(db: Executor, id: string, maxFailures: number, lockSeconds: number) {
  const [r] = await db
    .update(users)
    .set({
      failedLogins: sql`case when ${users.failedLogins} + 1 >= ${maxFailures} then 0 else ${users.failedLogins} + 1 end`,
      lockedUntil: sql`case when ${users.failedLogins} + 1 >= ${maxFailures} then now() + make_interval(secs => ${lockSeconds}) else ${users.lockedUntil} end`,
    })
    .where(eq(users.id, id))
    .returning({ failedLogins: users.failedLogins, lockedUntil: users.lockedUntil });
  return r!;
}

export async function insertSession(db: Executor, row: typeof sessions.$inferInsert) {
  await db.insert(sessions).values(row);
}

export async function revokeSession(db: Executor, id: string) {
  await db
    .update(sessions)
    .set({ revokedAt: sql`now()` })
    .where(eq(sessions.id, id));
}

/** Ends every open session of a user, except `keep` (the caller's own, on a password change). */
export async function revokeUserSessions(db: Executor, userId: string, keep?: string) {
  await db
    .update(sessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), keep ? ne(sessions.id, keep) : undefined));
}

export async function countUsers(db: Executor): Promise<number> {
  const [r] = await db.select({ n: count() }).from(users);
  return r?.n ?? 0;
}
