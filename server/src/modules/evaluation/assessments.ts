// Assessments (issue 4 §5): a community's self-assessment for a framework and period, reviewed
// indicator by indicator by evaluators (`002` 六 6.2: experts, third parties, units, media — each
// review records the kind), then locked with its result. Any later change to an entered input of a
// reviewed indicator, or a measured input turning met/unmet, reopens its review. The scorecard as
// submitted is kept (the self-assessment of the period, for the trend across periods).
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import type { Ctx } from '../../http/context.js';
import { problems } from '../../http/errors.js';
import { auditedChange } from '../audit/service.js';
import { placeOf } from '../regions/service.js';
import { evaluationAssessments, evaluationReviews } from './schema.js';
import { countByKind, EVALUATOR_KIND_LABELS, evaluatorKindOf, type EvaluatorKind } from './evaluators.js';
import { frameworkOf, scorecards, type Scorecard } from './service.js';

type AssessmentRow = typeof evaluationAssessments.$inferSelect;
type ReviewRow = typeof evaluationReviews.$inferSelect;

export type ReviewState = 'pending' | 'accepted' | 'returned' | 'reopened';

async function find(db: Executor, id: string): Promise<AssessmentRow> {
  const [a] = await db.select().from(evaluationAssessments).where(eq(evaluationAssessments.id, id));
  if (!a) throw problems.notFound('评估');
  return a;
}

export async function assessmentPath(db: Db, id: string): Promise<string | null> {
  const [a] = await db.select({ c: evaluationAssessments.communityId }).from(evaluationAssessments).where(eq(evaluationAssessments.id, id));
  return a ? ((await placeOf(db, a.c))?.path ?? null) : null;
}

/**
 * Each indicator's review state: the latest decision, unless an input of the indicator changed after
 * it (then `reopened`): a criterion got a new entered value, or a measured criterion that the reviewer
 * saw met is now unmet or the other way round (live data drifts all the time; only a change of what
 * the indicator scores reopens it). `pending` when nobody has decided yet.
 */
function reviewStates(card: Scorecard, reviews: ReviewRow[]) {
  const latest = new Map<string, ReviewRow>();
  for (const r of reviews) latest.set(r.indicator, r); // ordered by time
  return card.indicators.map((i) => {
    const r = latest.get(i.code);
    const changed = i.criteria.some(
      (c) =>
        r &&
        ((c.provenance?.kind === 'entered' && new Date(c.provenance.enteredAt).getTime() > r.reviewedAt.getTime()) ||
          (c.provenance?.kind === 'measure' && r.seen?.[c.code] !== undefined && r.seen[c.code] !== c.met)),
    );
    const state: ReviewState = !r ? 'pending' : changed ? 'reopened' : (r.decision as 'accepted' | 'returned');
    return {
      indicator: i.code,
      state,
      ...(r
        ? {
            decision: r.decision,
            reason: r.reason,
            reviewer: r.reviewerName,
            ...kindOf(r),
            reviewedAt: r.reviewedAt.toISOString(),
          }
        : {}),
    };
  });
}

const kindOf = (r: { reviewerKind: string }) => ({
  reviewerKind: r.reviewerKind,
  reviewerKindLabel: EVALUATOR_KIND_LABELS[r.reviewerKind as EvaluatorKind] ?? r.reviewerKind,
});

/** Review records and distinct reviewers per evaluator kind. */
function reviewSummary(reviews: { reviewerKind: string; reviewerId: string | null }[]) {
  return countByKind(reviews.map((r) => r.reviewerKind)).map((k) => ({
    ...k,
    reviewers: new Set(reviews.filter((r) => r.reviewerKind === k.kind).map((r) => r.reviewerId)).size,
  }));
}

async function present(db: Executor, a: AssessmentRow) {
  const reviews = await db
    .select()
    .from(evaluationReviews)
    .where(and(eq(evaluationReviews.communityId, a.communityId), eq(evaluationReviews.assessmentId, a.id)))
    .orderBy(asc(evaluationReviews.reviewedAt), asc(evaluationReviews.id));
  const f = frameworkOf(a.framework);
  const card =
    (a.result as Scorecard | null) ??
    (await scorecards(db, f, [a.communityId], a.priorStars === null ? undefined : new Map([[a.communityId, a.priorStars]])))[0]!;
  return {
    id: a.id,
    communityId: a.communityId,
    framework: a.framework,
    frameworkVersion: a.frameworkVersion,
    period: a.period,
    priorStars: a.priorStars,
    status: a.status,
    createdBy: a.createdBy,
    createdAt: a.createdAt.toISOString(),
    submittedAt: a.submittedAt?.toISOString() ?? null,
    lockedAt: a.lockedAt?.toISOString() ?? null,
    lockedBy: a.lockedBy,
    scorecard: card,
    reviews: reviewStates(card, reviews),
    reviewsByKind: reviewSummary(reviews),
    history: reviews.map((r) => ({
      indicator: r.indicator,
      decision: r.decision,
      reason: r.reason,
      reviewer: r.reviewerName,
      ...kindOf(r),
      reviewedAt: r.reviewedAt.toISOString(),
    })),
  };
}

export async function createAssessment(ctx: Ctx, input: { communityId: string; framework: string; period: string; priorStars?: number }) {
  const f = frameworkOf(input.framework, 'body.framework');
  const place = await placeOf(ctx.db, input.communityId);
  if (!place || place.gridId) throw problems.field('body.communityId', '应为社区');
  const [dup] = await ctx.db
    .select({ id: evaluationAssessments.id })
    .from(evaluationAssessments)
    .where(
      and(
        eq(evaluationAssessments.communityId, input.communityId),
        eq(evaluationAssessments.framework, f.code),
        eq(evaluationAssessments.period, input.period),
      ),
    );
  if (dup) throw problems.conflict(`本社区 ${input.period} 已有 ${f.code} 评估`);
  const row = await auditedChange(
    ctx,
    {
      targetType: 'evaluation_assessment',
      targetId: (r) => r.id,
      scopePath: () => place.path,
      statusCode: 201,
      detail: (r) => ({ framework: r.framework, period: r.period }),
    },
    async (tx: Executor) => {
      const [r] = await tx
        .insert(evaluationAssessments)
        .values({
          communityId: input.communityId,
          id: uuidv7(),
          framework: f.code,
          frameworkVersion: f.version,
          period: input.period,
          priorStars: input.priorStars ?? null,
          createdBy: ctx.caller.displayName,
        })
        .returning();
      return r!;
    },
  );
  return present(ctx.db, row);
}

export async function listAssessments(db: Db, communityId: string) {
  const rows = await db
    .select()
    .from(evaluationAssessments)
    .where(eq(evaluationAssessments.communityId, communityId))
    .orderBy(desc(evaluationAssessments.createdAt));
  const counted = rows.length
    ? await db
        .select({ assessmentId: evaluationReviews.assessmentId, kind: evaluationReviews.reviewerKind, n: sql<number>`count(*)::int` })
        .from(evaluationReviews)
        .where(
          and(
            eq(evaluationReviews.communityId, communityId),
            inArray(
              evaluationReviews.assessmentId,
              rows.map((a) => a.id),
            ),
          ),
        )
        .groupBy(evaluationReviews.assessmentId, evaluationReviews.reviewerKind)
    : [];
  return rows.map((a) => ({
    id: a.id,
    communityId: a.communityId,
    framework: a.framework,
    period: a.period,
    status: a.status,
    total: (a.result as Scorecard | null)?.total ?? null,
    stars: (a.result as Scorecard | null)?.stars ?? null,
    lockedAt: a.lockedAt?.toISOString() ?? null,
    reviewsByKind: countByKind([]).map((k) => ({
      ...k,
      count: counted.find((c) => c.assessmentId === a.id && c.kind === k.kind)?.n ?? 0,
    })),
  }));
}

export async function assessmentDetail(db: Db, id: string) {
  return present(db, await find(db, id));
}

async function transition(
  ctx: Ctx,
  id: string,
  from: string,
  to: 'submitted' | 'locked',
  check?: (tx: Executor, a: AssessmentRow) => Promise<Scorecard | null>,
) {
  const a = await find(ctx.db, id);
  const path = (await placeOf(ctx.db, a.communityId))!.path;
  const row = await auditedChange(
    ctx,
    { targetType: 'evaluation_assessment', targetId: () => id, scopePath: () => path, detail: () => ({ from, to }) },
    async (tx: Executor) => {
      // Lock the row: two evaluators locking at once, or a submit racing a lock, see one outcome.
      const [current] = await tx
        .select()
        .from(evaluationAssessments)
        .where(and(eq(evaluationAssessments.communityId, a.communityId), eq(evaluationAssessments.id, id)))
        .for('update');
      if (current!.status !== from)
        throw problems.conflict(
          from === 'draft' ? '评估已提交，不能重复提交' : current!.status === 'locked' ? '评估已锁定' : '评估尚未提交',
        );
      const result = check ? await check(tx, current!) : null;
      const [r] = await tx
        .update(evaluationAssessments)
        .set(
          to === 'submitted'
            ? { status: 'submitted', submittedAt: new Date(), submittedResult: result }
            : { status: 'locked', lockedAt: new Date(), lockedBy: ctx.caller.displayName, result },
        )
        .where(and(eq(evaluationAssessments.communityId, a.communityId), eq(evaluationAssessments.id, id)))
        .returning();
      return r!;
    },
  );
  return present(ctx.db, row);
}

/** Submits the self-assessment, keeping its scorecard as submitted (the review goes on against live data). */
export function submitAssessment(ctx: Ctx, id: string) {
  return transition(ctx, id, 'draft', 'submitted', async (tx, a) => (await present(tx, a)).scorecard);
}

/** Locks a submitted assessment once every indicator is accepted (and none reopened). */
export function lockAssessment(ctx: Ctx, id: string) {
  return transition(ctx, id, 'submitted', 'locked', async (tx, a) => {
    const view = await present(tx, a);
    const open = view.reviews.filter((r) => r.state !== 'accepted').map((r) => r.indicator);
    if (open.length)
      throw problems.conflict(`还有 ${open.length} 项指标未通过审核：${open.slice(0, 10).join('、')}${open.length > 10 ? '…' : ''}`);
    return view.scorecard;
  });
}

export async function reviewIndicator(
  ctx: Ctx,
  id: string,
  input: { indicator: string; decision: 'accepted' | 'returned'; reason?: string },
) {
  const a = await find(ctx.db, id);
  const f = frameworkOf(a.framework);
  if (!f.indicators.some((i) => i.code === input.indicator))
    throw problems.field('body.indicator', `${f.code} 没有指标 ${input.indicator}`);
  if (input.decision === 'returned' && !input.reason?.trim()) throw problems.field('body.reason', '退回时须说明理由');
  if (a.status !== 'submitted') throw problems.conflict(a.status === 'locked' ? '评估已锁定' : '评估尚未提交，不能审核');
  const path = (await placeOf(ctx.db, a.communityId))!.path;
  const live = (
    await scorecards(ctx.db, f, [a.communityId], a.priorStars === null ? undefined : new Map([[a.communityId, a.priorStars]]))
  )[0]!;
  const seen = Object.fromEntries(
    live.indicators
      .find((i) => i.code === input.indicator)!
      .criteria.filter((c) => c.provenance?.kind === 'measure')
      .map((c) => [c.code, c.met]),
  );
  await auditedChange(
    ctx,
    {
      targetType: 'evaluation_assessment',
      targetId: () => id,
      scopePath: () => path,
      statusCode: 201,
      detail: () => ({ ...input, reviewerKind: evaluatorKindOf(ctx.caller.roles), seen }),
    },
    async (tx: Executor) => {
      await tx.insert(evaluationReviews).values({
        communityId: a.communityId,
        id: uuidv7(),
        assessmentId: id,
        indicator: input.indicator,
        decision: input.decision,
        reason: input.reason ?? null,
        reviewerId: ctx.caller.userId,
        reviewerName: ctx.caller.displayName,
        reviewerKind: evaluatorKindOf(ctx.caller.roles),
        seen,
      });
      return null;
    },
  );
  return present(ctx.db, a);
}
