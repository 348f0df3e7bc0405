// Evaluation figures: recompute every indicator of every community of a 5,000-community city, and
// one community's live scorecard over HTTP, each against the bare SQL the measures need.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../server/src/db/pool.js';
import { uuidv7 } from '../server/src/db/ids.js';
import { frameworks } from '../server/src/modules/evaluation/model.js';
import { scoreCommunities } from '../server/src/modules/evaluation/service.js';
import { compactResidentCounts } from '../server/src/modules/registry/measures.js';

type Print = (name: string, value: number, unit: string, baseline: number, lowerIsBetter?: boolean) => void;

export async function evaluationBench(opts: { db: Db; app: FastifyInstance; print: Print; communities: number }) {
  const { db, print } = opts;
  // Grow the city to `communities` communities under its first street (the register's residents stay
  // where they are: ~1M people over the first ten).
  const { rows: streets } = await db.$client.query<{ id: string; path: string; code: string; depth: number }>(
    "select id, path, code, depth from regions where level = 'street' order by code limit 1",
  );
  const street = streets[0]!;
  const have = Number((await db.$client.query("select count(*) from regions where level = 'community'")).rows[0].count);
  const add: unknown[][] = [];
  for (let i = 0; i < opts.communities - have; i++) {
    const id = uuidv7();
    add.push([id, street.id, `评测社区${i}`, `98${String(i).padStart(10, '0')}`, `${street.path}${id}/`]);
  }
  for (let k = 0; k < add.length; k += 1000) {
    const part = add.slice(k, k + 1000);
    const params: unknown[] = [];
    const tuples = part.map((r) => `(${r.map((v) => (params.push(v), `$${params.length}`)).join(',')}, 'community', ${street.depth + 1})`);
    await db.$client.query(`insert into regions (id, parent_id, name, code, path, level, depth) values ${tuples.join(',')}`, params);
  }
  const ids = (await db.$client.query<{ id: string }>("select id from regions where level = 'community' order by code")).rows.map(
    (r) => r.id,
  );

  // Bare: the statements the measures and entered values amount to, nothing around them. The register's
  // counts are kept by triggers (migration 0027); `recount` is what reading them replaced.
  const keptSql = `select community_id, sum(records), sum(local), sum(local_health), sum(disabled), sum(veteran), sum(special)
                     from resident_count_deltas where community_id = any($1::uuid[]) group by community_id`;
  const valuesSql = `select distinct on (community_id, criterion) * from evaluation_values where community_id = any($1::uuid[])
                      order by community_id, criterion, version desc`;
  const recountSql = `select community_id, count(*) filter (where hukou = 'local' and 'health_record' = any(tags)),
              count(*) filter (where hukou = 'local'), count(*) filter (where 'disabled' = any(tags)),
              count(*) filter (where 'veteran' = any(tags)), count(*)
         from residents where community_id = any($1::uuid[]) and status = 'active' group by community_id`;
  // As the running server does every minute (registry/measures.ts): fold the bulk load's delta rows.
  await compactResidentCounts(db);
  const bare = async () => {
    await db.$client.query(keptSql, [ids]);
    await db.$client.query(valuesSql, [ids]);
  };
  const time = async (f: () => Promise<unknown>) => {
    const t0 = performance.now();
    await f();
    return (performance.now() - t0) / 1000;
  };
  await bare(); // warm
  const bareSeconds = await time(bare);
  let ours = 0;
  for (const f of frameworks().values()) ours += await time(() => scoreCommunities(db, f, ids));
  print(`evaluation: recompute every indicator of ${ids.length} communities under both frameworks`, ours, 's', bareSeconds, true);

  const token = (
    (
      await opts.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'liuan_admin', password: 'Demo@2026' } })
    ).json() as {
      token: string;
    }
  ).token;
  const liuan = (await db.$client.query<{ region_id: string }>("select region_id from users where username = 'liuan_admin'")).rows[0]!
    .region_id;
  const one: number[] = [];
  const base: number[] = [];
  const recount: number[] = [];
  for (let i = 0; i < 60; i++) {
    const a = performance.now();
    const res = await opts.app.inject({
      method: 'GET',
      url: `/api/evaluation/scorecard?communityId=${liuan}&framework=${encodeURIComponent('DB37/T 3890.3-2020')}`,
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.statusCode !== 200) throw new Error(`scorecard: ${res.statusCode} ${res.body}`);
    one.push(performance.now() - a);
    const b = performance.now();
    await db.$client.query(keptSql, [[liuan]]);
    await db.$client.query(valuesSql, [[liuan]]);
    base.push(performance.now() - b);
    if (i < 20) {
      const c = performance.now();
      await db.$client.query(recountSql, [[liuan]]);
      recount.push(performance.now() - c);
    }
  }
  const residents = Number((await db.$client.query('select count(*) from residents where community_id = $1', [liuan])).rows[0].count);
  const p95 = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length * 0.95)]!;
  const label = `GET /api/evaluation/scorecard (one community of ${residents} residents, live, DB37) p95`;
  print(`${label} vs bare SQL of its inputs`, p95(one.slice(10)), 'ms', p95(base.slice(10)), true);
  print(`${label} vs bare recount of its residents`, p95(one.slice(10)), 'ms', p95(recount.slice(5)), true);
}
