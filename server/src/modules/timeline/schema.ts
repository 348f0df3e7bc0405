// 事、情: what happened to a person or a household (room), across modules, in one timeline.
import { index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const timelineEntries = pgTable(
  'timeline_entries',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: uuid('subject_id').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    topic: text('topic').notNull(),
    summary: text('summary').notNull(),
    /** The outbox event it came from: delivery is at least once, an entry is written once. */
    eventId: uuid('event_id').notNull(),
    data: jsonb('data').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('timeline_subject_idx').on(t.communityId, t.subjectType, t.subjectId, t.occurredAt),
    uniqueIndex('timeline_event_key').on(t.communityId, t.eventId, t.subjectType, t.subjectId),
  ],
);
