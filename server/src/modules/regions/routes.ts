// HTTP for the region tree: paths, schemas and the access each route needs; nothing else.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/pool.js';
import { ctxOf } from '../../http/context.js';
import { registerScopeResolver } from '../../http/guard.js';
import { IdParams, Uuid } from '../../http/schemas.js';
import { LEVELS, type RegionTreeNode } from './model.js';
import * as service from './service.js';
import { regionPath } from './store.js';

const Level = Type.Enum(LEVELS, { description: 'city 市 | district 区 | street 街道 | community 社区 | grid 网格' });

// The tree is at most five levels deep (市 → 网格), so its schema is spelt out to that depth.
function treeNode(depth: number): ReturnType<typeof Type.Object> {
  return Type.Object({
    id: Uuid,
    name: Type.String(),
    level: Level,
    code: Type.String(),
    children: Type.Array(depth > 1 ? treeNode(depth - 1) : Type.Object({}), depth > 1 ? {} : { maxItems: 0 }),
  });
}
const TreeNode = Type.Unsafe<RegionTreeNode>(treeNode(LEVELS.length));

// GeoJSON geometry (Polygon / MultiPolygon); its shape is checked by the service with Chinese messages.
const Boundary = Type.Union([
  Type.Object(
    { type: Type.String({ maxLength: 20 }), coordinates: Type.Array(Type.Unknown(), { maxItems: 10000 }) },
    { additionalProperties: false, description: 'GeoJSON Polygon 或 MultiPolygon（WGS 84）' },
  ),
  Type.Null(),
]);

const Name = Type.String({ minLength: 1, maxLength: 60, pattern: '\\S', description: '名称' });
const Code = Type.String({ minLength: 6, maxLength: 15, pattern: '^[0-9]+$', description: '区划代码' });

const RegionDetail = Type.Object({
  id: Uuid,
  parentId: Type.Union([Uuid, Type.Null()]),
  name: Type.String(),
  level: Level,
  code: Type.String(),
  boundary: Type.Union([Type.Object({ type: Type.String(), coordinates: Type.Array(Type.Unknown()) }), Type.Null()]),
  sortOrder: Type.Integer(),
  ancestors: Type.Array(Type.Object({ id: Uuid, name: Type.String(), level: Level })),
  childCount: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export function regionRoutes(db: Db): FastifyPluginAsyncTypebox {
  registerScopeResolver('region', regionPath);
  const regionTarget = { kind: 'region', from: 'params.id', label: '区划' } as const;

  return async (app) => {
    app.get(
      '/api/regions',
      {
        config: { access: 'regions.read' },
        schema: {
          tags: ['区划'],
          summary: '可见的区划树（以本账号所属区划为根）',
          response: { 200: Type.Array(TreeNode) },
        },
      },
      async (req) => service.visibleTree(db, req.caller!),
    );

    app.get(
      '/api/regions/:id',
      {
        config: { access: 'regions.read', scope: [regionTarget] },
        schema: { tags: ['区划'], summary: '区划详情（含边界）', params: IdParams, response: { 200: RegionDetail } },
      },
      async (req) => service.regionDetail(db, req.params.id),
    );

    app.post(
      '/api/regions',
      {
        config: { access: 'regions.write', action: 'region.create', scope: [{ kind: 'region', from: 'body.parentId', label: '上级区划' }] },
        schema: {
          tags: ['区划'],
          summary: '新建下级区划',
          body: Type.Object(
            {
              parentId: Uuid,
              name: Name,
              code: Code,
              boundary: Type.Optional(Boundary),
              sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: RegionDetail },
        },
      },
      async (req, reply) => reply.status(201).send(await service.createRegion(ctxOf(req, db), req.body)),
    );

    app.patch(
      '/api/regions/:id',
      {
        config: { access: 'regions.write', action: 'region.update', scope: [regionTarget] },
        schema: {
          tags: ['区划'],
          summary: '修改区划（名称、代码、边界、排序）',
          params: IdParams,
          body: Type.Object(
            {
              name: Type.Optional(Name),
              code: Type.Optional(Code),
              boundary: Type.Optional(Boundary),
              sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: RegionDetail },
        },
      },
      async (req) => service.updateRegion(ctxOf(req, db), req.params.id, req.body),
    );

    app.delete(
      '/api/regions/:id',
      {
        config: { access: 'regions.write', action: 'region.delete', scope: [regionTarget] },
        schema: { tags: ['区划'], summary: '删除区划（须无下级与账号）', params: IdParams, response: { 204: Type.Null() } },
      },
      async (req, reply) => {
        await service.deleteRegion(ctxOf(req, db), req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
