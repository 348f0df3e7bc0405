// LISTEN for PostgreSQL notifications on a connection of its own, reconnecting after a loss. NOTIFY
// sent inside a transaction is delivered at its commit to every node listening: how one node's change
// reaches the others' in-process state (the live alarm feed, cached device credentials) at once.
// Notifications sent while a node was not connected are not replayed: use them for what a node can
// also learn by reading the database (live views, cache invalidation), never as the record itself.
import pg from 'pg';
import type { Db } from './pool.js';

export interface Listener {
  /** Settles once the first LISTEN has been tried (a database that is down does not hold up the start). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export function startListener(db: Db, handlers: Record<string, (payload: string) => void>, onError: (e: unknown) => void): Listener {
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
      const h = handlers[n.channel];
      if (!h) return;
      try {
        h(n.payload ?? '');
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
      for (const channel of Object.keys(handlers)) await c.query(`listen ${pg.escapeIdentifier(channel)}`);
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
