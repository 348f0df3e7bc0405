// Use cases of the region tree: what a caller may see and change.
import { pgErrorCode, type Db, type Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import type { Caller, Ctx } from '../../http/context.js';
import { problems, type FieldError } from '../../http/errors.js';
import { auditedChange } from '../audit/service.js';
import { emit } from '../events/service.js';
import { buildTree, childLevel, childPath, codeProblem, geometryProblem, type Geometry, type Level } from './model.js';
import * as store from './store.js';

export async function visibleTree(db: Db, caller: Caller) {
  const rows = await store.listSubtree(db, caller.regionPath);
  return buildTree(rows.map((r) => ({ ...r, level: r.level as Level })));
}

export async function regionDetail(db: Db, id: string) {
  const r = await store.findRegion(db, id);
  if (!r) throw problems.notFound('区划');
  const [ancestors, children] = await Promise.all([store.ancestorsOf(db, r.path), store.childCount(db, id)]);
  return present(r, ancestors.slice(0, -1), children);
}

export type RegionView = ReturnType<typeof present>;

function present(r: store.RegionRow, ancestors: { id: string; name: string; level: Level }[], childCount: number) {
  return {
    id: r.id,
    parentId: r.parentId,
    name: r.name,
    level: r.level as Level,
    code: r.code,
    boundary: (r.boundary as Geometry | null) ?? null,
    sortOrder: r.sortOrder,
    ancestors,
    childCount,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export interface RegionInput {
  parentId: string;
  name: string;
  code: string;
  boundary?: unknown;
  sortOrder?: number;
}

export async function createRegion(ctx: Ctx, input: RegionInput) {
  const parent = await store.findRegion(ctx.db, input.parentId);
  if (!parent) throw problems.field('body.parentId', '上级区划不存在');
  const level = childLevel(parent.level as Level);
  if (!level) throw problems.field('body.parentId', '网格下不能再设下级区划');
  const errors: FieldError[] = [];
  const cp = codeProblem(level, input.code, parent.code);
  if (cp) errors.push({ field: 'body.code', message: cp });
  if (input.boundary !== undefined && input.boundary !== null) {
    const gp = geometryProblem(input.boundary);
    if (gp) errors.push({ field: 'body.boundary', message: gp });
  }
  if (errors.length) throw problems.validation(errors);
  if (await store.findRegionByCode(ctx.db, input.code))
    throw problems.conflict('区划代码已被使用', [{ field: 'body.code', message: '区划代码已被使用' }]);

  const id = uuidv7();
  return auditedChange<RegionView>(
    ctx,
    {
      targetType: 'region',
      targetId: (r) => r.id,
      scopePath: () => childPath(parent.path, id),
      detail: (r) => ({ name: r.name, code: r.code, level }),
      statusCode: 201,
    },
    async (tx) => {
      const row = await store.insertRegion(tx, {
        id,
        parentId: parent.id,
        level,
        depth: parent.depth + 1,
        name: input.name,
        code: input.code,
        path: childPath(parent.path, id),
        boundary: (input.boundary as Geometry | undefined) ?? null,
        sortOrder: input.sortOrder ?? (await store.nextSortOrder(tx, parent.id)),
      });
      await emit(tx, 'region.created', { regionId: id, level, parentId: parent.id }, level === 'community' ? id : null);
      const ancestors = await store.ancestorsOf(tx, parent.path);
      return present(row, ancestors, 0);
    },
  );
}

/** The caller's own node is maintained by the level above: only strict descendants can be changed. */
async function changeableRegion(ctx: Ctx, id: string) {
  const r = await store.findRegion(ctx.db, id);
  if (!r) throw problems.notFound('区划');
  if (r.id === ctx.caller.regionId) throw problems.forbidden('本级区划由上级管理员维护，不能自行修改或删除');
  return r;
}

export interface RegionPatch {
  name?: string;
  code?: string;
  boundary?: unknown;
  sortOrder?: number;
}

export async function updateRegion(ctx: Ctx, id: string, patch: RegionPatch) {
  const r = await changeableRegion(ctx, id);
  const errors: FieldError[] = [];
  if (patch.code !== undefined && patch.code !== r.code) {
    const parent = r.parentId ? await store.findRegion(ctx.db, r.parentId) : undefined;
    const cp = codeProblem(r.level as Level, patch.code, parent?.code ?? null);
    if (cp) errors.push({ field: 'body.code', message: cp });
    else if ((await store.childCount(ctx.db, id)) > 0)
      errors.push({ field: 'body.code', message: '该区划已有下级，下级代码以其为前缀，不能修改代码' });
    else if (await store.findRegionByCode(ctx.db, patch.code)) errors.push({ field: 'body.code', message: '区划代码已被使用' });
  }
  if (patch.boundary !== undefined && patch.boundary !== null) {
    const gp = geometryProblem(patch.boundary);
    if (gp) errors.push({ field: 'body.boundary', message: gp });
  }
  if (errors.length) throw problems.validation(errors);
  return auditedChange<RegionView>(
    ctx,
    {
      targetType: 'region',
      targetId: () => id,
      scopePath: () => r.path,
      detail: () => ({ changed: Object.keys(patch), before: { name: r.name, code: r.code } }),
    },
    async (tx) => {
      const row = await store.updateRegion(tx, id, {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.code !== undefined ? { code: patch.code } : {}),
        ...(patch.boundary !== undefined ? { boundary: patch.boundary as Geometry | null } : {}),
        ...(patch.sortOrder !== undefined ? { sortOrder: patch.sortOrder } : {}),
      });
      await emit(tx, 'region.updated', { regionId: id, changed: Object.keys(patch) }, r.level === 'community' ? id : null);
      const [ancestors, children] = await Promise.all([store.ancestorsOf(tx, r.path), store.childCount(tx, id)]);
      return present(row, ancestors.slice(0, -1), children);
    },
  );
}

export async function deleteRegion(ctx: Ctx, id: string): Promise<void> {
  const r = await changeableRegion(ctx, id);
  if ((await store.childCount(ctx.db, id)) > 0) throw problems.conflict('该区划下仍有下级区划，请先删除下级');
  try {
    await auditedChange(
      ctx,
      {
        targetType: 'region',
        targetId: () => id,
        scopePath: () => r.path,
        detail: () => ({ name: r.name, code: r.code, level: r.level }),
        statusCode: 204,
      },
      async (tx) => {
        await store.deleteRegion(tx, id);
        await emit(tx, 'region.deleted', { regionId: id }, r.level === 'community' ? id : null);
      },
    );
  } catch (e) {
    if (pgErrorCode(e) === '23503') throw problems.conflict('该区划下仍有账号或业务数据，不能删除');
    throw e;
  }
}

/**
 * Where a caller's register data lives: the communities in its scope and, for a grid-level account,
 * its grid (whose people and buildings are all it sees). For modules that filter per-community data.
 */
export async function dataScope(db: Db, caller: Caller): Promise<{ communityIds: string[]; gridIds: string[] | null }> {
  if (caller.regionLevel === 'grid') {
    const grid = await store.findRegion(db, caller.regionId);
    return { communityIds: grid?.parentId ? [grid.parentId] : [], gridIds: [caller.regionId] };
  }
  // A community account's scope is its own community: no need to look it up.
  if (caller.regionLevel === 'community') return { communityIds: [caller.regionId], gridIds: null };
  return { communityIds: await store.idsAtLevelWithin(db, caller.regionPath, 'community'), gridIds: null };
}

/** A community or grid node, resolved to its community (and grid), for data registered "here". */
export async function placeOf(db: Db, regionId: string): Promise<{ communityId: string; gridId: string | null; path: string } | null> {
  const r = await store.findRegion(db, regionId);
  if (!r) return null;
  if (r.level === 'community') return { communityId: r.id, gridId: null, path: r.path };
  if (r.level === 'grid' && r.parentId) return { communityId: r.parentId, gridId: r.id, path: r.path };
  return null;
}

/** The region path that scopes data of a community/grid (the grid's when given). */
export async function pathOfPlace(db: Db, communityId: string, gridId: string | null): Promise<string | null> {
  return store.regionPath(db, gridId ?? communityId);
}

/** The communities under a region path, each with its street's name. */
export async function communitiesWithin(db: Db, path: string) {
  return store.communitiesWithin(db, path);
}

/** Names and full name path of regions, for addresses and display. */
export async function regionNames(db: Db, ids: string[]) {
  return store.namesOf(db, ids);
}

/** Every grid with its community, path and boundary (for point-in-polygon routing of located reports). */
export async function gridsWithBoundaries(db: Executor) {
  return store.gridsWithBoundaries(db);
}

/** A region node's id, level, parent and path. */
export async function regionBrief(db: Executor, id: string) {
  const r = await store.findRegion(db, id);
  return r ? { id: r.id, level: r.level as Level, parentId: r.parentId, path: r.path, name: r.name } : null;
}
