// The deadline worker as the server runs it: several loops, each its own part of the deadlines,
// sleeping until the next one is due (deadlines/service.ts).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/db/ids.js';
import { transaction } from '../../src/db/notified-worker.js';
import { registerDeadlineHandler, scheduleDeadlines, startDeadlineWorker } from '../../src/modules/deadlines/service.js';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
/** Subjects fired, in the order their batches committed (recorded by the handler inside the batch). */
const fired: string[] = [];
beforeAll(async () => {
  t = await setupTestApp();
  registerDeadlineHandler('test.worker', async (_tx, due) => {
    fired.push(...due.map((d) => d.subjectId));
  });
});
afterAll(async () => {
  await t.close();
});

const until = async (done: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !done() && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
};

describe('deadline worker', () => {
  it('fires a wave across its loops, every deadline once, and one scheduled while it sleeps', async () => {
    const community = await t.region('柳岸社区');
    const subjects = Array.from({ length: 300 }, () => uuidv7());
    const dueAt = new Date(Date.now() + 400);
    await transaction(t.db, (tx) =>
      scheduleDeadlines(
        tx,
        subjects.map((subjectId) => ({ communityId: community, kind: 'test.worker', subjectId, dueAt })),
      ),
    );
    // Both parts hold some of the wave (a part is the id's last byte modulo the number of loops).
    const parts = await t.db.execute(
      sql`select get_byte(uuid_send(id), 15) % 2 as part, count(*)::int as n from deadlines where kind = 'test.worker' group by 1`,
    );
    expect(parts.rows).toHaveLength(2);

    const errors: unknown[] = [];
    // Batches of 40: each loop fires several before its part is empty. The sweep is a minute: what
    // fires within the test fires because the loops planned for it or were woken.
    const worker = startDeadlineWorker(t.db, (e) => errors.push(e), 60_000, 2, 40);
    try {
      await until(() => fired.length >= subjects.length, 15_000);
      expect(errors).toEqual([]);
      expect([...fired].sort()).toEqual([...subjects].sort());
      const left = await t.db.execute(sql`select count(*)::int as n from deadlines where kind = 'test.worker'`);
      expect(left.rows[0]).toEqual({ n: 0 });

      // Scheduled while both loops sleep: the commit wakes them, and the one whose part it is fires it.
      const late = uuidv7();
      await transaction(t.db, (tx) =>
        scheduleDeadlines(tx, [{ communityId: community, kind: 'test.worker', subjectId: late, dueAt: new Date(Date.now() + 150) }]),
      );
      await until(() => fired.includes(late), 10_000);
      expect(fired.filter((s) => s === late)).toEqual([late]);
      expect(fired).toHaveLength(subjects.length + 1);
    } finally {
      await worker.stop();
    }
  });
});
