// Opens the platform's database: an external server (DATABASE_URL) or the embedded one.
import pg from 'pg';
import type { Config } from '../config.js';
import { runningEmbeddedUrl, startEmbedded, type EmbeddedServer } from './embedded.js';
import { createDb, type Db } from './pool.js';

export interface Database {
  db: Db;
  url: string;
  embedded: EmbeddedServer | null;
  close(): Promise<void>;
}

export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await admin.query(`create database ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * `beside`: for command-line tools (migrate, seed, audit:verify, rotate-keys) that may run while the
 * server is up. When the data directory's embedded PostgreSQL is running, they connect to it and leave
 * it running; starting it again would take the running postmaster for an orphan of a crashed server
 * and stop it, under the server's feet. The server itself (main.ts) keeps that recovery.
 */
export async function openDatabase(cfg: Config, log: (m: string) => void, opts: { beside?: boolean } = {}): Promise<Database> {
  let embedded: EmbeddedServer | null = null;
  let url: string;
  const running = !cfg.databaseUrl && opts.beside ? runningEmbeddedUrl(cfg.dataDir) : null;
  if (cfg.databaseUrl) {
    url = cfg.databaseUrl;
  } else if (running) {
    log(`the embedded PostgreSQL of ${cfg.dataDir} is running (the server is up): connecting to it`);
    url = running;
  } else {
    embedded = await startEmbedded(cfg.dataDir, log);
    url = await ensureDatabase(embedded.url, 'jiayuan');
  }
  const db = createDb(url);
  return {
    db,
    url,
    embedded,
    async close() {
      await db.$client.end().catch(() => {});
      await embedded?.stop();
    },
  };
}
