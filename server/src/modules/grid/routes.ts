// HTTP for grid governance (网格化治理, `003` L3P3; `004` 5.3.11 报事报修).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { DataKeys } from '../../crypto/personal-data.js';
import type { Db } from '../../db/pool.js';
import { ctxOf, type Caller } from '../../http/context.js';
import { registerScopeResolver } from '../../http/guard.js';
import { IdParams, Paging, page, Uuid } from '../../http/schemas.js';
import { sendXlsx } from '../../http/xlsx.js';
import { permissionsOf } from '../accounts/model.js';
import * as config from './config.js';
import { KPI_DIMENSIONS, dashboard, kpiTable, kpiWorkbook, type KpiDimension } from './kpis.js';
import { ACTION_KEYS, DISPATCH_MODES, STATUS_KEYS, UNIT_KINDS, URGENCIES } from './model.js';
import * as service from './service.js';
import { registerGridTimeline } from './timeline.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const DateStr = Type.String({ format: 'date' });
const Urgency = Type.Enum(Object.keys(URGENCIES) as (keyof typeof URGENCIES)[], { description: '一般 normal，紧急 urgent' });
const Status = Type.Enum(STATUS_KEYS);
const Photo = Type.String({
  maxLength: 300_000,
  pattern: '^(https?://|data:image/(jpeg|png|webp);base64,)',
  description: '照片地址（http/https）或不超过约 200KB 的 data:image/… 图片',
});
const Photos = Type.Array(Photo, { maxItems: 6 });
const CategoryCode = Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9_]+(\\.[a-z0-9_]+)?$' });
const Lng = Type.Number({ minimum: -180, maximum: 180 });
const Lat = Type.Number({ minimum: -90, maximum: 90 });

const Event = Type.Object({
  id: Uuid,
  number: Type.String(),
  communityId: Uuid,
  gridId: Nullable(Uuid),
  categoryCode: Type.String(),
  category: Type.String(),
  urgency: Type.String(),
  description: Type.String(),
  photos: Type.Array(Type.String()),
  lng: Nullable(Type.Number()),
  lat: Nullable(Type.Number()),
  buildingId: Nullable(Uuid),
  roomId: Nullable(Uuid),
  address: Nullable(Type.String()),
  reporterKind: Type.String(),
  reporterName: Nullable(Type.String()),
  reporterPhone: Nullable(Type.String({ description: '脱敏' })),
  channel: Type.String(),
  status: Type.String(),
  statusLabel: Type.String(),
  unitId: Nullable(Uuid),
  unitName: Nullable(Type.String()),
  assigneeId: Nullable(Uuid),
  assigneeName: Nullable(Type.String()),
  suggestedUnitId: Nullable(Uuid),
  mergedInto: Nullable(Uuid),
  handlerNote: Nullable(Type.String()),
  resultPhotos: Type.Array(Type.String()),
  satisfaction: Nullable(Type.Integer()),
  ratingComment: Nullable(Type.String()),
  escalationLevel: Type.Integer(),
  reopenCount: Type.Integer(),
  returnCount: Type.Integer(),
  reportedAt: Type.String(),
  respondedAt: Nullable(Type.String()),
  handledAt: Nullable(Type.String()),
  closedAt: Nullable(Type.String()),
  respondDueAt: Type.String(),
  handleDueAt: Type.String(),
  respondOverdue: Type.Boolean(),
  handleOverdue: Type.Boolean(),
  warned: Type.Boolean(),
});
const Duplicate = Type.Object({
  id: Uuid,
  number: Type.String(),
  status: Type.String(),
  description: Type.String(),
  distanceMetres: Nullable(Type.Number()),
  reportedAt: Type.String(),
});
const Reported = Type.Intersect([Event, Type.Object({ trackingCode: Type.String(), suspectedDuplicates: Type.Array(Duplicate) })]);
const Transition = Type.Object({
  id: Uuid,
  action: Type.String(),
  actionLabel: Type.String(),
  fromStatus: Nullable(Type.String()),
  toStatus: Type.String(),
  actorName: Type.String(),
  reason: Nullable(Type.String()),
  detail: Nullable(Type.Record(Type.String(), Type.Unknown())),
  respondOverdue: Type.Boolean(),
  handleOverdue: Type.Boolean(),
  at: Type.String(),
});
const Detail = Type.Intersect([
  Event,
  Type.Object({
    version: Type.Integer(),
    dispatchMode: Type.String(),
    needsVerification: Type.Boolean(),
    suggestedUnitName: Nullable(Type.String()),
    allowedActions: Type.Array(Type.String(), { description: '当前用户此刻可执行的操作' }),
    transitions: Type.Array(Transition),
    suspectedDuplicates: Type.Array(Duplicate),
  }),
]);

const Location = {
  regionId: Type.Optional(Uuid),
  buildingId: Type.Optional(Uuid),
  roomId: Type.Optional(Uuid),
  lng: Type.Optional(Lng),
  lat: Type.Optional(Lat),
  address: Type.Optional(Type.String({ maxLength: 200 })),
};
const ReportFields = {
  categoryCode: CategoryCode,
  urgency: Type.Optional(Urgency),
  description: Type.String({ minLength: 2, maxLength: 2000, pattern: '\\S' }),
  photos: Type.Optional(Photos),
  ...Location,
};

const ActionBody = Type.Object(
  {
    action: Type.Enum(ACTION_KEYS),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
    unitId: Type.Optional(Uuid),
    assigneeId: Type.Optional(Uuid),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    photos: Type.Optional(Photos),
    satisfaction: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    comment: Type.Optional(Type.String({ maxLength: 500 })),
    intoId: Type.Optional(Uuid),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

const Tracked = Type.Object({
  id: Uuid,
  number: Type.String(),
  category: Type.String(),
  description: Type.String(),
  address: Nullable(Type.String()),
  status: Type.String(),
  statusLabel: Type.String(),
  unitName: Nullable(Type.String()),
  handlerNote: Nullable(Type.String()),
  resultPhotos: Type.Array(Type.String()),
  satisfaction: Nullable(Type.Integer()),
  reportedAt: Type.String(),
  handleDueAt: Type.String(),
  canConfirm: Type.Boolean(),
  steps: Type.Array(Type.Object({ action: Type.String(), status: Type.String(), reason: Nullable(Type.String()), at: Type.String() })),
});
const TrackKey = {
  code: Type.String({ minLength: 6, maxLength: 20, description: '上报后获得的查询码' }),
  phone: Type.String({ minLength: 5, maxLength: 30, description: '上报时留的手机号' }),
};

const KpiRow = Type.Object({
  reports: Type.Integer(),
  valid: Type.Integer(),
  responseRate: Nullable(Type.Number()),
  onTimeRate: Nullable(Type.Number()),
  resolutionRate: Nullable(Type.Number()),
  satisfactionRate: Nullable(Type.Number()),
  satisfactionMean: Nullable(Type.Number()),
  reworks: Type.Integer(),
  overdue: Type.Integer(),
  overdueMultiple: Nullable(Type.Number()),
  open: Type.Integer(),
});
const KpiQuery = Type.Object(
  {
    by: Type.Enum(Object.keys(KPI_DIMENSIONS) as KpiDimension[], {
      description: Object.entries(KPI_DIMENSIONS)
        .map(([k, v]) => `${k} ${v}`)
        .join('，'),
    }),
    from: DateStr,
    to: DateStr,
    regionId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

const perms = (c: Caller) => [...permissionsOf(c.roles)];

/** Who is acting, for public and partner calls as well as logged-in ones. */
export function whoOf(req: FastifyRequest, db: Db, name?: string): service.Who {
  return {
    db,
    caller: req.caller,
    ip: req.ip,
    userAgent: req.headers['user-agent'] ?? null,
    action: req.routeOptions.config.action ?? `${req.method} ${req.routeOptions.url}`,
    markAudited: () => {
      req.audited = true;
    },
    name,
  };
}

function reporterFor(caller: Caller): service.ReporterInfo {
  const roles = caller.roles;
  if (roles.includes('grid_worker')) return { kind: 'grid_worker', channel: 'mobile', trusted: true };
  if (roles.some((r) => r.endsWith('_admin'))) return { kind: 'staff', channel: 'console', trusted: true };
  if (roles.includes('property_staff') || roles.includes('handler')) return { kind: 'staff', channel: 'mobile', trusted: false };
  return { kind: 'resident', channel: 'mobile', trusted: false };
}

export function gridRoutes(db: Db, keys: DataKeys): FastifyPluginAsyncTypebox {
  registerScopeResolver('grid-event', service.eventPath);
  registerScopeResolver('grid-unit', config.unitPath);
  service.registerGridDeadlines();
  registerGridTimeline();
  const tags = ['网格事件'];
  const cfgTags = ['网格配置'];
  const event = { kind: 'grid-event', from: 'params.id', label: '事件' } as const;

  return async (app) => {
    // ---- catalogue, units, routing, calendar, partners --------------------------------------
    app.get(
      '/api/grid/categories',
      {
        config: { access: 'public' },
        schema: { tags: cfgTags, summary: '事件类别目录（两级）', response: { 200: Type.Array(Type.Unknown()) } },
      },
      async () => config.listCategories(db),
    );
    app.put(
      '/api/grid/categories/:code',
      {
        config: { access: 'grid.configure', action: 'grid.category-put' },
        schema: {
          tags: cfgTags,
          summary: '新增或修改事件类别（含派单方式、核查要求、受理/处置时限）',
          params: Type.Object({ code: CategoryCode }, { additionalProperties: false }),
          body: Type.Object(
            {
              parentCode: Type.Optional(Nullable(CategoryCode)),
              name: Type.String({ minLength: 1, maxLength: 40, pattern: '\\S' }),
              dispatchMode: Type.Optional(Type.Enum(Object.keys(DISPATCH_MODES) as (keyof typeof DISPATCH_MODES)[])),
              needsVerification: Type.Optional(Type.Boolean()),
              limits: Type.Optional(
                Type.Object(
                  {
                    normal: Type.Object(
                      {
                        respond: Type.Number({ exclusiveMinimum: 0, maximum: 2000 }),
                        handle: Type.Number({ exclusiveMinimum: 0, maximum: 2000 }),
                      },
                      { additionalProperties: false },
                    ),
                    urgent: Type.Object(
                      {
                        respond: Type.Number({ exclusiveMinimum: 0, maximum: 2000 }),
                        handle: Type.Number({ exclusiveMinimum: 0, maximum: 2000 }),
                      },
                      { additionalProperties: false },
                    ),
                  },
                  { additionalProperties: false },
                ),
              ),
              sort: Type.Optional(Type.Integer()),
              active: Type.Optional(Type.Boolean()),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => config.putCategory(ctxOf(req, db), req.params.code, req.body),
    );

    app.get(
      '/api/grid/units',
      {
        config: { access: 'grid.read' },
        schema: { tags: cfgTags, summary: '处置单位及成员（本区域及上级区域的单位）', response: { 200: Type.Array(Type.Unknown()) } },
      },
      async (req) => config.listUnits(db, req.caller!.regionPath),
    );
    app.post(
      '/api/grid/units',
      {
        config: { access: 'grid.manage', action: 'grid.unit-create', scope: [{ kind: 'region', from: 'body.regionId', label: '区划' }] },
        schema: {
          tags: cfgTags,
          summary: '新增处置单位',
          body: Type.Object(
            {
              regionId: Uuid,
              name: Type.String({ minLength: 1, maxLength: 60, pattern: '\\S' }),
              kind: Type.Enum(Object.keys(UNIT_KINDS) as (keyof typeof UNIT_KINDS)[]),
              memberIds: Type.Optional(Type.Array(Uuid, { maxItems: 200, uniqueItems: true })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => reply.status(201).send(await config.createUnit(ctxOf(req, db), req.body)),
    );
    app.put(
      '/api/grid/units/:id/members',
      {
        config: {
          access: 'grid.manage',
          action: 'grid.unit-members',
          scope: [{ kind: 'grid-unit', from: 'params.id', label: '处置单位' }],
        },
        schema: {
          tags: cfgTags,
          summary: '设置处置单位成员',
          params: IdParams,
          body: Type.Object({ memberIds: Type.Array(Uuid, { maxItems: 200, uniqueItems: true }) }, { additionalProperties: false }),
        },
      },
      async (req) => config.setUnitMembers(ctxOf(req, db), req.params.id, req.body.memberIds),
    );

    app.get(
      '/api/grid/routes',
      {
        config: { access: 'grid.read' },
        schema: {
          tags: cfgTags,
          summary: '派单路由表（区域 × 类别 → 处置单位）；history=true 含历史版本',
          querystring: Type.Object({ history: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
          response: { 200: Type.Array(Type.Unknown()) },
        },
      },
      async (req) => config.listRoutes(db, req.caller!.regionPath, req.query.history ?? false),
    );
    app.put(
      '/api/grid/routes',
      {
        config: { access: 'grid.manage', action: 'grid.route-set', scope: [{ kind: 'region', from: 'body.regionId', label: '区划' }] },
        schema: {
          tags: cfgTags,
          summary: '设置某区域某类别的处置单位（unitId 为 null 则取消）；旧版本保留为历史',
          body: Type.Object({ regionId: Uuid, categoryCode: CategoryCode, unitId: Nullable(Uuid) }, { additionalProperties: false }),
        },
      },
      async (req) => config.setRoute(ctxOf(req, db), req.body),
    );

    const Year = Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100 }) }, { additionalProperties: false });
    const CalendarDay = Type.Object(
      { date: DateStr, kind: Type.Enum(['holiday', 'workday']), name: Type.String({ minLength: 1, maxLength: 50 }) },
      { additionalProperties: false },
    );
    app.get(
      '/api/grid/calendar/:year',
      { config: { access: 'authenticated' }, schema: { tags: cfgTags, summary: '工作日历：节假日与调休上班日', params: Year } },
      async (req) => config.calendarYear(db, req.params.year),
    );
    app.put(
      '/api/grid/calendar/:year',
      {
        config: { access: 'grid.configure', action: 'grid.calendar-put' },
        schema: {
          tags: cfgTags,
          summary: '设置某年的节假日与调休上班日（整年替换）',
          params: Year,
          body: Type.Object({ days: Type.Array(CalendarDay, { maxItems: 400 }) }, { additionalProperties: false }),
        },
      },
      async (req) => config.putCalendarYear(ctxOf(req, db), req.params.year, req.body.days),
    );

    app.get(
      '/api/grid/partners',
      { config: { access: 'grid.configure' }, schema: { tags: cfgTags, summary: 'Open311 合作方' } },
      async () => config.listPartners(db),
    );
    app.post(
      '/api/grid/partners',
      {
        config: { access: 'grid.configure', action: 'grid.partner-create' },
        schema: {
          tags: cfgTags,
          summary: '新增 Open311 合作方并签发 api_key（仅显示一次）',
          body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 60, pattern: '\\S' }) }, { additionalProperties: false }),
        },
      },
      async (req, reply) => reply.status(201).send(await config.createPartner(ctxOf(req, db), req.body.name)),
    );
    app.delete(
      '/api/grid/partners/:id',
      {
        config: { access: 'grid.configure', action: 'grid.partner-revoke' },
        schema: { tags: cfgTags, summary: '吊销合作方 api_key', params: IdParams },
      },
      async (req, reply) => {
        await config.revokePartner(ctxOf(req, db), req.params.id);
        return reply.status(204).send();
      },
    );

    // ---- events -----------------------------------------------------------------------------------
    app.post(
      '/api/grid/events',
      {
        config: {
          access: 'grid.report',
          action: 'grid.event-report',
          // No guard-level scope targets: the service resolves the location (room, building, region or a point
          // inside a grid, which only it can place) and refuses one outside the caller's region (403 out-of-scope).
        },
        schema: {
          tags,
          summary: '上报事件（网格员、工作人员上报即立案并按路由表派遣；居民上报待受理）',
          body: Type.Object(
            {
              ...ReportFields,
              reporterKind: Type.Optional(Type.Enum(['hotline', 'other'], { description: '工作人员代录：hotline 热线，other 其他' })),
              reporterName: Type.Optional(Type.String({ maxLength: 40 })),
              reporterPhone: Type.Optional(Type.String({ maxLength: 30 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: Reported },
        },
      },
      async (req, reply) => {
        const { reporterKind, ...input } = req.body;
        let reporter = reporterFor(req.caller!);
        if (reporterKind && reporter.kind === 'staff')
          reporter = { kind: reporterKind, channel: reporterKind === 'hotline' ? 'hotline' : 'console', trusted: true };
        return reply.status(201).send(await service.reportEvent(whoOf(req, db), keys, input, reporter));
      },
    );

    app.get(
      '/api/grid/events',
      {
        config: { access: 'grid.read', scope: [{ kind: 'region', from: 'query.communityId', label: '社区' }] },
        schema: {
          tags,
          summary: '事件列表（view: assigned 我的待办，reported 我上报的，triage 待受理/待派遣，open 在办）',
          querystring: Type.Object(
            {
              communityId: Type.Optional(Uuid),
              gridId: Type.Optional(Uuid),
              status: Type.Optional(Status),
              categoryCode: Type.Optional(CategoryCode),
              unitId: Type.Optional(Uuid),
              overdue: Type.Optional(Type.Boolean()),
              escalated: Type.Optional(Type.Boolean()),
              view: Type.Optional(Type.Enum(['assigned', 'reported', 'triage', 'open'])),
              q: Type.Optional(Type.String({ maxLength: 100 })),
              from: Type.Optional(DateStr),
              to: Type.Optional(DateStr),
              ...Paging,
            },
            { additionalProperties: false },
          ),
          response: { 200: page(Event) },
        },
      },
      async (req) => service.listEvents(db, req.caller!, { ...req.query, page: req.query.page ?? 1, pageSize: req.query.pageSize ?? 20 }),
    );

    app.get(
      '/api/grid/my-events',
      {
        config: { access: 'grid.report' },
        schema: {
          tags,
          summary: '我上报的事件（居民）',
          querystring: Type.Object({ ...Paging }, { additionalProperties: false }),
          response: { 200: page(Event) },
        },
      },
      async (req) =>
        service.listEvents(db, req.caller!, { view: 'reported', page: req.query.page ?? 1, pageSize: req.query.pageSize ?? 20 }),
    );

    app.get(
      '/api/grid/events/:id',
      {
        config: { access: 'grid.read', scope: [event] },
        schema: { tags, summary: '事件详情（含流转记录、疑似重复事件）', params: IdParams, response: { 200: Detail } },
      },
      async (req) => service.eventDetail(db, req.params.id, req.caller!, perms),
    );

    app.post(
      '/api/grid/events/:id/actions',
      {
        config: { access: 'grid.read', action: 'grid.event-act', scope: [event] },
        schema: {
          tags,
          summary:
            '事件流转：accept 立案，reject 不予受理，dispatch 派遣，grab 抢单，start 开始处置，return 退单，handle 处置完成，verify/rework 核查，confirm 确认并评价，reopen 重办，merge 合并，suspend/resume 挂起/恢复，escalate 上报上级',
          params: IdParams,
          body: ActionBody,
          response: { 200: Event },
        },
      },
      async (req) => service.act(whoOf(req, db), req.params.id, req.body, perms),
    );

    // Residents with an account: their own reports only (someone else's answers 404, like no event at all).
    app.get(
      '/api/grid/my-events/:id',
      {
        config: { access: 'grid.report', scope: [event] },
        schema: { tags, summary: '我上报的事件详情', params: IdParams, response: { 200: Tracked } },
      },
      async (req) => service.ownEvent(db, req.params.id, req.caller!.userId),
    );
    app.post(
      '/api/grid/my-events/:id/actions',
      {
        config: { access: 'grid.report', action: 'grid.event-feedback', scope: [event] },
        schema: {
          tags,
          summary: '报告人确认办结并评价（confirm）或要求重办（reopen）',
          params: IdParams,
          body: Type.Object(
            {
              action: Type.Enum(['confirm', 'reopen']),
              satisfaction: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
              comment: Type.Optional(Type.String({ maxLength: 500 })),
              reason: Type.Optional(Type.String({ maxLength: 500 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Tracked },
        },
      },
      async (req) => service.ownEventAct(whoOf(req, db), req.params.id, req.body),
    );

    app.post(
      '/api/grid/events/:id/reveal-phone',
      {
        config: { access: 'grid.manage', action: 'grid.event-reveal-phone', scope: [event] },
        schema: {
          tags,
          summary: '查看报告人完整手机号（回访用，留痕）',
          params: IdParams,
          response: { 200: Type.Object({ phone: Nullable(Type.String()) }) },
        },
      },
      async (req) => service.revealReporterPhone(whoOf(req, db), keys, req.params.id),
    );

    // ---- assessment and dashboard ---------------------------------------------------------------------
    app.get(
      '/api/grid/kpis',
      {
        config: { access: 'grid.read', scope: [{ kind: 'region', from: 'query.regionId', label: '区划' }] },
        schema: {
          tags,
          summary: '绩效考核：上报数、有效数、响应率、按时办结率、结案率、满意率、返工、超期倍数，按维度排名',
          querystring: KpiQuery,
          response: {
            200: Type.Object({
              by: Type.String(),
              from: Type.String(),
              to: Type.String(),
              total: KpiRow,
              items: Type.Array(Type.Intersect([Type.Object({ rank: Type.Integer(), id: Type.String(), name: Type.String() }), KpiRow])),
            }),
          },
        },
      },
      async (req) => kpiTable(db, req.caller!, req.query),
    );
    app.get(
      '/api/grid/kpis.xlsx',
      {
        config: { access: 'grid.read', scope: [{ kind: 'region', from: 'query.regionId', label: '区划' }] },
        schema: { tags, summary: '绩效考核导出（xlsx）', querystring: KpiQuery },
      },
      async (req, reply) => {
        const t = await kpiTable(db, req.caller!, req.query);
        const label = KPI_DIMENSIONS[t.by as KpiDimension];
        return sendXlsx(reply, `网格绩效考核-${label}-${t.from}至${t.to}.xlsx`, await kpiWorkbook(t, label));
      },
    );
    app.get(
      '/api/grid/dashboard',
      {
        config: { access: 'grid.read', scope: [{ kind: 'region', from: 'query.regionId', label: '区划' }] },
        schema: {
          tags,
          summary: '网格治理看板：在办/超期/督办数，按类别统计，事件分布与网格边界',
          querystring: Type.Object({ regionId: Type.Optional(Uuid) }, { additionalProperties: false }),
        },
      },
      async (req) => dashboard(db, req.caller!, req.query.regionId),
    );

    // ---- residents without an account: report by phone, follow with the tracking code -------------------------
    app.post(
      '/api/public/grid/reports',
      {
        config: { access: 'public', action: 'grid.public-report' },
        schema: {
          tags,
          summary: '居民报事（免登录，扫数字门牌或定位；需留手机号，返回查询码）',
          body: Type.Object(
            {
              ...ReportFields,
              plate: Type.Optional(
                Type.Object({ communityId: Uuid, code: Type.String({ minLength: 1, maxLength: 40 }) }, { additionalProperties: false }),
              ),
              reporterName: Type.Optional(Type.String({ maxLength: 40 })),
              reporterPhone: Type.String({ minLength: 5, maxLength: 30 }),
            },
            { additionalProperties: false },
          ),
          response: {
            201: Type.Object({
              number: Type.String(),
              trackingCode: Type.String(),
              statusLabel: Type.String(),
              handleDueAt: Type.String(),
            }),
          },
        },
      },
      async (req, reply) => {
        const r = await service.reportEvent(whoOf(req, db, req.body.reporterName || '居民'), keys, req.body, {
          kind: 'resident',
          channel: 'mobile',
          trusted: false,
        });
        return reply
          .status(201)
          .send({ number: r.number, trackingCode: r.trackingCode, statusLabel: r.statusLabel, handleDueAt: r.handleDueAt });
      },
    );
    app.post(
      '/api/public/grid/track',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: '凭查询码和手机号查看事件进度',
          body: Type.Object(TrackKey, { additionalProperties: false }),
          response: { 200: Tracked },
        },
      },
      async (req) => service.trackedEvent(db, keys, req.body.code, req.body.phone),
    );
    app.post(
      '/api/public/grid/track/actions',
      {
        config: { access: 'public', action: 'grid.public-feedback' },
        schema: {
          tags,
          summary: '报告人确认办结并评价（confirm，满意度 1–5）或要求重办（reopen，需说明原因）',
          body: Type.Object(
            {
              ...TrackKey,
              action: Type.Enum(['confirm', 'reopen']),
              satisfaction: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
              comment: Type.Optional(Type.String({ maxLength: 500 })),
              reason: Type.Optional(Type.String({ maxLength: 500 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Tracked },
        },
      },
      async (req) => {
        const { code, phone, ...input } = req.body;
        return service.trackedAct(whoOf(req, db), keys, code, phone, input);
      },
    );
  };
}
