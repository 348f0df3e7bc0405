import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transaction } from '../../src/db/notified-worker.js';
import { emit, startDispatcher, subscribe, type DomainEvent } from '../../src/modules/events/service.js';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp();
});
afterAll(() => t.close());

async function waitFor(check: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return check();
}

describe('outbox events', () => {
  it('delivers an event after its transaction commits, and never one whose transaction rolled back', async () => {
    const seen: DomainEvent[] = [];
    const off = subscribe('test.', (e) => void seen.push(e));
    const d = startDispatcher(t.db, (e) => {
      throw e;
    });
    try {
      await transaction(t.db, async (tx) => {
        await emit(tx, 'test.committed', { n: 1 });
      });
      await transaction(t.db, async (tx) => {
        await emit(tx, 'test.rolled-back', { n: 2 });
        throw new Error('abort');
      }).catch(() => {});
      expect(await waitFor(() => seen.length >= 1)).toBe(true);
      await d.drain();
      expect(seen.map((e) => e.topic)).toEqual(['test.committed']);
      expect(seen[0]!.payload).toEqual({ n: 1 });
    } finally {
      off();
      await d.stop();
    }
  });

  it('an event emitted while no dispatcher runs is delivered by the next one (restart)', async () => {
    await t.db.transaction((tx) => emit(tx, 'test.while-down', { n: 3 }));
    const seen: string[] = [];
    const off = subscribe('test.while-down', (e) => void seen.push(e.topic));
    const d = startDispatcher(t.db, () => {});
    try {
      expect(await waitFor(() => seen.length === 1)).toBe(true);
      await d.drain(); // the row is marked in the same transaction as the delivery
      const { rows } = await t.db.$client.query("select dispatched_at from outbox where topic = 'test.while-down'");
      expect(rows[0].dispatched_at).not.toBeNull();
    } finally {
      off();
      await d.stop();
    }
  });

  it('a failing subscriber leaves the event pending with the error, for a retry', async () => {
    let calls = 0;
    const off = subscribe('test.flaky', () => {
      calls++;
      if (calls === 1) throw new Error('temporarily broken');
    });
    const d = startDispatcher(t.db, () => {}, 100);
    try {
      await transaction(t.db, (tx) => emit(tx, 'test.flaky', {}));
      expect(await waitFor(() => calls >= 2)).toBe(true);
      await d.drain();
      const { rows } = await t.db.$client.query("select attempts, last_error, dispatched_at from outbox where topic = 'test.flaky'");
      expect(rows[0]).toMatchObject({ attempts: 2, last_error: 'Error: temporarily broken' });
      expect(rows[0].dispatched_at).not.toBeNull();
    } finally {
      off();
      await d.stop();
    }
  });

  it('region changes made through the API emit events', async () => {
    const res = await t.call('POST', '/api/regions', {
      token: await t.login('liuan_admin'),
      body: { parentId: await t.region('柳岸社区'), name: '事件网格', code: '990102001001077' },
    });
    expect(res.statusCode).toBe(201);
    const { rows } = await t.db.$client.query("select payload from outbox where topic = 'region.created'");
    expect(rows.some((r) => r.payload.regionId === res.json().id)).toBe(true);
  });
});
