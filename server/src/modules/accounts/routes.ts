// HTTP for login, sessions and user management.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import type { DataKeys } from '../../crypto/personal-data.js';
import type { Db } from '../../db/pool.js';
import { ctxOf } from '../../http/context.js';
import { registerScopeResolver } from '../../http/guard.js';
import { IdParams, page, Paging, Uuid } from '../../http/schemas.js';
import { LEVELS } from '../regions/model.js';
import { regionPath } from '../regions/store.js';
import { PERMISSIONS, ROLE_SPECS, ROLES } from './model.js';
import * as service from './service.js';
import { userRegionPath } from './store.js';

const Role = Type.Enum(ROLES);
const Level = Type.Enum(LEVELS);
const Username = Type.String({ minLength: 3, maxLength: 32, pattern: '^[A-Za-z0-9_.-]+$', description: '用户名：字母、数字、_ . -' });
const Password = Type.String({ minLength: 1, maxLength: 128 });
const DisplayName = Type.String({ minLength: 1, maxLength: 40, pattern: '\\S' });
/** A mobile number (checked in the service, which names body.phone); null or empty clears it. */
const Phone = Type.Union([Type.String({ maxLength: 32, description: '手机号码（11 位，可带 +86）；空或 null 表示清除' }), Type.Null()]);

const User = Type.Object({
  id: Uuid,
  username: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(Role),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  regionId: Uuid,
  regionName: Type.String(),
  regionLevel: Level,
  lockedUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  phone: Type.Union([Type.String({ description: '手机号码（脱敏）' }), Type.Null()]),
});

export function accountRoutes(db: Db, cfg: Config, keys: DataKeys): FastifyPluginAsyncTypebox {
  registerScopeResolver('user', userRegionPath);
  registerScopeResolver('region', regionPath);
  const userTarget = { kind: 'user', from: 'params.id', label: '用户' } as const;

  return async (app) => {
    app.post(
      '/api/auth/login',
      {
        config: { access: 'public', action: 'auth.login' },
        schema: {
          tags: ['认证'],
          summary: '登录，返回 Bearer 令牌',
          body: Type.Object(
            { username: Type.String({ minLength: 1, maxLength: 64 }), password: Password },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }), user: User }) },
        },
      },
      async (req) =>
        service.login(db, cfg, { ...req.body, ip: req.ip, userAgent: req.headers['user-agent'] ?? null }, () => {
          req.audited = true;
        }),
    );

    app.post(
      '/api/auth/logout',
      {
        config: { access: 'authenticated', action: 'auth.logout' },
        schema: { tags: ['认证'], summary: '退出登录（令牌作废）', response: { 204: Type.Null() } },
      },
      async (req, reply) => {
        await service.logout(ctxOf(req, db));
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/auth/me',
      {
        config: { access: 'authenticated' },
        schema: {
          tags: ['认证'],
          summary: '当前账号、权限与可授予的角色',
          response: {
            200: Type.Intersect([User, Type.Object({ permissions: Type.Array(Type.String()), grantableRoles: Type.Array(Role) })]),
          },
        },
      },
      async (req) => service.me(db, req.caller!),
    );

    app.patch(
      '/api/auth/me',
      {
        config: { access: 'authenticated', action: 'auth.update-profile' },
        schema: {
          tags: ['认证'],
          summary: '修改本人资料（手机号码，用于紧急告警短信）',
          body: Type.Object({ phone: Phone }, { additionalProperties: false }),
          response: {
            200: Type.Intersect([User, Type.Object({ permissions: Type.Array(Type.String()), grantableRoles: Type.Array(Role) })]),
          },
        },
      },
      async (req) => service.updateOwnProfile(ctxOf(req, db), keys, req.body),
    );

    app.post(
      '/api/auth/password',
      {
        config: { access: 'authenticated', action: 'auth.change-password' },
        schema: {
          tags: ['认证'],
          summary: '修改本人密码（其他会话随之失效）',
          body: Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false }),
          response: { 204: Type.Null() },
        },
      },
      async (req, reply) => {
        await service.changeOwnPassword(ctxOf(req, db), req.body.currentPassword, req.body.newPassword);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/roles',
      {
        config: { access: 'authenticated' },
        schema: {
          tags: ['账号'],
          summary: '角色与权限说明',
          response: {
            200: Type.Array(
              Type.Object({
                id: Role,
                label: Type.String(),
                levels: Type.Array(Level),
                permissions: Type.Array(Type.Enum(PERMISSIONS)),
                grants: Type.Array(Role),
                description: Type.String(),
              }),
            ),
          },
        },
      },
      async () =>
        ROLES.map((id) => ({
          id,
          ...ROLE_SPECS[id],
          levels: [...ROLE_SPECS[id].levels],
          permissions: [...ROLE_SPECS[id].permissions],
          grants: [...ROLE_SPECS[id].grants],
        })),
    );

    app.get(
      '/api/users',
      {
        config: { access: 'users.read', scope: [{ kind: 'region', from: 'query.regionId', label: '区划' }] },
        schema: {
          tags: ['账号'],
          summary: '账号列表（所选区划及其下级，默认本人管辖范围）',
          querystring: Type.Object(
            { regionId: Type.Optional(Uuid), q: Type.Optional(Type.String({ maxLength: 64 })), ...Paging },
            { additionalProperties: false },
          ),
          response: { 200: page(User) },
        },
      },
      async (req) => {
        const path = req.query.regionId ? await regionPath(db, req.query.regionId) : null;
        return service.listUsers(db, req.caller!, path, req.query.q || undefined, req.query.page ?? 1, req.query.pageSize ?? 20);
      },
    );

    app.get(
      '/api/users/:id',
      {
        config: { access: 'users.read', scope: [userTarget] },
        schema: { tags: ['账号'], summary: '账号详情', params: IdParams, response: { 200: User } },
      },
      async (req) => service.userDetail(db, req.params.id),
    );

    app.post(
      '/api/users',
      {
        config: { access: 'users.write', action: 'user.create', scope: [{ kind: 'region', from: 'body.regionId', label: '区划' }] },
        schema: {
          tags: ['账号'],
          summary: '在本人管辖范围内新建账号',
          body: Type.Object(
            {
              username: Username,
              password: Password,
              displayName: DisplayName,
              roles: Type.Array(Type.String({ maxLength: 32 }), { minItems: 1, maxItems: 10, uniqueItems: true }),
              regionId: Uuid,
              phone: Type.Optional(Phone),
            },
            { additionalProperties: false },
          ),
          response: { 201: User },
        },
      },
      async (req, reply) => reply.status(201).send(await service.createUser(ctxOf(req, db), keys, req.body)),
    );

    app.patch(
      '/api/users/:id',
      {
        config: {
          access: 'users.write',
          action: 'user.update',
          scope: [userTarget, { kind: 'region', from: 'body.regionId', label: '区划' }],
        },
        schema: {
          tags: ['账号'],
          summary: '修改账号（姓名、手机号码、角色、区划、状态、重置密码、解锁）',
          params: IdParams,
          body: Type.Object(
            {
              displayName: Type.Optional(DisplayName),
              roles: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { minItems: 1, maxItems: 10, uniqueItems: true })),
              regionId: Type.Optional(Uuid),
              status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
              password: Type.Optional(Password),
              unlock: Type.Optional(Type.Boolean()),
              phone: Type.Optional(Phone),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: User },
        },
      },
      async (req) => service.updateUser(ctxOf(req, db), keys, req.params.id, req.body),
    );

    app.post(
      '/api/users/:id/reveal-phone',
      {
        config: { access: 'users.write', action: 'user.reveal-phone', scope: [userTarget] },
        schema: {
          tags: ['账号'],
          summary: '查看账号的完整手机号码（逐次留痕）',
          params: IdParams,
          response: { 200: Type.Object({ phone: Type.Union([Type.String(), Type.Null()]) }) },
        },
      },
      async (req) => service.revealUserPhone(ctxOf(req, db), keys, req.params.id),
    );
  };
}
