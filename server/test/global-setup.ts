// One PostgreSQL per test run: the embedded server in a temporary directory, or the server named by
// DATABASE_URL. A template database is migrated and loaded with the demo city once; every test
// file then gets its own database cloned from it (see helpers.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { bootstrap } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { ensureDatabase } from '../src/db/database.js';
import { startEmbedded, type EmbeddedServer } from '../src/db/embedded.js';
import { createDb } from '../src/db/pool.js';
import { testKeys } from './keys.js';

export const TEST_ADMIN_PASSWORD = 'Admin@Test2026';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    templateDb: string;
  }
}

let embedded: EmbeddedServer | null = null;
let tmp: string | null = null;
let serverUrl = '';
let templateDb = '';

export async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    serverUrl = process.env.DATABASE_URL;
  } else {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jiayuan-test-'));
    embedded = await startEmbedded(tmp);
    serverUrl = embedded.url;
  }
  templateDb = `jiayuan_tpl_${process.pid}_${Date.now().toString(36)}`;
  const url = await ensureDatabase(serverUrl, templateDb);
  const db = createDb(url, 2);
  await bootstrap(db, { ...loadConfig({}), demo: true, adminPassword: TEST_ADMIN_PASSWORD }, testKeys(), {});
  await db.$client.end();
  project.provide('pgServerUrl', serverUrl);
  project.provide('templateDb', templateDb);
}

export async function teardown() {
  if (embedded) {
    await embedded.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    return;
  }
  // External server: drop what this run created.
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  const { rows } = await c.query<{ datname: string }>(`select datname from pg_database where datname = $1 or datname like $2`, [
    templateDb,
    `${templateDb}\\_%`,
  ]);
  for (const r of rows) await c.query(`drop database if exists ${c.escapeIdentifier(r.datname)} with (force)`);
  await c.end();
}
