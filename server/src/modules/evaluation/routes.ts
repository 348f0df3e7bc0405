// HTTP for evaluation (issue 4): frameworks, what-if, live scorecards, entered values with
// evidence, gap analysis and roll-ups.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/pool.js';
import { sendXlsx } from '../../http/xlsx.js';
import { regionNames } from '../regions/service.js';
import { ctxOf } from '../../http/context.js';
import { Uuid } from '../../http/schemas.js';
import { CRITERION_KINDS } from './model.js';
import * as assessments from './assessments.js';
import * as service from './service.js';
import { trend } from './trend.js';
import { rollupWorkbook, scorecardWorkbook } from './workbooks.js';
import { surveyRoutes } from './survey-routes.js';
import { registerScopeResolver } from '../../http/guard.js';
import { IdParams } from '../../http/schemas.js';

const FrameworkCode = Type.String({ minLength: 1, maxLength: 60, description: '评价标准代码，如 DB37/T 3890.3-2020、BJ-ZHSQ-2013' });
const Open = <T extends Record<string, Parameters<typeof Type.Object>[0][string]>>(props: T, description?: string) =>
  Type.Object(props, { additionalProperties: true, ...(description ? { description } : {}) });

const FrameworkSummary = Type.Object({
  code: Type.String(),
  title: Type.String(),
  issuer: Type.String(),
  version: Type.String(),
  status: Type.String(),
  published: Type.Union([Type.String(), Type.Null()]),
  effective: Type.Union([Type.String(), Type.Null()]),
  source: Type.String({ description: '来源文件（seeds）' }),
  rule: Type.String({ description: 'weighted-achievement 加权达成度 | beijing-stars 北京星级' }),
  indicators: Type.Integer(),
  criteria: Type.Integer(),
});
const IndicatorScore = Type.Object({
  code: Type.String(),
  weight: Type.Union([Type.Number(), Type.Null()]),
  achievement: Type.Number(),
  score: Type.Number(),
});
const ScoreResult = Type.Object({
  framework: Type.String(),
  version: Type.String(),
  rule: Type.String(),
  total: Type.Number(),
  stars: Type.Optional(Type.Integer()),
  indicators: Type.Array(IndicatorScore),
});
const Criterion = Open({
  code: Type.String(),
  text: Type.String(),
  kind: Type.Enum(CRITERION_KINDS),
  value: Type.Union([Type.Number(), Type.Null()]),
  met: Type.Boolean(),
  provenance: Type.Unknown({
    description: '来源：measure 平台数据（口径、计算时间、记录数）| entered 填报（版本、来源、日期、质量、佐证）| null 未填报',
  }),
});
const Scorecard = Open({
  communityId: Uuid,
  framework: Type.String(),
  version: Type.String(),
  rule: Type.String(),
  total: Type.Number(),
  stars: Type.Optional(Type.Integer()),
  computedAt: Type.String(),
  groups: Type.Array(Open({ code: Type.String(), name: Type.String(), achievement: Type.Number() })),
  indicators: Type.Array(
    Open({
      code: Type.String(),
      name: Type.String(),
      weight: Type.Union([Type.Number(), Type.Null()]),
      achievement: Type.Number(),
      score: Type.Number(),
      criteria: Type.Array(Criterion),
    }),
  ),
});
const Evidence = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
    url: Type.Optional(Type.String({ maxLength: 500, pattern: '^https?://' })),
    reference: Type.Optional(Type.String({ maxLength: 200, description: '文号、档案编号等' })),
  },
  { additionalProperties: false },
);
const Value = Open({
  id: Uuid,
  communityId: Uuid,
  framework: Type.String(),
  criterion: Type.String(),
  version: Type.Integer(),
  value: Type.Number(),
  met: Type.Boolean(),
  source: Type.String(),
  referenceDate: Type.String(),
  quality: Type.String(),
  evidence: Type.Array(Type.Unknown()),
  enteredBy: Type.Union([Type.String(), Type.Null()]),
  enteredAt: Type.String(),
});
const PriorStars = Type.Integer({ minimum: 0, maximum: 5, description: '已认定星级（北京标准四、五星需已为三星及以上）' });

const Assessment = Open({
  id: Uuid,
  communityId: Uuid,
  framework: Type.String(),
  frameworkVersion: Type.String(),
  period: Type.String(),
  status: Type.String({ description: 'draft 自评中 | submitted 已提交待审核 | locked 已锁定' }),
  scorecard: Scorecard,
  reviews: Type.Array(
    Open({
      indicator: Type.String(),
      state: Type.String({ description: 'pending 待审 | accepted 通过 | returned 退回 | reopened 数据变更后重开' }),
    }),
  ),
  reviewsByKind: Type.Array(
    Open(
      { kind: Type.String(), label: Type.String(), count: Type.Integer(), reviewers: Type.Integer() },
      '各类评估主体（`002` 6.2）的审核记录数与人数',
    ),
  ),
  history: Type.Array(Type.Unknown()),
});

export function evaluationRoutes(db: Db): FastifyPluginAsyncTypebox {
  registerScopeResolver('assessment', assessments.assessmentPath);
  const assessment = { kind: 'assessment', from: 'params.id', label: '评估' } as const;
  const tags = ['评价'];
  const community = { kind: 'region', from: 'query.communityId', label: '社区' } as const;
  return async (app) => {
    app.get(
      '/api/frameworks',
      {
        config: { access: 'authenticated' },
        schema: { tags, summary: '评价标准列表（每个标准版本一个数据文件）', response: { 200: Type.Array(FrameworkSummary) } },
      },
      async () => service.listFrameworks(),
    );
    app.get(
      '/api/frameworks/detail',
      {
        config: { access: 'authenticated' },
        schema: {
          tags,
          summary: '评价标准全文（维度、指标、考核项、权重、星级规则）',
          querystring: Type.Object({ code: FrameworkCode }, { additionalProperties: false }),
          response: { 200: Open({ code: Type.String(), groups: Type.Array(Type.Unknown()) }) },
        },
      },
      async (req) => service.frameworkDetail(req.query.code),
    );
    app.post(
      '/api/evaluation/what-if',
      {
        config: { access: 'authenticated' },
        schema: {
          tags,
          summary: '模拟测算：给定各指标达成度（0–1），按标准规则计算总分与星级',
          body: Type.Object(
            {
              framework: FrameworkCode,
              indicators: Type.Record(Type.String({ maxLength: 20 }), Type.Number({ minimum: 0, maximum: 1 }), { maxProperties: 200 }),
              priorStars: Type.Optional(PriorStars),
            },
            { additionalProperties: false },
          ),
          response: { 200: ScoreResult },
        },
      },
      async (req) =>
        service.whatIf({
          framework: req.body.framework,
          indicators: req.body.indicators,
          ...(req.body.priorStars !== undefined ? { priorStars: req.body.priorStars } : {}),
        }),
    );
    app.get(
      '/api/evaluation/scorecard',
      {
        config: { access: 'evaluation.read', scope: [community] },
        schema: {
          tags,
          summary: '社区实时评分卡（平台数据自动计算 + 填报值，逐项注明来源）',
          querystring: Type.Object(
            { communityId: Uuid, framework: FrameworkCode, priorStars: Type.Optional(PriorStars) },
            { additionalProperties: false },
          ),
          response: { 200: Scorecard },
        },
      },
      async (req) => service.communityScorecard(ctxOf(req, db), req.query.communityId, req.query.framework, req.query.priorStars),
    );
    app.get(
      '/api/evaluation/scorecard.xlsx',
      {
        config: { access: 'evaluation.read', scope: [community] },
        schema: {
          tags,
          summary: '导出社区评分卡（xlsx：封面、维度、逐项数值与来源佐证）',
          querystring: Type.Object(
            { communityId: Uuid, framework: FrameworkCode, priorStars: Type.Optional(PriorStars) },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const card = await service.communityScorecard(ctxOf(req, db), req.query.communityId, req.query.framework, req.query.priorStars);
        const name = (await regionNames(db, [req.query.communityId])).get(req.query.communityId)?.name ?? '';
        return sendXlsx(reply, `${name}评分卡.xlsx`, await scorecardWorkbook(service.frameworkOf(req.query.framework), name, card));
      },
    );
    app.get(
      '/api/evaluation/gap',
      {
        config: { access: 'evaluation.read', scope: [community] },
        schema: {
          tags,
          summary: '差距分析：达到下一星级或目标分数最少需补齐的考核项',
          querystring: Type.Object(
            {
              communityId: Uuid,
              framework: FrameworkCode,
              target: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: '目标分数（山东）或目标星级（北京）' })),
              priorStars: Type.Optional(PriorStars),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Open({
              framework: Type.String(),
              target: Type.Number(),
              reachable: Type.Boolean(),
              criteriaToFix: Type.Union([Type.Integer(), Type.Null()]),
              steps: Type.Array(Type.Unknown()),
            }),
          },
        },
      },
      async (req) => service.gap(ctxOf(req, db), req.query.communityId, req.query.framework, req.query.target, req.query.priorStars),
    );
    app.get(
      '/api/evaluation/rollup',
      {
        config: { access: 'evaluation.read', scope: [{ kind: 'region', from: 'query.regionId', label: '区划' }] },
        schema: {
          tags,
          summary: '区域汇总：辖区内各社区得分、星级、排名、分布与逐指标达成度（热力图）',
          querystring: Type.Object({ regionId: Type.Optional(Uuid), framework: FrameworkCode }, { additionalProperties: false }),
          response: {
            200: Open({
              framework: Type.String(),
              region: Open({ id: Uuid, name: Type.String() }),
              communities: Type.Array(Type.Unknown()),
              summary: Type.Unknown(),
            }),
          },
        },
      },
      async (req) => service.rollup(ctxOf(req, db), req.query.regionId, req.query.framework),
    );
    app.get(
      '/api/evaluation/trend',
      {
        config: { access: 'evaluation.read', scope: [{ kind: 'region', from: 'query.regionId', label: '区划' }] },
        schema: {
          tags,
          summary: '跨周期趋势：各评估周期的平均分、中位数、分布（北京为星级）与参评社区数，加当前数据的实时点；社区另列各周期得分',
          description:
            '周期得分取锁定结果，未锁定的取提交时的自评结果（basis 注明：locked 锁定结果 | submitted 自评提交时 | live 按当前数据计算）。' +
            '区域统计不含未提交的自评（drafts 计数）。',
          querystring: Type.Object({ regionId: Type.Optional(Uuid), framework: FrameworkCode }, { additionalProperties: false }),
          response: {
            200: Open({
              framework: Type.String(),
              region: Open({ id: Uuid, name: Type.String(), level: Type.String() }),
              periods: Type.Array(
                Open({
                  period: Type.String(),
                  assessed: Type.Integer(),
                  mean: Type.Union([Type.Number(), Type.Null()]),
                  median: Type.Union([Type.Number(), Type.Null()]),
                  distribution: Type.Array(Open({ label: Type.String(), count: Type.Integer() })),
                }),
              ),
              now: Open({ computedAt: Type.String(), assessed: Type.Integer() }),
              community: Type.Optional(Open({ id: Uuid, points: Type.Array(Type.Unknown()), now: Type.Unknown() })),
            }),
          },
        },
      },
      async (req) => trend(ctxOf(req, db), req.query.regionId, req.query.framework),
    );
    app.get(
      '/api/evaluation/rollup.xlsx',
      {
        config: { access: 'evaluation.read', scope: [{ kind: 'region', from: 'query.regionId', label: '区划' }] },
        schema: {
          tags,
          summary: '导出区域汇总（xlsx：排名与逐指标达成度）',
          querystring: Type.Object({ regionId: Type.Optional(Uuid), framework: FrameworkCode }, { additionalProperties: false }),
        },
      },
      async (req, reply) => {
        const r = await service.rollup(ctxOf(req, db), req.query.regionId, req.query.framework);
        return sendXlsx(reply, `${r.region.name}社区评价汇总.xlsx`, await rollupWorkbook(service.frameworkOf(req.query.framework), r));
      },
    );
    app.post(
      '/api/evaluation/values',
      {
        config: {
          access: 'evaluation.write',
          action: 'evaluation.value',
          scope: [{ kind: 'region', from: 'body.communityId', label: '社区' }],
        },
        schema: {
          tags,
          summary: '填报考核项数值（附佐证、来源、数据日期、质量等级；每次填报为新版本）',
          body: Type.Object(
            {
              communityId: Uuid,
              framework: FrameworkCode,
              criterion: Type.String({ minLength: 1, maxLength: 20 }),
              value: Type.Number({ description: '是否达到类：1 达到 / 0 未达到；比例类：百分数；数量、时长类：数值' }),
              numerator: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()])),
              denominator: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()])),
              source: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: '数据来源' }),
              referenceDate: Type.String({ format: 'date', description: '数据日期 YYYY-MM-DD' }),
              quality: Type.Enum(['A', 'B', 'C', 'D'] as const, { description: 'A 官方统计或现场核验 | B 系统导出 | C 抽样调查 | D 估计' }),
              evidence: Type.Array(Evidence, { minItems: 1, maxItems: 20, description: '佐证材料（至少一项）' }),
              note: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
            },
            { additionalProperties: false },
          ),
          response: { 201: Value },
        },
      },
      async (req, reply) => {
        const b = req.body;
        const row = await service.enterValue(ctxOf(req, db), {
          communityId: b.communityId,
          framework: b.framework,
          criterion: b.criterion,
          value: b.value,
          source: b.source,
          referenceDate: b.referenceDate,
          quality: b.quality,
          evidence: b.evidence,
          ...(b.numerator !== undefined ? { numerator: b.numerator } : {}),
          ...(b.denominator !== undefined ? { denominator: b.denominator } : {}),
          ...(b.note !== undefined ? { note: b.note } : {}),
        });
        return reply.code(201).send(row);
      },
    );
    app.post(
      '/api/evaluation/assessments',
      {
        config: {
          access: 'evaluation.write',
          action: 'evaluation.assessment.create',
          scope: [{ kind: 'region', from: 'body.communityId', label: '社区' }],
        },
        schema: {
          tags,
          summary: '发起社区自评（一个社区每个标准每个周期一次）',
          body: Type.Object(
            {
              communityId: Uuid,
              framework: FrameworkCode,
              period: Type.String({ pattern: '^\\d{4}(-(H1|H2|Q[1-4]))?$', description: '评估周期：2026、2026-H2、2026-Q4' }),
              priorStars: Type.Optional(PriorStars),
            },
            { additionalProperties: false },
          ),
          response: { 201: Assessment },
        },
      },
      async (req, reply) =>
        reply.code(201).send(
          await assessments.createAssessment(ctxOf(req, db), {
            communityId: req.body.communityId,
            framework: req.body.framework,
            period: req.body.period,
            ...(req.body.priorStars !== undefined ? { priorStars: req.body.priorStars } : {}),
          }),
        ),
    );
    app.get(
      '/api/evaluation/assessments',
      {
        config: { access: 'evaluation.read', scope: [community] },
        schema: {
          tags,
          summary: '社区的评估列表（含已锁定结果，用于跨周期趋势）',
          querystring: Type.Object({ communityId: Uuid }, { additionalProperties: false }),
          response: { 200: Type.Array(Open({ id: Uuid, framework: Type.String(), period: Type.String(), status: Type.String() })) },
        },
      },
      async (req) => assessments.listAssessments(db, req.query.communityId),
    );
    app.get(
      '/api/evaluation/assessments/:id',
      {
        config: { access: 'evaluation.read', scope: [assessment] },
        schema: { tags, summary: '评估详情：评分卡（锁定后为锁定时结果）与逐项审核状态', params: IdParams, response: { 200: Assessment } },
      },
      async (req) => assessments.assessmentDetail(db, req.params.id),
    );
    app.post(
      '/api/evaluation/assessments/:id/submit',
      {
        config: { access: 'evaluation.write', action: 'evaluation.assessment.submit', scope: [assessment] },
        schema: { tags, summary: '提交自评，进入审核', params: IdParams, response: { 200: Assessment } },
      },
      async (req) => assessments.submitAssessment(ctxOf(req, db), req.params.id),
    );
    app.post(
      '/api/evaluation/assessments/:id/reviews',
      {
        config: { access: 'evaluation.review', action: 'evaluation.assessment.review', scope: [assessment] },
        schema: {
          tags,
          summary: '审核一项指标：通过或退回（退回须说明理由）',
          params: IdParams,
          body: Type.Object(
            {
              indicator: Type.String({ minLength: 1, maxLength: 20 }),
              decision: Type.Enum(['accepted', 'returned'] as const),
              reason: Type.Optional(Type.String({ maxLength: 1000 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: Assessment },
        },
      },
      async (req, reply) =>
        reply.code(201).send(
          await assessments.reviewIndicator(ctxOf(req, db), req.params.id, {
            indicator: req.body.indicator,
            decision: req.body.decision,
            ...(req.body.reason !== undefined ? { reason: req.body.reason } : {}),
          }),
        ),
    );
    app.post(
      '/api/evaluation/assessments/:id/lock',
      {
        config: { access: 'evaluation.review', action: 'evaluation.assessment.lock', scope: [assessment] },
        schema: { tags, summary: '锁定评估结果（全部指标审核通过后）', params: IdParams, response: { 200: Assessment } },
      },
      async (req) => assessments.lockAssessment(ctxOf(req, db), req.params.id),
    );
    app.get(
      '/api/evaluation/values',
      {
        config: { access: 'evaluation.read', scope: [community] },
        schema: {
          tags,
          summary: '考核项填报历史（全部版本，新的在前）',
          querystring: Type.Object(
            { communityId: Uuid, framework: FrameworkCode, criterion: Type.String({ minLength: 1, maxLength: 20 }) },
            { additionalProperties: false },
          ),
          response: { 200: Type.Array(Value) },
        },
      },
      async (req) => service.valueHistory(db, req.query.communityId, req.query.framework, req.query.criterion),
    );
    await app.register(surveyRoutes(db)); // resident perception surveys (感知度)
  };
}
