// Each test file gets its own database, cloned from the migrated demo template, and an app on it.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../src/config.js';
import { createDb, type Db } from '../src/db/pool.js';
import { DEMO_PASSWORD } from '../src/demo/seed.js';
import { buildApp } from '../src/http/app.js';
import type { Ctx } from '../src/http/context.js';
import { testKeys } from './keys.js';

export { testKeys };
import { TEST_ADMIN_PASSWORD } from './global-setup.js';

export { DEMO_PASSWORD, TEST_ADMIN_PASSWORD };

export async function cloneTemplate(): Promise<{ url: string; name: string }> {
  const serverUrl = inject('pgServerUrl');
  const template = inject('templateDb');
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(`create database ${c.escapeIdentifier(name)} template ${c.escapeIdentifier(template)}`);
        break;
      } catch (e) {
        // "source database is being accessed by other users": another file is cloning right now.
        if (attempt > 50 || (e as { code?: string }).code !== '55006') throw e;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await c.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), name };
}

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  url: string;
  config: Config;
  /** Logs in and returns the bearer token (demo accounts use the demo password). */
  login(username: string, password?: string): Promise<string>;
  call(
    method: string,
    url: string,
    opts?: { token?: string; body?: unknown; query?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  /** Region ids of the demo city by name. */
  region(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function setupTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const { url } = await cloneTemplate();
  const db = createDb(url, 5);
  const config: Config = { ...loadConfig({}), demo: true, adminPassword: TEST_ADMIN_PASSWORD, ...overrides };
  const app = await buildApp({ db, config, keys: testKeys() });
  await app.ready();
  const tokens = new Map<string, string>();
  const call: TestApp['call'] = (method, path, opts = {}) =>
    app.inject({
      method: method as 'GET',
      url: path,
      ...(opts.query ? { query: opts.query } : {}),
      headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
      ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
    });
  return {
    app,
    db,
    url,
    config,
    async login(username, password) {
      const key = `${username}:${password ?? ''}`;
      const cached = tokens.get(key);
      if (cached) return cached;
      const res = await call('POST', '/api/auth/login', {
        body: { username, password: password ?? (username === 'admin' ? TEST_ADMIN_PASSWORD : DEMO_PASSWORD) },
      });
      if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
      const token = (res.json() as { token: string }).token;
      tokens.set(key, token);
      return token;
    },
    call,
    async region(name) {
      const { rows } = await db.$client.query<{ id: string }>('select id from regions where name = $1', [name]);
      if (!rows[0]) throw new Error(`no region ${name}`);
      return rows[0].id;
    },
    async close() {
      await app.close();
      await db.$client.end();
    },
  };
}

/** A request context for tests that set data up through services, as the city administrator. */
export async function systemCtx(t: TestApp): Promise<Ctx> {
  const { rows } = await t.db.$client.query<{ id: string; region_id: string; path: string }>(
    "select u.id, u.region_id, r.path from users u join regions r on r.id = u.region_id where u.username = 'admin'",
  );
  const a = rows[0]!;
  return {
    db: t.db,
    caller: {
      userId: a.id,
      sessionId: a.id,
      username: 'admin',
      displayName: '测试准备',
      roles: ['community_admin', 'grid_worker'],
      regionId: a.region_id,
      regionPath: a.path,
      regionLevel: 'city',
    },
    ip: '127.0.0.1',
    userAgent: 'test-setup',
    action: 'test.setup',
    markAudited: () => {},
  };
}
