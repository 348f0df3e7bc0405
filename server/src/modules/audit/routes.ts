// HTTP for the audit log: auditors read the entries of their own area.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/pool.js';
import { ctxOf } from '../../http/context.js';
import { Uuid } from '../../http/schemas.js';
import { auditedChange, listAudit, sealPending, verifyChain } from './service.js';

const Entry = Type.Object({
  seq: Type.Union([Type.Integer(), Type.Null()], { description: '链上序号；尚未封存时为 null' }),
  id: Uuid,
  occurredAt: Type.String({ format: 'date-time' }),
  actorId: Type.Union([Uuid, Type.Null()]),
  actorName: Type.Union([Type.String(), Type.Null()]),
  actorRoles: Type.Array(Type.String()),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String(),
  statusCode: Type.Integer(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  hash: Type.Union([Type.String(), Type.Null()]),
});

export function auditRoutes(db: Db): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/audit',
      {
        config: { access: 'audit.read', action: 'audit.read' },
        schema: {
          tags: ['审计'],
          summary: '审计日志（本人管辖范围，最新在前；以 before 翻页）',
          querystring: Type.Object(
            {
              from: Type.Optional(Type.String({ format: 'date-time' })),
              to: Type.Optional(Type.String({ format: 'date-time' })),
              action: Type.Optional(Type.String({ maxLength: 64 })),
              actorId: Type.Optional(Uuid),
              targetId: Type.Optional(Type.String({ maxLength: 100 })),
              outcome: Type.Optional(Type.Enum(['success', 'denied', 'rejected', 'error'] as const)),
              before: Type.Optional(Uuid),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ items: Type.Array(Entry), nextBefore: Type.Union([Uuid, Type.Null()]) }) },
        },
      },
      async (req) => {
        const q = req.query;
        const limit = q.limit ?? 50;
        const rows = await listAudit(
          db,
          { path: req.caller!.regionPath, top: req.caller!.regionLevel === 'city' },
          {
            ...(q.from ? { from: new Date(q.from) } : {}),
            ...(q.to ? { to: new Date(q.to) } : {}),
            ...(q.action ? { action: q.action } : {}),
            ...(q.actorId ? { actorId: q.actorId } : {}),
            ...(q.targetId ? { targetId: q.targetId } : {}),
            ...(q.outcome ? { outcome: q.outcome } : {}),
            ...(q.before ? { before: q.before } : {}),
            limit,
          },
        );
        // Reading the audit log is itself recorded.
        const ctx = ctxOf(req, db);
        await auditedChange(
          ctx,
          {
            targetType: 'audit',
            targetId: () => null,
            scopePath: () => ctx.caller.regionPath,
            detail: () => ({ query: q, returned: rows.length }),
          },
          async () => null,
        );
        return {
          items: rows.map((r) => ({ ...r, occurredAt: r.occurredAt.toISOString(), detail: r.detail as Record<string, unknown> })),
          nextBefore: rows.length === limit ? rows[rows.length - 1]!.id : null,
        };
      },
    );

    app.get(
      '/api/audit/verify',
      {
        config: { access: 'audit.read', action: 'audit.verify' },
        schema: {
          tags: ['审计'],
          summary: '校验整条审计哈希链（先封存待入链条目）',
          response: {
            200: Type.Object({
              ok: Type.Boolean(),
              checked: Type.Integer(),
              lastSeq: Type.Integer(),
              pending: Type.Integer({ description: '尚未封存入链的条目数' }),
              break: Type.Optional(Type.Object({ seq: Type.Integer(), reason: Type.String() })),
            }),
          },
        },
      },
      async (req) => {
        while ((await sealPending(db)) > 0);
        const result = await verifyChain(db);
        const ctx = ctxOf(req, db);
        await auditedChange(
          ctx,
          { targetType: 'audit', targetId: () => null, scopePath: () => ctx.caller.regionPath, detail: () => ({ ...result }) },
          async () => null,
        );
        return result;
      },
    );
  };
}
