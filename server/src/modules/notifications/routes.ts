// HTTP for the inbox (every account, its own messages) and the text-message log (city administrators).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DataKeys } from '../../crypto/personal-data.js';
import type { Db } from '../../db/pool.js';
import { ctxOf } from '../../http/context.js';
import { IdParams } from '../../http/schemas.js';
import { registerGridNotifications } from './grid.js';
import * as service from './service.js';

const Paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20, description: '每页条数' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description: '跳过条数' })),
};

export function notificationRoutes(db: Db, keys: DataKeys, publicUrl?: string): FastifyPluginAsyncTypebox {
  registerGridNotifications(db, keys, publicUrl);
  const tags = ['通知'];
  return async (app) => {
    app.get(
      '/api/notifications',
      {
        config: { access: 'authenticated' },
        schema: {
          tags,
          summary: '我的通知（新的在前），含未读数',
          querystring: Type.Object({ unread: Type.Optional(Type.Boolean({ description: 'true：只看未读' })), ...Paging }),
        },
      },
      async (req) =>
        service.myNotifications(db, req.caller!, { unread: req.query.unread, limit: req.query.limit ?? 20, offset: req.query.offset ?? 0 }),
    );
    app.post(
      '/api/notifications/:id/read',
      {
        config: { access: 'authenticated', action: 'notification.read' },
        schema: { tags, summary: '将我的一条通知标为已读', params: IdParams },
      },
      async (req) => service.markRead(ctxOf(req, db), req.params.id),
    );
    app.post(
      '/api/notifications/read-all',
      { config: { access: 'authenticated', action: 'notification.read-all' }, schema: { tags, summary: '将我的通知全部标为已读' } },
      async (req) => service.markAllRead(ctxOf(req, db)),
    );
    app.get(
      '/api/sms-outbox',
      {
        config: { access: 'sms.read' },
        schema: {
          tags,
          summary: '短信发送记录（号码已脱敏）',
          querystring: Type.Object({
            status: Type.Optional(
              Type.Enum([...service.SMS_STATUSES], { description: 'queued 待发送，sent 已发送，failed 失败，no_gateway 未配置网关' }),
            ),
            ...Paging,
          }),
        },
      },
      async (req) =>
        service.listSms(db, req.caller!, { status: req.query.status, limit: req.query.limit ?? 20, offset: req.query.offset ?? 0 }),
    );
  };
}
