// Use cases of places and facilities.
import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { pgErrorCode, type Db, type Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import type { Ctx } from '../../http/context.js';
import { problems } from '../../http/errors.js';
import { auditedChange } from '../audit/service.js';
import { emit } from '../events/service.js';
import { dataScope, pathOfPlace, placeOf } from '../regions/service.js';
import { FACILITY_KINDS, type FacilityKind } from './model.js';
import { facilities } from './schema.js';

type Row = typeof facilities.$inferSelect;

function present(f: Row) {
  const k = FACILITY_KINDS[f.kind as FacilityKind];
  return {
    id: f.id,
    communityId: f.communityId,
    gridId: f.gridId,
    kind: f.kind,
    kindLabel: k?.label ?? f.kind,
    group: k?.group ?? 'thing',
    name: f.name,
    buildingId: f.buildingId,
    location: f.location,
    lng: f.lng,
    lat: f.lat,
    capacity: f.capacity,
    status: f.status,
    attributes: f.attributes as Record<string, unknown>,
  };
}

export interface FacilityInput {
  kind: FacilityKind;
  name: string;
  location?: string | null;
  lng?: number | null;
  lat?: number | null;
  capacity?: number | null;
  status?: 'in_service' | 'out_of_service' | 'planned';
  attributes?: Record<string, unknown>;
}

async function find(db: Executor, id: string): Promise<Row | undefined> {
  const [f] = await db.select().from(facilities).where(eq(facilities.id, id));
  return f;
}

export async function listFacilities(ctx: Ctx, q: { communityId?: string | undefined; kind?: string | undefined }) {
  const w = await dataScope(ctx.db, ctx.caller);
  if (w.communityIds.length === 0) return [];
  const conds: SQL[] = [inArray(facilities.communityId, w.communityIds)];
  // A grid worker sees its grid's facilities and the community-wide ones.
  if (w.gridIds) conds.push(sql`(${facilities.gridId} is null or ${inArray(facilities.gridId, w.gridIds)})`);
  if (q.communityId) conds.push(eq(facilities.communityId, q.communityId));
  if (q.kind) conds.push(eq(facilities.kind, q.kind));
  const rows = await ctx.db
    .select()
    .from(facilities)
    .where(and(...conds))
    .orderBy(asc(facilities.communityId), asc(facilities.kind), asc(facilities.name));
  return rows.map(present);
}

export async function facilityDetail(db: Db, id: string) {
  const f = await find(db, id);
  if (!f) throw problems.notFound('设施');
  return present(f);
}

const duplicate = () => problems.conflict('本社区已有同名同类设施', [{ field: 'body.name', message: '本社区已有同名同类设施' }]);

export async function createFacility(ctx: Ctx, regionId: string, input: FacilityInput) {
  const place = await placeOf(ctx.db, regionId);
  if (!place) throw problems.field('body.regionId', '应为社区或网格');
  try {
    return await auditedChange(
      ctx,
      {
        targetType: 'facility',
        targetId: (f) => f.id,
        scopePath: () => place.path,
        statusCode: 201,
        detail: (f) => ({ kind: f.kind, name: f.name }),
      },
      async (tx: Executor) => {
        const [f] = await tx
          .insert(facilities)
          .values({
            communityId: place.communityId,
            id: uuidv7(),
            gridId: place.gridId,
            kind: input.kind,
            name: input.name,
            location: input.location ?? null,
            lng: input.lng ?? null,
            lat: input.lat ?? null,
            capacity: input.capacity ?? null,
            status: input.status ?? 'in_service',
            attributes: input.attributes ?? {},
          })
          .returning();
        await emit(tx, 'facility.registered', { facilityId: f!.id, kind: f!.kind }, f!.communityId);
        return present(f!);
      },
    );
  } catch (e) {
    if (pgErrorCode(e) === '23505') throw duplicate();
    throw e;
  }
}

/**
 * Changes a facility's fields; `regionId` moves it to another grid of its community, or to the
 * community itself (no grid). A facility stays in its community: moving it elsewhere is registering
 * it there.
 */
export async function updateFacility(ctx: Ctx, id: string, patch: Partial<FacilityInput>, regionId?: string) {
  const f = await find(ctx.db, id);
  if (!f) throw problems.notFound('设施');
  const path = (await pathOfPlace(ctx.db, f.communityId, f.gridId))!;
  let gridId: string | null | undefined;
  if (regionId !== undefined) {
    const place = await placeOf(ctx.db, regionId);
    if (!place) throw problems.field('body.regionId', '应为社区或网格');
    if (place.communityId !== f.communityId) throw problems.field('body.regionId', '只能调整到本社区的网格或社区本级');
    gridId = place.gridId;
  }
  const changed = [...Object.keys(patch), ...(gridId !== undefined && gridId !== f.gridId ? ['gridId'] : [])];
  try {
    return await auditedChange(
      ctx,
      {
        targetType: 'facility',
        targetId: () => id,
        scopePath: () => path,
        detail: () => ({ changed, ...(changed.includes('gridId') ? { fromGridId: f.gridId, toGridId: gridId } : {}) }),
      },
      async (tx: Executor) => {
        const [row] = await tx
          .update(facilities)
          .set({ ...patch, ...(gridId !== undefined ? { gridId } : {}), updatedAt: sql`now()` })
          .where(and(eq(facilities.communityId, f.communityId), eq(facilities.id, id)))
          .returning();
        if (patch.status && patch.status !== f.status)
          await emit(tx, 'facility.status-changed', { facilityId: id, status: patch.status }, f.communityId);
        return present(row!);
      },
    );
  } catch (e) {
    if (pgErrorCode(e) === '23505') throw duplicate();
    throw e;
  }
}

export async function facilityPath(db: Db, id: string): Promise<string | null> {
  const f = await find(db, id);
  return f ? pathOfPlace(db, f.communityId, f.gridId) : null;
}
