// HTTP for timelines of people and rooms (households).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/pool.js';
import { problems } from '../../http/errors.js';
import { IdParams, Uuid } from '../../http/schemas.js';
import { residentSummary, roomSummary } from '../registry/lookup.js';
import { timelineOf } from './service.js';

const Entry = Type.Object({
  id: Uuid,
  occurredAt: Type.String({ format: 'date-time' }),
  topic: Type.String(),
  summary: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
});
const Query = Type.Object(
  {
    before: Type.Optional(Type.String({ format: 'date-time', description: '上一页最后一条的 occurredAt' })),
    beforeId: Type.Optional(Type.String({ format: 'uuid', description: '上一页最后一条的 id（与 before 一起：同一时刻的多条不会漏掉）' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);

/** The page cursor: entries strictly older than (before, beforeId) in the timeline's order. */
function cursorOf(q: { before?: string; beforeId?: string }) {
  if (q.beforeId && !q.before) throw problems.field('query.before', '给出 beforeId 时须同时给出 before');
  return q.before ? { at: new Date(q.before), id: q.beforeId } : undefined;
}

export function timelineRoutes(db: Db): FastifyPluginAsyncTypebox {
  const tags = ['基础信息库'];
  return async (app) => {
    app.get(
      '/api/residents/:id/timeline',
      {
        config: { access: 'registry.read', scope: [{ kind: 'resident', from: 'params.id', label: '居民' }] },
        schema: {
          tags,
          summary: '居民时间线（各模块发生的事，最新在前）',
          params: IdParams,
          querystring: Query,
          response: { 200: Type.Array(Entry) },
        },
      },
      async (req) => {
        const r = await residentSummary(db, req.params.id);
        if (!r) throw problems.notFound('居民');
        return timelineOf(db, r.communityId, 'resident', r.id, cursorOf(req.query), req.query.limit ?? 50);
      },
    );

    app.get(
      '/api/rooms/:id/timeline',
      {
        config: { access: 'registry.read', scope: [{ kind: 'room', from: 'params.id', label: '房屋' }] },
        schema: { tags, summary: '房屋（户）时间线', params: IdParams, querystring: Query, response: { 200: Type.Array(Entry) } },
      },
      async (req) => {
        const r = await roomSummary(db, req.params.id);
        if (!r) throw problems.notFound('房屋');
        return timelineOf(db, r.communityId, 'room', r.id, cursorOf(req.query), req.query.limit ?? 50);
      },
    );
  };
}
