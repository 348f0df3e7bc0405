// `npm run bench`: figures, each against a baseline measured in the same process and run.
// Prints one JSON line per figure: {"name", "value", "unit", "baseline", "ratio"}.
// Uses the embedded PostgreSQL in a temporary directory, or DATABASE_URL when set.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { bootstrap } from '../server/src/bootstrap.js';
import { loadConfig } from '../server/src/config.js';
import { ensureDatabase } from '../server/src/db/database.js';
import { startEmbedded, type EmbeddedServer } from '../server/src/db/embedded.js';
import { createDb } from '../server/src/db/pool.js';
import { DEMO_PASSWORD } from '../server/src/demo/seed.js';
import { buildApp } from '../server/src/http/app.js';
import { loadDataKeys } from '../server/src/crypto/personal-data.js';
import { buildTree, type Level } from '../server/src/modules/regions/model.js';
import { registryBench } from './registry.js';
import { evaluationBench } from './evaluation.js';
import { gridBench } from './grid.js';
import { democracyBench } from './democracy.js';
import { devicesBench } from './devices.js';
import { externalBrokerBench } from './mqtt-external.js';

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 5) * 1000;
/** `BENCH_ONLY=grid,evaluation` runs only those sections (regions, registry, evaluation, grid, democracy, devices, mqtt-external); unset runs all. */
const ONLY = new Set((process.env.BENCH_ONLY ?? '').split(',').filter(Boolean));
const section = (name: string) => ONLY.size === 0 || ONLY.has(name);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Closed-loop load: CONCURRENCY keep-alive connections, each sending its next request on answer. */
async function load(
  port: number,
  make: (i: number) => { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Load> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const end = Date.now() + DURATION_MS;
  const one = () =>
    new Promise<void>((resolve) => {
      const r = make(n++);
      const t0 = process.hrtime.bigint();
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: r.method,
          path: r.path,
          agent,
          headers: { ...(r.body ? { 'content-type': 'application/json' } : {}), ...r.headers },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
            if (res.statusCode! >= 300) errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(r.body);
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) await one();
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { rps: latencies.length / elapsed, p50: q(0.5), p99: q(0.99), errors };
}

function print(name: string, value: number, unit: string, baseline: number, lowerIsBetter = false) {
  const ratio = lowerIsBetter ? baseline / value : value / baseline;
  console.log(JSON.stringify({ name, value: round(value), unit, baseline: round(baseline), ratio: round(ratio) }));
}
const round = (x: number) => Math.round(x * 100) / 100;

async function main() {
  let embedded: EmbeddedServer | null = null;
  let tmp: string | null = null;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jiayuan-bench-'));
    embedded = await startEmbedded(tmp);
    serverUrl = embedded.url;
  }
  const dbName = `jiayuan_bench_${Date.now().toString(36)}`;
  const url = await ensureDatabase(serverUrl, dbName);
  const db = createDb(url, 20);
  const config = { ...loadConfig({}), demo: true, adminPassword: 'Bench@2026' };
  const keys = loadDataKeys({ env: { JIAYUAN_DATA_KEY: 'a7'.repeat(32) }, dataDir: os.tmpdir(), allowGenerated: false });
  await bootstrap(db, config, keys);

  // The platform, as served.
  const app = await buildApp({ db, config, keys });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const appPort = (app.server.address() as AddressInfo).port;

  // The baseline: bare Fastify, no validation, authentication, scope or audit, the same SQL.
  const bare = Fastify();
  const cityPath = (await db.$client.query<{ path: string }>("select path from regions where level = 'city'")).rows[0]!.path;
  bare.get('/bare/regions', async () => {
    const { rows } = await db.$client.query<{
      id: string;
      parentId: string | null;
      name: string;
      level: Level;
      code: string;
      sortOrder: number;
    }>(
      'select id, parent_id as "parentId", name, level, code, sort_order as "sortOrder" from regions where path like $1 order by depth, sort_order, code',
      [`${cityPath}%`],
    );
    return buildTree(rows);
  });
  bare.patch('/bare/regions/:id', async (req) => {
    const { rows } = await db.$client.query(
      'update regions set sort_order = $2, updated_at = now() where id = $1 returning id, name, code',
      [(req.params as { id: string }).id, (req.body as { sortOrder: number }).sortOrder],
    );
    return rows[0];
  });
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const barePort = (bare.server.address() as AddressInfo).port;

  const login = async (username: string, password: string) => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
    return (res.json() as { token: string }).token;
  };
  const admin = await login('admin', 'Bench@2026');
  const street = await login('binhe_admin', DEMO_PASSWORD);

  if (section('regions')) {
    // Warm-up, so JIT and pool connections are in place for both.
    await load(appPort, () => ({ method: 'GET', path: '/api/regions', headers: { authorization: `Bearer ${admin}` } }));
    await load(barePort, () => ({ method: 'GET', path: '/bare/regions' }));

    const base = await load(barePort, () => ({ method: 'GET', path: '/bare/regions' }));
    const ours = await load(appPort, () => ({ method: 'GET', path: '/api/regions', headers: { authorization: `Bearer ${admin}` } }));
    if (ours.errors || base.errors) throw new Error(`errors during load: app ${ours.errors}, bare ${base.errors}`);
    print('GET /api/regions (authenticated, scope-checked, city tree) throughput', ours.rps, 'req/s', base.rps);
    print('GET /api/regions p99 latency', ours.p99, 'ms', base.p99, true);

    const oursStreet = await load(appPort, () => ({ method: 'GET', path: '/api/regions', headers: { authorization: `Bearer ${street}` } }));
    print('GET /api/regions (street administrator, subtree) throughput', oursStreet.rps, 'req/s', base.rps);

    // Writes: an audited, hash-chained, outboxed update against the same UPDATE with nothing around it.
    const grids = (await db.$client.query<{ id: string }>("select id from regions where level = 'grid' order by code")).rows.map(
      (r) => r.id,
    );
    const bareW = await load(barePort, (i) => ({
      method: 'PATCH',
      path: `/bare/regions/${grids[i % grids.length]}`,
      body: JSON.stringify({ sortOrder: i % 1000 }),
    }));
    const oursW = await load(appPort, (i) => ({
      method: 'PATCH',
      path: `/api/regions/${grids[i % grids.length]}`,
      headers: { authorization: `Bearer ${admin}` },
      body: JSON.stringify({ sortOrder: i % 1000 }),
    }));
    if (oursW.errors || bareW.errors) throw new Error(`errors during write load: app ${oursW.errors}, bare ${bareW.errors}`);
    print('PATCH /api/regions/{id} (audited + outbox, one transaction) throughput', oursW.rps, 'req/s', bareW.rps);
  }

  const { rows: adminRows } = await db.$client.query<{ id: string; region_id: string; path: string }>(
    "select u.id, u.region_id, r.path from users u join regions r on r.id = u.region_id where u.username = 'liuan_admin'",
  );
  const a = adminRows[0]!;
  if (section('registry'))
    await registryBench({
      db,
      keys,
      app,
      bare,
      print,
      importRows: Number(process.env.BENCH_IMPORT_ROWS ?? 100_000),
      searchRows: Number(process.env.BENCH_SEARCH_ROWS ?? 1_000_000),
      ctx: {
        db,
        caller: {
          userId: a.id,
          sessionId: a.id,
          username: 'liuan_admin',
          displayName: 'bench',
          roles: ['community_admin'],
          regionId: a.region_id,
          regionPath: a.path,
          regionLevel: 'community',
        },
        ip: '127.0.0.1',
        userAgent: 'bench',
        action: 'resident.import',
        markAudited: () => {},
      },
    });

  if (section('evaluation')) await evaluationBench({ db, app, print, communities: Number(process.env.BENCH_COMMUNITIES ?? 5000) });

  if (section('grid'))
    await gridBench({
      db,
      app,
      port: appPort,
      print,
      reports: Number(process.env.BENCH_GRID_REPORTS ?? 5000),
      deadlines: Number(process.env.BENCH_GRID_DEADLINES ?? 100_000),
      // A city's grid workers report at once: 16 concurrent reports is latency-bound (see the note), 64 and 128 show what the machine sustains.
      concurrency: (process.env.BENCH_GRID_CONCURRENCY ?? '16,64,128').split(',').map(Number),
    });

  if (section('democracy'))
    await democracyBench({
      db,
      port: appPort,
      print,
      ballots: Number(process.env.BENCH_BALLOTS ?? 10_000),
      tallyBallots: Number(process.env.BENCH_TALLY_BALLOTS ?? 100_000),
      concurrency: Number(process.env.BENCH_CONCURRENCY_BALLOTS ?? 32),
    });

  if (section('devices'))
    await devicesBench({
      db,
      app,
      port: appPort,
      print,
      connections: Number(process.env.BENCH_DEVICE_CONNECTIONS ?? 1000),
      maxConnections: Number(process.env.BENCH_DEVICE_MAX_CONNECTIONS ?? 10_000),
      messages: Number(process.env.BENCH_DEVICE_MESSAGES ?? 200_000),
      inflight: Number(process.env.BENCH_DEVICE_INFLIGHT ?? 10),
      rate: Number(process.env.BENCH_DEVICE_RATE ?? 15_000),
      pacedSeconds: Number(process.env.BENCH_DEVICE_PACED_SECONDS ?? 8),
    });

  // Only with a broker to use (BENCH_MQTT_URL, e.g. mqtt://127.0.0.1:1883): the bench assumes no server of its own.
  if (section('mqtt-external') && process.env.BENCH_MQTT_URL)
    await externalBrokerBench({
      db,
      app,
      print,
      url: process.env.BENCH_MQTT_URL,
      messages: Number(process.env.BENCH_MQTT_EXTERNAL_MESSAGES ?? 20_000),
    });

  await app.close();
  await bare.close();
  await db.$client.end();
  if (embedded) {
    await embedded.stop();
    fs.rmSync(tmp!, { recursive: true, force: true });
  } else if (process.env.BENCH_KEEP) {
    // For looking into a figure afterwards (EXPLAIN, pg_stat_statements): the loaded database stays.
    process.stderr.write(`bench database kept: ${dbName}\n`);
  } else {
    const c = new (await import('pg')).default.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.end();
  }
}

await main();
