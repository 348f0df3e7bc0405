// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) on top of grid events: other platforms and
// apps report problems here and follow them (issue 5 §7; `003` L2P7: complaints from other channels
// gathered in one place). A request is an ordinary grid event (channel `open311`, reporter kind
// `platform`, the partner named by its api_key) and enters the same closed loop as every other report.
//
// JSON only (`.xml` gets the spec's error saying so). Errors on these paths use the spec's format, an
// array of `{ code, description }` with the HTTP status, through an error handler scoped to this plugin;
// the rest of the API keeps problem+json. Reads need no api_key (the spec allows it) and never carry
// personal data: no reporter name or phone, no email, no photo sent inline as a data: URI.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { sql, type SQL } from 'drizzle-orm';
import { Type } from 'typebox';
import type { DataKeys } from '../../crypto/personal-data.js';
import { pgErrorCode, type Db } from '../../db/pool.js';
import { AppError, chinaTime, problems } from '../../http/errors.js';
import * as config from './config.js';
import { OPEN_STATUSES, STATUSES, type Status } from './model.js';
import { reference, type Category, type Reference } from './reference.js';
import { whoOf } from './routes.js';
import * as service from './service.js';

const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';
/** When this interface last changed (the discovery document's `changeset`). */
const CHANGESET = '2026-12-03T00:00:00Z';
const BASE = '/open311/v2';
/** The spec's default window and size for GET requests. */
const WINDOW_DAYS = 90;
const MAX_REQUESTS = 1000;

// ---- schemas -----------------------------------------------------------------------------------

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Text = (maxLength: number, description?: string) => Type.String({ maxLength, ...(description ? { description } : {}) });
const Ignored = (maxLength = 200) => Type.Optional(Text(maxLength, '接受但不使用'));
/** A coordinate: a number in JSON, a decimal string in a form; empty means absent. */
const Coord = (description: string) =>
  Type.Union([Type.Number(), Type.String({ maxLength: 40, pattern: '^\\s*([-+]?\\d{1,3}(\\.\\d+)?)?\\s*$' })], { description });

const SpecErrors = Type.Array(Type.Object({ code: Type.Integer(), description: Type.String() }), {
  description: 'Open311 错误格式：[{ code: HTTP 状态码, description: 说明 }]',
});
const errorResponses = { '4xx': SpecErrors, '5xx': SpecErrors };

const Service = Type.Object({
  service_code: Type.String(),
  service_name: Type.String(),
  description: Type.String(),
  metadata: Type.Boolean(),
  type: Type.String(),
  keywords: Type.String(),
  group: Type.String(),
});

const ServiceRequest = Type.Object({
  service_request_id: Type.String(),
  status: Type.Enum(['open', 'closed']),
  status_notes: Nullable(Type.String()),
  service_name: Type.String(),
  service_code: Type.String(),
  description: Type.String(),
  agency_responsible: Nullable(Type.String()),
  service_notice: Nullable(Type.String()),
  requested_datetime: Type.String(),
  updated_datetime: Type.String(),
  expected_datetime: Nullable(Type.String()),
  address: Nullable(Type.String()),
  address_id: Nullable(Type.String()),
  zipcode: Nullable(Type.String()),
  lat: Nullable(Type.Number()),
  long: Nullable(Type.Number()),
  media_url: Nullable(Type.String()),
});

const Jurisdiction = { jurisdiction_id: Ignored(100), api_key: Ignored(200) };

const RequestBody = Type.Object(
  {
    api_key: Type.String({ minLength: 1, maxLength: 200, description: '合作方密钥（由平台管理员签发）' }),
    service_code: Type.String({ minLength: 1, maxLength: 100, description: '事件类别代码（见 services.json）' }),
    jurisdiction_id: Ignored(100),
    lat: Type.Optional(Coord('纬度（WGS 84），与 long 同时提供')),
    long: Type.Optional(Coord('经度（WGS 84），与 lat 同时提供')),
    address_string: Type.Optional(Text(200, '地址（需同时提供 lat/long；暂不支持仅凭地址定位）')),
    address_id: Ignored(100),
    email: Ignored(200),
    device_id: Ignored(200),
    account_id: Ignored(200),
    first_name: Type.Optional(Text(40)),
    last_name: Type.Optional(Text(40)),
    phone: Type.Optional(Text(30, '报告人电话（加密保存，不会在查询中返回）')),
    description: Type.Optional(Text(4000, '问题描述；缺省时用类别名称')),
    media_url: Type.Optional(Text(2000, '照片地址（http/https）')),
  },
  { additionalProperties: false, patternProperties: { '^attribute\\[[^\\]]*\\](\\[\\])?$': Type.Unknown() } },
);
type RequestBody = {
  api_key: string;
  service_code: string;
  lat?: number | string;
  long?: number | string;
  address_string?: string;
  first_name?: string;
  last_name?: string;
  phone?: string;
  description?: string;
  media_url?: string;
};

// ---- errors in the spec's format ------------------------------------------------------------------

/** Our field names (service and schema) as the spec names them. */
const SPEC_FIELDS: Record<string, string> = {
  categoryCode: 'service_code',
  lng: 'long',
  lat: 'lat',
  regionId: 'lat/long',
  address: 'address_string',
  reporterPhone: 'phone',
  reporterName: 'first_name/last_name',
  photos: 'media_url',
};
function specField(field: string): string {
  const f = field.replace(/^(body|query|params|headers)\./, '');
  const head = f.split('.')[0]!;
  return SPEC_FIELDS[head] ?? f;
}

interface SpecError {
  code: number;
  description: string;
}

function fromAppError(e: AppError): SpecError[] {
  if (e.errors?.length) return e.errors.map((x) => ({ code: e.status, description: `${specField(x.field)}：${x.message}` }));
  return [{ code: e.status, description: e.detail ?? e.title }];
}

/** What Fastify or PostgreSQL raised, as a status and description; null when it is a bug. */
function fromOther(err: FastifyError): SpecError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 400, description: '请求体不是有效的 JSON' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 413, description: '请求体超过允许的大小' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { code: 415, description: '请求体应为 application/x-www-form-urlencoded 或 application/json' };
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return { code: 400, description: '请求地址无法解析' };
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return { code: err.statusCode, description: err.message };
  switch (pgErrorCode(err)) {
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
    case '22021':
    case '22001':
    case '54000':
      return { code: 400, description: '参数取值超出允许范围或格式不正确' };
  }
  return null;
}

function sendErrors(reply: FastifyReply, status: number, errors: SpecError[]): FastifyReply {
  return reply.status(status).type('application/json; charset=utf-8').send(errors);
}

function handleError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof AppError) return sendErrors(reply, err.status, fromAppError(err));
  const mapped = fromOther(err);
  if (mapped) return sendErrors(reply, mapped.code, [mapped]);
  req.log.error({ err }, 'unhandled error');
  return sendErrors(reply, 500, [{ code: 500, description: `服务器内部错误，请联系平台管理员（请求编号 ${req.id}）` }]);
}

// ---- services -------------------------------------------------------------------------------------

function activeServices(ref: Reference): { category: Category; group: Category }[] {
  const out: { category: Category; group: Category }[] = [];
  for (const c of ref.categories.values()) {
    const group = c.parentCode ? ref.categories.get(c.parentCode) : undefined;
    if (c.active && group?.active) out.push({ category: c, group });
  }
  return out.sort((a, b) => a.category.sort - b.category.sort || a.category.code.localeCompare(b.category.code));
}

function serviceOf({ category, group }: { category: Category; group: Category }) {
  return {
    service_code: category.code,
    service_name: category.name,
    description: `${group.name}：${category.name}`,
    metadata: false,
    type: 'realtime',
    keywords: [group.name, category.name].join(','),
    group: group.name,
  };
}

// ---- posting a request ------------------------------------------------------------------------------

const blank = (s: string | undefined) => s === undefined || s.trim() === '';

function coordinate(v: number | string | undefined, field: 'lat' | 'long'): number | undefined {
  if (v === undefined || (typeof v === 'string' && v.trim() === '')) return undefined;
  const n = typeof v === 'number' ? v : Number(v.trim());
  const limit = field === 'lat' ? 90 : 180;
  if (!Number.isFinite(n) || n < -limit || n > limit) throw problems.field(`body.${field}`, `应为 -${limit} 到 ${limit} 之间的数字`);
  return n;
}

/** 张 + 三 → 张三 for Chinese names (family name first); John + Smith → John Smith otherwise. */
function personName(first: string | undefined, last: string | undefined): string | undefined {
  const f = first?.trim() ?? '';
  const l = last?.trim() ?? '';
  if (!f && !l) return undefined;
  if (/\p{Script=Han}/u.test(f + l)) return `${l}${f}`;
  return [f, l].filter(Boolean).join(' ');
}

function toReport(b: RequestBody, ref: Reference): service.ReportInput {
  const lat = coordinate(b.lat, 'lat');
  const lng = coordinate(b.long, 'long');
  if ((lat === undefined) !== (lng === undefined))
    throw problems.field(lat === undefined ? 'body.lat' : 'body.long', 'lat 和 long 需同时提供');
  if (lat === undefined || lng === undefined)
    throw problems.field(
      'body.lat',
      blank(b.address_string) ? '请提供位置：lat 和 long' : '暂不支持仅凭 address_string 定位，请同时提供 lat 和 long',
    );
  const media = b.media_url?.trim();
  if (media && !/^https?:\/\/\S+$/i.test(media)) throw problems.field('body.media_url', '应为 http 或 https 地址');
  const category = ref.categories.get(b.service_code);
  const description = b.description?.trim() || category?.name || b.service_code;
  return {
    categoryCode: b.service_code,
    description,
    lat,
    lng,
    ...(blank(b.address_string) ? {} : { address: b.address_string!.trim() }),
    ...(media ? { photos: [media] } : {}),
    ...(personName(b.first_name, b.last_name) ? { reporterName: personName(b.first_name, b.last_name) } : {}),
    ...(blank(b.phone) ? {} : { reporterPhone: b.phone }),
  };
}

// ---- reading requests ----------------------------------------------------------------------------

interface RequestRow {
  number: string;
  status: Status;
  category_code: string;
  description: string;
  handler_note: string | null;
  last_reason: string | null;
  address: string | null;
  lng: number | null;
  lat: number | null;
  photo: string | null;
  reported_at: Date | string;
  updated_at: Date | string;
  handle_due_at: Date | string;
  unit_name: string | null;
}

const iso = (d: Date | string) => new Date(d).toISOString();
const isOpen = (s: Status) => OPEN_STATUSES.includes(s);

function serviceNotice(status: Status, handleDueAt: Date): string | null {
  if (!isOpen(status)) return null;
  return `处置时限：${chinaTime(handleDueAt)}（北京时间）`;
}

function presentRequest(r: RequestRow, ref: Reference) {
  const open = isOpen(r.status);
  // After handling, the handler's note says what was done; before it, the latest reason given (退单、不予受理…).
  const note = ['handled', 'feedback', 'closed'].includes(r.status) && r.handler_note ? r.handler_note : r.last_reason;
  return {
    service_request_id: r.number,
    status: open ? ('open' as const) : ('closed' as const),
    status_notes: `${STATUSES[r.status] ?? r.status}${note ? `：${note}` : ''}`,
    service_name: ref.categories.get(r.category_code)?.name ?? r.category_code,
    service_code: r.category_code,
    description: r.description,
    agency_responsible: r.unit_name,
    service_notice: serviceNotice(r.status, new Date(r.handle_due_at)),
    requested_datetime: iso(r.reported_at),
    updated_datetime: iso(r.updated_at),
    expected_datetime: iso(r.handle_due_at),
    address: r.address,
    address_id: null,
    zipcode: null,
    lat: r.lat,
    long: r.lng,
    // Only a public link; a photo sent inline (data: URI) may show people and stays inside the platform.
    media_url: r.photo && /^https?:\/\//i.test(r.photo) ? r.photo : null,
  };
}

async function findRequests(db: Db, where: SQL, limit: number): Promise<RequestRow[]> {
  const r = await db.execute(sql`
    select e.number, e.status, e.category_code, e.description, e.handler_note, e.address, e.lng, e.lat, e.photos->>0 as photo,
      e.reported_at, e.updated_at, e.handle_due_at, u.name as unit_name,
      (select t.reason from grid_event_transitions t
        where t.community_id = e.community_id and t.event_id = e.id and t.reason is not null and t.action not in ('warn', 'overdue')
        order by t.at desc, t.id desc limit 1) as last_reason
    from grid_events e left join grid_units u on u.id = e.unit_id
    where ${where}
    order by e.reported_at desc, e.id desc
    limit ${limit}`);
  return r.rows as unknown as RequestRow[];
}

const list = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
/** An ISO 8601 time; without a time zone it is read as Beijing time (UTC+8), where the platform is. */
function parseTime(s: string | undefined, field: string): Date | undefined {
  if (blank(s)) return undefined;
  const t = s!.trim();
  if (!ISO_8601.test(t)) throw problems.field(`query.${field}`, '应为 ISO 8601 时间，例如 2026-12-01T08:00:00+08:00');
  const withTime = t.includes('T') || t.includes('t') ? t : `${t}T00:00:00`;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(withTime) ? withTime : `${withTime}+08:00`;
  const d = new Date(zoned);
  if (Number.isNaN(d.getTime())) throw problems.field(`query.${field}`, '不是有效的时间');
  return d;
}

interface RequestsQuery {
  service_request_id?: string;
  service_code?: string;
  start_date?: string;
  end_date?: string;
  status?: string;
}

function requestsFilter(q: RequestsQuery): SQL {
  const ids = list(q.service_request_id);
  // The spec: a list of ids overrides every other argument.
  if (ids.length) {
    if (ids.length > MAX_REQUESTS) throw problems.field('query.service_request_id', `一次最多查询 ${MAX_REQUESTS} 个`);
    return sql`e.number = any(${sql.param(ids)}::text[])`;
  }
  const conds: SQL[] = [];
  const statuses = list(q.status);
  for (const s of statuses) if (s !== 'open' && s !== 'closed') throw problems.field('query.status', '应为 open 或 closed（可用逗号分隔）');
  const open = statuses.includes('open');
  const closed = statuses.includes('closed');
  if (open !== closed)
    conds.push(
      open
        ? sql`e.status = any(${sql.param([...OPEN_STATUSES])}::text[])`
        : sql`not (e.status = any(${sql.param([...OPEN_STATUSES])}::text[]))`,
    );
  const codes = list(q.service_code);
  if (codes.length) conds.push(sql`e.category_code = any(${sql.param(codes)}::text[])`);
  // At most 90 days: the window ends at end_date (or now) and starts at start_date (or 90 days earlier).
  const windowMs = WINDOW_DAYS * 86_400_000;
  let start = parseTime(q.start_date, 'start_date');
  let end = parseTime(q.end_date, 'end_date');
  if (start && end && start > end) throw problems.field('query.end_date', '不能早于 start_date');
  if (start && end && end.getTime() - start.getTime() > windowMs)
    throw problems.field('query.end_date', `时间跨度不能超过 ${WINDOW_DAYS} 天`);
  if (!end) end = start ? new Date(start.getTime() + windowMs) : new Date();
  if (!start) start = new Date(end.getTime() - windowMs);
  conds.push(sql`e.reported_at >= ${start.toISOString()}::timestamptz and e.reported_at <= ${end.toISOString()}::timestamptz`);
  return sql.join(conds, sql` and `);
}

// ---- routes -------------------------------------------------------------------------------------

/** Where the platform is reached from outside: the configured public URL, else the request's host. */
function origin(req: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl ?? `${req.protocol}://${req.host}`;
}

/** Open311 GeoReport v2 at /open311/v2: discovery, services, posting and reading service requests. */
export function open311Routes(db: Db, keys: DataKeys, publicUrl?: string): FastifyPluginAsyncTypebox {
  const tags = ['Open311'];
  return async (app) => {
    // Scoped to this plugin: the rest of the API keeps problem+json and has no form parser.
    app.setErrorHandler(handleError);
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    app.get(
      `${BASE}/discovery.json`,
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Open311 服务发现',
          response: {
            200: Type.Object({
              changeset: Type.String(),
              contact: Type.String(),
              key_service: Type.String(),
              endpoints: Type.Array(
                Type.Object({
                  specification: Type.String(),
                  url: Type.String(),
                  changeset: Type.String(),
                  type: Type.String(),
                  formats: Type.Array(Type.String()),
                }),
              ),
            }),
            ...errorResponses,
          },
        },
      },
      async (req) => ({
        changeset: CHANGESET,
        contact: '家园智慧社区平台管理员',
        key_service: 'api_key 由平台管理员在控制台“网格配置 → Open311 合作方”签发',
        endpoints: [
          {
            specification: SPECIFICATION,
            url: `${origin(req, publicUrl)}${BASE}`,
            changeset: CHANGESET,
            type: 'production',
            formats: ['application/json'],
          },
        ],
      }),
    );

    app.get(
      `${BASE}/services.json`,
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Open311 服务列表（启用的二级事件类别）',
          querystring: Type.Object(Jurisdiction, { additionalProperties: false }),
          response: { 200: Type.Array(Service), ...errorResponses },
        },
      },
      async () => activeServices(await reference(db)).map(serviceOf),
    );

    app.get(
      `${BASE}/services/:service_code.json`,
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Open311 服务定义（所有类别 metadata 均为 false，无附加属性）',
          params: Type.Object({ service_code: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
          querystring: Type.Object(Jurisdiction, { additionalProperties: false }),
          response: {
            200: Type.Object({ service_code: Type.String(), attributes: Type.Array(Type.Unknown()) }),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const code = req.params.service_code;
        if (!activeServices(await reference(db)).some((s) => s.category.code === code)) throw problems.notFound(`服务 ${code} `);
        return { service_code: code, attributes: [] };
      },
    );

    app.post(
      `${BASE}/requests.json`,
      {
        config: { access: 'public', action: 'open311.request-create' },
        schema: {
          tags,
          summary: 'Open311 提交服务请求（合作方凭 api_key；表单或 JSON）',
          consumes: ['application/x-www-form-urlencoded', 'application/json'],
          body: RequestBody,
          response: {
            201: Type.Array(
              Type.Object({ service_request_id: Type.String(), service_notice: Nullable(Type.String()), account_id: Type.Null() }),
            ),
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        const body = req.body as RequestBody;
        const partner = await config.partnerByKey(db, body.api_key);
        if (!partner) throw problems.forbidden('api_key 无效或已吊销', [{ field: 'body.api_key', message: '无效或已吊销' }]);
        const ref = await reference(db);
        const input = toReport(body, ref);
        const ev = await service.reportEvent(whoOf(req, db, partner.name), keys, input, {
          kind: 'platform',
          channel: 'open311',
          partnerId: partner.id,
          trusted: false,
        });
        return reply.status(201).send([
          {
            service_request_id: ev.number,
            service_notice: `已收到，待受理；${serviceNotice(ev.status, new Date(ev.handleDueAt)) ?? ''}`,
            account_id: null,
          },
        ]);
      },
    );

    app.get(
      `${BASE}/requests.json`,
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: `Open311 查询服务请求（默认最近 ${WINDOW_DAYS} 天，最多 ${MAX_REQUESTS} 条；不含报告人信息）`,
          querystring: Type.Object(
            {
              service_request_id: Type.Optional(Text(20_000, '事件编号，多个用逗号分隔；提供时忽略其他条件')),
              service_code: Type.Optional(Text(2000, '类别代码，多个用逗号分隔')),
              start_date: Type.Optional(Text(40, 'ISO 8601；无时区时按北京时间')),
              end_date: Type.Optional(Text(40, 'ISO 8601；与 start_date 相距不超过 90 天')),
              status: Type.Optional(Text(20, 'open、closed，可用逗号分隔')),
              ...Jurisdiction,
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Array(ServiceRequest), ...errorResponses },
        },
      },
      async (req) => {
        const where = requestsFilter(req.query);
        const [ref, rows] = await Promise.all([reference(db), findRequests(db, where, MAX_REQUESTS)]);
        return rows.map((r) => presentRequest(r, ref));
      },
    );

    app.get(
      `${BASE}/requests/:service_request_id.json`,
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Open311 查询单个服务请求（数组，含一项）',
          params: Type.Object({ service_request_id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
          querystring: Type.Object(Jurisdiction, { additionalProperties: false }),
          response: { 200: Type.Array(ServiceRequest), ...errorResponses },
        },
      },
      async (req) => {
        const [ref, rows] = await Promise.all([reference(db), findRequests(db, sql`e.number = ${req.params.service_request_id}`, 1)]);
        if (!rows.length) throw problems.notFound(`服务请求 ${req.params.service_request_id} `);
        return rows.map((r) => presentRequest(r, ref));
      },
    );

    // Anything else under /open311/v2 (e.g. the XML forms of the calls above): the spec's error, not the console.
    app.route({
      method: ['GET', 'POST'],
      url: `${BASE}/*`,
      config: { access: 'public' },
      schema: { hide: true },
      handler: async (req, reply) => {
        const path = req.url.split('?')[0]!;
        if (/\.xml$/i.test(path)) return sendErrors(reply, 400, [{ code: 400, description: '仅支持 JSON 格式，请使用 .json 地址' }]);
        return sendErrors(reply, 404, [{ code: 404, description: `${req.method} ${path} 不存在` }]);
      },
    });
  };
}
