// Supervision (民主监督, `004` 5.2.5): public lists (清单) of matters, finances and decisions with their
// ledgers (台账); residents' questions and reports (监督举报) answered within a deadline; the
// supervisory committee's review trail.
import { index, jsonb, numeric, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export interface LedgerLine {
  date: string;
  item: string;
  /** Yuan, for finance lists (income positive, spending negative). */
  amount?: number | null;
  note?: string | null;
}

export const supervisionItems = pgTable(
  'supervision_items',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    /** matter 事务公开 | finance 财务公开 | decision 决策公开 */
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    content: text('content').notNull().default(''),
    /** The period it covers, e.g. 2026年第三季度. */
    period: text('period').notNull(),
    ledger: jsonb('ledger').$type<LedgerLine[]>().notNull().default([]),
    /** Finance lists: the ledger's total, kept with it. */
    total: numeric('total', { precision: 14, scale: 2, mode: 'number' }),
    publishedBy: text('published_by').notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('supervision_items_id_idx').on(t.id),
    index('supervision_items_kind_idx').on(t.communityId, t.kind),
  ],
);

/** The supervisory committee's opinions on a published item. Append-only. */
export const supervisionReviews = pgTable(
  'supervision_reviews',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    itemId: uuid('item_id').notNull(),
    /** approved 无异议 | concerns 有异议 */
    opinion: text('opinion').notNull(),
    text: text('text').notNull().default(''),
    reviewer: text('reviewer').notNull(),
    reviewerId: uuid('reviewer_id'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.id] }), index('supervision_reviews_item_idx').on(t.communityId, t.itemId)],
);

/** Residents' questions and reports (监督举报), answered by the community within a working-day deadline. */
export const supervisionQuestions = pgTable(
  'supervision_questions',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    itemId: uuid('item_id'),
    /** question 质询 | report 举报 */
    kind: text('kind').notNull(),
    text: text('text').notNull(),
    askerId: uuid('asker_id'),
    /** Shown publicly only when the asker agreed; reports are never shown with a name. */
    askerName: text('asker_name'),
    public: text('public').notNull().default('yes'),
    askedAt: timestamp('asked_at', { withTimezone: true }).notNull().defaultNow(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    answer: text('answer'),
    answeredBy: text('answered_by'),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    /** Set by the deadline when unanswered in time; never cleared. */
    overdueAt: timestamp('overdue_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('supervision_questions_id_idx').on(t.id),
    index('supervision_questions_item_idx').on(t.communityId, t.itemId),
  ],
);
