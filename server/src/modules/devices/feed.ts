// The live alarm feed (issue 7 §8, "alarm to browser p99 ≤ 100 ms"). Every alarm change is written
// twice in the transaction that makes it: as an outbox event (durable, at least once: grid linkage,
// timelines) and as a PostgreSQL NOTIFY on `jiayuan_alarm_feed`, which the server delivers at commit
// to every node listening, so a console connected to any node hears of an alarm raised on any other,
// without waiting for the outbox dispatcher (which one node claims per event, and which also runs the
// linkage work). The feed is a live view: a console that was disconnected reloads the list from the
// database, so a notification lost with a connection costs nothing durable.
//
// The node that made the change does not wait for its own notification to come back from the server
// (one more turn of a busy event loop): it tells its consoles right after the commit, and skips that
// notification when it arrives. A change committed other than through `transaction` (no callback)
// still reaches them by the notification. Changes of one alarm made on two nodes within the same moment
// may reach a console in either order; the alarm centre shows each alarm's state as read from the
// database when it reloads.

import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterCommit } from '../../db/notified-worker.js';
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

/** This process, in the marks of its notifications; the marks of changes it told its consoles of itself. */
const NODE = randomUUID();
let sent = 0;
const told = new Set<string>();
const heardFirst = new Set<string>();
const MAX_TOLD = 100_000;

/** Alarm changes of any node, as they commit: `alarmFeed.on('alarm', (e: AlarmChange) => …)`. */
export const alarmFeed = new EventEmitter();
alarmFeed.setMaxListeners(0);

/** Record alarm changes in the caller's transaction: outbox events and the live notification. */
export async function alarmChanges(tx: Executor, changes: AlarmChange[]): Promise<void> {
  if (!changes.length) return;
  const marks = changes.map(() => `${NODE}:${++sent}`);
  const payloads = changes.map((c, k) => {
    const text = JSON.stringify({ ...c, mark: marks[k] });
    return Buffer.byteLength(text) <= MAX_PAYLOAD ? text : JSON.stringify({ ...c, payload: { id: c.payload.id }, mark: marks[k] });
  });
  afterCommit(tx, () => {
    if (told.size > MAX_TOLD) told.clear(); // notifications lost with a connection: forget, at worst tell twice
    for (const [k, c] of changes.entries()) {
      if (heardFirst.delete(marks[k]!)) continue; // the notification was read before the commit's answer
      told.add(marks[k]!);
      alarmFeed.emit('alarm', c);
    }
  });
  await tx.execute(sql`
    with outbox_rows as (${outboxInsert(tx, changes)})
    select pg_notify(${FEED_CHANNEL}, p) from unnest(${sql.param(payloads)}::text[]) as p`);
}

/** What arrives on the feed's channel (see `startListener` in db/listen.ts), for `alarmFeed`'s listeners. */
export function feedNotification(payload: string): void {
  const { mark, ...change } = JSON.parse(payload) as AlarmChange & { mark?: string };
  if (mark !== undefined && told.delete(mark)) return; // told already, at this node's commit
  if (mark?.startsWith(NODE)) {
    if (heardFirst.size > MAX_TOLD) heardFirst.clear();
    heardFirst.add(mark);
  }
  alarmFeed.emit('alarm', change);
}
