// Grid governance (网格化治理, issue 5): the closed loop report → dispatch → handle → feedback →
// assess of `003` L3P3, with the catalogue, the handling units, the versioned routing table, the
// working-day calendar and the durable deadlines it needs.
import { sql } from 'drizzle-orm';
import {
  boolean,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

/** Limits of one urgency, in working hours from the report. */
export interface CategoryLimits {
  /** Accept (立案) or reject and dispatch. */
  respond: number;
  /** Handled on site. */
  handle: number;
}

/** The event catalogue, two levels (环境卫生 / 垃圾堆放). Reference table. */
export const gridCategories = pgTable('grid_categories', {
  code: text('code').primaryKey(),
  parentCode: text('parent_code'),
  name: text('name').notNull(),
  /** assign (派单到人或单位) | grab (抢单) | round_robin (轮派). */
  dispatchMode: text('dispatch_mode').notNull().default('assign'),
  /** Closure needs a verifier other than the handler (核查). */
  needsVerification: boolean('needs_verification').notNull().default(false),
  /** { normal: {respond, handle}, urgent: {respond, handle} } in working hours. */
  limits: jsonb('limits').$type<Record<'normal' | 'urgent', CategoryLimits>>(),
  sort: integer('sort').notNull().default(0),
  active: boolean('active').notNull().default(true),
});

/** Handling units (处置单位): a district department, a street office, a property company. Reference table. */
export const gridUnits = pgTable(
  'grid_units',
  {
    id: uuid('id').primaryKey(),
    /** Where the unit sits; its members act on events inside this region. */
    regionId: uuid('region_id').notNull(),
    name: text('name').notNull(),
    /** department | street | community | property | other. */
    kind: text('kind').notNull().default('department'),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('grid_units_name_key').on(t.regionId, t.name)],
);

export const gridUnitMembers = pgTable(
  'grid_unit_members',
  {
    unitId: uuid('unit_id').notNull(),
    userId: uuid('user_id').notNull(),
    /** Round robin (轮派) gives the next event to the member assigned longest ago. */
    lastAssignedAt: timestamp('last_assigned_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.userId] }), index('grid_unit_members_user_idx').on(t.userId)],
);

/**
 * The routing table: area (any region node: a grid, a community, a street…) × category (a level-2
 * code, or a level-1 code for all its children) → handling unit. Versioned: a change retires the
 * current row (`retired_at`) and adds a new one, so the history stays. Reference table.
 */
export const gridRoutes = pgTable(
  'grid_routes',
  {
    id: uuid('id').primaryKey(),
    regionId: uuid('region_id').notNull(),
    regionPath: text('region_path').notNull(),
    categoryCode: text('category_code').notNull(),
    unitId: uuid('unit_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: text('created_by'),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
    retiredBy: text('retired_by'),
  },
  (t) => [
    index('grid_routes_current_idx')
      .on(t.categoryCode)
      .where(sql`retired_at is null`),
    unique('grid_routes_current_key').on(t.regionId, t.categoryCode, t.retiredAt).nullsNotDistinct(),
  ],
);

/** Days that differ from the default week (public holidays, make-up working days 调休). Reference table. */
export const workCalendarDays = pgTable('work_calendar_days', {
  day: date('day').primaryKey(),
  /** holiday | workday. */
  kind: text('kind').notNull(),
  name: text('name').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  updatedBy: text('updated_by'),
});

/** Partners allowed to use Open311 (GeoReport v2), each with its own api_key (stored hashed). Reference table. */
export const open311Partners = pgTable('open311_partners', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  keyHash: text('key_hash').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  createdBy: text('created_by'),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

/** A reported problem (事件) and where it stands in the loop. */
export const gridEvents = pgTable(
  'grid_events',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    /** Human-facing number, e.g. 20261203-000123 (unique per community). */
    number: text('number').notNull(),
    /** Random code the reporter follows the event with (with their phone). */
    trackingCode: text('tracking_code').notNull(),
    gridId: uuid('grid_id'),
    categoryCode: text('category_code').notNull(),
    urgency: text('urgency').notNull().default('normal'),
    description: text('description').notNull(),
    photos: jsonb('photos').$type<string[]>().notNull().default([]),
    lng: doublePrecision('lng'),
    lat: doublePrecision('lat'),
    buildingId: uuid('building_id'),
    roomId: uuid('room_id'),
    address: text('address'),
    /** resident | grid_worker | hotline | device | platform | staff | other. */
    reporterKind: text('reporter_kind').notNull(),
    reporterUserId: uuid('reporter_user_id'),
    reporterName: text('reporter_name'),
    /** The reporter's phone, encrypted (personal data), with its blind index and masked copy. */
    reporterPhoneEnc: bytea('reporter_phone_enc'),
    reporterPhoneHash: text('reporter_phone_hash'),
    reporterPhoneMasked: text('reporter_phone_masked'),
    /** console | mobile | open311 | device. */
    channel: text('channel').notNull(),
    partnerId: uuid('partner_id'),
    deviceId: uuid('device_id'),
    status: text('status').notNull(),
    /** Status before a suspension, restored on resume. */
    suspendedFrom: text('suspended_from'),
    suspendedAt: timestamp('suspended_at', { withTimezone: true }),
    unitId: uuid('unit_id'),
    assigneeId: uuid('assignee_id'),
    assigneeName: text('assignee_name'),
    suggestedUnitId: uuid('suggested_unit_id'),
    mergedInto: uuid('merged_into'),
    handlerNote: text('handler_note'),
    resultPhotos: jsonb('result_photos').$type<string[]>().notNull().default([]),
    satisfaction: smallint('satisfaction'),
    ratingComment: text('rating_comment'),
    escalationLevel: smallint('escalation_level').notNull().default(0),
    reopenCount: integer('reopen_count').notNull().default(0),
    returnCount: integer('return_count').notNull().default(0),
    reportedAt: timestamp('reported_at', { withTimezone: true }).notNull(),
    respondedAt: timestamp('responded_at', { withTimezone: true }),
    handledAt: timestamp('handled_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    respondDueAt: timestamp('respond_due_at', { withTimezone: true }).notNull(),
    handleDueAt: timestamp('handle_due_at', { withTimezone: true }).notNull(),
    /** Allowed handling time in working minutes (for the overdue multiple). */
    handleAllowedMinutes: integer('handle_allowed_minutes').notNull(),
    /** Set when a deadline passes or a transition happens late; never cleared (database trigger). */
    respondOverdue: boolean('respond_overdue').notNull().default(false),
    handleOverdue: boolean('handle_overdue').notNull().default(false),
    warnedAt: timestamp('warned_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    unique('grid_events_number_key').on(t.communityId, t.number),
    index('grid_events_id_idx').on(t.id),
    // Only reports left with a phone can be followed by code + phone.
    index('grid_events_tracking_idx')
      .on(t.trackingCode)
      .where(sql`reporter_phone_hash is not null`),
    index('grid_events_status_idx').on(t.communityId, t.status, t.reportedAt),
    index('grid_events_reported_idx').on(t.communityId, t.reportedAt),
    index('grid_events_unit_idx').on(t.unitId, t.status),
    index('grid_events_assignee_idx').on(t.assigneeId, t.status),
    index('grid_events_reporter_idx').on(t.reporterUserId),
    index('grid_events_dup_idx').on(t.communityId, t.categoryCode, t.reportedAt),
  ],
);

/** Every transition of an event: who, when, why, and whether it was late at that moment. Append-only. */
export const gridEventTransitions = pgTable(
  'grid_event_transitions',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    eventId: uuid('event_id').notNull(),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actorId: uuid('actor_id'),
    actorName: text('actor_name').notNull(),
    reason: text('reason'),
    detail: jsonb('detail'),
    /** Frozen at the transition: the respond / handle deadline had passed. */
    respondOverdue: boolean('respond_overdue').notNull(),
    handleOverdue: boolean('handle_overdue').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.id] }), index('grid_event_transitions_event_idx').on(t.communityId, t.eventId, t.at)],
);
