// The community base register (人、房、地): buildings, units, rooms, residents and who lives where.
// Per-community tables (Citus: distributed by community_id): community_id leads every key.
// Seeds: `004` 5.1 (基础信息数据库), `002` #26 (基础信息资源台账), `001` (no duplicate collection).
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const buildings = pgTable(
  'buildings',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    /** The grid (网格) the building belongs to, if the community is divided into grids. */
    gridId: uuid('grid_id'),
    /** 小区 / compound name, e.g. 柳岸花园. */
    compound: text('compound').notNull().default(''),
    /** Road and door number, e.g. 滨河路18号. */
    road: text('road').notNull().default(''),
    /** Building number as written on it, e.g. 3 (shown as 3栋). */
    number: text('number').notNull(),
    floors: smallint('floors'),
    use: text('use').notNull().default('residential'),
    builtYear: smallint('built_year'),
    lng: doublePrecision('lng'),
    lat: doublePrecision('lat'),
    /** Stable code printed in the 数字门牌 QR (`004` 5.1). */
    plateCode: text('plate_code').notNull(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    unique('buildings_number_key').on(t.communityId, t.compound, t.number),
    unique('buildings_plate_key').on(t.communityId, t.plateCode),
    // Routes address objects by id alone; in Citus this is a lookup on every shard, by index.
    index('buildings_id_idx').on(t.id),
    index('buildings_grid_idx').on(t.communityId, t.gridId),
  ],
);

export const units = pgTable(
  'building_units',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    buildingId: uuid('building_id').notNull(),
    number: text('number').notNull(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    unique('building_units_number_key').on(t.communityId, t.buildingId, t.number),
    index('building_units_id_idx').on(t.id),
  ],
);

export const rooms = pgTable(
  'rooms',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    buildingId: uuid('building_id').notNull(),
    unitId: uuid('unit_id'),
    floor: smallint('floor'),
    number: text('number').notNull(),
    /** Building area in m² (建筑面积). */
    area: numeric('area', { precision: 10, scale: 2, mode: 'number' }),
    /** Exclusive area in m² (专有部分面积, 民法典第278条: what owners' votes weigh); the building area when unknown. */
    exclusiveArea: numeric('exclusive_area', { precision: 10, scale: 2, mode: 'number' }),
    use: text('use').notNull().default('residential'),
    /** Standard address (GB/T 39609 order: region, road, compound, building, unit, room), unique in the community. */
    address: text('address').notNull(),
    plateCode: text('plate_code').notNull(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    unique('rooms_address_key').on(t.communityId, t.address),
    unique('rooms_plate_key').on(t.communityId, t.plateCode),
    index('rooms_building_idx').on(t.communityId, t.buildingId),
    index('rooms_id_idx').on(t.id),
    index('rooms_address_trgm_idx').using('gin', sql`${t.address} gin_trgm_ops`),
  ],
);

export const residents = pgTable(
  'residents',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    /** Grid of the resident's home, for grid workers' scope; null when not placed in a grid. */
    gridId: uuid('grid_id'),
    name: text('name').notNull(),
    namePinyin: text('name_pinyin').notNull(),
    nameInitials: text('name_initials').notNull(),
    gender: text('gender'),
    birthDate: date('birth_date'),
    idType: text('id_type').notNull(),
    /** One- and two-character pieces of the name (model.ts nameGrams): the name search index. */
    nameGrams: text('name_grams')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** AES-256-GCM ciphertext; never plaintext at rest (crypto/personal-data.ts). */
    idNumberEnc: bytea('id_number_enc').notNull(),
    /** Keyed hash (blind index) of the normalised number, for exact search and de-duplication. */
    idNumberIndex: text('id_number_index').notNull(),
    idNumberMasked: text('id_number_masked').notNull(),
    phoneEnc: bytea('phone_enc'),
    phoneIndex: text('phone_index'),
    phoneMasked: text('phone_masked'),
    /** 户籍: registered here (local), elsewhere (nonlocal), or unknown. */
    hukou: text('hukou').notNull().default('local'),
    hukouAddress: text('hukou_address'),
    status: text('status').notNull().default('active'),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    disabilityGrade: smallint('disability_grade'),
    note: text('note'),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    unique('residents_id_number_key').on(t.communityId, t.idNumberIndex),
    index('residents_phone_idx').on(t.communityId, t.phoneIndex),
    index('residents_id_idx').on(t.id),
    index('residents_grid_idx').on(t.communityId, t.gridId),
    // Needs btree_gin (migration 0010): the scope's communities and the name pieces in one index.
    // A small pending list (256 kB, migration 0029): new entries are gathered and merged into the index
    // in sorted runs, which makes a ledger import's inserts 2.2× cheaper than entry-by-entry insertion
    // (fastupdate off: 100,000 residents 6.4 s → 2.9 s on this machine). Every search scans what is
    // pending, so the list is kept small (PostgreSQL's default 4 MB gave name search p95 27 ms at 1M
    // residents) and an import merges it when it commits (ledger.ts).
    index('residents_name_grams_idx').using('gin', t.communityId, t.nameGrams).with({ fastupdate: true, gin_pending_list_limit: 256 }),
    index('residents_initials_idx').using('btree', t.communityId, t.nameInitials.op('text_pattern_ops')),
    index('residents_pinyin_idx').using('btree', t.communityId, t.namePinyin.op('text_pattern_ops')),
    index('residents_tags_idx').using('gin', t.tags),
  ],
);

/**
 * Per-community counts of active residents for the evaluation measures (registry/measures.ts), kept
 * by statement triggers on `residents` (migration 0027) in the writer's transaction, so they are as
 * current as the register itself. Insert-only deltas: writers never wait for each other on a counter
 * row (a 100,000-row import would otherwise hold its community's row until it commits); readers sum
 * them; `compactResidentCounts` folds a community's deltas into one row from time to time.
 */
export const residentCountDeltas = pgTable(
  'resident_count_deltas',
  {
    communityId: uuid('community_id').notNull(),
    /** Made by the database (uuid_v7(), migration 0014): the rows are written by triggers. */
    id: uuid('id')
      .notNull()
      .default(sql`uuid_v7()`),
    records: bigint('records', { mode: 'number' }).notNull().default(0),
    local: bigint('local', { mode: 'number' }).notNull().default(0),
    localHealth: bigint('local_health', { mode: 'number' }).notNull().default(0),
    disabled: bigint('disabled', { mode: 'number' }).notNull().default(0),
    disabledGraded: bigint('disabled_graded', { mode: 'number' }).notNull().default(0),
    veteran: bigint('veteran', { mode: 'number' }).notNull().default(0),
    special: bigint('special', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.id] })],
);

/** Who lives where: owner (业主), tenant (租户), family member (家庭成员), with move-in and move-out. */
export const residencies = pgTable(
  'residencies',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    residentId: uuid('resident_id').notNull(),
    roomId: uuid('room_id').notNull(),
    relation: text('relation').notNull(),
    householdHead: boolean('household_head').notNull().default(false),
    movedInOn: date('moved_in_on'),
    movedOutOn: date('moved_out_on'),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('residencies_room_idx').on(t.communityId, t.roomId),
    index('residencies_id_idx').on(t.id),
    index('residencies_resident_idx').on(t.communityId, t.residentId),
    // Current homes by room, read from the index alone by address search.
    index('residencies_current_room_idx')
      .on(t.communityId, t.roomId, t.residentId)
      .where(sql`${t.movedOutOn} is null`),
    uniqueIndex('residencies_current_key')
      .on(t.communityId, t.residentId, t.roomId, t.relation)
      .where(sql`${t.movedOutOn} is null`),
  ],
);

/**
 * Ledger imports run as jobs so a large file shows its progress. The import itself is one
 * transaction: a job interrupted by a restart wrote nothing and is marked `interrupted` at start.
 */
export const importJobs = pgTable(
  'import_jobs',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    kind: text('kind').notNull(),
    mode: text('mode').notNull(),
    status: text('status').notNull(),
    total: integer('total').notNull(),
    processed: integer('processed').notNull().default(0),
    report: jsonb('report'),
    error: text('error'),
    createdBy: uuid('created_by').notNull(),
    ...timestamps,
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('import_jobs_id_idx').on(t.id),
    index('import_jobs_status_idx').on(t.status),
  ],
);
