// HTTP for the community register: residents, buildings, rooms, residencies.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DataKeys } from '../../crypto/personal-data.js';
import type { Db } from '../../db/pool.js';
import { sendXlsx } from '../../http/xlsx.js';
import { ctxOf } from '../../http/context.js';
import { AppError } from '../../http/errors.js';
import type { FastifyRequest } from 'fastify';
import { registerScopeResolver } from '../../http/guard.js';
import { IdParams, page, Paging, Uuid } from '../../http/schemas.js';
import { ID_TYPES, RESIDENT_TAG_LABELS } from './model.js';
import * as ledger from './ledger.js';
import { importRooms, ROOM_COLUMNS } from './ledger-places.js';
import { importJob, importJobPath, startImportJob, type ImportRun } from './import-jobs.js';
import { registerRegistryTimeline } from './timeline.js';
import * as plates from './plates.js';
import * as service from './service.js';

const DateStr = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Tag = Type.String({
  maxLength: 40,
  description: `人员标签：${Object.entries(RESIDENT_TAG_LABELS)
    .map(([k, v]) => `${k} ${v}`)
    .join('，')}`,
});

const ResidentFields = {
  name: Type.String({ minLength: 1, maxLength: 50, pattern: '\\S' }),
  idType: Type.Enum(ID_TYPES),
  idNumber: Type.String({ minLength: 1, maxLength: 40 }),
  phone: Type.Optional(Nullable(Type.String({ maxLength: 30 }))),
  gender: Type.Optional(Nullable(Type.Enum(['male', 'female'] as const))),
  birthDate: Type.Optional(Nullable(DateStr)),
  hukou: Type.Optional(Type.Enum(['local', 'nonlocal', 'unknown'] as const)),
  hukouAddress: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  tags: Type.Optional(Type.Array(Tag, { maxItems: 20, uniqueItems: true })),
  disabilityGrade: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 4 }))),
  note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
};

const Resident = Type.Object({
  id: Uuid,
  communityId: Uuid,
  gridId: Nullable(Uuid),
  name: Type.String(),
  gender: Nullable(Type.String()),
  birthDate: Nullable(Type.String()),
  age: Nullable(Type.Integer()),
  idType: Type.String(),
  idNumber: Type.String({ description: '脱敏，如 3701**********1234' }),
  phone: Nullable(Type.String({ description: '脱敏，如 138****5678' })),
  hukou: Type.String(),
  hukouAddress: Nullable(Type.String()),
  status: Type.String(),
  tags: Type.Array(Type.String()),
  disabilityGrade: Nullable(Type.Integer()),
  note: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

/** A resident in a list, with where they live now (current residencies, household head first). */
const ResidentListed = Type.Object({
  ...Resident.properties,
  homes: Type.Array(Type.Object({ address: Type.String(), relation: Type.String() }), { description: '现住房屋（地址与关系）' }),
});

const Residency = Type.Object({
  id: Uuid,
  residentId: Uuid,
  roomId: Uuid,
  relation: Type.String(),
  householdHead: Type.Boolean(),
  movedInOn: Nullable(Type.String()),
  movedOutOn: Nullable(Type.String()),
});

const Room = Type.Object({
  id: Uuid,
  communityId: Uuid,
  buildingId: Uuid,
  floor: Nullable(Type.Integer()),
  number: Type.String(),
  area: Nullable(Type.Number()),
  use: Type.String(),
  address: Type.String(),
  plateCode: Type.String(),
});

const Building = Type.Object({
  id: Uuid,
  communityId: Uuid,
  gridId: Nullable(Uuid),
  compound: Type.String(),
  road: Type.String(),
  number: Type.String(),
  label: Type.String(),
  floors: Nullable(Type.Integer()),
  use: Type.String(),
  builtYear: Nullable(Type.Integer()),
  lng: Nullable(Type.Number()),
  lat: Nullable(Type.Number()),
  plateCode: Type.String(),
  rooms: Type.Integer(),
  occupied: Type.Integer(),
});

const EXPORT_LIMIT = 50_000;
const PlateCode = Type.String({ minLength: 4, maxLength: 80, pattern: '^[A-Za-z0-9_-]+$' });

/** Where the platform is reached from outside (for QR links): the configured public URL, else the request's host. */
function origin(req: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl ?? `${req.protocol}://${req.host}`;
}

/** At most this many row problems are listed in an answer; `invalid` counts them all. */
const MAX_LISTED_ERRORS = 1000;
export function capErrors(r: ledger.ImportReport): ledger.ImportReport {
  return r.errors.length > MAX_LISTED_ERRORS ? { ...r, errors: r.errors.slice(0, MAX_LISTED_ERRORS) } : r;
}

const ImportReport = Type.Object({
  total: Type.Integer(),
  valid: Type.Integer(),
  inserted: Type.Integer(),
  unchanged: Type.Integer(),
  invalid: Type.Integer(),
  committed: Type.Boolean(),
  errors: Type.Array(Type.Object({ row: Type.Integer(), column: Type.String(), message: Type.String() })),
});

/** A ledger that can be downloaded as a template and imported. Organisations add theirs in their module. */
export interface Ledger {
  kind: string;
  title: string;
  columns: ledger.Column[];
  idempotentBy: string;
  run: ImportRun;
}

export function registryRoutes(db: Db, keys: DataKeys, publicUrl?: string, extraLedgers: Ledger[] = []): FastifyPluginAsyncTypebox {
  const LEDGERS: Ledger[] = [
    {
      kind: 'residents',
      title: '居民',
      columns: ledger.RESIDENT_COLUMNS,
      idempotentBy: '按证件号码',
      run: (ctx, regionId, rows, mode, progress) => ledger.importResidents(ctx, keys, regionId, rows, mode, progress),
    },
    { kind: 'rooms', title: '楼栋房屋', columns: ROOM_COLUMNS, idempotentBy: '按标准地址', run: importRooms },
    ...extraLedgers,
  ];
  registerScopeResolver('resident', service.residentPath);
  registerScopeResolver('building', service.buildingPath);
  registerScopeResolver('room', service.roomPath);
  registerScopeResolver('residency', service.residencyPath);
  registerRegistryTimeline();
  registerScopeResolver('import-job', importJobPath);
  const tags = ['基础信息库'];

  return async (app) => {
    app.get(
      '/api/residents',
      {
        config: {
          access: 'registry.read',
          action: 'resident.list',
          scope: [
            { kind: 'region', from: 'query.communityId', label: '社区' },
            { kind: 'region', from: 'query.gridId', label: '网格' },
          ],
        },
        schema: {
          tags,
          summary: '居民查询（姓名、拼音首字母、电话、证件号、地址片段；空 q 列出管辖范围内全部）',
          querystring: Type.Object(
            {
              q: Type.Optional(Type.String({ maxLength: 60 })),
              communityId: Type.Optional(Uuid),
              gridId: Type.Optional(Uuid),
              tag: Type.Optional(Tag),
              ...Paging,
            },
            { additionalProperties: false },
          ),
          response: { 200: page(ResidentListed) },
        },
      },
      async (req) =>
        service.searchResidents(ctxOf(req, db), keys, {
          ...(req.query.q ? { q: req.query.q } : {}),
          ...(req.query.communityId ? { communityId: req.query.communityId } : {}),
          ...(req.query.gridId ? { gridId: req.query.gridId } : {}),
          ...(req.query.tag ? { tag: req.query.tag } : {}),
          page: req.query.page ?? 1,
          pageSize: req.query.pageSize ?? 20,
        }),
    );

    app.get(
      '/api/residents/export.xlsx',
      {
        config: {
          access: 'registry.read',
          action: 'resident.export',
          scope: [
            { kind: 'region', from: 'query.communityId', label: '社区' },
            { kind: 'region', from: 'query.gridId', label: '网格' },
          ],
        },
        schema: {
          tags,
          summary: '导出居民台账（xlsx，按当前筛选条件，脱敏）',
          querystring: Type.Object(
            {
              q: Type.Optional(Type.String({ maxLength: 60 })),
              communityId: Type.Optional(Uuid),
              gridId: Type.Optional(Uuid),
              tag: Type.Optional(Tag),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const r = await service.searchResidents(ctxOf(req, db), keys, { ...req.query, page: 1, pageSize: EXPORT_LIMIT });
        // A list longer than the limit is cut; the headers say so.
        reply.header('x-total-count', String(r.total)).header('x-truncated', String(r.total > r.items.length));
        return sendXlsx(reply, '居民台账.xlsx', await ledger.residentsWorkbook(r.items));
      },
    );

    app.get(
      '/api/registry/imports/jobs/:id',
      {
        config: { access: 'registry.import', scope: [{ kind: 'import-job', from: 'params.id', label: '导入任务' }] },
        schema: {
          tags,
          summary: '导入任务进度与结果',
          params: IdParams,
          response: {
            200: Type.Object({
              id: Uuid,
              kind: Type.String(),
              mode: Type.String(),
              status: Type.Enum(['running', 'done', 'failed', 'interrupted'] as const),
              total: Type.Integer(),
              processed: Type.Integer(),
              report: Nullable(ImportReport),
              error: Nullable(Type.String()),
              createdAt: Type.String({ format: 'date-time' }),
              finishedAt: Nullable(Type.String({ format: 'date-time' })),
            }),
          },
        },
      },
      async (req) => importJob(db, req.params.id),
    );

    for (const l of LEDGERS) {
      app.get(
        `/api/registry/templates/${l.kind}.xlsx`,
        { config: { access: 'registry.import' }, schema: { tags, summary: `下载${l.title}导入模板（xlsx）` } },
        async (_req, reply) => sendXlsx(reply, `${l.title}导入模板.xlsx`, await ledger.template(l.columns, l.title)),
      );

      app.post(
        `/api/registry/imports/${l.kind}`,
        {
          config: {
            access: 'registry.import',
            action: `${l.kind}.import`,
            scope: [{ kind: 'region', from: 'query.regionId', label: '社区' }],
          },
          schema: {
            tags,
            summary: `导入${l.title}台账（请求体为 xlsx 文件）：validate（默认）只校验；commit 全部无误才写入；commit-valid 只写入无误的行`,
            description: `Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet；同一文件重复导入不会重复登记（${l.idempotentBy}）。`,
            querystring: Type.Object(
              {
                regionId: Uuid,
                mode: Type.Optional(Type.Enum(['validate', 'commit', 'commit-valid'] as const)),
                async: Type.Optional(
                  Type.Boolean({ description: 'true：后台执行，立即返回任务编号（202），进度见 /api/registry/imports/jobs/{id}' }),
                ),
              },
              { additionalProperties: false },
            ),
            response: { 200: ImportReport, 202: Type.Object({ jobId: Uuid, total: Type.Integer() }) },
          },
        },
        async (req, reply) => {
          const q = req.query as { regionId: string; mode?: ledger.ImportMode; async?: boolean };
          if (!Buffer.isBuffer(req.body))
            throw new AppError(415, 'unsupported-media-type', '不支持的内容类型', '请以 xlsx 文件作为请求体上传');
          const rows = await ledger.readSheet(req.body, l.columns);
          if (q.async)
            return reply.status(202).send(await startImportJob(ctxOf(req, db), l.kind, l.run, q.regionId, rows, q.mode ?? 'validate'));
          return capErrors(await l.run(ctxOf(req, db), q.regionId, rows, q.mode ?? 'validate'));
        },
      );
    }

    app.get(
      '/api/residents/:id',
      {
        config: { access: 'registry.read', action: 'resident.read', scope: [{ kind: 'resident', from: 'params.id', label: '居民' }] },
        schema: {
          tags,
          summary: '居民详情（含现住与曾住房屋，迁出的带 movedOutOn）',
          params: IdParams,
          response: {
            200: Type.Intersect([
              Resident,
              Type.Object({
                homes: Type.Array(
                  Type.Object({
                    residencyId: Uuid,
                    roomId: Uuid,
                    address: Type.String(),
                    relation: Type.String(),
                    householdHead: Type.Boolean(),
                    movedInOn: Nullable(Type.String()),
                    movedOutOn: Nullable(Type.String()),
                  }),
                ),
              }),
            ]),
          },
        },
      },
      async (req) => service.residentDetail(ctxOf(req, db), req.params.id),
    );

    app.post(
      '/api/residents',
      {
        config: {
          access: 'registry.write',
          action: 'resident.create',
          scope: [{ kind: 'region', from: 'body.regionId', label: '社区或网格' }],
        },
        schema: {
          tags,
          summary: '登记居民',
          body: Type.Object({ regionId: Uuid, ...ResidentFields }, { additionalProperties: false }),
          response: { 201: Resident },
        },
      },
      async (req, reply) => {
        const { regionId, ...input } = req.body;
        return reply.status(201).send(await service.createResident(ctxOf(req, db), keys, regionId, input));
      },
    );

    app.patch(
      '/api/residents/:id',
      {
        config: { access: 'registry.write', action: 'resident.update', scope: [{ kind: 'resident', from: 'params.id', label: '居民' }] },
        schema: {
          tags,
          summary: '修改居民信息',
          params: IdParams,
          body: Type.Object(
            {
              name: Type.Optional(ResidentFields.name),
              idType: Type.Optional(ResidentFields.idType),
              idNumber: Type.Optional(ResidentFields.idNumber),
              phone: ResidentFields.phone,
              gender: ResidentFields.gender,
              birthDate: ResidentFields.birthDate,
              hukou: ResidentFields.hukou,
              hukouAddress: ResidentFields.hukouAddress,
              tags: ResidentFields.tags,
              disabilityGrade: ResidentFields.disabilityGrade,
              note: ResidentFields.note,
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: Resident },
        },
      },
      async (req) => service.updateResident(ctxOf(req, db), keys, req.params.id, req.body),
    );

    app.post(
      '/api/residents/:id/reveal',
      {
        config: { access: 'registry.reveal', action: 'resident.reveal', scope: [{ kind: 'resident', from: 'params.id', label: '居民' }] },
        schema: {
          tags,
          summary: '查看完整证件号码与电话（逐次留痕）',
          params: IdParams,
          response: { 200: Type.Object({ idNumber: Type.String(), phone: Nullable(Type.String()) }) },
        },
      },
      async (req) => service.revealResident(ctxOf(req, db), keys, req.params.id),
    );

    app.get(
      '/api/buildings',
      {
        config: {
          access: 'registry.read',
          scope: [
            { kind: 'region', from: 'query.communityId', label: '社区' },
            { kind: 'region', from: 'query.gridId', label: '网格' },
          ],
        },
        schema: {
          tags,
          summary: '楼栋列表（含房屋数与入住数）；可按社区或网格筛选',
          querystring: Type.Object({ communityId: Type.Optional(Uuid), gridId: Type.Optional(Uuid) }, { additionalProperties: false }),
          response: { 200: Type.Array(Building) },
        },
      },
      async (req) => service.listBuildings(ctxOf(req, db), req.query.communityId, req.query.gridId),
    );

    app.get(
      '/api/plates/:communityId/:code',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: '数字门牌信息（公开：地址、网格、网格员、服务入口；不含个人信息）',
          params: Type.Object({ communityId: Uuid, code: PlateCode }, { additionalProperties: false }),
          response: {
            200: Type.Object({
              kind: Type.Enum(['building', 'room'] as const),
              communityId: Uuid,
              code: Type.String(),
              address: Type.String(),
              building: Type.String(),
              community: Type.String(),
              grid: Nullable(Type.String()),
              gridWorkers: Type.Array(Type.String()),
              services: Type.Array(
                Type.Object({
                  key: Type.String(),
                  label: Type.String(),
                  available: Type.Boolean(),
                  href: Type.Union([Type.String(), Type.Null()]),
                }),
              ),
            }),
          },
        },
      },
      async (req) => plates.plate(db, req.params.communityId, req.params.code),
    );

    // The page the QR opens on a phone (server-rendered; no login).
    app.get(
      '/plate/:communityId/:code',
      { config: { access: 'public' }, schema: { hide: true, params: Type.Object({ communityId: Uuid, code: PlateCode }) } },
      async (req, reply) =>
        reply.type('text/html; charset=utf-8').send(plates.platePage(await plates.plate(db, req.params.communityId, req.params.code))),
    );

    app.get(
      '/api/buildings/:id/plates.html',
      {
        config: { access: 'registry.read', scope: [{ kind: 'building', from: 'params.id', label: '楼栋' }] },
        schema: { tags, summary: '打印本楼栋及各房屋的数字门牌二维码（A4 网页）', params: IdParams },
      },
      async (req, reply) => reply.type('text/html; charset=utf-8').send(await plates.plateSheet(db, origin(req, publicUrl), req.params.id)),
    );

    app.get(
      '/api/buildings/:id',
      {
        config: { access: 'registry.read', scope: [{ kind: 'building', from: 'params.id', label: '楼栋' }] },
        schema: {
          tags,
          summary: '楼栋详情：单元与房屋（含入住人数）',
          params: IdParams,
          response: {
            200: Type.Intersect([
              Building,
              Type.Object({
                units: Type.Array(Type.Object({ id: Uuid, number: Type.String() })),
                roomList: Type.Array(
                  Type.Intersect([Room, Type.Object({ unitNumber: Nullable(Type.String()), occupants: Type.Integer() })]),
                ),
              }),
            ]),
          },
        },
      },
      async (req) => service.buildingDetail(db, req.params.id),
    );

    app.post(
      '/api/buildings',
      {
        config: {
          access: 'registry.write',
          action: 'building.create',
          scope: [{ kind: 'region', from: 'body.regionId', label: '社区或网格' }],
        },
        schema: {
          tags,
          summary: '登记楼栋',
          body: Type.Object(
            {
              regionId: Uuid,
              compound: Type.Optional(Type.String({ maxLength: 60 })),
              road: Type.Optional(Type.String({ maxLength: 100 })),
              number: Type.String({ minLength: 1, maxLength: 20, pattern: '\\S' }),
              floors: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
              units: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
              use: Type.Optional(Type.Enum(['residential', 'commercial', 'mixed', 'public', 'other'] as const)),
              builtYear: Type.Optional(Type.Integer({ minimum: 1800, maximum: 2100 })),
              lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
              lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: Building },
        },
      },
      async (req, reply) => {
        const { regionId, ...input } = req.body;
        return reply.status(201).send(await service.createBuilding(ctxOf(req, db), regionId, input));
      },
    );

    app.get(
      '/api/rooms',
      {
        config: { access: 'registry.read' },
        schema: {
          tags,
          summary: '按地址查找房屋（地址片段，如“3栋 1单元 301”；空 q 列出管辖范围内全部）',
          querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })), ...Paging }, { additionalProperties: false }),
          response: { 200: page(Type.Intersect([Room, Type.Object({ occupants: Type.Integer() })])) },
        },
      },
      async (req) => service.searchRooms(ctxOf(req, db), req.query.q, req.query.page ?? 1, req.query.pageSize ?? 20),
    );

    app.post(
      '/api/rooms',
      {
        config: { access: 'registry.write', action: 'room.create', scope: [{ kind: 'building', from: 'body.buildingId', label: '楼栋' }] },
        schema: {
          tags,
          summary: '登记房屋（生成标准地址）',
          body: Type.Object(
            {
              buildingId: Uuid,
              unitNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 10 })),
              floor: Type.Optional(Type.Integer({ minimum: -10, maximum: 200 })),
              number: Type.String({ minLength: 1, maxLength: 20, pattern: '\\S' }),
              area: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100000 })),
              use: Type.Optional(Type.Enum(['residential', 'commercial', 'office', 'storage', 'parking', 'other'] as const)),
            },
            { additionalProperties: false },
          ),
          response: { 201: Room },
        },
      },
      async (req, reply) => reply.status(201).send(await service.createRoom(ctxOf(req, db), req.body)),
    );

    app.post(
      '/api/residencies',
      {
        config: {
          access: 'registry.write',
          action: 'residency.create',
          scope: [
            { kind: 'resident', from: 'body.residentId', label: '居民' },
            { kind: 'room', from: 'body.roomId', label: '房屋' },
          ],
        },
        schema: {
          tags,
          summary: '登记居住关系（业主、租户、家庭成员）',
          body: Type.Object(
            {
              residentId: Uuid,
              roomId: Uuid,
              relation: Type.Enum(['owner', 'tenant', 'family', 'other'] as const),
              householdHead: Type.Optional(Type.Boolean()),
              movedInOn: Type.Optional(DateStr),
            },
            { additionalProperties: false },
          ),
          response: { 201: Residency },
        },
      },
      async (req, reply) => reply.status(201).send(await service.addResidency(ctxOf(req, db), req.body)),
    );

    app.patch(
      '/api/residencies/:id',
      {
        config: { access: 'registry.write', action: 'residency.end', scope: [{ kind: 'residency', from: 'params.id', label: '居住关系' }] },
        schema: {
          tags,
          summary: '登记迁出',
          params: IdParams,
          body: Type.Object({ movedOutOn: DateStr }, { additionalProperties: false }),
          response: { 200: Residency },
        },
      },
      async (req) => service.endResidency(ctxOf(req, db), req.params.id, req.body.movedOutOn),
    );
  };
}
