import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema.js';

export type Db = NodePgDatabase<typeof schema> & { $client: pg.Pool };
/** A Drizzle handle inside a transaction (same query API as Db). */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Executor = Db | Tx;

export const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

// timestamptz as Date, bigint (count(*)) as number where it fits.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
});

export function createDb(url: string, max = 20): Db {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'jiayuan' });
  pool.on('error', () => {
    /* an idle client lost its connection; the pool replaces it */
  });
  // A checked-out client whose server goes away (shutdown, failover) emits 'error' between queries;
  // the next query fails anyway, so it must not crash the process as an unhandled event.
  pool.on('connect', (client) => client.on('error', () => {}));
  return drizzle(pool, { schema }) as Db;
}

// Any fixed number: migrations of concurrent starts (several app nodes, parallel tests) run one at a time.
const MIGRATION_LOCK = 7_100_2013;

/** Apply the checked-in forward-only migrations (drizzle/*.sql) that this database lacks. */
export async function runMigrations(db: Db): Promise<void> {
  const client = await db.$client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client, { schema }), { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/**
 * Runs independent reads at once on a pool (each on a connection of its own), one after another inside
 * a transaction: a transaction is one connection, on which node-postgres would queue them anyway (and
 * warns that pg 9 will refuse to).
 */
export async function concurrently<T extends readonly unknown[]>(
  db: Executor,
  reads: readonly [...{ [K in keyof T]: () => Promise<T[K]> }],
): Promise<T> {
  if ((db as { $client?: unknown }).$client instanceof pg.Pool) return (await Promise.all(reads.map((r) => r()))) as unknown as T;
  const out: unknown[] = [];
  for (const r of reads) out.push(await r());
  return out as unknown as T;
}

/** The PostgreSQL SQLSTATE of an error, looking through Drizzle's wrapping (`cause`). */
export function pgErrorCode(e: unknown): string | undefined {
  for (let x = e as { code?: unknown; cause?: unknown } | undefined, i = 0; x && i < 5; x = x.cause as typeof x, i++)
    if (typeof x.code === 'string' && /^[0-9A-Z]{5}$/.test(x.code)) return x.code;
  return undefined;
}
