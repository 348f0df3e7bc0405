// Health and service information.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/pool.js';
import { AppError } from '../../http/errors.js';

export function systemRoutes(db: Db): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/health',
      {
        config: { access: 'public' },
        schema: { tags: ['系统'], summary: '健康检查：数据库可达时为 ok', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
      },
      async () => {
        try {
          await db.$client.query('select 1');
        } catch {
          throw new AppError(503, 'unavailable', '服务暂不可用', '数据库不可达');
        }
        return { status: 'ok' as const };
      },
    );
  };
}
