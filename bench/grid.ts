// Grid governance figures (issue 5 "Performance"): event reports per second through the HTTP API
// (routing, duplicate check, deadline scheduling, audit, outbox) against per-row INSERTs of the same
// event rows at the same concurrency; and 100,000 open deadlines fired by the deadline worker against
// one raw DELETE of 100,000 due deadline rows.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../server/src/db/pool.js';
import { uuidv7 } from '../server/src/db/ids.js';
import { cpuMeter } from './cpu.js';
import { DEMO_PASSWORD, prng } from '../server/src/demo/seed.js';
import { startDeadlineWorker } from '../server/src/modules/deadlines/service.js';
import { catalogueRows } from '../server/src/modules/grid/catalogue.js';
import { eventNumber, trackingCode } from '../server/src/modules/grid/model.js';
import { registerGridDeadlines } from '../server/src/modules/grid/service.js';

type Print = (name: string, value: number, unit: string, baseline: number, lowerIsBetter?: boolean) => void;

interface Run {
  perSecond: number;
  p50: number;
  p95: number;
  errors: number;
  firstError: string | null;
}

/** `total` tasks over `concurrency` closed-loop workers; latency of each task. */
async function closedLoop(total: number, concurrency: number, task: (i: number) => Promise<string | null>): Promise<Run> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | null = null;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const a = performance.now();
        const err = await task(i);
        latencies.push(performance.now() - a);
        if (err) {
          errors++;
          firstError ??= err;
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((x, y) => x - y);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { perSecond: total / seconds, p50: q(0.5), p95: q(0.95), errors, firstError };
}

function post(agent: http.Agent, port: number, path: string, token: string, body: string): Promise<string | null> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        agent,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(res.statusCode === 201 ? null : `${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`));
      },
    );
    req.on('error', (e) => resolve(String(e)));
    req.end(body);
  });
}

export async function gridBench(opts: {
  db: Db;
  app: FastifyInstance;
  port: number;
  print: Print;
  reports: number;
  deadlines: number;
  /** Each level of concurrency is its own pass (reports and baseline): throughput is concurrency ÷ latency until the CPU is full. */
  concurrency: number[];
}) {
  const { db, print } = opts;
  const pg = db.$client;
  const rand = prng(5);
  const leaves = catalogueRows().filter((c) => c.parentCode);

  // ---- (a) reports through the API, by each building's grid worker ---------------------------------
  const { rows: places } = await pg.query<{ id: string; community_id: string; grid_id: string; username: string }>(
    `select b.id, b.community_id, b.grid_id, u.username from buildings b
       join users u on u.region_id = b.grid_id and 'grid_worker' = any(u.roles)
      where b.grid_id is not null order by b.community_id, b.id`,
  );
  const tokens = new Map<string, string>();
  for (const username of new Set(places.map((p) => p.username))) {
    const res = await opts.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: DEMO_PASSWORD } });
    tokens.set(username, (res.json() as { token: string }).token);
  }
  for (const [pass, concurrency] of opts.concurrency.entries()) {
    const reports = Array.from({ length: opts.reports }, (_, i) => {
      const p = places[i % places.length]!;
      const c = leaves[Math.floor(rand() * leaves.length)]!;
      return { place: p, category: c.code, description: `评测事件 ${pass}-${i}：${c.name}` };
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    // Warm-up (JIT, pool, the reference cache), not counted.
    await closedLoop(200, concurrency, (i) => {
      const r = reports[i % reports.length]!;
      return post(
        agent,
        opts.port,
        '/api/grid/events',
        tokens.get(r.place.username)!,
        JSON.stringify({ categoryCode: r.category, description: r.description, buildingId: r.place.id }),
      );
    });
    const cpu = await cpuMeter(pg);
    const ours = await closedLoop(opts.reports, concurrency, (i) => {
      const r = reports[i]!;
      return post(
        agent,
        opts.port,
        '/api/grid/events',
        tokens.get(r.place.username)!,
        JSON.stringify({ categoryCode: r.category, description: r.description, buildingId: r.place.id }),
      );
    });
    const used = cpu.read();
    agent.destroy();
    console.log(
      `grid reports at concurrency ${concurrency}: CPU per report ${(used.nodeMs / opts.reports).toFixed(2)} ms in Node (server and bench client), ${(used.dbMs / opts.reports).toFixed(2)} ms in PostgreSQL`,
    );
    if (ours.errors) throw new Error(`grid reports: ${ours.errors} errors, first: ${ours.firstError}`);

    // Baseline: the same event rows, one INSERT per row at the same concurrency, into a copy of the table with its indexes.
    await pg.query('create table bench_grid_events (like grid_events including all)');
    const now = new Date();
    const due = new Date(now.getTime() + 4 * 3600_000).toISOString();
    const raw = await closedLoop(opts.reports, concurrency, async (i) => {
      const r = reports[i]!;
      await pg.query(
        `insert into bench_grid_events (community_id, id, number, tracking_code, grid_id, category_code, description, building_id,
         reporter_kind, channel, status, reported_at, responded_at, respond_due_at, handle_due_at, handle_allowed_minutes)
       values ($1, $2, $3, $4, $5, $6, $7, $8, 'grid_worker', 'mobile', 'dispatched', now(), now(), $9, $9, 450)`,
        [
          r.place.community_id,
          uuidv7(),
          eventNumber(now, 1_000_000 + i),
          trackingCode(randomBytes(10)),
          r.place.grid_id,
          r.category,
          r.description,
          r.place.id,
          due,
        ],
      );
      return null;
    });
    await pg.query('drop table bench_grid_events');
    print(
      `POST /api/grid/events (${opts.reports} grid-worker reports, concurrency ${concurrency}: route, duplicate check, deadlines, audit, outbox) vs per-row INSERT of the event row`,
      ours.perSecond,
      'reports/s',
      raw.perSecond,
    );
    print(`POST /api/grid/events p50 latency (concurrency ${concurrency})`, ours.p50, 'ms', raw.p50, true);
    print(`POST /api/grid/events p95 latency (concurrency ${concurrency})`, ours.p95, 'ms', raw.p95, true);
  }

  // ---- (b) 100,000 open deadlines falling due at the same moment -----------------------------------
  registerGridDeadlines();
  const n = opts.deadlines;
  const dueAt = new Date(Date.now() + 8000);
  await pg.query(
    `insert into grid_events (community_id, id, number, tracking_code, category_code, description, reporter_kind, channel, status,
       reported_at, responded_at, respond_due_at, handle_due_at, handle_allowed_minutes)
     select x.c[1 + i % x.n], uuid_v7(), 'BENCH-' || i, 'BENCH' || i, 'env.garbage', 'bench-deadline', 'grid_worker', 'mobile', 'dispatched',
       now(), now(), $1::timestamptz, $1::timestamptz, 450
     from generate_series(1, $2::int) i, (select array_agg(id) as c, count(*)::int as n from regions where level = 'community') x`,
    [dueAt.toISOString(), n],
  );
  await pg.query(
    `insert into deadlines (community_id, id, kind, subject_id, due_at)
     select community_id, uuid_v7(), 'grid.handle', id, handle_due_at from grid_events where description = 'bench-deadline'`,
  );
  // Vacuumed as well as analysed: open deadlines are created over days, and autovacuum would otherwise
  // start on the 100,000 fresh rows in the middle of the measured second.
  await pg.query('vacuum analyze grid_events, deadlines, grid_event_transitions');
  if (Date.now() > dueAt.getTime() - 500) throw new Error('deadline setup ran past the due time: the figure would include it');
  const errors: unknown[] = [];
  const worker = startDeadlineWorker(db, (e) => errors.push(e));
  let doneAt = 0;
  for (;;) {
    // exists() stops at the first row left: the poll itself must not load the machine it measures.
    const { rows } = await pg.query<{ left: boolean }>('select exists (select 1 from deadlines where due_at = $1::timestamptz) as left', [
      dueAt.toISOString(),
    ]);
    if (!rows[0]!.left) {
      doneAt = Date.now();
      break;
    }
    if (Date.now() > dueAt.getTime() + 120_000) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  await worker.stop();
  if (errors.length) throw new Error(`deadline worker: ${String(errors[0])}`);
  if (!doneAt) throw new Error('deadlines did not fire within 120 s of due');
  const { rows: unmarked } = await pg.query<{ n: number }>(
    `select count(*)::int as n from grid_events e where description = 'bench-deadline'
       and not exists (select 1 from grid_event_transitions t where t.community_id = e.community_id and t.event_id = e.id and t.action = 'overdue')`,
  );
  if (unmarked[0]!.n) throw new Error(`${unmarked[0]!.n} events without their overdue step`);
  const lateMs = doneAt - dueAt.getTime();

  // Baseline: one DELETE of as many due deadline rows (a copy of the table, same indexes), nothing else.
  await pg.query('create table bench_deadlines (like deadlines including all)');
  await pg.query(
    `insert into bench_deadlines (community_id, id, kind, subject_id, due_at)
     select community_id, uuid_v7(), 'grid.handle', id, now() - interval '1 second' from grid_events where description = 'bench-deadline'`,
  );
  await pg.query('analyze bench_deadlines');
  const b0 = performance.now();
  await pg.query('delete from bench_deadlines where due_at <= now()');
  const baseMs = performance.now() - b0;
  await pg.query('drop table bench_deadlines');
  console.log(`${n.toLocaleString('en')} deadlines fired ${Math.round(lateMs)} ms after due (target ≤ 1,000 ms)`);
  print(`${n} open deadlines (grid.handle): all fired, each event's overdue step recorded, after due`, lateMs, 'ms', baseMs, true);
}
