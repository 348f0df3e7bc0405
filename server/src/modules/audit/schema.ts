import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Append-only and hash-chained. A change writes its entry in its own transaction without waiting for
// anyone (seq, prev_hash and hash empty); the sealer then links entries into the chain in batches.
// The database refuses DELETE and TRUNCATE, and any UPDATE other than sealing an unsealed entry
// (migration 0001).
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey(),
    /** Position in the chain, set when sealed. */
    seq: bigint('seq', { mode: 'number' }).unique('audit_log_seq_key'),
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
    prevHash: text('prev_hash'),
    hash: text('hash'),
  },
  (t) => [
    index('audit_log_scope_idx').using('btree', t.scopePath.op('text_pattern_ops'), t.id),
    index('audit_log_occurred_idx').on(t.occurredAt),
    index('audit_log_unsealed_idx')
      .on(t.id)
      .where(sql`${t.seq} is null`),
  ],
);
