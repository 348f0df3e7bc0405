// Durable deadlines. A module schedules rows in the transaction of its change and registers a handler
// per kind; the worker fires due rows in batches (`for update skip locked`, so several loops and
// several nodes share the work), calling each handler with all its due rows inside the batch's
// transaction, which also deletes them: a deadline fires exactly once, even across crashes (a batch
// that does not commit is picked up again), and the table holds only deadlines still to come (what a
// fired deadline did is recorded by its handler, e.g. the grid's transition rows). Between batches the
// worker sleeps until the earliest deadline, at most `sweepMs` (another node may have scheduled an
// earlier one); the timer is only a wake-up, the deadlines themselves are rows.
import { sql, type SQL } from 'drizzle-orm';
import { onWake, transaction, wakeAfterCommit } from '../../db/notified-worker.js';
import { uuidv7 } from '../../db/ids.js';
import type { Db, Executor } from '../../db/pool.js';

export interface DueDeadline {
  communityId: string;
  id: string;
  kind: string;
  subjectId: string;
  dueAt: Date;
  payload: Record<string, unknown> | null;
}

export interface NewDeadline {
  communityId: string;
  kind: string;
  subjectId: string;
  dueAt: Date;
  payload?: Record<string, unknown>;
}

/**
 * Called with every due row of its kind in a batch, inside the batch's transaction; must be set-based
 * for speed. `source` is the same rows as SQL (a subquery with columns community_id, id, kind,
 * subject_id, due_at, payload), for handlers that work in the database alone: registered with
 * `{ rows: false }` they get `due` empty, and a wave of due rows never travels to the server and back.
 */
export type DeadlineHandler = (tx: Executor, due: DueDeadline[], now: Date, source: SQL) => Promise<void>;

const handlers = new Map<string, { handler: DeadlineHandler; rows: boolean }>();
const CHANNEL = 'deadlines';
/** A batch that failed this many times is left for people to look at (and logged), not retried forever. */
const MAX_ATTEMPTS = 5;

export function registerDeadlineHandler(kind: string, handler: DeadlineHandler, opts: { rows?: boolean } = {}): void {
  if (handlers.has(kind)) throw new Error(`deadline handler ${kind} is registered twice`);
  handlers.set(kind, { handler, rows: opts.rows ?? true });
}

/** Schedule deadlines in the caller's transaction (one statement). */
export async function scheduleDeadlines(tx: Executor, rows: NewDeadline[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    insert into deadlines (community_id, id, kind, subject_id, due_at, payload)
    select * from unnest(
      ${sql.param(rows.map((r) => r.communityId))}::uuid[], ${sql.param(rows.map(() => uuidv7()))}::uuid[], ${sql.param(rows.map((r) => r.kind))}::text[],
      ${sql.param(rows.map((r) => r.subjectId))}::uuid[], ${sql.param(rows.map((r) => r.dueAt.toISOString()))}::timestamptz[],
      ${sql.param(rows.map((r) => (r.payload ? JSON.stringify(r.payload) : null)))}::jsonb[])`);
  wakeAfterCommit(tx, CHANNEL);
}

/** Drop the pending deadlines of a subject (all kinds, or those starting with `kindPrefix`). */
export async function cancelDeadlines(tx: Executor, communityId: string, subjectId: string, kindPrefix = ''): Promise<void> {
  await tx.execute(sql`
    delete from deadlines where community_id = ${communityId} and subject_id = ${subjectId} and kind like ${kindPrefix + '%'}`);
}

/** Deadlines of one of `of` disjoint parts, by the last byte of the id (which is random). */
const inPart = (part?: { index: number; of: number }) =>
  part && part.of > 1 ? sql`and get_byte(uuid_send(id), 15) % ${part.of} = ${part.index}` : sql``;

/**
 * Fire up to `limit` due deadlines in one transaction; returns how many fired. `part` takes only the
 * deadlines of one of `of` disjoint parts (by the last byte of the id, which is random), so parallel
 * loops do not contend for the same rows. The rows are deleted without locking them first (`for
 * update skip locked` doubled the cost of the delete): two firings that reach the same row anyway
 * (another node's loop of the same part) wait for each other, and the second finds it gone, so a
 * deadline still fires exactly once — only the transaction that deleted it runs its handler.
 */
export async function fireDue(db: Db, now: Date = new Date(), limit = 5000, part?: { index: number; of: number }): Promise<number> {
  // By row address (ctid): the delete fetches each picked row directly instead of looking it up by key
  // again (a quarter of the time for 10,000 rows). A row updated meanwhile (attempts counted by a failed
  // batch) has moved and is not deleted; a row deleted meanwhile is skipped.
  const pick = sql`
    select ctid from deadlines
    where due_at <= ${now.toISOString()}::timestamptz and attempts < ${MAX_ATTEMPTS}
      ${inPart(part)}
    order by due_at limit ${limit}`;
  try {
    return await transaction(db, async (tx) => {
      // Firing is system work that a crash of the database server at worst repeats (the deletions and
      // what the handlers wrote are in the same log): no need to wait for the log flush at commit.
      await tx.execute(sql`set local synchronous_commit = off`);
      // The batch's rows stay in the database (a temporary table, dropped at commit) for the handlers;
      // only the count per kind comes back, and the rows of the kinds whose handlers want them.
      await tx.execute(sql`
        create temporary table deadlines_due on commit drop as
        with gone as (
          delete from deadlines d where ctid = any(array(${pick})) and d.attempts < ${MAX_ATTEMPTS}
          returning d.community_id, d.id, d.kind, d.subject_id, d.due_at, d.payload)
        select * from gone`);
      const kinds = (await tx.execute(sql`select kind, count(*)::int as n from deadlines_due group by kind`)).rows as {
        kind: string;
        n: number;
      }[];
      let fired = 0;
      for (const { kind, n } of kinds) {
        const h = handlers.get(kind);
        if (!h) throw new Error(`no handler for deadline kind ${kind}`);
        let due: DueDeadline[] = [];
        if (h.rows) {
          const r = await tx.execute(sql`
            select community_id, id, kind, subject_id, due_at, payload from deadlines_due where kind = ${kind} order by due_at, id`);
          due = (r.rows as Record<string, unknown>[]).map((x) => ({
            communityId: x.community_id as string,
            id: x.id as string,
            kind: x.kind as string,
            subjectId: x.subject_id as string,
            dueAt: new Date(x.due_at as string),
            payload: (x.payload as Record<string, unknown> | null) ?? null,
          }));
        }
        await h.handler(tx, due, now, sql`(select * from deadlines_due where kind = ${kind})`);
        fired += n;
      }
      return fired;
    });
  } catch (e) {
    // The batch rolled back: the same selection is still due; count the attempt on it (a failure to
    // count must not hide the error itself).
    await db.execute(sql`update deadlines set attempts = attempts + 1 where ctid = any(array(${pick}))`).catch(() => {});
    throw e;
  }
}

export interface DeadlineWorker {
  stop(): Promise<void>;
}

/**
 * `loops` loops fire deadlines at once, each its own part of them (each batch its own transaction and
 * connection): with PostgreSQL on several cores a wave of deadlines falling due together (100,000 at
 * one moment in the bench) is worked off in parallel. Each loop sleeps until the earliest deadline of
 * its own part and goes on by itself: a loop that woke a moment early, or finished its part first,
 * does not wait for the others.
 */
export function startDeadlineWorker(db: Db, onError: (e: unknown) => void, sweepMs = 500, loops = 2, batch = 25_000): DeadlineWorker {
  let stopped = false;

  const loop = (index: number) => {
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();
    let busy = false;
    const part = { index, of: loops };

    const plan = async () => {
      const r = await db.execute(
        sql`select extract(epoch from min(due_at) - now()) * 1000 as ms from deadlines where attempts < ${MAX_ATTEMPTS} ${inPart(part)}`,
      );
      const ms = (r.rows[0] as { ms: string | null }).ms;
      // A timer may fire up to a millisecond early: the next deadline must be due when the loop looks.
      const wait = ms === null ? sweepMs : Math.max(0, Math.min(sweepMs, Math.ceil(Number(ms)) + 1));
      if (!stopped) {
        clearTimeout(timer);
        timer = setTimeout(tick, wait);
      }
    };
    const tick = () => {
      // Woken while firing: the plan that follows the firing sees what was scheduled meanwhile.
      if (stopped || busy) return;
      busy = true;
      running = (async () => {
        try {
          // A batch short of the limit took every row of this part that was due when it started.
          while (!stopped && (await fireDue(db, new Date(), batch, part)) === batch) {
            /* keep firing */
          }
        } catch (e) {
          onError(e);
        }
        try {
          await plan();
        } catch (e) {
          onError(e);
          if (!stopped) timer = setTimeout(tick, sweepMs);
        } finally {
          busy = false;
        }
      })();
    };
    return {
      tick,
      async stop() {
        clearTimeout(timer);
        await running;
      },
    };
  };

  const all = Array.from({ length: loops }, (_, index) => loop(index));
  // A local change that scheduled deadlines re-plans at once (it may be earlier than the timers).
  const unsubscribe = onWake(CHANNEL, () => all.forEach((l) => l.tick()));
  all.forEach((l) => l.tick());
  return {
    async stop() {
      stopped = true;
      unsubscribe();
      await Promise.all(all.map((l) => l.stop()));
    },
  };
}
