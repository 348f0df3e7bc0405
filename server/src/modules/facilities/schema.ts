// 地、物: public places and facilities of a community (shelters, activity centres, charging points,
// civil-defence works…) and a typed register of things the device module will attach to.
// Seeds: `004` 5.1 (基础信息数据库、社区感知信息数据库), `003` L3P2 (避难场所), L1P4 (充电桩等终端).
import { doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

export const facilities = pgTable(
  'facilities',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    gridId: uuid('grid_id'),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    /** Where it is: a building of the register, or a free description. */
    buildingId: uuid('building_id'),
    location: text('location'),
    lng: doublePrecision('lng'),
    lat: doublePrecision('lat'),
    /** People (shelters, halls) or units (parking spaces, charging points). */
    capacity: integer('capacity'),
    status: text('status').notNull().default('in_service'),
    attributes: jsonb('attributes').notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    unique('facilities_name_key').on(t.communityId, t.kind, t.name),
    index('facilities_id_idx').on(t.id),
    index('facilities_kind_idx').on(t.communityId, t.kind),
  ],
);
