// SQL for users and sessions. Only the accounts module reads or writes them.
import { and, asc, count, eq, ilike, inArray, isNull, like, ne, or, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../db/pool.js';
import { regions } from '../regions/schema.js';
import { loginThrottle, sessions, users } from './schema.js';

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
  lockedUntil: loginThrottle.lockedUntil,
  lastLoginAt: users.lastLoginAt,
  createdAt: users.createdAt,
  phoneMasked: users.phoneMasked,
};

const throttleJoin = eq(loginThrottle.usernameKey, sql`lower(${users.username})`);

export async function findByUsername(db: Executor, username: string): Promise<UserRow | undefined> {
  const [u] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.username}) = lower(${username})`);
  return u;
}

export async function findUserView(db: Executor, id: string) {
  const [u] = await db
    .select(userView)
    .from(users)
    .innerJoin(regions, eq(regions.id, users.regionId))
    .leftJoin(loginThrottle, throttleJoin)
    .where(eq(users.id, id));
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
      .leftJoin(loginThrottle, throttleJoin)
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

export async function throttleOf(db: Executor, username: string) {
  const [r] = await db.select().from(loginThrottle).where(eq(loginThrottle.usernameKey, username.toLowerCase()));
  return r;
}

/** Counts a failed login for `username`; at `maxFailures` the name is locked for `lockSeconds`. */
export async function recordFailure(db: Executor, username: string, maxFailures: number, lockSeconds: number) {
  const { rows } = await db.execute<{ failures: number; locked_until: string | null }>(sql`
    insert into login_throttle as t (username_key, failures, updated_at) values (${username.toLowerCase()}, 1, now())
    on conflict (username_key) do update set
      failures = case when t.failures + 1 >= ${maxFailures} then 0 else t.failures + 1 end,
      locked_until = case when t.failures + 1 >= ${maxFailures} then now() + make_interval(secs => ${lockSeconds}) else t.locked_until end,
      updated_at = now()
    returning failures, locked_until`);
  const r = rows[0]!;
  return { failures: r.failures, lockedUntil: r.locked_until ? new Date(r.locked_until) : null };
}

export async function clearThrottle(db: Executor, username: string) {
  await db.delete(loginThrottle).where(eq(loginThrottle.usernameKey, username.toLowerCase()));
}

/** Forget failures of names not tried for a day (made-up names would otherwise pile up). */
export async function pruneThrottle(db: Executor) {
  await db
    .delete(loginThrottle)
    .where(
      sql`${loginThrottle.updatedAt} < now() - interval '1 day' and (${loginThrottle.lockedUntil} is null or ${loginThrottle.lockedUntil} < now())`,
    );
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

export async function namesWithRole(db: Executor, regionId: string, role: string): Promise<string[]> {
  const rows = await db
    .select({ name: users.displayName })
    .from(users)
    .where(and(eq(users.regionId, regionId), eq(users.status, 'active'), sql`${role} = any(${users.roles})`))
    .orderBy(asc(users.displayName));
  return rows.map((r) => r.name);
}

export async function userBriefs(db: Executor, ids: string[]) {
  if (ids.length === 0) return new Map<string, { id: string; displayName: string; regionId: string; roles: string[]; status: string }>();
  const rows = await db
    .select({ id: users.id, displayName: users.displayName, regionId: users.regionId, roles: users.roles, status: users.status })
    .from(users)
    .where(inArray(users.id, ids));
  return new Map(rows.map((r) => [r.id, r]));
}

/** Encrypted phones of accounts (for urgent text messages); accounts without one are left out. */
export async function phonesOf(db: Executor, ids: string[]): Promise<Map<string, Buffer>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: users.id, phoneEnc: users.phoneEnc })
    .from(users)
    .where(and(inArray(users.id, ids), sql`${users.phoneEnc} is not null`));
  return new Map(rows.map((r) => [r.id, r.phoneEnc!]));
}
