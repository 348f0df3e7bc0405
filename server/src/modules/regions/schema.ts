import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, smallint, text, timestamp, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';

// Reference table (Citus: replicated to every node): the region tree 市 → 区 → 街道 → 社区 → 网格.
export const regions = pgTable(
  'regions',
  {
    id: uuid('id').primaryKey(),
    parentId: uuid('parent_id').references((): AnyPgColumn => regions.id),
    level: text('level').notNull(),
    depth: smallint('depth').notNull(),
    name: text('name').notNull(),
    code: text('code').notNull().unique('regions_code_key'),
    /** Materialised path of ancestor ids, `/<city>/<district>/…/<self>/`; scope checks are prefix tests. */
    path: text('path').notNull(),
    /** GeoJSON geometry (Polygon or MultiPolygon), WGS 84. */
    boundary: jsonb('boundary'),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('regions_parent_idx').on(t.parentId),
    index('regions_path_idx').using('btree', t.path.op('text_pattern_ops')),
    check('regions_level_check', sql`${t.level} in ('city','district','street','community','grid')`),
  ],
);
