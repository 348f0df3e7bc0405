// Consultation (民主协商, `004` 5.2.2) and 五议两公开 decisions (民主决策, `004` 5.2.3): per-community
// tables; every step and stage completion is an append-only row (who, when, what).
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Stage } from './deliberation-model.js';

/** A consultation: proposed online → reviewed → plan → announced → rules → deliberating → opinions → result communicated. */
export const consultations = pgTable(
  'consultations',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    /** The proposer: the resident's account (online), and the register entry it stands for, if linked. */
    proposerUserId: uuid('proposer_user_id'),
    proposerResidentId: uuid('proposer_resident_id'),
    proposerName: text('proposer_name').notNull(),
    /** proposed | accepted | rejected | planned | announced | rules_set | deliberating | opinions_formed | communicated. */
    status: text('status').notNull().default('proposed'),
    plan: text('plan'),
    rules: text('rules'),
    opinions: text('opinions'),
    result: text('result'),
    rejectReason: text('reject_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('consultations_id_idx').on(t.id),
    index('consultations_status_idx').on(t.communityId, t.status),
  ],
);

/** Each step of a consultation: who, when, what (append-only). */
export const consultationSteps = pgTable(
  'consultation_steps',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    consultationId: uuid('consultation_id').notNull(),
    step: text('step').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actorUserId: uuid('actor_user_id'),
    actorName: text('actor_name').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    text: text('text'),
    reason: text('reason'),
    meeting: jsonb('meeting'),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('consultation_steps_consultation_idx').on(t.communityId, t.consultationId, t.at),
  ],
);

/** Comments during deliberation, by residents with accounts and by staff (append-only). */
export const consultationComments = pgTable(
  'consultation_comments',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    consultationId: uuid('consultation_id').notNull(),
    authorUserId: uuid('author_user_id').notNull(),
    authorName: text('author_name').notNull(),
    /** resident | staff. */
    authorKind: text('author_kind').notNull(),
    text: text('text').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('consultation_comments_consultation_idx').on(t.communityId, t.consultationId, t.at),
  ],
);

/** Online and offline meetings of a deliberation, with minutes and who attended (append-only). */
export const consultationMeetings = pgTable(
  'consultation_meetings',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    consultationId: uuid('consultation_id').notNull(),
    /** online | offline. */
    kind: text('kind').notNull(),
    heldAt: timestamp('held_at', { withTimezone: true }).notNull(),
    place: text('place').notNull().default(''),
    attendeesCount: integer('attendees_count').notNull(),
    minutes: text('minutes').notNull(),
    /** Named attendees: name, and the account when they have one. */
    attendees: jsonb('attendees').$type<{ name: string; userId?: string }[]>().notNull().default([]),
    recordedBy: text('recorded_by').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('consultation_meetings_consultation_idx').on(t.communityId, t.consultationId),
  ],
);

/**
 * Who is to be told the result of a consultation (结果告知): a row without an account names a person met
 * offline, whom staff tell in person. Account holders get the message in their inbox (notifications
 * module); `read_at` is no longer written here (the inbox keeps what was read).
 */
export const democracyNotifications = pgTable(
  'democracy_notifications',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    consultationId: uuid('consultation_id').notNull(),
    recipientUserId: uuid('recipient_user_id'),
    recipientName: text('recipient_name').notNull(),
    text: text('text').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('democracy_notifications_recipient_idx').on(t.recipientUserId, t.createdAt),
  ],
);

/** A 五议两公开 decision item with its chain of stages as data. */
export const decisionItems = pgTable(
  'decision_items',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    chain: jsonb('chain').$type<Stage[]>().notNull(),
    /** Index of the stage in progress (= chain length when completed). */
    currentStage: integer('current_stage').notNull().default(0),
    /** in_progress | completed | not_passed. */
    status: text('status').notNull().default('in_progress'),
    /** When the current stage started (a publicity period runs from here). */
    stageStartedAt: timestamp('stage_started_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('decision_items_id_idx').on(t.id),
    index('decision_items_status_idx').on(t.communityId, t.status),
  ],
);

/** Stage completions and what happened during a stage (objection overdue), append-only. */
export const decisionSteps = pgTable(
  'decision_steps',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    itemId: uuid('item_id').notNull(),
    stageIndex: integer('stage_index').notNull(),
    stageKey: text('stage_key').notNull(),
    /** created | completed | objection | objection-answered | objection-overdue. */
    kind: text('kind').notNull(),
    actorUserId: uuid('actor_user_id'),
    actorName: text('actor_name').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.id] }), index('decision_steps_item_idx').on(t.communityId, t.itemId, t.at)],
);

/** Objections filed during a publicity stage, each to be answered within working days. */
export const decisionObjections = pgTable(
  'decision_objections',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    itemId: uuid('item_id').notNull(),
    stageIndex: integer('stage_index').notNull(),
    text: text('text').notNull(),
    filedByUserId: uuid('filed_by_user_id'),
    filedByName: text('filed_by_name').notNull(),
    filedAt: timestamp('filed_at', { withTimezone: true }).notNull().defaultNow(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    overdue: boolean('overdue').notNull().default(false),
    answer: text('answer'),
    answeredBy: text('answered_by'),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.id] }), index('decision_objections_item_idx').on(t.communityId, t.itemId)],
);
