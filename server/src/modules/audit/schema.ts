import { bigint, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Append-only, hash-chained (see migration 0001: the database refuses UPDATE, DELETE and TRUNCATE).
export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    id: uuid('id').notNull().unique('audit_log_id_key'),
    occurredAt: timestamp('occurred_at', { withTimezone: true, precision: 3 }).notNull(),
    actorId: uuid('actor_id'),
    actorName: text('actor_name'),
    actorRoles: text('actor_roles').array().notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    /** Region path the entry concerns; auditors see entries under their own path. */
    scopePath: text('scope_path').notNull(),
    outcome: text('outcome').notNull(),
    statusCode: integer('status_code').notNull(),
    detail: jsonb('detail').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('audit_log_scope_idx').using('btree', t.scopePath.op('text_pattern_ops'), t.seq),
    index('audit_log_occurred_idx').on(t.occurredAt),
  ],
);
