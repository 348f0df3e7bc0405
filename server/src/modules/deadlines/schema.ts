// Durable deadlines for every module (grid governance first; escalation chains and publicity periods
// later): a row per deadline, fired once by the deadline worker at or after `due_at`.
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Durable deadlines (any module): a row per pending deadline, deleted by the deadline worker in the
 * transaction that fires it at or after `due_at`. They survive restarts because they are rows, not timers.
 */
export const deadlines = pgTable(
  'deadlines',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    kind: text('kind').notNull(),
    subjectId: uuid('subject_id').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    payload: jsonb('payload'),
    attempts: integer('attempts').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('deadlines_due_idx').on(t.dueAt),
    index('deadlines_subject_idx').on(t.communityId, t.subjectId),
  ],
);
