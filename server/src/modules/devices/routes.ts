// HTTP for devices, telemetry and alarms (issue 7).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/pool.js';
import { ctxOf } from '../../http/context.js';
import { AppError, problems } from '../../http/errors.js';
import { registerScopeResolver } from '../../http/guard.js';
import { IdParams, Uuid } from '../../http/schemas.js';
import { dataScope } from '../regions/service.js';
import { DEVICE_TYPE_KEYS, DEVICE_TYPES, parseTelemetry, type DeviceType } from './model.js';
import { DEFAULT_RULES } from './rules.js';
import * as service from './service.js';
import { registerDeviceLinkage } from './linkage.js';
import { FEED_CHANNEL, feedNotification } from './feed.js';
import { startListener } from '../../db/listen.js';
import type { DataKeys } from '../../crypto/personal-data.js';
import { sendXlsx } from '../../http/xlsx.js';
import {
  connectionInfo,
  credentialsWorkbook,
  deviceTemplate,
  importDevices,
  MAX_IMPORT_ROWS,
  readDeviceSheet,
  rotateCredentials,
  setDeviceStatus,
  type ConnectionSettings,
} from './provision.js';

const device = { kind: 'device', from: 'params.id', label: '设备' } as const;
const alarm = { kind: 'alarm', from: 'params.id', label: '告警' } as const;

const RowProblem = Type.Object({ row: Type.Integer(), column: Type.String(), message: Type.String() });
const Credential = Type.Object({
  id: Uuid,
  username: Type.String(),
  password: Type.String(),
  name: Type.String(),
  typeLabel: Type.String(),
  serialNumber: Type.Union([Type.String(), Type.Null()]),
  address: Type.Union([Type.String(), Type.Null()]),
  topic: Type.String(),
});

/**
 * `connection`: where devices reach the MQTT broker (config.ts mqttUrl / mqttPort) and the platform
 * (publicUrl, else the request's host), for GET /api/devices/connection.
 */
export function deviceRoutes(
  db: Db,
  keys: DataKeys,
  connection: ConnectionSettings & { publicUrl?: string | undefined } = { mqttPort: 1884 },
): FastifyPluginAsyncTypebox {
  registerScopeResolver('device', service.devicePath);
  registerDeviceLinkage(db, keys);
  registerScopeResolver('alarm', service.alarmPath);
  service.registerDeviceDeadlines(keys);
  const tags = ['设备与告警'];

  return async (app) => {
    // The live alarm feed and credential changes reach this node from every node (db/listen.ts).
    const listener = startListener(
      db,
      { [FEED_CHANNEL]: feedNotification, [service.DEVICE_AUTH_CHANNEL]: service.deviceAuthNotification },
      (err) => app.log.error({ err }, 'device notifications (LISTEN) lost; reconnecting'),
    );
    app.addHook('onClose', () => listener.stop());
    await listener.ready;
    app.get(
      '/api/device-types',
      { config: { access: 'authenticated' }, schema: { tags, summary: '设备类型（对应 FIWARE 数据模型）与默认告警规则' } },
      async () => DEVICE_TYPE_KEYS.map((k) => ({ key: k, ...DEVICE_TYPES[k], rules: DEFAULT_RULES.filter((r) => r.deviceType === k) })),
    );

    app.post(
      '/api/devices',
      {
        config: {
          access: 'devices.manage',
          action: 'device.create',
          scope: [
            { kind: 'region', from: 'body.regionId', label: '区划' },
            { kind: 'building', from: 'body.buildingId', label: '楼栋' },
            { kind: 'room', from: 'body.roomId', label: '房屋' },
          ],
        },
        schema: {
          tags,
          summary: '登记设备，返回设备凭据（用户名为设备 ID，密码仅显示一次）',
          body: Type.Object(
            {
              communityId: Type.Optional(Uuid),
              regionId: Type.Optional(Uuid),
              buildingId: Type.Optional(Uuid),
              roomId: Type.Optional(Uuid),
              type: Type.Enum(DEVICE_TYPE_KEYS),
              name: Type.String({ minLength: 1, maxLength: 80, pattern: '\\S' }),
              lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
              lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
              attributes: Type.Optional(Type.Record(Type.String({ maxLength: 40 }), Type.Unknown())),
              residentId: Type.Optional(Uuid),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const { communityId, ...input } = req.body;
        // `communityId` is the documented short form of `regionId` for a community.
        const regionId = input.regionId ?? communityId;
        if (communityId && !input.regionId) {
          const w = await dataScope(db, req.caller!);
          if (!w.communityIds.includes(communityId)) throw problems.outOfScope();
        }
        return reply.status(201).send(await service.createDevice(ctxOf(req, db), { ...input, regionId, type: input.type as DeviceType }));
      },
    );

    app.get(
      '/api/devices/connection',
      {
        config: { access: 'devices.read' },
        schema: { tags, summary: '设备接入方式：MQTT 代理地址与端口、主题、HTTP 上报地址与报文示例' },
      },
      async (req) => connectionInfo(connection, connection.publicUrl ?? `${req.protocol}://${req.host}`),
    );

    app.get(
      '/api/devices/template.xlsx',
      { config: { access: 'devices.manage' }, schema: { tags, summary: '下载设备批量导入模板（xlsx）' } },
      async (_req, reply) => sendXlsx(reply, '设备导入模板.xlsx', await deviceTemplate()),
    );

    app.post(
      '/api/devices/import',
      {
        config: {
          access: 'devices.manage',
          action: 'device.import',
          scope: [{ kind: 'region', from: 'query.communityId', label: '社区' }],
        },
        schema: {
          tags,
          summary: '批量登记设备（请求体为 xlsx 文件）：任一行有误则不登记；onlyValid=true 只登记无误的行；返回新设备的凭据（仅此一次）',
          description: `Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet；每个文件最多 ${MAX_IMPORT_ROWS} 台。同一社区内序列号已登记的行跳过（已存在，跳过），重复导入同一文件不会重复登记。`,
          querystring: Type.Object({ communityId: Uuid, onlyValid: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
          response: {
            200: Type.Object({
              total: Type.Integer(),
              created: Type.Integer(),
              skipped: Type.Integer(),
              invalid: Type.Integer(),
              committed: Type.Boolean(),
              errors: Type.Array(RowProblem),
              skippedRows: Type.Array(Type.Intersect([RowProblem, Type.Object({ deviceId: Uuid })])),
              credentials: Type.Array(Type.Intersect([Credential, Type.Object({ row: Type.Integer() })])),
            }),
          },
        },
      },
      async (req) => {
        if (!Buffer.isBuffer(req.body))
          throw new AppError(415, 'unsupported-media-type', '不支持的内容类型', '请以 xlsx 文件作为请求体上传');
        const rows = await readDeviceSheet(req.body);
        return importDevices(ctxOf(req, db), keys, req.query.communityId, rows, req.query.onlyValid ?? false);
      },
    );

    app.post(
      '/api/devices/credentials.xlsx',
      {
        config: { access: 'devices.manage', action: 'device.credentials-sheet' },
        schema: {
          tags,
          summary: '把刚显示的设备凭据生成 xlsx 下载（平台不保存明文密码：密码须与设备相符，名称与地址取自登记）',
          body: Type.Object(
            {
              credentials: Type.Array(Type.Object({ username: Uuid, password: Type.String({ minLength: 1, maxLength: 200 }) }), {
                minItems: 1,
                maxItems: MAX_IMPORT_ROWS,
              }),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) =>
        sendXlsx(
          reply,
          '设备凭据.xlsx',
          await credentialsWorkbook(
            ctxOf(req, db),
            req.body.credentials,
            connectionInfo(connection, connection.publicUrl ?? `${req.protocol}://${req.host}`),
          ),
        ),
    );

    app.post(
      '/api/devices/:id/credentials',
      {
        config: { access: 'devices.manage', action: 'device.rotate-credentials', scope: [device] },
        schema: { tags, summary: '重置设备密码：返回新密码（仅此一次），旧密码立即失效', params: IdParams, response: { 200: Credential } },
      },
      async (req) => rotateCredentials(ctxOf(req, db), req.params.id),
    );

    for (const [action, status, summary] of [
      ['disable', 'disabled', '停用设备：拒绝其 MQTT 连接与 HTTP 上报'],
      ['enable', 'active', '启用设备'],
    ] as const) {
      app.post(
        `/api/devices/:id/${action}`,
        {
          config: { access: 'devices.manage', action: `device.${action}`, scope: [device] },
          schema: { tags, summary, params: IdParams },
        },
        async (req) => setDeviceStatus(ctxOf(req, db), req.params.id, status),
      );
    }

    app.get(
      '/api/devices',
      {
        config: { access: 'devices.read', scope: [{ kind: 'region', from: 'query.communityId', label: '社区' }] },
        schema: {
          tags,
          summary: '设备列表（含最新值）',
          querystring: Type.Object(
            { communityId: Type.Optional(Uuid), type: Type.Optional(Type.Enum(DEVICE_TYPE_KEYS)), buildingId: Type.Optional(Uuid) },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => service.listDevices(db, req.caller!, req.query),
    );

    app.get(
      '/api/devices/:id',
      { config: { access: 'devices.read', scope: [device] }, schema: { tags, summary: '设备详情（含最新值）', params: IdParams } },
      async (req) => service.deviceDetail(db, req.params.id),
    );

    app.get(
      '/api/devices/:id/series',
      {
        config: { access: 'devices.read', scope: [device] },
        schema: {
          tags,
          summary: '遥测曲线：某测量项在时间段内按时间桶聚合（平均/最小/最大）',
          params: IdParams,
          querystring: Type.Object(
            {
              key: Type.String({ minLength: 1, maxLength: 40 }),
              from: Type.String({ format: 'date-time' }),
              to: Type.String({ format: 'date-time' }),
              bucket: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400, default: 300, description: '秒' })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) =>
        service.series(db, req.params.id, req.query.key, new Date(req.query.from), new Date(req.query.to), req.query.bucket ?? 300),
    );

    // Devices authenticate with HTTP Basic (username = device id); the same JSON as over MQTT.
    app.post(
      '/api/devices/:id/telemetry',
      {
        config: { access: 'public', action: 'device.telemetry' },
        schema: {
          tags,
          summary: '设备上报遥测（HTTP Basic 认证：用户名为设备 ID，密码为设备密码）；与 MQTT 相同的 JSON',
          params: IdParams,
          body: Type.Unknown(),
          response: { 202: Type.Object({ stored: Type.Boolean() }) },
        },
      },
      async (req, reply) => {
        // One request per sample at thousands a second: counted, not audited one by one.
        req.audited = true;
        const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
        const [user, ...pass] = m ? Buffer.from(m[1]!, 'base64').toString().split(':') : [];
        const d = user && user === req.params.id ? await service.authenticateDevice(db, user, pass.join(':')) : null;
        if (!d) {
          service.ingestStats.rejected.unauthorised = (service.ingestStats.rejected.unauthorised ?? 0) + 1;
          reply.header('www-authenticate', 'Basic realm="jiayuan-devices"');
          throw new AppError(401, 'unauthenticated', '设备认证失败', '设备 ID 或密码错误');
        }
        const parsed = parseTelemetry(req.body, Date.now());
        if ('problem' in parsed) {
          service.ingestStats.rejected.malformed = (service.ingestStats.rejected.malformed ?? 0) + 1;
          throw problems.field(parsed.field, parsed.problem);
        }
        await service.ingest(db, d, parsed.telemetry);
        return reply.status(202).send({ stored: true });
      },
    );

    app.get(
      '/api/devices/ingest-stats',
      { config: { access: 'devices.manage' }, schema: { tags, summary: '本节点接收与拒收的消息数（格式错误、认证失败、主题不符）' } },
      async () => service.ingestStats,
    );

    app.get(
      '/api/alarms',
      {
        config: {
          access: 'devices.read',
          scope: [
            { kind: 'region', from: 'query.communityId', label: '社区' },
            { kind: 'region', from: 'query.gridId', label: '网格' },
          ],
        },
        schema: {
          tags,
          summary: '告警列表（活动告警在前）',
          querystring: Type.Object(
            {
              communityId: Type.Optional(Uuid),
              gridId: Type.Optional(Uuid),
              buildingId: Type.Optional(Uuid),
              status: Type.Optional(Type.Enum(['active', 'cleared'])),
              acknowledged: Type.Optional(Type.Boolean()),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => service.listAlarms(db, req.caller!, { ...req.query, limit: req.query.limit ?? 200 }),
    );

    app.get(
      '/api/alarms/stream',
      // Not in the OpenAPI document: a stream never ends, which the generated checks (authorization
      // matrix, fuzzing) cannot wait for; devices.test.ts covers its access and its events.
      {
        config: { access: 'devices.read' },
        schema: { hide: true, tags, summary: '告警实时推送（Server-Sent Events）：本辖区告警的产生、更新与清除' },
      },
      async (req, reply) => {
        const w = await dataScope(db, req.caller!);
        const mine = new Set(w.communityIds);
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
        res.write(': 告警实时推送\n\n');
        const send = (e: { topic: string; communityId: string | null; payload: Record<string, unknown> }) => {
          if (e.communityId && mine.has(e.communityId)) res.write(`event: ${e.topic}\ndata: ${JSON.stringify(e.payload)}\n\n`);
        };
        service.alarmFeed.on('alarm', send);
        const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
        req.raw.on('close', () => {
          clearInterval(ping);
          service.alarmFeed.off('alarm', send);
        });
      },
    );

    app.get(
      '/api/my-family-alarms',
      {
        config: { access: 'devices.family' },
        schema: { tags, summary: '家人的呼救与跌倒告警（本户成员的设备），含确认与到场记录' },
      },
      async (req) => service.familyAlarms(db, req.caller!.userId),
    );

    app.get(
      '/api/alarms/:id',
      {
        config: { access: 'devices.read', scope: [alarm] },
        schema: { tags, summary: '告警详情与处理记录（确认、通知、到场、评论）', params: IdParams },
      },
      async (req) => service.alarmDetail(db, req.params.id),
    );

    app.post(
      '/api/alarms/:id/actions',
      {
        config: { access: 'alarms.handle', action: 'alarm.act', scope: [alarm] },
        schema: {
          tags,
          summary: 'ack 确认，comment 评论，assign 指派，arrive 到场（老人呼救/跌倒），clear 手动清除',
          params: IdParams,
          body: Type.Object(
            {
              action: Type.Enum(['ack', 'comment', 'assign', 'arrive', 'clear']),
              text: Type.Optional(Type.String({ maxLength: 1000 })),
              assigneeName: Type.Optional(Type.String({ maxLength: 40 })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => service.actOnAlarm(ctxOf(req, db), req.params.id, req.body),
    );
  };
}
