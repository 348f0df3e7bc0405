// Notifications (站内信) and text messages (短信) to people: who was told what, and whether the message
// left the platform. Per-community tables (Citus-ready): community_id leads every key.
import { sql } from 'drizzle-orm';
import { customType, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

/** One message in one account's inbox. */
export const notifications = pgTable(
  'notifications',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    recipientUserId: uuid('recipient_user_id').notNull(),
    /** e.g. alarm.escalation, grid.status, grid.dispatch */
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    /** Console or phone page path the message opens (`/alarms/…`, `/m/my-reports`). */
    link: text('link'),
    subjectType: text('subject_type'),
    subjectId: uuid('subject_id'),
    /** Makes delivery idempotent: a subscriber or handler run twice writes each message once. */
    dedupeKey: text('dedupe_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('notifications_id_idx').on(t.id),
    index('notifications_recipient_idx').on(t.recipientUserId, t.createdAt),
    uniqueIndex('notifications_dedupe_key').on(t.communityId, t.recipientUserId, t.dedupeKey),
  ],
);

/** A text message to a phone: queued in the sender's transaction, sent by the SMS worker. No plaintext phone. */
export const smsOutbox = pgTable(
  'sms_outbox',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    /** The phone, encrypted (personal data), with its blind index and masked copy. */
    phoneEnc: bytea('phone_enc').notNull(),
    phoneHash: text('phone_hash').notNull(),
    phoneMasked: text('phone_masked').notNull(),
    text: text('text').notNull(),
    /** queued | sent | failed | no_gateway (recorded, not sent: no JIAYUAN_SMS_URL). */
    status: text('status').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    subjectType: text('subject_type'),
    subjectId: uuid('subject_id'),
    dedupeKey: text('dedupe_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    lastError: text('last_error'),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('sms_outbox_queued_idx')
      .on(t.nextAttemptAt)
      .where(sql`status = 'queued'`),
    index('sms_outbox_created_idx').on(t.communityId, t.createdAt),
    uniqueIndex('sms_outbox_dedupe_key').on(t.communityId, t.phoneHash, t.dedupeKey),
  ],
);
