// 组织: the organisations of a community and their members (`004` 5.1 基础信息数据库 人、事、地、物、情、组织;
// `001` Party building and government services). Per-community tables.
import { sql } from 'drizzle-orm';
import { date, index, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const organisations = pgTable(
  'organisations',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    /** 统一社会信用代码 (GB 32100), when the organisation has one. */
    creditCode: text('credit_code'),
    contactName: text('contact_name'),
    contactPhone: text('contact_phone'),
    address: text('address'),
    establishedOn: date('established_on'),
    note: text('note'),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    unique('organisations_name_key').on(t.communityId, t.name),
    index('organisations_id_idx').on(t.id),
    index('organisations_kind_idx').on(t.communityId, t.kind),
  ],
);

export const organisationMembers = pgTable(
  'organisation_members',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    organisationId: uuid('organisation_id').notNull(),
    /** The member in the register, when a resident of the community. */
    residentId: uuid('resident_id'),
    /** Name of a member who is not in the register (e.g. staff of a property company). */
    name: text('name'),
    position: text('position').notNull().default('成员'),
    joinedOn: date('joined_on'),
    leftOn: date('left_on'),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('organisation_members_org_idx').on(t.communityId, t.organisationId),
    index('organisation_members_resident_idx').on(t.communityId, t.residentId),
    index('organisation_members_id_idx').on(t.id),
    uniqueIndex('organisation_members_current_key')
      .on(t.communityId, t.organisationId, t.residentId)
      .where(sql`${t.leftOn} is null and ${t.residentId} is not null`),
  ],
);
