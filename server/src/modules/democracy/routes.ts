// HTTP for resident democracy (issue 6): votes, on-site check-in, paper batches, sealed results,
// receipts, and the stateless 民法典第278条 calculator.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/pool.js';
import { ctxOf } from '../../http/context.js';
import { problems } from '../../http/errors.js';
import { registerScopeResolver } from '../../http/guard.js';
import { IdParams, Paging, page, Uuid } from '../../http/schemas.js';
import { CHANNELS, ELIGIBILITY, METHODS, VOTE_KINDS, type Channel, type Eligibility, type Method, type VoteKind } from './model.js';
import { OWNER_MATTERS, ownersDecision } from './owners.js';
import * as service from './service.js';
import * as elections from './elections.js';
import * as supervision from './supervision.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const keysOf = <T extends Record<string, string>>(o: T) => Object.keys(o) as (keyof T & string)[];
const describe = (o: Record<string, string>) =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${v}`)
    .join('，');
const Choice = Type.Array(Type.String({ minLength: 1, maxLength: 40 }), {
  maxItems: 50,
  description: '所选选项代码（排序投票按名次顺序）',
});

const Vote = Type.Object({
  id: Uuid,
  communityId: Uuid,
  title: Type.String(),
  description: Type.String(),
  kind: Type.String(),
  kindLabel: Type.String(),
  method: Type.String(),
  methodLabel: Type.String(),
  options: Type.Array(Type.Object({ key: Type.String(), label: Type.String() })),
  maxChoices: Nullable(Type.Integer()),
  secret: Type.Boolean(),
  ballotNotice: Type.String(),
  eligibility: Type.String(),
  eligibilityLabel: Type.String(),
  matter: Nullable(Type.String()),
  ownerMatter: Nullable(Type.String()),
  ownerMatterLabel: Nullable(Type.String()),
  channels: Type.Array(Type.String()),
  quorumPercent: Nullable(Type.Number()),
  passPercent: Nullable(Type.Number()),
  opensAt: Type.String(),
  closesAt: Type.String(),
  status: Type.String(),
  statusLabel: Type.String(),
  eligibleCount: Nullable(Type.Integer()),
  participants: Nullable(Type.Integer()),
  participantsByChannel: Nullable(Type.Record(Type.String(), Type.Integer())),
  publishedAt: Nullable(Type.String()),
  closedAt: Nullable(Type.String()),
});

const OwnersTallyBody = Type.Object(
  {
    matter: Type.Enum(['ordinary', 'major'], { description: 'ordinary 一般事项（过半数），major 重大事项（四分之三以上）' }),
    owners: Type.Array(
      Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }), area: Type.Number() }, { additionalProperties: false }),
      {
        maxItems: 100_000,
      },
    ),
    ballots: Type.Array(
      Type.Object(
        { ownerId: Type.String({ minLength: 1, maxLength: 100 }), choice: Type.Enum(['yes', 'no', 'abstain']) },
        { additionalProperties: false },
      ),
      { maxItems: 100_000 },
    ),
  },
  { additionalProperties: false },
);

export function democracyRoutes(db: Db): FastifyPluginAsyncTypebox {
  registerScopeResolver('vote', service.votePath);
  registerScopeResolver('supervision-item', supervision.itemPath);
  registerScopeResolver('supervision-question', supervision.questionPath);
  service.registerDemocracyDeadlines();
  supervision.registerSupervisionDeadlines();
  const tags = ['民主议事'];
  const vote = { kind: 'vote', from: 'params.id', label: '投票' } as const;

  return async (app) => {
    app.post(
      '/api/democracy/owners-decision/tally',
      {
        config: { access: 'authenticated' },
        schema: {
          tags,
          summary: '业主共同决定计票（民法典第278条）：双三分之二参与，过半数或四分之三以上同意',
          body: OwnersTallyBody,
        },
      },
      async (req) => {
        const r = ownersDecision(req.body.matter, req.body.owners, req.body.ballots);
        if ('problems' in r) throw problems.validation(r.problems);
        return r.tally;
      },
    );

    app.get(
      '/api/democracy/owner-matters',
      { config: { access: 'authenticated' }, schema: { tags, summary: '民法典第278条所列表决事项及其通过标准' } },
      async () => Object.entries(OWNER_MATTERS).map(([key, m]) => ({ key, ...m })),
    );

    app.get(
      '/api/democracy/votes',
      {
        config: { access: 'democracy.read', scope: [{ kind: 'region', from: 'query.communityId', label: '社区' }] },
        schema: {
          tags,
          summary: '投票列表',
          querystring: Type.Object({ communityId: Type.Optional(Uuid) }, { additionalProperties: false }),
          response: { 200: Type.Array(Vote) },
        },
      },
      async (req) => service.listVotes(db, req.caller!, req.query.communityId),
    );

    app.post(
      '/api/democracy/votes',
      {
        config: {
          access: 'democracy.manage',
          action: 'democracy.vote-create',
          scope: [{ kind: 'region', from: 'body.regionId', label: '社区' }],
        },
        schema: {
          tags,
          summary: '起草投票（社区事务表决或业主共同决定）',
          body: Type.Object(
            {
              regionId: Uuid,
              kind: Type.Enum(keysOf(VOTE_KINDS) as VoteKind[], { description: describe(VOTE_KINDS) }),
              title: Type.String({ minLength: 2, maxLength: 100, pattern: '\\S' }),
              description: Type.Optional(Type.String({ maxLength: 5000 })),
              method: Type.Optional(Type.Enum(keysOf(METHODS) as Method[], { description: describe(METHODS) })),
              options: Type.Optional(
                Type.Array(
                  Type.Object(
                    {
                      key: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_-]+$' }),
                      label: Type.String({ minLength: 1, maxLength: 100 }),
                    },
                    { additionalProperties: false },
                  ),
                  { maxItems: 50 },
                ),
              ),
              maxChoices: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
              secret: Type.Optional(Type.Boolean()),
              eligibility: Type.Enum(keysOf(ELIGIBILITY) as Eligibility[], { description: describe(ELIGIBILITY) }),
              minAge: Type.Optional(Type.Integer({ minimum: 14, maximum: 100 })),
              organisationId: Type.Optional(Uuid),
              residentIds: Type.Optional(Type.Array(Uuid, { maxItems: 100_000, uniqueItems: true })),
              ownerMatter: Type.Optional(Type.Enum(Object.keys(OWNER_MATTERS))),
              channels: Type.Array(Type.Enum(keysOf(CHANNELS) as Channel[], { description: describe(CHANNELS) }), {
                minItems: 1,
                maxItems: 3,
              }),
              quorumPercent: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 100 }))),
              passPercent: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 100 }))),
              opensAt: Type.String({ format: 'date-time' }),
              closesAt: Type.String({ format: 'date-time' }),
            },
            { additionalProperties: false },
          ),
          response: { 201: Vote },
        },
      },
      async (req, reply) => {
        const { regionId, ...input } = req.body;
        return reply.status(201).send(await service.createVote(ctxOf(req, db), regionId, input));
      },
    );

    app.get(
      '/api/democracy/votes/:id',
      {
        config: { access: 'democracy.read', scope: [vote] },
        schema: { tags, summary: '投票详情（含参与人数，不含任何选择）', params: IdParams, response: { 200: Vote } },
      },
      async (req) => service.voteDetail(db, req.params.id),
    );

    app.post(
      '/api/democracy/votes/:id/publish',
      {
        config: { access: 'democracy.manage', action: 'democracy.vote-publish', scope: [vote] },
        schema: { tags, summary: '发布投票：按投票范围从基础信息库确定投票人名单', params: IdParams, response: { 200: Vote } },
      },
      async (req) => service.publishVote(ctxOf(req, db), req.params.id),
    );

    app.post(
      '/api/democracy/votes/:id/representatives',
      {
        config: { access: 'democracy.manage', action: 'democracy.representative-set', scope: [vote] },
        schema: {
          tags,
          summary: '记录共有房屋的业主所确定的投票人（业主共同决定，发布前）',
          params: IdParams,
          body: Type.Object({ roomId: Uuid, residentId: Uuid }, { additionalProperties: false }),
        },
      },
      async (req) => service.setRepresentative(ctxOf(req, db), req.params.id, req.body.roomId, req.body.residentId),
    );

    app.get(
      '/api/democracy/votes/:id/voters',
      {
        config: { access: 'democracy.manage', scope: [vote] },
        schema: {
          tags,
          summary: '投票人名单及是否已参与（现场签到用；不含选择）',
          params: IdParams,
          querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 40 })), ...Paging }, { additionalProperties: false }),
          response: {
            200: page(
              Type.Object({
                voterKey: Uuid,
                label: Type.String(),
                area: Nullable(Type.Number()),
                participated: Type.Boolean(),
                channel: Nullable(Type.String()),
              }),
            ),
          },
        },
      },
      async (req) => service.voterList(db, req.params.id, req.query.q, req.query.page ?? 1, req.query.pageSize ?? 20),
    );

    app.post(
      '/api/democracy/votes/:id/check-ins',
      {
        config: { access: 'democracy.manage', action: 'democracy.check-in', scope: [vote] },
        schema: {
          tags,
          summary: '现场签到：核对投票人名单后登记参与（随后投纸质票）',
          params: IdParams,
          body: Type.Object({ voterKey: Uuid }, { additionalProperties: false }),
        },
      },
      async (req, reply) => reply.status(201).send(await service.checkIn(ctxOf(req, db), req.params.id, req.body.voterKey)),
    );

    app.get(
      '/api/democracy/votes/:id/paper-batches',
      { config: { access: 'democracy.manage', scope: [vote] }, schema: { tags, summary: '纸质票录入批次（含更正）', params: IdParams } },
      async (req) => service.paperBatches(db, req.params.id),
    );
    app.post(
      '/api/democracy/votes/:id/paper-batches',
      {
        config: { access: 'democracy.manage', action: 'democracy.paper-batch', scope: [vote] },
        schema: {
          tags,
          summary: '录入一批纸质票；更正：注明所更正批次、作废其中的选票并说明原因（只增不改）',
          params: IdParams,
          body: Type.Object(
            {
              ballots: Type.Array(Type.Object({ choice: Choice, voterKey: Type.Optional(Uuid) }, { additionalProperties: false }), {
                maxItems: 5000,
              }),
              corrects: Type.Optional(Uuid),
              voids: Type.Optional(Type.Array(Uuid, { maxItems: 5000, uniqueItems: true })),
              reason: Type.Optional(Type.String({ maxLength: 500 })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => reply.status(201).send(await service.enterPaperBatch(ctxOf(req, db), req.params.id, req.body)),
    );

    app.post(
      '/api/democracy/votes/:id/result',
      {
        config: { access: 'democracy.manage', action: 'democracy.result-publish', scope: [vote] },
        schema: { tags, summary: '公布结果（投票截止、纸质票录入完毕后）', params: IdParams },
      },
      async (req) => service.publishResult(ctxOf(req, db), req.params.id),
    );

    const readable = { access: 'authenticated' as const, scope: [vote] };
    app.get(
      '/api/democracy/votes/:id/result',
      { config: readable, schema: { tags, summary: '投票结果（公布前任何人不可见）', params: IdParams } },
      async (req) => service.voteResult(db, req.params.id),
    );
    app.get(
      '/api/democracy/votes/:id/ballots',
      { config: readable, schema: { tags, summary: '公布的全部有效选票（可据此复核计票）', params: IdParams } },
      async (req) => service.publishedBallots(db, req.params.id),
    );
    app.get(
      '/api/democracy/votes/:id/receipts/:code',
      {
        config: readable,
        schema: {
          tags,
          summary: '凭回执码核验选票已计入',
          params: Type.Object({ id: Uuid, code: Type.String({ minLength: 6, maxLength: 20 }) }, { additionalProperties: false }),
        },
      },
      async (req) => service.verifyReceipt(db, req.params.id, req.params.code),
    );

    // ---- elections (民主选举, `004` 5.2.1) ----------------------------------------------------------------
    app.post(
      '/api/democracy/elections',
      {
        config: {
          access: 'democracy.manage',
          action: 'democracy.election-create',
          scope: [{ kind: 'region', from: 'body.regionId', label: '社区' }],
        },
        schema: {
          tags,
          summary: '发起选举：应选名额、提名截止、候选人公示天数、投票时间与当选门槛（默认：过半数参加有效，得票过参加人数半数当选）',
          body: Type.Object(
            {
              regionId: Uuid,
              title: Type.String({ minLength: 2, maxLength: 100, pattern: '\\S' }),
              description: Type.Optional(Type.String({ maxLength: 5000 })),
              seats: Type.Integer({ minimum: 1, maximum: 50 }),
              channels: Type.Array(Type.Enum(keysOf(CHANNELS) as Channel[]), { minItems: 1, maxItems: 3, uniqueItems: true }),
              minAge: Type.Optional(Type.Integer({ minimum: 16, maximum: 100 })),
              nominationsCloseAt: Type.String({ format: 'date-time' }),
              opensAt: Type.String({ format: 'date-time' }),
              closesAt: Type.String({ format: 'date-time' }),
              publicityDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
              validTurnoutPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
              electedPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const { regionId, ...input } = req.body;
        return reply.status(201).send(await elections.createElection(ctxOf(req, db), regionId, input));
      },
    );
    app.get(
      '/api/democracy/elections/:id',
      { config: { access: 'authenticated', scope: [vote] }, schema: { tags, summary: '选举详情：名额、提名与候选人', params: IdParams } },
      async (req) => elections.electionDetail(db, req.params.id),
    );
    app.post(
      '/api/democracy/elections/:id/nominations',
      {
        config: { access: 'authenticated', action: 'democracy.nominate', scope: [vote] },
        schema: {
          tags,
          summary: '提名：居民自荐；社区录入联名推荐或选举委员会提名',
          params: IdParams,
          body: Type.Object(
            {
              residentId: Type.Optional(Uuid),
              statement: Type.Optional(Type.String({ maxLength: 2000 })),
              source: Type.Optional(Type.Enum(['residents', 'committee'])),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => reply.status(201).send(await elections.nominate(ctxOf(req, db), req.params.id, req.body)),
    );
    app.post(
      '/api/democracy/elections/:id/nominations/:nominationId/decision',
      {
        config: { access: 'democracy.manage', action: 'democracy.nomination-decide', scope: [vote] },
        schema: {
          tags,
          summary: '确认或不予确认提名（不予确认需说明理由）',
          params: Type.Object({ id: Uuid, nominationId: Uuid }, { additionalProperties: false }),
          body: Type.Object(
            { accept: Type.Boolean(), reason: Type.Optional(Type.String({ maxLength: 500 })) },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => elections.decideNomination(ctxOf(req, db), req.params.id, req.params.nominationId, req.body),
    );
    app.post(
      '/api/democracy/elections/:id/nominations/:nominationId/withdraw',
      {
        config: { access: 'authenticated', action: 'democracy.nomination-withdraw', scope: [vote] },
        schema: {
          tags,
          summary: '撤回提名（被提名人本人，或社区代为登记；候选人公示前）',
          params: Type.Object({ id: Uuid, nominationId: Uuid }, { additionalProperties: false }),
        },
      },
      async (req) => elections.withdrawNomination(ctxOf(req, db), req.params.id, req.params.nominationId),
    );
    app.post(
      '/api/democracy/elections/:id/candidates',
      {
        config: { access: 'democracy.manage', action: 'democracy.candidates-publish', scope: [vote] },
        schema: { tags, summary: '公示候选人名单（成为选票选项；公示期满后投票方可开始）', params: IdParams },
      },
      async (req) => elections.publishCandidates(ctxOf(req, db), req.params.id),
    );

    // ---- supervision (民主监督, `004` 5.2.5) --------------------------------------------------------------
    const item = { kind: 'supervision-item', from: 'params.id', label: '公开事项' } as const;
    app.get(
      '/api/democracy/supervision',
      {
        config: { access: 'authenticated', scope: [{ kind: 'region', from: 'query.communityId', label: '社区' }] },
        schema: {
          tags,
          summary: '公开清单：事务、财务、决策公开',
          querystring: Type.Object(
            {
              communityId: Type.Optional(Uuid),
              kind: Type.Optional(Type.Enum(keysOf(supervision.SUPERVISION_KINDS) as supervision.SupervisionKind[])),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => supervision.listItems(db, req.caller!, req.query.communityId, req.query.kind),
    );
    app.post(
      '/api/democracy/supervision',
      {
        config: {
          access: 'democracy.manage',
          action: 'democracy.supervision-publish',
          scope: [{ kind: 'region', from: 'body.regionId', label: '社区' }],
        },
        schema: {
          tags,
          summary: '发布公开事项（财务公开须附收支台账）',
          body: Type.Object(
            {
              regionId: Uuid,
              kind: Type.Enum(keysOf(supervision.SUPERVISION_KINDS) as supervision.SupervisionKind[], {
                description: describe(supervision.SUPERVISION_KINDS),
              }),
              title: Type.String({ minLength: 2, maxLength: 100, pattern: '\\S' }),
              content: Type.Optional(Type.String({ maxLength: 10_000 })),
              period: Type.String({ minLength: 1, maxLength: 40 }),
              ledger: Type.Optional(
                Type.Array(
                  Type.Object(
                    {
                      date: Type.String({ format: 'date' }),
                      item: Type.String({ minLength: 1, maxLength: 200 }),
                      amount: Type.Optional(Nullable(Type.Number({ minimum: -1e10, maximum: 1e10 }))),
                      note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
                    },
                    { additionalProperties: false },
                  ),
                  { maxItems: 5000 },
                ),
              ),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const { regionId, ...input } = req.body;
        return reply.status(201).send(await supervision.publishItem(ctxOf(req, db), regionId, input));
      },
    );
    app.get(
      '/api/democracy/supervision/:id',
      {
        config: { access: 'authenticated', scope: [item] },
        schema: { tags, summary: '公开事项详情：台账、监督委员会意见、质询与答复', params: IdParams },
      },
      async (req) => supervision.itemDetail(db, req.params.id),
    );
    app.post(
      '/api/democracy/supervision/:id/reviews',
      {
        config: { access: 'authenticated', action: 'democracy.supervision-review', scope: [item] },
        schema: {
          tags,
          summary: '居务监督委员会成员审核意见（无异议 / 有异议）',
          params: IdParams,
          body: Type.Object(
            { opinion: Type.Enum(['approved', 'concerns']), text: Type.Optional(Type.String({ maxLength: 2000 })) },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => reply.status(201).send(await supervision.reviewItem(ctxOf(req, db), req.params.id, req.body)),
    );
    app.post(
      '/api/democracy/supervision-questions',
      {
        config: {
          access: 'democracy.vote',
          action: 'democracy.question',
          scope: [{ kind: 'region', from: 'body.regionId', label: '社区' }],
        },
        schema: {
          tags,
          summary: `居民质询或举报（${supervision.ANSWER_DAYS} 个工作日内答复；举报不公开姓名）`,
          body: Type.Object(
            {
              regionId: Uuid,
              itemId: Type.Optional(Uuid),
              kind: Type.Enum(['question', 'report']),
              text: Type.String({ minLength: 2, maxLength: 2000, pattern: '\\S' }),
              public: Type.Optional(Type.Boolean()),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const { regionId, ...input } = req.body;
        return reply.status(201).send(await supervision.ask(ctxOf(req, db), regionId, input));
      },
    );
    app.get(
      '/api/democracy/my-questions',
      { config: { access: 'democracy.vote' }, schema: { tags, summary: '我提出的质询与举报及答复' } },
      async (req) => supervision.myQuestions(db, req.caller!.userId),
    );
    app.get(
      '/api/democracy/supervision-questions',
      {
        config: { access: 'democracy.manage', scope: [{ kind: 'region', from: 'query.communityId', label: '社区' }] },
        schema: {
          tags,
          summary: '质询与举报（含答复期限）',
          querystring: Type.Object({ communityId: Type.Optional(Uuid) }, { additionalProperties: false }),
        },
      },
      async (req) => supervision.listQuestions(db, req.caller!, req.query.communityId),
    );
    app.post(
      '/api/democracy/supervision-questions/:id/answer',
      {
        config: {
          access: 'democracy.manage',
          action: 'democracy.question-answer',
          scope: [{ kind: 'supervision-question', from: 'params.id', label: '质询' }],
        },
        schema: {
          tags,
          summary: '答复质询或举报',
          params: IdParams,
          body: Type.Object({ answer: Type.String({ minLength: 2, maxLength: 5000, pattern: '\\S' }) }, { additionalProperties: false }),
        },
      },
      async (req) => supervision.answer(ctxOf(req, db), req.params.id, req.body.answer),
    );

    app.get(
      '/api/democracy/my-votes',
      { config: { access: 'democracy.vote' }, schema: { tags, summary: '我可参与的投票（居民）' } },
      async (req) => service.myVotes(db, req.caller!),
    );
    app.post(
      '/api/democracy/votes/:id/ballot',
      {
        config: { access: 'democracy.vote', action: 'democracy.cast', scope: [vote] },
        schema: {
          tags,
          summary: '网上投票（每人一票；无记名投票的选票与投票人分开保存），返回回执码',
          params: IdParams,
          body: Type.Object({ choice: Choice }, { additionalProperties: false }),
          response: { 201: Type.Object({ receipt: Type.String(), notice: Type.String() }) },
        },
      },
      async (req, reply) => reply.status(201).send(await service.castOnline(ctxOf(req, db), req.params.id, req.body.choice)),
    );
  };
}
