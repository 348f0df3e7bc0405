// What other modules may ask the register about its people (they never query its tables).
import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/pool.js';
import { buildings, residents, rooms } from './schema.js';
import { findByPlate } from './store.js';

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

/** A building or a room by id (the room wins when both are given). */
export async function placeSummary(db: Executor, ref: { buildingId?: string; roomId?: string }): Promise<PlaceSummary | undefined> {
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
