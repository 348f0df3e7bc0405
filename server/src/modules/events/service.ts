// Domain events through a transactional outbox. A module calls `emit(tx, …)` inside the transaction
// of its change (run with `transaction` from db/notified-worker); the row commits with the change or
// not at all. The dispatcher, woken right after that commit (and by a periodic sweep, for events
// left by a node that stopped), claims
// pending rows with FOR UPDATE SKIP LOCKED, so several nodes can run it, and delivers each event
// to the in-process subscribers at least once.
import { sql, type SQL } from 'drizzle-orm';
import type { Db, Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import { startNotifiedWorker, wakeAfterCommit, type NotifiedWorker } from '../../db/notified-worker.js';
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
  wakeAfterCommit(tx, CHANNEL);
  return id;
}

/** Many outbox rows in one statement (a batch of changes committed together). */
export async function emitMany(
  tx: Executor,
  events: { topic: string; payload: Record<string, unknown>; communityId: string | null }[],
): Promise<void> {
  if (events.length === 0) return;
  await tx.execute(outboxInsert(tx, events));
}

/**
 * The `INSERT` of `emitMany`, for a caller that makes it one item of a statement of its own (`WITH
 * outbox_rows as (…) …`, one round trip less); the dispatcher is woken when `tx` commits.
 */
export function outboxInsert(tx: Executor, events: { topic: string; payload: Record<string, unknown>; communityId: string | null }[]): SQL {
  // The rows as one JSON parameter: a batch of hundreds costs one parameter to bind, not four per row.
  const rows = events.map((e) => ({ id: uuidv7(), topic: e.topic, community_id: e.communityId, payload: e.payload }));
  wakeAfterCommit(tx, CHANNEL);
  return sql`
    insert into outbox (id, topic, community_id, payload)
    select id, topic, community_id, payload from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id uuid, topic text, community_id uuid, payload jsonb)`;
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

export type Dispatcher = NotifiedWorker;

export function startDispatcher(db: Db, onError: (e: unknown) => void, sweepMs = 2000): Dispatcher {
  return startNotifiedWorker({ channel: CHANNEL, work: () => dispatchBatch(db), onError, sweepMs });
}
