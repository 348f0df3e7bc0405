// Domain events through a transactional outbox. A module calls `emit(tx, …)` inside the transaction
// of its change; the row and a NOTIFY commit with it (or not at all). The dispatcher, woken by the
// NOTIFY (and by a periodic sweep, for events whose NOTIFY was missed during a restart), claims
// pending rows with FOR UPDATE SKIP LOCKED, so several nodes can run it, and delivers each event
// to the in-process subscribers at least once.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import type { Db, Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import { outbox } from './schema.js';

const CHANNEL = 'jiayuan_outbox';

export interface DomainEvent {
  id: string;
  topic: string;
  communityId: string | null;
  payload: Record<string, unknown>;
  createdAt: Date;
}

export async function emit(
  tx: Executor,
  topic: string,
  payload: Record<string, unknown>,
  communityId: string | null = null,
): Promise<string> {
  const id = uuidv7();
  await tx.insert(outbox).values({ id, topic, payload, communityId });
  await tx.execute(sql`select pg_notify(${CHANNEL}, '')`);
  return id;
}

type Handler = (e: DomainEvent) => Promise<void> | void;
const handlers: { prefix: string; handler: Handler }[] = [];

/** Subscribe to a topic (`region.created`) or a family of topics (`region.`). */
export function subscribe(topicOrPrefix: string, handler: Handler): () => void {
  const entry = { prefix: topicOrPrefix, handler };
  handlers.push(entry);
  return () => {
    const i = handlers.indexOf(entry);
    if (i >= 0) handlers.splice(i, 1);
  };
}

const MAX_ATTEMPTS = 10;

/** Claims and delivers one batch; returns how many events it handled. */
export async function dispatchBatch(db: Db, limit = 200): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.execute<{
      id: string;
      topic: string;
      community_id: string | null;
      payload: Record<string, unknown>;
      created_at: string;
    }>(sql`select id, topic, community_id, payload, created_at from outbox
            where dispatched_at is null and attempts < ${MAX_ATTEMPTS}
            order by id limit ${limit} for update skip locked`);
    for (const r of rows) {
      const event: DomainEvent = {
        id: r.id,
        topic: r.topic,
        communityId: r.community_id,
        payload: r.payload,
        createdAt: new Date(r.created_at),
      };
      try {
        for (const h of handlers) if (event.topic.startsWith(h.prefix)) await h.handler(event);
        await tx.execute(sql`update outbox set dispatched_at = now(), attempts = attempts + 1 where id = ${r.id}`);
      } catch (err) {
        await tx.execute(sql`update outbox set attempts = attempts + 1, last_error = ${String(err).slice(0, 1000)} where id = ${r.id}`);
      }
    }
    return rows.length;
  });
}

export interface Dispatcher {
  stop(): Promise<void>;
  /** Resolves once every event pending now has been handled (for tests and shutdown). */
  drain(): Promise<void>;
}

export async function startDispatcher(db: Db, url: string, onError: (e: unknown) => void, sweepMs = 5000): Promise<Dispatcher> {
  const listener = new pg.Client({ connectionString: url, application_name: 'jiayuan-outbox' });
  let running = false;
  let again = false;
  let stopped = false;
  let idle: Promise<void> = Promise.resolve();

  const run = () => {
    if (stopped) return idle;
    if (running) {
      again = true;
      return idle;
    }
    running = true;
    idle = (async () => {
      try {
        do {
          again = false;
          while (!stopped && (await dispatchBatch(db)) > 0) again = false;
        } while (again && !stopped);
      } catch (e) {
        onError(e);
      } finally {
        running = false;
      }
    })();
    return idle;
  };

  listener.on('error', onError);
  listener.on('notification', () => void run());
  await listener.connect();
  await listener.query(`listen ${CHANNEL}`);
  const timer = setInterval(() => void run(), sweepMs);
  timer.unref();
  void run();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await idle;
      await listener.end().catch(() => {});
    },
    async drain() {
      await run();
      await idle;
    },
  };
}
