// Opens the platform's database: an external server (DATABASE_URL) or the embedded one.
import pg from 'pg';
import type { Config } from '../config.js';
import { startEmbedded, type EmbeddedServer } from './embedded.js';
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

export async function openDatabase(cfg: Config, log: (m: string) => void): Promise<Database> {
  let embedded: EmbeddedServer | null = null;
  let url: string;
  if (cfg.databaseUrl) {
    url = cfg.databaseUrl;
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
