// Resident perception surveys (感知度, issue 4 §5; `002` 六 6.1 four dimensions, 6.2 社区居民 as
// evaluators): one questionnaire per community × framework × period, one answer per resident.
// Anonymity: who answered (`evaluation_survey_respondents`, resident id, for the one-answer rule) and
// what was answered (`evaluation_survey_answers`: random id, scores, comment, no resident, no time) are
// kept apart, written in one transaction; nothing links a respondent row to an answer row.
import { index, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

export const evaluationSurveys = pgTable(
  'evaluation_surveys',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    framework: text('framework').notNull(),
    frameworkVersion: text('framework_version').notNull(),
    /** e.g. 2026 or 2026-H2, as assessments. */
    period: text('period').notNull(),
    /** The assessment of the same community, framework and period, when there is one. */
    assessmentId: uuid('assessment_id'),
    /** The questions as asked: one per dimension of the framework [{code, name, text, clause}]. */
    questions: jsonb('questions').notNull(),
    /** open → closed (also closed once closes_at has passed). */
    status: text('status').notNull().default('open'),
    closesAt: timestamp('closes_at', { withTimezone: true }).notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    closedBy: text('closed_by'),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    unique('evaluation_surveys_period_key').on(t.communityId, t.framework, t.period),
    index('evaluation_surveys_id_idx').on(t.id),
  ],
);

/** Who has answered: its primary key is the one-answer-per-resident rule (a concurrent second insert fails). */
export const evaluationSurveyRespondents = pgTable(
  'evaluation_survey_respondents',
  {
    communityId: uuid('community_id').notNull(),
    surveyId: uuid('survey_id').notNull(),
    residentId: uuid('resident_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.surveyId, t.residentId] })],
);

/** What was answered, without who or when: scores per dimension code (1 很不满意 … 5 很满意) and a comment. */
export const evaluationSurveyAnswers = pgTable(
  'evaluation_survey_answers',
  {
    communityId: uuid('community_id').notNull(),
    surveyId: uuid('survey_id').notNull(),
    /** Random (not time-ordered), so an answer cannot be matched to the audit entry of its respondent. */
    id: uuid('id').notNull(),
    scores: jsonb('scores').notNull(),
    comment: text('comment'),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.surveyId, t.id] })],
);
