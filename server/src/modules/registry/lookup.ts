// What other modules may ask the register about its people (they never query its tables).
import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/pool.js';
import { residents, rooms } from './schema.js';

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
