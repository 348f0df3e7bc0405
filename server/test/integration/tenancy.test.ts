// Citus-ready tenancy (../shared/DESIGN.md): every per-community table carries community_id in its
// primary key and in each unique constraint; every other table is declared a reference or
// coordinator-local table here, so a new table must be classified the day it is added.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestApp, type TestApp } from '../helpers.js';

const REFERENCE_TABLES = new Set([
  'regions',
  'users',
  'sessions',
  // Grid governance configuration: city-wide, small, read by every report.
  'grid_categories',
  'grid_units',
  'grid_unit_members',
  'grid_routes',
  'work_calendar_days',
  'open311_partners',
  // Alarm-rule overrides per region node (city … community): small, read by every community's ingest.
  'device_rules',
]);
/** Global tables that stay on the coordinator in a Citus deployment. */
const LOCAL_TABLES = new Set(['audit_log', 'outbox', 'login_throttle']);

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp();
});
afterAll(() => t.close());

async function tables() {
  const { rows } = await t.db.$client.query<{ table: string; has_community: boolean }>(`
    select c.relname as table,
           exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'community_id' and not a.attisdropped) as has_community
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition`);
  return rows;
}

describe('Citus-ready tenancy', () => {
  it('every table is either per-community or declared reference/local', async () => {
    for (const { table, has_community } of await tables()) {
      if (REFERENCE_TABLES.has(table) || LOCAL_TABLES.has(table)) continue;
      expect(has_community, `table ${table} has no community_id and is not declared a reference table`).toBe(true);
    }
  });

  it('per-community tables include community_id in the primary key and every unique constraint or index', async () => {
    const perCommunity = (await tables())
      .filter((r) => r.has_community && !LOCAL_TABLES.has(r.table) && !REFERENCE_TABLES.has(r.table))
      .map((r) => r.table);
    const { rows } = await t.db.$client.query<{ table: string; index: string; primary: boolean; columns: string[] }>(`
      select c.relname as table, i.relname as index, x.indisprimary as primary,
             array(select a.attname from unnest(x.indkey) k join pg_attribute a on a.attrelid = c.oid and a.attnum = k) as columns
        from pg_index x join pg_class c on c.oid = x.indrelid join pg_class i on i.oid = x.indexrelid
        join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and (x.indisunique or x.indisprimary)`);
    for (const table of perCommunity) {
      expect(
        rows.some((r) => r.table === table && r.primary),
        `${table} has no primary key`,
      ).toBe(true);
    }
    for (const r of rows.filter((r) => perCommunity.includes(r.table))) {
      expect(r.columns, `${r.table}.${r.index} lacks community_id`).toContain('community_id');
    }
  });

  it('no foreign key points from a reference table to a per-community table', async () => {
    const { rows } = await t.db.$client.query<{ from: string; to: string }>(`
      select c.relname as from, r.relname as to from pg_constraint k
        join pg_class c on c.oid = k.conrelid join pg_class r on r.oid = k.confrelid
       where k.contype = 'f'`);
    for (const fk of rows) {
      if (REFERENCE_TABLES.has(fk.from)) expect(REFERENCE_TABLES.has(fk.to), `${fk.from} → ${fk.to}`).toBe(true);
    }
  });

  it('the check itself catches a table that breaks the rule', async () => {
    await t.db.$client.query('create table bad_example (id uuid primary key, community_id uuid not null, code text unique)');
    const { rows } = await t.db.$client.query<{ columns: string[] }>(`
      select array(select a.attname from unnest(x.indkey) k join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k) as columns
        from pg_index x where x.indrelid = 'bad_example'::regclass`);
    expect(rows.some((r) => !r.columns.includes('community_id'))).toBe(true);
    await t.db.$client.query('drop table bad_example');
  });
});
