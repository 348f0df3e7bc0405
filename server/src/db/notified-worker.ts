// A background worker for rows other transactions leave behind (outbox events, audit entries to
// seal). It is woken in-process right after a transaction that wrote such a row commits
// (`wakeAfterCommit` + `transaction`), and sweeps periodically for rows written by a node that
// stopped before handling them. `work` returns how many items it handled; the worker repeats it
// until it returns 0.
//
// Why not LISTEN/NOTIFY: PostgreSQL serialises the commits of all transactions that NOTIFY (a
// global queue lock held through commit), and every audited write would NOTIFY. Dropping it moved
// `npm run bench`'s audited PATCH from ~327 to ~355 req/s here; the rest of that gap to a bare UPDATE
// is the number of queries a write makes (authentication, scope, the change, outbox, audit).
import type { Db, Executor } from './pool.js';

const wakers = new Map<string, Set<() => void>>();
const pendingWakes = new WeakMap<object, Set<string>>();

/** Wake the local workers of `channel` once the transaction `tx` commits (see `transaction`). */
export function wakeAfterCommit(tx: Executor, channel: string): void {
  let set = pendingWakes.get(tx);
  if (!set) pendingWakes.set(tx, (set = new Set()));
  set.add(channel);
}

/** Run `fn` whenever `channel` is woken in this process; returns the unsubscribe function. */
export function onWake(channel: string, fn: () => void): () => void {
  let set = wakers.get(channel);
  if (!set) wakers.set(channel, (set = new Set()));
  set.add(fn);
  return () => void wakers.get(channel)?.delete(fn);
}

const pendingAfter = new WeakMap<object, (() => void)[]>();

/** Run `fn` in this process once `tx` commits (see `transaction`); never if it rolls back. */
export function afterCommit(tx: Executor, fn: () => void): void {
  let list = pendingAfter.get(tx);
  if (!list) pendingAfter.set(tx, (list = []));
  list.push(fn);
}

export function wake(channel: string): void {
  for (const w of wakers.get(channel) ?? []) w();
}

function guarded(f: () => void) {
  try {
    f();
  } catch (e) {
    console.error('after commit:', e);
  }
}

/** `db.transaction`, then wakes the workers whose rows the transaction wrote and runs its `afterCommit` callbacks. */
export async function transaction<T>(db: Db, fn: (tx: Executor) => Promise<T>): Promise<T> {
  let channels: Set<string> | undefined;
  let after: (() => void)[] | undefined;
  const result = await db.transaction(async (tx) => {
    const r = await fn(tx);
    channels = pendingWakes.get(tx);
    after = pendingAfter.get(tx);
    return r;
  });
  // What was committed stays committed: a failing waker or callback is reported, never the caller's error.
  for (const c of channels ?? []) guarded(() => wake(c));
  for (const f of after ?? []) guarded(f);
  return result;
}

export interface NotifiedWorker {
  stop(): Promise<void>;
  /** Resolves once the work pending now has been done. */
  drain(): Promise<void>;
}

export function startNotifiedWorker(opts: {
  channel: string;
  work: () => Promise<number>;
  onError: (e: unknown) => void;
  sweepMs: number;
}): NotifiedWorker {
  let running = false;
  let again = false;
  let stopped = false;
  let idle: Promise<void> = Promise.resolve();

  const run = (): Promise<void> => {
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
          while (!stopped && (await opts.work()) > 0) again = false;
        } while (again && !stopped);
      } catch (e) {
        opts.onError(e);
      } finally {
        running = false;
      }
    })();
    return idle;
  };
  const waker = () => void run();
  let set = wakers.get(opts.channel);
  if (!set) wakers.set(opts.channel, (set = new Set()));
  set.add(waker);
  const timer = setInterval(waker, opts.sweepMs);
  timer.unref();
  void run();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      wakers.get(opts.channel)?.delete(waker);
      await idle;
    },
    async drain() {
      await run();
      await idle;
      // A run already under way may have read before the latest writes.
      await run();
      await idle;
    },
  };
}
