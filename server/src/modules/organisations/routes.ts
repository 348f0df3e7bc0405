// HTTP for community organisations (组织) and their members.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/pool.js';
import { ctxOf } from '../../http/context.js';
import { registerScopeResolver } from '../../http/guard.js';
import { IdParams, Uuid } from '../../http/schemas.js';
import { KIND_KEYS, ORGANISATION_KINDS } from './model.js';
import * as service from './service.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const DateStr = Type.String({ format: 'date' });
const Kind = Type.Enum(KIND_KEYS, {
  description: Object.entries(ORGANISATION_KINDS)
    .map(([k, v]) => `${k} ${v}`)
    .join('，'),
});

const Fields = {
  kind: Kind,
  name: Type.String({ minLength: 1, maxLength: 80, pattern: '\\S' }),
  creditCode: Type.Optional(Nullable(Type.String({ maxLength: 18 }))),
  contactName: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
  contactPhone: Type.Optional(Nullable(Type.String({ maxLength: 30 }))),
  address: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  establishedOn: Type.Optional(Nullable(DateStr)),
  note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
};

const Organisation = Type.Object({
  id: Uuid,
  communityId: Uuid,
  kind: Type.String(),
  kindLabel: Type.String(),
  name: Type.String(),
  creditCode: Nullable(Type.String()),
  contactName: Nullable(Type.String()),
  contactPhone: Nullable(Type.String()),
  address: Nullable(Type.String()),
  establishedOn: Nullable(Type.String()),
  note: Nullable(Type.String()),
  members: Type.Integer(),
});

const Member = Type.Object({
  id: Uuid,
  organisationId: Uuid,
  residentId: Nullable(Uuid),
  name: Type.String(),
  position: Type.String(),
  joinedOn: Nullable(Type.String()),
  leftOn: Nullable(Type.String()),
});

export function organisationRoutes(db: Db): FastifyPluginAsyncTypebox {
  registerScopeResolver('organisation', service.organisationPath);
  registerScopeResolver('organisation-member', service.memberPath);
  const tags = ['组织'];
  const target = { kind: 'organisation', from: 'params.id', label: '组织' } as const;

  return async (app) => {
    app.get(
      '/api/organisations',
      {
        config: { access: 'registry.read', scope: [{ kind: 'region', from: 'query.communityId', label: '社区' }] },
        schema: {
          tags,
          summary: '社区组织列表（党组织、居委会、业委会、物业、社会组织、驻区单位、志愿服务队…）',
          querystring: Type.Object({ communityId: Type.Optional(Uuid), kind: Type.Optional(Kind) }, { additionalProperties: false }),
          response: { 200: Type.Array(Organisation) },
        },
      },
      async (req) => service.listOrganisations(ctxOf(req, db), req.query.communityId, req.query.kind),
    );

    app.get(
      '/api/organisations/:id',
      {
        config: { access: 'registry.read', scope: [target] },
        schema: {
          tags,
          summary: '组织详情与成员',
          params: IdParams,
          response: { 200: Type.Intersect([Organisation, Type.Object({ memberList: Type.Array(Member) })]) },
        },
      },
      async (req) => service.organisationDetail(db, req.params.id),
    );

    app.post(
      '/api/organisations',
      {
        config: {
          access: 'registry.write',
          action: 'organisation.create',
          scope: [{ kind: 'region', from: 'body.regionId', label: '社区' }],
        },
        schema: {
          tags,
          summary: '登记组织',
          body: Type.Object({ regionId: Uuid, ...Fields }, { additionalProperties: false }),
          response: { 201: Organisation },
        },
      },
      async (req, reply) => {
        const { regionId, ...input } = req.body;
        return reply.status(201).send(await service.createOrganisation(ctxOf(req, db), regionId, input));
      },
    );

    app.patch(
      '/api/organisations/:id',
      {
        config: { access: 'registry.write', action: 'organisation.update', scope: [target] },
        schema: {
          tags,
          summary: '修改组织信息',
          params: IdParams,
          body: Type.Object(
            { ...Fields, kind: Type.Optional(Kind), name: Type.Optional(Fields.name) },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: Organisation },
        },
      },
      async (req) => service.updateOrganisation(ctxOf(req, db), req.params.id, req.body),
    );

    app.post(
      '/api/organisations/:id/members',
      {
        config: {
          access: 'registry.write',
          action: 'organisation.member-add',
          scope: [target, { kind: 'resident', from: 'body.residentId', label: '居民' }],
        },
        schema: {
          tags,
          summary: '增加成员（登记在册的居民，或非居民成员的姓名）',
          params: IdParams,
          body: Type.Object(
            {
              residentId: Type.Optional(Uuid),
              name: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '\\S' })),
              position: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
              joinedOn: Type.Optional(DateStr),
            },
            { additionalProperties: false },
          ),
          response: { 201: Member },
        },
      },
      async (req, reply) => reply.status(201).send(await service.addMember(ctxOf(req, db), req.params.id, req.body)),
    );

    app.patch(
      '/api/organisation-members/:id',
      {
        config: {
          access: 'registry.write',
          action: 'organisation.member-leave',
          scope: [{ kind: 'organisation-member', from: 'params.id', label: '组织成员' }],
        },
        schema: {
          tags,
          summary: '登记成员退出',
          params: IdParams,
          body: Type.Object({ leftOn: DateStr }, { additionalProperties: false }),
          response: { 200: Member },
        },
      },
      async (req) => service.endMembership(ctxOf(req, db), req.params.id, req.body.leftOn),
    );
  };
}
