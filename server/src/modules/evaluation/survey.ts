// Resident perception surveys (感知度, issue 4 §5; `002` 六 6.1 evaluates 协同度、便利度、安全度、感知度,
// 6.2 names 社区居民 among the evaluators). An official opens one questionnaire per community ×
// framework × period (linked to that period's assessment when there is one): one question per
// dimension of the framework, answered 1 很不满意 … 5 很满意, and an optional comment. Residents
// (accounts linked to a person of the register) answer once each from their phone.
//
// One answer per resident: the respondent row's primary key (community, survey, resident) refuses a
// second one, also when two submissions race; it is written in the same transaction as the answer.
// Anonymity: the answer row has a random id and no resident and no time, so results and the answers
// table cannot say who answered what; the audit entry says that a resident answered, never the scores.
//
// Eligible residents (the response rate's denominator): the residents of the community who have an
// active account linked to them, since only they can answer online.
//
// Live measure `evaluation.perception-survey`: the community's 满意度指数 from its latest closed survey
// (else its open one) = (mean score − 1) ÷ 4 × 100 over every dimension's answers (1 → 0, 5 → 100),
// records = respondents. No criterion of the shipped frameworks asks for it (`002`'s 38 indicators are
// things a community has built; 感知度 is a dimension of the evaluation, 六 6.1), so it is shown on the
// scorecard as the 感知度 dimension result rather than bound to a criterion.
import { randomUUID } from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../db/pool.js';
import { concurrently, pgErrorCode } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import type { Ctx } from '../../http/context.js';
import { problems } from '../../http/errors.js';
import { auditedChange } from '../audit/service.js';
import { residentOfUser } from '../accounts/service.js';
import { residentSummaries, residentSummary } from '../registry/lookup.js';
import { placeOf } from '../regions/service.js';
import { registerMeasures } from './measures.js';
import { evaluationAssessments } from './schema.js';
import { frameworkOf } from './service.js';
import { evaluationSurveyAnswers, evaluationSurveyRespondents, evaluationSurveys } from './survey-schema.js';

export const SCALE = ['很不满意', '不满意', '一般', '满意', '很满意'] as const;
export const PERCEPTION_MEASURE = 'evaluation.perception-survey';

type SurveyRow = typeof evaluationSurveys.$inferSelect;
export interface Question {
  code: string;
  name: string;
  text: string;
  clause: string;
}

/** Open until closed by an official or until its closing time. */
const isOpen = (s: SurveyRow, now = new Date()) => s.status === 'open' && now < s.closesAt;

async function find(db: Executor, id: string): Promise<SurveyRow> {
  const [s] = await db.select().from(evaluationSurveys).where(eq(evaluationSurveys.id, id));
  if (!s) throw problems.notFound('调查');
  return s;
}

export async function surveyPath(db: Db, id: string): Promise<string | null> {
  const [s] = await db.select({ c: evaluationSurveys.communityId }).from(evaluationSurveys).where(eq(evaluationSurveys.id, id));
  return s ? ((await placeOf(db, s.c))?.path ?? null) : null;
}

function summary(s: SurveyRow) {
  return {
    id: s.id,
    communityId: s.communityId,
    framework: s.framework,
    frameworkVersion: s.frameworkVersion,
    period: s.period,
    assessmentId: s.assessmentId,
    status: isOpen(s) ? ('open' as const) : ('closed' as const),
    closesAt: s.closesAt.toISOString(),
    closedAt: (s.closedAt ?? (s.status === 'open' ? s.closesAt : null))?.toISOString() ?? null,
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
    closedBy: s.closedBy,
    questions: s.questions as Question[],
    scale: SCALE.map((label, i) => ({ value: i + 1, label })),
  };
}

// ---- officials ------------------------------------------------------------------------------------

export async function openSurvey(ctx: Ctx, input: { communityId: string; framework: string; period: string; closesAt: string }) {
  const f = frameworkOf(input.framework, 'body.framework');
  if (!f.dimensions.length) throw problems.field('body.framework', `${f.code} 没有评估维度，无法发起感知度调查`);
  const closesAt = new Date(input.closesAt);
  if (!(closesAt.getTime() > Date.now())) throw problems.field('body.closesAt', '截止时间应晚于现在');
  const place = await placeOf(ctx.db, input.communityId);
  if (!place || place.gridId) throw problems.field('body.communityId', '应为社区');
  const questions: Question[] = f.dimensions.map((d) => ({ code: d.code, name: d.name, text: d.description, clause: d.clause }));
  const conflict = () => problems.conflict(`本社区 ${input.period} 已有 ${f.code} 感知度调查`);
  try {
    const row = await auditedChange(
      ctx,
      {
        targetType: 'evaluation_survey',
        targetId: (r) => r.id,
        scopePath: () => place.path,
        statusCode: 201,
        detail: (r) => ({ framework: r.framework, period: r.period, closesAt: r.closesAt.toISOString() }),
      },
      async (tx: Executor) => {
        const [a] = await tx
          .select({ id: evaluationAssessments.id })
          .from(evaluationAssessments)
          .where(
            and(
              eq(evaluationAssessments.communityId, input.communityId),
              eq(evaluationAssessments.framework, f.code),
              eq(evaluationAssessments.period, input.period),
            ),
          );
        const [r] = await tx
          .insert(evaluationSurveys)
          .values({
            communityId: input.communityId,
            id: uuidv7(),
            framework: f.code,
            frameworkVersion: f.version,
            period: input.period,
            assessmentId: a?.id ?? null,
            questions,
            closesAt,
            createdBy: ctx.caller.displayName,
          })
          .returning();
        return r!;
      },
    );
    return summary(row);
  } catch (e) {
    if (pgErrorCode(e) === '23505') throw conflict();
    throw e;
  }
}

export async function closeSurvey(ctx: Ctx, id: string) {
  const s = await find(ctx.db, id);
  const path = (await placeOf(ctx.db, s.communityId))!.path;
  const row = await auditedChange(
    ctx,
    { targetType: 'evaluation_survey', targetId: () => id, scopePath: () => path, detail: () => ({ to: 'closed' }) },
    async (tx: Executor) => {
      const [r] = await tx
        .update(evaluationSurveys)
        .set({ status: 'closed', closedAt: sql`least(now(), ${evaluationSurveys.closesAt})`, closedBy: ctx.caller.displayName })
        .where(and(eq(evaluationSurveys.communityId, s.communityId), eq(evaluationSurveys.id, id), eq(evaluationSurveys.status, 'open')))
        .returning();
      if (!r) throw problems.conflict('调查已结束');
      return r;
    },
  );
  return results(ctx.db, row);
}

export async function listSurveys(db: Db, communityId: string) {
  const rows = await db
    .select()
    .from(evaluationSurveys)
    .where(eq(evaluationSurveys.communityId, communityId))
    .orderBy(desc(evaluationSurveys.createdAt));
  const counts = await respondentCounts(db, communityId);
  return rows.map((s) => ({ ...summary(s), respondents: counts.get(s.id) ?? 0 }));
}

async function respondentCounts(db: Executor, communityId: string): Promise<Map<string, number>> {
  const r = await db.execute<{ survey_id: string; n: number }>(sql`
    select survey_id, count(*)::int as n from evaluation_survey_respondents where community_id = ${communityId} group by survey_id`);
  return new Map(r.rows.map((x) => [x.survey_id, Number(x.n)]));
}

/** Residents of the community who have an active account linked to them (they alone can answer online). */
async function eligibleResidents(db: Executor, communityId: string): Promise<number> {
  const r = await db.execute<{ resident_id: string }>(sql`
    select distinct u.resident_id from users u join regions g on g.id = u.region_id
     where u.resident_id is not null and u.status = 'active'
       and g.path like (select path from regions where id = ${communityId}) || '%'`);
  const ids = r.rows.map((x) => x.resident_id);
  let n = 0;
  for (let i = 0; i < ids.length; i += 1000) n += (await residentSummaries(db, communityId, ids.slice(i, i + 1000))).size;
  return n;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function results(db: Executor, s: SurveyRow) {
  const questions = s.questions as Question[];
  const dist = await db.execute<{ code: string; score: number; n: number }>(sql`
    select d.key as code, d.value::int as score, count(*)::int as n
      from evaluation_survey_answers a cross join lateral jsonb_each_text(a.scores) d
     where a.community_id = ${s.communityId} and a.survey_id = ${s.id}
     group by 1, 2`);
  const [[{ respondents }], eligible, comments] = await concurrently(db, [
    () =>
      db
        .execute<{ respondents: number }>(
          sql`select count(*)::int as respondents from evaluation_survey_respondents where community_id = ${s.communityId} and survey_id = ${s.id}`,
        )
        .then((r) => r.rows as [{ respondents: number }]),
    () => eligibleResidents(db, s.communityId),
    () =>
      db
        .select({ comment: evaluationSurveyAnswers.comment })
        .from(evaluationSurveyAnswers)
        .where(
          and(
            eq(evaluationSurveyAnswers.communityId, s.communityId),
            eq(evaluationSurveyAnswers.surveyId, s.id),
            sql`${evaluationSurveyAnswers.comment} is not null`,
          ),
        )
        // Sorted by text, not by insertion, so the order says nothing about who answered when.
        .orderBy(evaluationSurveyAnswers.comment)
        .limit(500),
  ]);
  let all = 0;
  let allN = 0;
  const dimensions = questions.map((q) => {
    const distribution = SCALE.map((label, i) => ({
      score: i + 1,
      label,
      count: Number(dist.rows.find((x) => x.code === q.code && Number(x.score) === i + 1)?.n ?? 0),
    }));
    const n = distribution.reduce((a, x) => a + x.count, 0);
    const sum = distribution.reduce((a, x) => a + x.count * x.score, 0);
    all += sum;
    allN += n;
    return {
      code: q.code,
      name: q.name,
      text: q.text,
      answers: n,
      mean: n ? round(sum / n) : null,
      satisfiedShare: n ? round((distribution[3]!.count + distribution[4]!.count) / n, 4) : null,
      distribution,
    };
  });
  const r = Number(respondents);
  return {
    ...summary(s),
    respondents: r,
    eligible,
    responseRate: eligible ? round(r / eligible, 4) : null,
    mean: allN ? round(all / allN) : null,
    index: allN ? round(((all / allN - 1) / 4) * 100) : null,
    dimensions,
    comments: comments.map((c) => c.comment!),
  };
}

export async function surveyResults(db: Db, id: string) {
  return results(db, await find(db, id));
}

// ---- residents --------------------------------------------------------------------------------------

/** The register person behind the caller's account, and their community. */
async function residentOf(db: Executor, userId: string) {
  const residentId = await residentOfUser(db, userId);
  if (!residentId) throw problems.forbidden('您的账号尚未关联居民信息，请联系社区工作人员');
  const person = await residentSummary(db, residentId);
  if (!person) throw problems.forbidden('您的账号尚未关联居民信息，请联系社区工作人员');
  return person;
}

/** Surveys of the caller's community still open, and whether the caller has answered each. */
export async function mySurveys(db: Db, userId: string) {
  const person = await residentOf(db, userId);
  const rows = await db
    .select()
    .from(evaluationSurveys)
    .where(
      and(
        eq(evaluationSurveys.communityId, person.communityId),
        eq(evaluationSurveys.status, 'open'),
        sql`${evaluationSurveys.closesAt} > now()`,
      ),
    )
    .orderBy(evaluationSurveys.closesAt);
  const answered = new Set(
    (
      await db
        .select({ s: evaluationSurveyRespondents.surveyId })
        .from(evaluationSurveyRespondents)
        .where(and(eq(evaluationSurveyRespondents.communityId, person.communityId), eq(evaluationSurveyRespondents.residentId, person.id)))
    ).map((x) => x.s),
  );
  return rows.map((s) => ({ ...summary(s), answered: answered.has(s.id) }));
}

const alreadyAnswered = () => problems.conflict('您已提交过本次调查（每位居民一份）', [{ field: 'resident', message: '已提交' }]);

export async function answer(ctx: Ctx, id: string, input: { scores: Record<string, number>; comment?: string | null }) {
  const person = await residentOf(ctx.db, ctx.caller.userId);
  const s = await find(ctx.db, id);
  if (s.communityId !== person.communityId) throw problems.outOfScope('这是其他社区的调查');
  const questions = s.questions as Question[];
  const codes = new Set(questions.map((q) => q.code));
  const unknown = Object.keys(input.scores).find((k) => !codes.has(k));
  if (unknown) throw problems.field(`body.scores.${unknown}`, '没有这个问题');
  const missing = questions.filter((q) => input.scores[q.code] === undefined);
  if (missing.length)
    throw problems.validation(missing.map((q) => ({ field: `body.scores.${q.code}`, message: `请为「${q.name}」打分（1–5）` })));
  for (const q of questions) {
    const v = input.scores[q.code]!;
    if (!Number.isInteger(v) || v < 1 || v > 5)
      throw problems.field(`body.scores.${q.code}`, '评分应为 1–5 的整数（1 很不满意 … 5 很满意）');
  }
  if (!isOpen(s)) throw problems.conflict('调查已结束，不再接受提交');
  const comment = input.comment?.trim() || null;
  const path = (await placeOf(ctx.db, s.communityId))!.path;
  try {
    await auditedChange(
      ctx,
      // That this resident answered, never what: the scores stay in the anonymous answer row.
      { targetType: 'evaluation_survey', targetId: () => id, scopePath: () => path, statusCode: 201, detail: () => ({ answered: true }) },
      async (tx: Executor) => {
        // The survey row, shared-locked: an official closing it waits for this answer to commit, or this one sees it closed.
        const [current] = await tx
          .select({ status: evaluationSurveys.status, closesAt: evaluationSurveys.closesAt })
          .from(evaluationSurveys)
          .where(and(eq(evaluationSurveys.communityId, s.communityId), eq(evaluationSurveys.id, id)))
          .for('share');
        if (current!.status !== 'open' || new Date() >= current!.closesAt) throw problems.conflict('调查已结束，不再接受提交');
        await tx.insert(evaluationSurveyRespondents).values({ communityId: s.communityId, surveyId: id, residentId: person.id });
        const scores = Object.fromEntries(questions.map((q) => [q.code, input.scores[q.code]!]));
        await tx.insert(evaluationSurveyAnswers).values({ communityId: s.communityId, surveyId: id, id: randomUUID(), scores, comment });
      },
    );
  } catch (e) {
    if (pgErrorCode(e) === '23505') throw alreadyAnswered();
    throw e;
  }
  return { answered: true, notice: '已提交，感谢您的评价。您的回答以匿名方式统计。' };
}

// ---- the live measure -------------------------------------------------------------------------------

interface Perception {
  survey: string;
  respondents: number;
  sum: number;
  n: number;
}

registerMeasures<Map<string, Perception>>(
  async (db, communityIds) => {
    // Per community: its latest closed survey (closed by an official or past its closing time), else its latest open one.
    const r = await db.execute<{ community_id: string; id: string; respondents: number; sum: number; n: number }>(sql`
      with chosen as (
        select distinct on (community_id) community_id, id from evaluation_surveys
         where community_id = any(${sql.param(communityIds)}::uuid[])
         order by community_id, (status = 'closed' or closes_at <= now()) desc, created_at desc)
      select c.community_id, c.id,
             (select count(*)::int from evaluation_survey_respondents p where p.community_id = c.community_id and p.survey_id = c.id) as respondents,
             coalesce(sum(d.value::int - 1), 0)::int as sum, count(d.value)::int as n
        from chosen c
        left join evaluation_survey_answers a on a.community_id = c.community_id and a.survey_id = c.id
        left join lateral jsonb_each_text(a.scores) d on true
       group by c.community_id, c.id`);
    return new Map(
      r.rows.map((x) => [x.community_id, { survey: x.id, respondents: Number(x.respondents), sum: Number(x.sum), n: Number(x.n) }]),
    );
  },
  [
    {
      key: PERCEPTION_MEASURE,
      title: '居民感知度（满意度指数）',
      method:
        '社区最近一次已结束的感知度调查（无则为进行中的调查）：满意度指数 = （全部维度评分的平均分 − 1）÷ 4 × 100，1 分（很不满意）为 0，5 分（很满意）为 100；分子为各评分减 1 之和，分母为 4 × 评分个数；记录数为参与居民数',
      clause: '002 六 6.1/6.2',
      value(loaded, communityId) {
        const p = loaded.get(communityId);
        if (!p || p.n === 0) return { value: 0, records: p?.respondents ?? 0, numerator: 0, denominator: 0 };
        return { value: round((p.sum / (4 * p.n)) * 100), records: p.respondents, numerator: p.sum, denominator: 4 * p.n };
      },
    },
  ],
);
