// SQL for organisations and their members. Only this module reads or writes them.
import { and, asc, count, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/pool.js';
import { organisationMembers, organisations } from './schema.js';

export type OrganisationRow = typeof organisations.$inferSelect;
export type MemberRow = typeof organisationMembers.$inferSelect;

export async function findOrganisation(db: Executor, id: string): Promise<OrganisationRow | undefined> {
  const [r] = await db.select().from(organisations).where(eq(organisations.id, id));
  return r;
}

export async function listOrganisations(db: Executor, communityIds: string[], kind?: string) {
  if (communityIds.length === 0) return [];
  const conds: SQL[] = [inArray(organisations.communityId, communityIds)];
  if (kind) conds.push(eq(organisations.kind, kind));
  const members = db
    .select({ communityId: organisationMembers.communityId, organisationId: organisationMembers.organisationId, n: count().as('n') })
    .from(organisationMembers)
    .where(isNull(organisationMembers.leftOn))
    .groupBy(organisationMembers.communityId, organisationMembers.organisationId)
    .as('m');
  return db
    .select({ org: organisations, members: sql<number>`coalesce(${members.n}, 0)::int` })
    .from(organisations)
    .leftJoin(members, and(eq(members.communityId, organisations.communityId), eq(members.organisationId, organisations.id)))
    .where(and(...conds))
    .orderBy(asc(organisations.communityId), asc(organisations.kind), asc(organisations.name));
}

export async function insertOrganisation(db: Executor, row: typeof organisations.$inferInsert) {
  const [r] = await db.insert(organisations).values(row).returning();
  return r!;
}

export async function updateOrganisation(db: Executor, communityId: string, id: string, patch: Partial<typeof organisations.$inferInsert>) {
  const [r] = await db
    .update(organisations)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(and(eq(organisations.communityId, communityId), eq(organisations.id, id)))
    .returning();
  return r!;
}

export async function membersOf(db: Executor, communityId: string, organisationId: string) {
  return (
    db
      .select()
      .from(organisationMembers)
      .where(and(eq(organisationMembers.communityId, communityId), eq(organisationMembers.organisationId, organisationId)))
      // Current members first, then those who left, most recent first.
      .orderBy(
        sql`${organisationMembers.leftOn} is not null`,
        desc(organisationMembers.leftOn),
        asc(organisationMembers.joinedOn),
        asc(organisationMembers.id),
      )
  );
}

export async function findMember(db: Executor, id: string): Promise<MemberRow | undefined> {
  const [r] = await db.select().from(organisationMembers).where(eq(organisationMembers.id, id));
  return r;
}

export async function insertMember(db: Executor, row: typeof organisationMembers.$inferInsert) {
  const [r] = await db.insert(organisationMembers).values(row).returning();
  return r!;
}

export async function insertMany(
  db: Executor,
  orgs: (typeof organisations.$inferInsert)[],
  members: (typeof organisationMembers.$inferInsert)[],
) {
  for (let i = 0; i < orgs.length; i += 500) await db.insert(organisations).values(orgs.slice(i, i + 500));
  for (let i = 0; i < members.length; i += 1000) await db.insert(organisationMembers).values(members.slice(i, i + 1000));
}

export async function endMember(db: Executor, communityId: string, id: string, leftOn: string) {
  const [r] = await db
    .update(organisationMembers)
    .set({ leftOn, updatedAt: sql`now()` })
    .where(and(eq(organisationMembers.communityId, communityId), eq(organisationMembers.id, id)))
    .returning();
  return r!;
}
