// HTTP for places and facilities (地、物).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/pool.js';
import { ctxOf } from '../../http/context.js';
import { registerScopeResolver } from '../../http/guard.js';
import { IdParams, Uuid } from '../../http/schemas.js';
import { FACILITY_KIND_KEYS, FACILITY_KINDS } from './model.js';
import * as service from './service.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Kind = Type.Enum(FACILITY_KIND_KEYS, {
  description: Object.entries(FACILITY_KINDS)
    .map(([k, v]) => `${k} ${v.label}`)
    .join('，'),
});
const Status = Type.Enum(['in_service', 'out_of_service', 'planned'] as const);
const Fields = {
  kind: Kind,
  name: Type.String({ minLength: 1, maxLength: 80, pattern: '\\S' }),
  location: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  lng: Type.Optional(Nullable(Type.Number({ minimum: -180, maximum: 180 }))),
  lat: Type.Optional(Nullable(Type.Number({ minimum: -90, maximum: 90 }))),
  capacity: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000 }))),
  status: Type.Optional(Status),
  attributes: Type.Optional(
    Type.Record(Type.String({ maxLength: 40 }), Type.Union([Type.String({ maxLength: 200 }), Type.Number(), Type.Boolean()]), {
      maxProperties: 30,
    }),
  ),
};
const Facility = Type.Object({
  id: Uuid,
  communityId: Uuid,
  gridId: Nullable(Uuid),
  kind: Type.String(),
  kindLabel: Type.String(),
  group: Type.String({ description: 'place 场所 | thing 设施设备' }),
  name: Type.String(),
  buildingId: Nullable(Uuid),
  location: Nullable(Type.String()),
  lng: Nullable(Type.Number()),
  lat: Nullable(Type.Number()),
  capacity: Nullable(Type.Integer()),
  status: Type.String(),
  attributes: Type.Record(Type.String(), Type.Unknown()),
});

export function facilityRoutes(db: Db): FastifyPluginAsyncTypebox {
  registerScopeResolver('facility', service.facilityPath);
  const tags = ['基础信息库'];
  const target = { kind: 'facility', from: 'params.id', label: '设施' } as const;
  return async (app) => {
    app.get(
      '/api/facilities',
      {
        config: { access: 'registry.read', scope: [{ kind: 'region', from: 'query.communityId', label: '社区' }] },
        schema: {
          tags,
          summary: '公共场所与设施（避难场所、活动中心、充电桩、人防工程…）',
          querystring: Type.Object({ communityId: Type.Optional(Uuid), kind: Type.Optional(Kind) }, { additionalProperties: false }),
          response: { 200: Type.Array(Facility) },
        },
      },
      async (req) => service.listFacilities(ctxOf(req, db), req.query),
    );
    app.get(
      '/api/facilities/:id',
      {
        config: { access: 'registry.read', scope: [target] },
        schema: { tags, summary: '设施详情', params: IdParams, response: { 200: Facility } },
      },
      async (req) => service.facilityDetail(db, req.params.id),
    );
    app.post(
      '/api/facilities',
      {
        config: {
          access: 'registry.write',
          action: 'facility.create',
          scope: [{ kind: 'region', from: 'body.regionId', label: '社区或网格' }],
        },
        schema: {
          tags,
          summary: '登记场所或设施',
          body: Type.Object({ regionId: Uuid, ...Fields }, { additionalProperties: false }),
          response: { 201: Facility },
        },
      },
      async (req, reply) => {
        const { regionId, ...input } = req.body;
        return reply.status(201).send(await service.createFacility(ctxOf(req, db), regionId, input));
      },
    );
    app.patch(
      '/api/facilities/:id',
      {
        config: {
          access: 'registry.write',
          action: 'facility.update',
          scope: [target, { kind: 'region', from: 'body.regionId', label: '社区或网格' }],
        },
        schema: {
          tags,
          summary: '修改场所或设施（含启用/停用；regionId 调整到本社区的另一网格或社区本级）',
          params: IdParams,
          body: Type.Object(
            { ...Fields, kind: Type.Optional(Kind), name: Type.Optional(Fields.name), regionId: Type.Optional(Uuid) },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: Facility },
        },
      },
      async (req) => {
        const { regionId, ...patch } = req.body;
        return service.updateFacility(ctxOf(req, db), req.params.id, patch, regionId);
      },
    );
  };
}
