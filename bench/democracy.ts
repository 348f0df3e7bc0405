// Democracy figures (issue 6 "Performance"): 10,000 online ballots cast in a burst through the HTTP
// API by 10,000 resident accounts (each sending its ballot twice at once: one must count, one must be
// refused), checked for no loss and no double count, against raw inserts of the same participation and
// ballot rows; and the tally of a 100,000-ballot vote against the bare GROUP BY.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Db } from '../server/src/db/pool.js';
import { uuidv7 } from '../server/src/db/ids.js';
import { tokenHash } from '../server/src/http/guard.js';
import { tallyVote } from '../server/src/modules/democracy/service.js';

type Print = (name: string, value: number, unit: string, baseline: number, lowerIsBetter?: boolean) => void;

function post(agent: http.Agent, port: number, path: string, token: string, body: string): Promise<number> {
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
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

const OPTIONS = [
  { key: 'a', label: '方案一' },
  { key: 'b', label: '方案二' },
  { key: 'c', label: '方案三' },
];

async function openVote(db: Db, communityId: string, voters: string[]) {
  const pg = db.$client;
  const id = uuidv7();
  await pg.query(
    `insert into votes (community_id, id, title, kind, method, options, secret, eligibility, channels, opens_at, closes_at, status, eligible_count)
     values ($1, $2, '评测投票', 'general', 'single', $3, true, 'list', '{online,in_person}', now() - interval '1 minute', now() + interval '1 hour', 'open', $4)`,
    [communityId, id, JSON.stringify(OPTIONS), voters.length],
  );
  for (let k = 0; k < voters.length; k += 20_000)
    await pg.query(
      `insert into vote_voters (community_id, vote_id, voter_key, label) select $1, $2, k, '评*' from unnest($3::uuid[]) as k`,
      [communityId, id, voters.slice(k, k + 20_000)],
    );
  return id;
}

export async function democracyBench(opts: {
  db: Db;
  port: number;
  print: Print;
  ballots: number;
  tallyBallots: number;
  concurrency: number;
}) {
  const { db, print } = opts;
  const pg = db.$client;
  const { rows } = await pg.query<{ id: string }>("select id from regions where name = '柳岸社区'");
  const community = rows[0]!.id;

  // ---- (a) a burst of online ballots ------------------------------------------------------------------
  const n = opts.ballots;
  const voters = Array.from({ length: n }, () => randomUUID());
  const voteId = await openVote(db, community, voters);
  const { rows: hashRow } = await pg.query<{ password_hash: string }>("select password_hash from users where username = 'liuan_resident'");
  const tokens = voters.map(() => randomBytes(32).toString('base64url'));
  const userIds = voters.map(() => uuidv7());
  for (let k = 0; k < n; k += 5000) {
    const part = voters.slice(k, k + 5000);
    await pg.query(
      `insert into users (id, username, password_hash, display_name, region_id, roles, resident_id)
       select u, 'bench_voter_' || u, $1, '评测居民', $2, '{resident}', r from unnest($3::uuid[], $4::uuid[]) as x(u, r)`,
      [hashRow[0]!.password_hash, community, userIds.slice(k, k + 5000), part],
    );
    await pg.query(
      `insert into sessions (id, token_hash, user_id, expires_at) select gen_random_uuid(), h, u, now() + interval '1 hour'
       from unnest($1::text[], $2::uuid[]) as x(h, u)`,
      [tokens.slice(k, k + 5000).map(tokenHash), userIds.slice(k, k + 5000)],
    );
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const statuses = new Map<number, number>();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        const body = JSON.stringify({ choice: [OPTIONS[i % 3]!.key] });
        // The same voter twice at once (a double tap, a retry): exactly one may count.
        const [a, b] = await Promise.all([
          post(agent, opts.port, `/api/democracy/votes/${voteId}/ballot`, tokens[i]!, body),
          post(agent, opts.port, `/api/democracy/votes/${voteId}/ballot`, tokens[i]!, body),
        ]);
        for (const s of [a, b]) statuses.set(s, (statuses.get(s) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  const counted = Number((await pg.query('select count(*) from vote_ballots where vote_id = $1', [voteId])).rows[0].count);
  const took = Number((await pg.query('select count(*) from vote_participation where vote_id = $1', [voteId])).rows[0].count);
  if (statuses.get(201) !== n || statuses.get(409) !== n || counted !== n || took !== n)
    throw new Error(
      `ballot burst: statuses ${JSON.stringify([...statuses])}, ${counted} ballots, ${took} participants (expected ${n} each)`,
    );

  // Baseline: the same two rows per voter inserted raw, one transaction each, same concurrency.
  const baseVote = await openVote(db, community, voters);
  let j = 0;
  const b0 = performance.now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      for (let i = j++; i < n; i = j++) {
        const c = await pg.connect();
        try {
          await c.query('begin');
          await c.query(`insert into vote_participation (community_id, vote_id, voter_key, channel) values ($1, $2, $3, 'online')`, [
            community,
            baseVote,
            voters[i],
          ]);
          await c.query(`insert into vote_ballots (community_id, vote_id, id, choice, channel) values ($1, $2, $3, $4, 'online')`, [
            community,
            baseVote,
            randomUUID(),
            JSON.stringify([OPTIONS[i % 3]!.key]),
          ]);
          await c.query('commit');
        } finally {
          c.release();
        }
      }
    }),
  );
  const baseSeconds = (performance.now() - b0) / 1000;
  console.log(
    `${n.toLocaleString('en')} voters each sending their ballot twice at once: ${n} counted, ${n} refused as second votes, ${seconds.toFixed(1)} s (target: within 60 s)`,
  );
  print(
    `POST /api/democracy/votes/{id}/ballot: ${n} online ballots (secret, audited, one per voter), burst`,
    n / seconds,
    'ballots/s',
    n / baseSeconds,
  );
  await pg.query("delete from sessions where user_id in (select id from users where username like 'bench_voter_%')");

  // ---- (b) tallying a 100,000-ballot vote --------------------------------------------------------------
  const m = opts.tallyBallots;
  const many = Array.from({ length: m }, () => randomUUID());
  const big = await openVote(db, community, many);
  await pg.query(
    `insert into vote_participation (community_id, vote_id, voter_key, channel) select $1, $2, k, 'online' from unnest($3::uuid[]) as k`,
    [community, big, many],
  );
  await pg.query(
    `insert into vote_ballots (community_id, vote_id, id, choice, channel)
     select $1, $2, gen_random_uuid(), jsonb_build_array((array['a','b','c'])[1 + (i % 3)]), 'online' from generate_series(1, $3::int) i`,
    [community, big, m],
  );
  await pg.query('analyze vote_ballots, vote_participation');
  const t1 = performance.now();
  const tally = await tallyVote(db, big);
  const tallyMs = performance.now() - t1;
  if (tally.kind !== 'general' || tally.general.ballots !== m) throw new Error(`tally counted ${JSON.stringify(tally).slice(0, 200)}`);
  const t2 = performance.now();
  await pg.query(`select choice, count(*) from vote_ballots where vote_id = $1 group by choice`, [big]);
  const rawMs = performance.now() - t2;
  console.log(`tally of a ${m.toLocaleString('en')}-ballot vote: ${Math.round(tallyMs)} ms (target ≤ 2,000 ms)`);
  print(`tally of a ${m}-ballot vote (voids excluded, turnout by channel)`, tallyMs, 'ms', rawMs, true);
}
