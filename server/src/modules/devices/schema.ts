// Devices, telemetry and alarms (issue 7; `003` L1P4 terminals, L2P6 emergency help, L3P1 monitoring,
// L3P2 fire). Telemetry itself is a table partitioned by day, created in the migration's SQL
// (drizzle-kit does not declare partitioned tables): telemetry(community_id, device_id, ts, key, value).
import { sql } from 'drizzle-orm';
import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const devices = pgTable(
  'devices',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    /** smoke_detector, gas_detector, elevator_monitor, parking_sensor, ev_charger, street_light, water_meter, … (model.ts DEVICE_TYPES). */
    type: text('type').notNull(),
    name: text('name').notNull(),
    gridId: uuid('grid_id'),
    buildingId: uuid('building_id'),
    roomId: uuid('room_id'),
    address: text('address'),
    lng: doublePrecision('lng'),
    lat: doublePrecision('lat'),
    /** FIWARE Device fields where they fit: serialNumber, manufacturerName, modelName, firmwareVersion, … and type-specific ones. */
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    /** sha256 of the device's random password (a 24-byte secret, not a person's password). */
    secretHash: text('secret_hash').notNull(),
    status: text('status').notNull().default('active'),
    /** For a fall detector or SOS button: the person it serves (their family follow its alarms). */
    residentId: uuid('resident_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('devices_id_idx').on(t.id),
    index('devices_type_idx').on(t.communityId, t.type),
    index('devices_building_idx').on(t.communityId, t.buildingId),
  ],
);

/** The latest value of each key of each device. */
export const deviceLatest = pgTable(
  'device_latest',
  {
    communityId: uuid('community_id').notNull(),
    deviceId: uuid('device_id').notNull(),
    key: text('key').notNull(),
    value: jsonb('value').notNull(),
    ts: timestamp('ts', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.deviceId, t.key] })],
);

/** Each rule's state per device between batches (duration and repeat conditions need memory). */
export const deviceRuleState = pgTable(
  'device_rule_state',
  {
    communityId: uuid('community_id').notNull(),
    deviceId: uuid('device_id').notNull(),
    ruleId: text('rule_id').notNull(),
    state: jsonb('state').notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.deviceId, t.ruleId] })],
);

export const alarms = pgTable(
  'alarms',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    deviceId: uuid('device_id').notNull(),
    type: text('type').notNull(),
    label: text('label').notNull(),
    severity: text('severity').notNull(),
    /** active | cleared */
    status: text('status').notNull().default('active'),
    acknowledged: boolean('acknowledged').notNull().default(false),
    acknowledgedBy: text('acknowledged_by'),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    /** Elderly SOS / fall (`003` L2P6): someone reached the person. */
    arrivedAt: timestamp('arrived_at', { withTimezone: true }),
    arrivedBy: text('arrived_by'),
    assigneeId: uuid('assignee_id'),
    assigneeName: text('assignee_name'),
    firstAt: timestamp('first_at', { withTimezone: true }).notNull(),
    lastAt: timestamp('last_at', { withTimezone: true }).notNull(),
    count: integer('count').notNull().default(1),
    value: jsonb('value'),
    clearedAt: timestamp('cleared_at', { withTimezone: true }),
    gridId: uuid('grid_id'),
    buildingId: uuid('building_id'),
    /** The grid event a fire, gas or elevator alarm was linked to (`003` L3P2). */
    gridEventId: uuid('grid_event_id'),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('alarms_id_idx').on(t.id),
    index('alarms_list_idx').on(t.communityId, t.status, t.lastAt),
    // One active alarm per device and type: repeats update it.
    uniqueIndex('alarms_one_active_key')
      .on(t.communityId, t.deviceId, t.type)
      .where(sql`status = 'active'`),
  ],
);

export const alarmComments = pgTable(
  'alarm_comments',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    alarmId: uuid('alarm_id').notNull(),
    author: text('author').notNull(),
    /** comment | ack | assign | arrive | clear */
    kind: text('kind').notNull().default('comment'),
    text: text('text').notNull().default(''),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.id] }), index('alarm_comments_alarm_idx').on(t.communityId, t.alarmId, t.at)],
);

/**
 * Alarm-rule configuration (issue 7 §4; `rule-config.ts`): append-only versions per region node (city,
 * district, street or community) and rule id; the newest version of a pair is current — `set` (an
 * override or an added rule, with `definition` and `enabled`) or `revert` (back to what is inherited).
 * A reference table like `grid_routes`: rows belong to region nodes above communities too, and every
 * community's ingest reads its ancestors' rows.
 */
export const deviceRules = pgTable(
  'device_rules',
  {
    id: uuid('id').primaryKey(),
    regionId: uuid('region_id').notNull(),
    ruleId: text('rule_id').notNull(),
    version: integer('version').notNull(),
    /** set | revert */
    action: text('action').notNull(),
    /** The rule without its id (rule-config.ts RuleDefinition); null for `revert`. */
    definition: jsonb('definition').$type<Record<string, unknown>>(),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: text('created_by'),
    createdById: uuid('created_by_id'),
  },
  (t) => [uniqueIndex('device_rules_version_key').on(t.regionId, t.ruleId, t.version)],
);
