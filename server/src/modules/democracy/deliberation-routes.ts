// HTTP for consultation (民主协商, `004` 5.2.2) and 五议两公开 decisions (民主决策, `004` 5.2.3).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/pool.js';
import { ctxOf } from '../../http/context.js';
import { registerScopeResolver } from '../../http/guard.js';
import { IdParams, Uuid } from '../../http/schemas.js';
import { CONSULTATION_STEPS, type ConsultationStep } from './deliberation-model.js';
import * as service from './deliberation.js';

const Title = Type.String({ minLength: 2, maxLength: 100, pattern: '\\S' });
const LongText = (description: string) => Type.String({ maxLength: 5000, description });
const Count = (description: string) => Type.Integer({ minimum: 0, maximum: 1_000_000, description });

const Meeting = Type.Object(
  {
    kind: Type.Enum(['online', 'offline'], { description: 'online 线上会议，offline 线下会议' }),
    heldAt: Type.String({ format: 'date-time', description: '会议时间' }),
    place: Type.Optional(Type.String({ maxLength: 200, description: '地点（线下会议必填）' })),
    attendeesCount: Count('参会人数'),
    minutes: LongText('会议纪要'),
    attendees: Type.Optional(
      Type.Array(
        Type.Object({ name: Type.String({ minLength: 1, maxLength: 50 }), userId: Type.Optional(Uuid) }, { additionalProperties: false }),
        { maxItems: 1000, description: '记名参会人员（有账号的注明账号，结果告知时通知）' },
      ),
    ),
  },
  { additionalProperties: false },
);

const Quorum = Type.Object(
  {
    numerator: Type.Integer({ minimum: 0, maximum: 100 }),
    denominator: Type.Integer({ minimum: 1, maximum: 100 }),
    inclusive: Type.Boolean({ description: 'true：不少于该比例；false：超过该比例（过半数）' }),
  },
  { additionalProperties: false, description: '出席比例（应到人数的分数），默认超过 1/2' },
);

const StageInput = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_-]+$' }),
    name: Type.String({ minLength: 1, maxLength: 50 }),
    kind: Type.Enum(['proposal', 'meeting', 'publicity'], { description: 'proposal 提议，meeting 会议，publicity 公开' }),
    quorum: Type.Optional(Quorum),
    periodDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, description: '公示期（天，不少于 7 天）' })),
    answerDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 60, description: '异议答复时限（工作日，默认 5）' })),
  },
  { additionalProperties: false },
);

const stepKeys = Object.keys(CONSULTATION_STEPS) as ConsultationStep[];
const describeSteps = Object.entries(CONSULTATION_STEPS)
  .map(([k, v]) => `${k} ${v.label}`)
  .join('，');

export function deliberationRoutes(db: Db): FastifyPluginAsyncTypebox {
  registerScopeResolver('consultation', service.consultationPath);
  registerScopeResolver('decision-item', service.decisionPath);
  service.registerDeliberationDeadlines();
  const tags = ['民主议事'];
  const consultation = { kind: 'consultation', from: 'params.id', label: '协商议题' } as const;
  const item = { kind: 'decision-item', from: 'params.id', label: '决策事项' } as const;
  const community = { kind: 'region', from: 'body.regionId', label: '社区' } as const;
  const communityQuery = Type.Object({ communityId: Type.Optional(Uuid) }, { additionalProperties: false });

  return async (app) => {
    // ---- 民主协商 (`004` 5.2.2) ----
    app.get(
      '/api/democracy/consultations',
      {
        config: { access: 'democracy.read', scope: [{ kind: 'region', from: 'query.communityId', label: '社区' }] },
        schema: { tags, summary: '协商议题列表', querystring: communityQuery },
      },
      async (req) => service.listConsultations(db, req.caller!, req.query.communityId),
    );
    app.post(
      '/api/democracy/consultations',
      {
        config: { access: 'democracy.vote', action: 'democracy.consultation-propose', scope: [community] },
        schema: {
          tags,
          summary: '网上提出协商议题（居民）',
          body: Type.Object(
            { regionId: Uuid, title: Title, description: Type.Optional(LongText('议题说明')) },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const { regionId, ...input } = req.body;
        return reply.status(201).send(await service.proposeConsultation(ctxOf(req, db), regionId, input));
      },
    );
    app.post(
      '/api/democracy/consultations/recorded',
      {
        config: { access: 'democracy.manage', action: 'democracy.consultation-record', scope: [community] },
        schema: {
          tags,
          summary: '代居民录入线下提出的协商议题（提议人为登记居民或注明姓名）',
          body: Type.Object(
            {
              regionId: Uuid,
              title: Title,
              description: Type.Optional(LongText('议题说明')),
              proposerResidentId: Type.Optional(Uuid),
              proposerName: Type.Optional(Type.String({ maxLength: 50, description: '提议人姓名（未登记时必填）' })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const { regionId, proposerResidentId, proposerName, ...input } = req.body;
        const onBehalf = {
          ...(proposerResidentId ? { proposerResidentId } : {}),
          ...(proposerName !== undefined ? { proposerName } : {}),
        };
        return reply.status(201).send(await service.proposeConsultation(ctxOf(req, db), regionId, input, onBehalf));
      },
    );
    app.get(
      '/api/democracy/consultations/:id',
      {
        config: { access: 'authenticated', scope: [consultation] },
        schema: { tags, summary: '协商议题详情：每一步的办理人和时间、意见、会议记录', params: IdParams },
      },
      async (req) => service.consultationDetail(db, req.params.id),
    );
    app.post(
      '/api/democracy/consultations/:id/steps',
      {
        config: { access: 'democracy.manage', action: 'democracy.consultation-step', scope: [consultation] },
        schema: {
          tags,
          summary: '办理协商议题的下一步（审核、方案、公告、规则、协商、会议、意见、结果告知）',
          params: IdParams,
          body: Type.Object(
            {
              step: Type.Enum(stepKeys, { description: describeSteps }),
              text: Type.Optional(LongText('方案、规则、意见、协商意见或结果')),
              reason: Type.Optional(Type.String({ maxLength: 1000, description: '审核不通过的理由' })),
              meeting: Type.Optional(Meeting),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => {
        const { step, ...input } = req.body;
        return service.takeStep(ctxOf(req, db), req.params.id, step, input);
      },
    );
    app.post(
      '/api/democracy/consultations/:id/comments',
      {
        config: { access: 'democracy.vote', action: 'democracy.consultation-comment', scope: [consultation] },
        schema: {
          tags,
          summary: '协商期间发表意见（居民）',
          params: IdParams,
          body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
        },
      },
      async (req, reply) => reply.status(201).send(await service.commentOn(ctxOf(req, db), req.params.id, req.body.text)),
    );
    app.get(
      '/api/democracy/my-consultations',
      { config: { access: 'democracy.vote' }, schema: { tags, summary: '本社区的协商议题（居民）' } },
      async (req) => service.myConsultations(db, req.caller!),
    );
    // 协商结果告知 reaches participants' inboxes (GET /api/notifications, notifications module).

    // ---- 五议两公开 (`004` 5.2.3) ----
    app.get(
      '/api/democracy/decisions',
      {
        // 五议两公开 is public by nature: every account of the community sees the items and their stages.
        config: { access: 'authenticated', scope: [{ kind: 'region', from: 'query.communityId', label: '社区' }] },
        schema: { tags, summary: '五议两公开决策事项列表', querystring: communityQuery },
      },
      async (req) => service.listDecisions(db, req.caller!, req.query.communityId),
    );
    app.post(
      '/api/democracy/decisions',
      {
        config: { access: 'democracy.manage', action: 'democracy.decision-create', scope: [community] },
        schema: {
          tags,
          summary:
            '新建决策事项（默认环节：提议 → 两委商议 → 监督委员会核议 → 党员大会审议 → 居民（代表）会议决议 → 决议公开 → 实施结果公开）',
          body: Type.Object(
            {
              regionId: Uuid,
              title: Title,
              description: Type.Optional(LongText('事项说明')),
              chain: Type.Optional(Type.Array(StageInput, { minItems: 1, maxItems: 20, description: '自定义环节（不填用默认）' })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const { regionId, ...input } = req.body;
        return reply.status(201).send(await service.createDecision(ctxOf(req, db), regionId, input));
      },
    );
    app.get(
      '/api/democracy/decisions/:id',
      {
        config: { access: 'authenticated', scope: [item] },
        schema: { tags, summary: '决策事项详情：各环节记录、异议及答复', params: IdParams },
      },
      async (req) => service.decisionDetail(db, req.params.id),
    );
    app.post(
      '/api/democracy/decisions/:id/stages',
      {
        config: { access: 'democracy.manage', action: 'democracy.decision-stage', scope: [item] },
        schema: {
          tags,
          summary: '完成当前环节：提议填内容；会议填应到、实到、表决结果（出席不足法定比例不能完成）；公开环节须公示期满且异议均已答复',
          params: IdParams,
          body: Type.Object(
            {
              stage: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: '当前环节代码（核对用）' })),
              text: Type.Optional(LongText('提议内容或公开说明')),
              expected: Type.Optional(Count('应到人数')),
              attendees: Type.Optional(Count('实到人数')),
              resolution: Type.Optional(Type.Enum(['passed', 'not_passed'], { description: 'passed 通过，not_passed 未通过' })),
              votesFor: Type.Optional(Count('赞成')),
              votesAgainst: Type.Optional(Count('反对')),
              votesAbstain: Type.Optional(Count('弃权')),
              minutes: Type.Optional(LongText('会议纪要')),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => service.completeDecisionStage(ctxOf(req, db), req.params.id, req.body),
    );
    app.post(
      '/api/democracy/decisions/:id/objections',
      {
        config: { access: 'democracy.vote', action: 'democracy.objection', scope: [item] },
        schema: {
          tags,
          summary: '公示期内提出异议（居民）；须在规定工作日内答复',
          params: IdParams,
          body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
        },
      },
      async (req, reply) => reply.status(201).send(await service.fileObjection(ctxOf(req, db), req.params.id, req.body.text)),
    );
    app.post(
      '/api/democracy/decisions/:id/objections/:objectionId/answer',
      {
        config: { access: 'democracy.manage', action: 'democracy.objection-answer', scope: [item] },
        schema: {
          tags,
          summary: '答复异议',
          params: Type.Object({ id: Uuid, objectionId: Uuid }, { additionalProperties: false }),
          body: Type.Object({ answer: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
        },
      },
      async (req) => service.answerObjection(ctxOf(req, db), req.params.id, req.params.objectionId, req.body.answer),
    );
  };
}
