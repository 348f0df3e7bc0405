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
