// The live alarm feed (issue 7 §8, "alarm to browser p99 ≤ 100 ms"). Every alarm change is written
// twice in the transaction that makes it: as an outbox event (durable, at least once: grid linkage,
// timelines) and as a PostgreSQL NOTIFY on `jiayuan_alarm_feed`, which the server delivers at commit
// to every node listening, so a console connected to any node hears of an alarm raised on any other,
// without waiting for the outbox dispatcher (which one node claims per event, and which also runs the
// linkage work). The feed is a live view: a console that was disconnected reloads the list from the
// database, so a notification lost with a connection costs nothing durable.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import type { Db, Executor } from '../../db/pool.js';
import { emitMany } from '../events/service.js';

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
  await emitMany(tx, changes);
  const payloads = changes.map((c) => {
    const text = JSON.stringify(c);
    return text.length <= MAX_PAYLOAD ? text : JSON.stringify({ ...c, payload: { id: c.payload.id } });
  });
  await tx.execute(sql`select pg_notify(${FEED_CHANNEL}, p) from unnest(${sql.param(payloads)}::text[]) as p`);
}

export interface FeedListener {
  /** Settles once the first LISTEN has been tried (a server that is down does not hold up the start). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** LISTEN on a connection of its own (reconnecting after a loss) and pass what arrives to `alarmFeed`. */
export function startAlarmFeed(db: Db, onError: (e: unknown) => void): FeedListener {
  let stopped = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | undefined;
  let settle: () => void = () => {};
  const ready = new Promise<void>((r) => (settle = r));

  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client(db.$client.options);
    client = c;
    c.on('notification', (n) => {
      if (n.channel !== FEED_CHANNEL || !n.payload) return;
      try {
        alarmFeed.emit('alarm', JSON.parse(n.payload) as AlarmChange);
      } catch (e) {
        onError(e);
      }
    });
    const lost = (e?: unknown) => {
      if (client !== c) return;
      client = null;
      c.removeAllListeners('notification');
      void c.end().catch(() => {});
      if (stopped) return;
      if (e) onError(e);
      retry = setTimeout(() => void connect(), 1000);
    };
    c.on('error', lost);
    c.on('end', () => lost());
    try {
      await c.connect();
      await c.query(`listen ${FEED_CHANNEL}`);
    } catch (e) {
      lost(e);
    } finally {
      settle();
    }
  };
  void connect();
  return {
    ready,
    async stop() {
      stopped = true;
      clearTimeout(retry);
      const c = client;
      client = null;
      if (c) await c.end().catch(() => {});
    },
  };
}
