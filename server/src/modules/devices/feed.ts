// The live alarm feed (issue 7 §8, "alarm to browser p99 ≤ 100 ms"). Every alarm change is written
// twice in the transaction that makes it: as an outbox event (durable, at least once: grid linkage,
// timelines) and as a PostgreSQL NOTIFY on `jiayuan_alarm_feed`, which the server delivers at commit
// to every node listening, so a console connected to any node hears of an alarm raised on any other,
// without waiting for the outbox dispatcher (which one node claims per event, and which also runs the
// linkage work). The feed is a live view: a console that was disconnected reloads the list from the
// database, so a notification lost with a connection costs nothing durable.
import { EventEmitter } from 'node:events';
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/pool.js';
import { outboxInsert } from '../events/service.js';

export const FEED_CHANNEL = 'jiayuan_alarm_feed';
/** NOTIFY payloads must stay under 8,000 bytes. */
const MAX_PAYLOAD = 7_900;

export interface AlarmChange {
  topic: string;
  communityId: string;
  payload: Record<string, unknown>;
}

/** Alarm changes of any node, as they commit: `alarmFeed.on('alarm', (e: AlarmChange) => …)`. */
export const alarmFeed = new EventEmitter();
alarmFeed.setMaxListeners(0);

/** Record alarm changes in the caller's transaction: outbox events and the live notification. */
export async function alarmChanges(tx: Executor, changes: AlarmChange[]): Promise<void> {
  if (!changes.length) return;
  const payloads = changes.map((c) => {
    const text = JSON.stringify(c);
    return Buffer.byteLength(text) <= MAX_PAYLOAD ? text : JSON.stringify({ ...c, payload: { id: c.payload.id } });
  });
  await tx.execute(sql`
    with outbox_rows as (${outboxInsert(tx, changes)})
    select pg_notify(${FEED_CHANNEL}, p) from unnest(${sql.param(payloads)}::text[]) as p`);
}

/** What arrives on the feed's channel (see `startListener` in db/listen.ts), for `alarmFeed`'s listeners. */
export function feedNotification(payload: string): void {
  alarmFeed.emit('alarm', JSON.parse(payload) as AlarmChange);
}
