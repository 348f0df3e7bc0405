// Values entered for criteria the platform cannot observe (fibre coverage, TV coverage, camera
// coverage…), with evidence, source, reference date and a data-quality grade. Append-only: each
// entry is a new version; the latest version of (community, framework, criterion) is current.
import { date, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

export const evaluationValues = pgTable(
  'evaluation_values',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    framework: text('framework').notNull(),
    criterion: text('criterion').notNull(),
    version: integer('version').notNull(),
    /** 1/0 for boolean criteria; the measured figure (percent, count, minutes) for the rest. */
    value: doublePrecision('value').notNull(),
    numerator: doublePrecision('numerator'),
    denominator: doublePrecision('denominator'),
    source: text('source').notNull(),
    referenceDate: date('reference_date').notNull(),
    /** A 可靠 (official statistics, on-site check) … D 估计 (estimate). */
    quality: text('quality').notNull(),
    evidence: jsonb('evidence').notNull().default([]),
    note: text('note'),
    enteredBy: uuid('entered_by'),
    enteredByName: text('entered_by_name'),
    enteredAt: timestamp('entered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    unique('evaluation_values_version_key').on(t.communityId, t.framework, t.criterion, t.version),
    index('evaluation_values_id_idx').on(t.id),
  ],
);

/**
 * An assessment of one community against one framework for one period (issue 4 §5): drafted and
 * submitted by the community (self-assessment), reviewed indicator by indicator by evaluators, then
 * locked with its result. The result keeps the framework version and rule so it can be recomputed.
 */
export const evaluationAssessments = pgTable(
  'evaluation_assessments',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    framework: text('framework').notNull(),
    frameworkVersion: text('framework_version').notNull(),
    /** e.g. 2026 or 2026-H2. */
    period: text('period').notNull(),
    priorStars: integer('prior_stars'),
    /** draft → submitted → locked. */
    status: text('status').notNull().default('draft'),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    lockedAt: timestamp('locked_at', { withTimezone: true }),
    lockedBy: text('locked_by'),
    /** The scorecard at locking. */
    result: jsonb('result'),
    /** The scorecard as the community submitted it (the self-assessment), kept for the trend across periods. */
    submittedResult: jsonb('submitted_result'),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    unique('evaluation_assessments_period_key').on(t.communityId, t.framework, t.period),
    index('evaluation_assessments_id_idx').on(t.id),
  ],
);

/** Review decisions, append-only: the latest per indicator counts, unless an input changed after it. */
export const evaluationReviews = pgTable(
  'evaluation_reviews',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    assessmentId: uuid('assessment_id').notNull(),
    indicator: text('indicator').notNull(),
    /** accepted | returned. */
    decision: text('decision').notNull(),
    reason: text('reason'),
    reviewerId: uuid('reviewer_id'),
    reviewerName: text('reviewer_name'),
    /**
     * The reviewer's kind of evaluator (`002` 六 6.2) from their role at the time: expert | third_party |
     * unit | media; unspecified for the general 评估人员 role (and every review made before kinds existed).
     */
    reviewerKind: text('reviewer_kind').notNull().default('unspecified'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * What the reviewer saw of the indicator's measured criteria (criterion code → met): live data that
     * later turns one of them the other way reopens the review. Null on reviews made before this existed.
     */
    seen: jsonb('seen').$type<Record<string, boolean>>(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.id] }), index('evaluation_reviews_assessment_idx').on(t.communityId, t.assessmentId)],
);
