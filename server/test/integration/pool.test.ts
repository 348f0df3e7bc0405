// concurrently(): independent reads at once on the pool, one after another inside a transaction.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transaction } from '../../src/db/notified-worker.js';
import { concurrently, type Executor } from '../../src/db/pool.js';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp();
});
afterAll(() => t.close());

const backend = (db: Executor, tag: string) => async () => {
  const r = await db.execute(sql`select pg_backend_pid() as pid, ${tag}::text as tag from pg_sleep(0.05)`);
  return r.rows[0] as { pid: number; tag: string };
};

describe('concurrently', () => {
  it('runs reads on connections of their own from the pool, in the order given', async () => {
    const [a, b, c] = await concurrently(t.db, [backend(t.db, 'a'), backend(t.db, 'b'), backend(t.db, 'c')]);
    expect([a.tag, b.tag, c.tag]).toEqual(['a', 'b', 'c']);
    expect(new Set([a.pid, b.pid, c.pid]).size).toBe(3);
  });

  it('inside a transaction runs them one after another on its connection, without pg queueing them', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const [pid, rows] = await transaction(t.db, async (tx) => {
        const own = (await tx.execute(sql`select pg_backend_pid() as pid`)).rows[0] as { pid: number };
        return [own.pid, await concurrently(tx, [backend(tx, 'a'), backend(tx, 'b'), backend(tx, 'c')])] as const;
      });
      expect(rows.map((r) => r.tag)).toEqual(['a', 'b', 'c']);
      expect(rows.map((r) => r.pid)).toEqual([pid, pid, pid]);
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.includes('already executing a query'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
