// HTTP for resident perception surveys (感知度, issue 4 §5; `002` 六 6.1/6.2): officials open and close
// a survey and read its results; residents list their community's open surveys and answer once.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/pool.js';
import { ctxOf } from '../../http/context.js';
import { registerScopeResolver } from '../../http/guard.js';
import { IdParams, Uuid } from '../../http/schemas.js';
import * as survey from './survey.js';

const Open = <T extends Record<string, Parameters<typeof Type.Object>[0][string]>>(props: T) =>
  Type.Object(props, { additionalProperties: true });

const Survey = Open({
  id: Uuid,
  communityId: Uuid,
  framework: Type.String(),
  period: Type.String(),
  assessmentId: Type.Union([Uuid, Type.Null()]),
  status: Type.String({ description: 'open 进行中 | closed 已结束（含到截止时间）' }),
  closesAt: Type.String(),
  questions: Type.Array(Open({ code: Type.String(), name: Type.String(), text: Type.String() })),
});
const Results = Open({
  id: Uuid,
  status: Type.String(),
  respondents: Type.Integer({ description: '参与居民数' }),
  eligible: Type.Integer({ description: '应答居民数：本社区已开通账号（关联居民信息）的居民' }),
  responseRate: Type.Union([Type.Number(), Type.Null()]),
  mean: Type.Union([Type.Number(), Type.Null()]),
  index: Type.Union([Type.Number(), Type.Null()], { description: '满意度指数 =（平均分 − 1）÷ 4 × 100' }),
  dimensions: Type.Array(
    Open({
      code: Type.String(),
      name: Type.String(),
      mean: Type.Union([Type.Number(), Type.Null()]),
      distribution: Type.Array(Open({ score: Type.Integer(), count: Type.Integer() })),
    }),
  ),
});

export function surveyRoutes(db: Db): FastifyPluginAsyncTypebox {
  registerScopeResolver('survey', survey.surveyPath);
  const target = { kind: 'survey', from: 'params.id', label: '调查' } as const;
  const tags = ['评价'];
  return async (app) => {
    app.post(
      '/api/evaluation/surveys',
      {
        config: {
          access: 'evaluation.write',
          action: 'evaluation.survey.open',
          scope: [{ kind: 'region', from: 'body.communityId', label: '社区' }],
        },
        schema: {
          tags,
          summary: '发起居民感知度调查（按评价标准的评估维度出题，每个社区每个标准每个周期一次）',
          body: Type.Object(
            {
              communityId: Uuid,
              framework: Type.String({ minLength: 1, maxLength: 60, description: '评价标准代码，如 BJ-ZHSQ-2013' }),
              period: Type.String({ pattern: '^\\d{4}(-(H1|H2|Q[1-4]))?$', description: '评估周期：2026、2026-H2、2026-Q4' }),
              closesAt: Type.String({ format: 'date-time', description: '截止时间' }),
            },
            { additionalProperties: false },
          ),
          response: { 201: Survey },
        },
      },
      async (req, reply) => reply.code(201).send(await survey.openSurvey(ctxOf(req, db), req.body)),
    );
    app.get(
      '/api/evaluation/surveys',
      {
        config: { access: 'evaluation.read', scope: [{ kind: 'region', from: 'query.communityId', label: '社区' }] },
        schema: {
          tags,
          summary: '社区的感知度调查列表',
          querystring: Type.Object({ communityId: Uuid }, { additionalProperties: false }),
          response: { 200: Type.Array(Survey) },
        },
      },
      async (req) => survey.listSurveys(db, req.query.communityId),
    );
    app.get(
      '/api/evaluation/surveys/:id',
      {
        config: { access: 'evaluation.read', scope: [target] },
        schema: {
          tags,
          summary: '调查结果：各维度平均分与分布、参与人数、应答人数与参与率（匿名）',
          params: IdParams,
          response: { 200: Results },
        },
      },
      async (req) => survey.surveyResults(db, req.params.id),
    );
    app.post(
      '/api/evaluation/surveys/:id/close',
      {
        config: { access: 'evaluation.write', action: 'evaluation.survey.close', scope: [target] },
        schema: { tags, summary: '结束调查', params: IdParams, response: { 200: Results } },
      },
      async (req) => survey.closeSurvey(ctxOf(req, db), req.params.id),
    );
    // Residents: any account linked to a person of the register; the survey must be of that person's community.
    app.get(
      '/api/my-surveys',
      {
        config: { access: 'authenticated' },
        schema: {
          tags,
          summary: '本社区进行中的感知度调查（居民）',
          response: { 200: Type.Array(Open({ id: Uuid, answered: Type.Boolean() })) },
        },
      },
      async (req) => survey.mySurveys(db, req.caller!.userId),
    );
    app.post(
      '/api/my-surveys/:id/answer',
      {
        config: { access: 'authenticated', action: 'evaluation.survey.answer' },
        schema: {
          tags,
          summary: '提交感知度调查（每位居民一份，匿名统计）',
          params: IdParams,
          body: Type.Object(
            {
              scores: Type.Record(Type.String({ maxLength: 40 }), Type.Integer(), {
                maxProperties: 20,
                description: '各维度评分：1 很不满意、2 不满意、3 一般、4 满意、5 很满意',
              }),
              comment: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
            },
            { additionalProperties: false },
          ),
          response: { 201: Type.Object({ answered: Type.Boolean(), notice: Type.String() }) },
        },
      },
      async (req, reply) =>
        reply.code(201).send(
          await survey.answer(ctxOf(req, db), req.params.id, {
            scores: req.body.scores,
            ...(req.body.comment !== undefined ? { comment: req.body.comment } : {}),
          }),
        ),
    );
  };
}
