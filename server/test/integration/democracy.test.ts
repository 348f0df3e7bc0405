// Resident democracy (issue 6) through the HTTP API against a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownersDecision } from '../../src/modules/democracy/owners.js';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
let admin: string; // liuan_admin
let resident: string; // liuan_resident (linked to an owner in the register)
let liuan: string;

const iso = (ms: number) => new Date(Date.now() + ms).toISOString();

async function createVote(body: Record<string, unknown>) {
  const r = await t.call('POST', '/api/democracy/votes', {
    token: admin,
    body: { regionId: liuan, opensAt: iso(-60_000), closesAt: iso(3600_000), ...body },
  });
  expect(r.statusCode, r.body).toBe(201);
  const p = await t.call('POST', `/api/democracy/votes/${r.json().id}/publish`, { token: admin });
  expect(p.statusCode, p.body).toBe(200);
  return p.json();
}

/** Time passes: the polls close. */
const close = (id: string) => t.db.$client.query("update votes set closes_at = now() - interval '1 second' where id = $1", [id]);

beforeAll(async () => {
  t = await setupTestApp();
  admin = await t.login('liuan_admin');
  resident = await t.login('liuan_resident');
  liuan = await t.region('柳岸社区');
});
afterAll(() => t.close());

describe('owners’ decisions calculator (民法典第278条)', () => {
  it('answers the documented shape and refuses a second ballot for one owner or an unknown owner with the field named', async () => {
    const owners = [
      { id: 'a', area: 100 },
      { id: 'b', area: 100 },
      { id: 'c', area: 100 },
    ];
    const ok = await t.call('POST', '/api/democracy/owners-decision/tally', {
      token: resident,
      body: {
        matter: 'ordinary',
        owners,
        ballots: [
          { ownerId: 'a', choice: 'yes' },
          { ownerId: 'b', choice: 'abstain' },
        ],
      },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    // 2 of 3 owners and 200 of 300 m²: exactly two thirds, the quorum is met ("at least"); 1 of 2 agree is not "more than half".
    expect(ok.json()).toMatchObject({
      quorumMet: true,
      participatingArea: 200,
      participatingOwners: 2,
      agreeArea: 100,
      agreeOwners: 1,
      passed: false,
    });
    const dup = await t.call('POST', '/api/democracy/owners-decision/tally', {
      token: resident,
      body: {
        matter: 'major',
        owners,
        ballots: [
          { ownerId: 'a', choice: 'yes' },
          { ownerId: 'a', choice: 'no' },
          { ownerId: 'z', choice: 'yes' },
        ],
      },
    });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().errors.map((e: { field: string }) => e.field)).toEqual(['body.ballots.1.ownerId', 'body.ballots.2.ownerId']);
  });
});

describe('a secret community vote', () => {
  let vote: { id: string; eligibleCount: number };
  let receipt: string;

  it('publishing fixes the electorate from the register; the resident sees it and votes once online, with a receipt', async () => {
    vote = await createVote({
      kind: 'general',
      title: '小区公共收益使用方向',
      method: 'single',
      options: [
        { key: 'green', label: '绿化提升' },
        { key: 'lights', label: '增设路灯' },
      ],
      eligibility: 'residents',
      channels: ['online', 'in_person', 'paper'],
      quorumPercent: 0,
    });
    expect(vote.eligibleCount).toBeGreaterThan(100);
    const mine = (await t.call('GET', '/api/democracy/my-votes', { token: resident })).json();
    expect(mine.find((v: { id: string }) => v.id === vote.id)).toMatchObject({ eligibleToVote: true, voted: false, secret: true });
    const bad = await t.call('POST', `/api/democracy/votes/${vote.id}/ballot`, { token: resident, body: { choice: ['green', 'lights'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body.choice');
    const cast = await t.call('POST', `/api/democracy/votes/${vote.id}/ballot`, { token: resident, body: { choice: ['lights'] } });
    expect(cast.statusCode, cast.body).toBe(201);
    receipt = cast.json().receipt;
    expect(receipt).toMatch(/^[A-Z2-9]{12}$/);
    const again = await t.call('POST', `/api/democracy/votes/${vote.id}/ballot`, { token: resident, body: { choice: ['green'] } });
    expect(again.statusCode).toBe(409);
  });

  it('the ballot table holds nothing that links a secret ballot to a voter', async () => {
    const { rows: cols } = await t.db.$client.query<{ column_name: string; data_type: string }>(
      "select column_name, data_type from information_schema.columns where table_name = 'vote_ballots'",
    );
    expect(cols.some((c) => c.data_type.startsWith('timestamp'))).toBe(false);
    const { rows } = await t.db.$client.query('select * from vote_ballots where vote_id = $1', [vote.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].voter_key).toBeNull();
    // Not a time-ordered id: version 4 (random), so it says nothing about when it was cast.
    expect(rows[0].id[14]).toBe('4');
    const { rows: voterKeys } = await t.db.$client.query('select voter_key from vote_participation where vote_id = $1', [vote.id]);
    expect(JSON.stringify(rows)).not.toContain(voterKeys[0].voter_key);
  });

  it('results and ballots are sealed before the close for everyone, administrators included', async () => {
    for (const token of [admin, resident, await t.login('admin'), await t.login('binhe_admin')]) {
      expect((await t.call('GET', `/api/democracy/votes/${vote.id}/result`, { token })).statusCode).toBe(409);
      expect((await t.call('GET', `/api/democracy/votes/${vote.id}/ballots`, { token })).statusCode).toBe(409);
    }
    expect((await t.call('POST', `/api/democracy/votes/${vote.id}/result`, { token: admin })).statusCode).toBe(409);
    // Turnout is shown; what was chosen is not.
    const d = (await t.call('GET', `/api/democracy/votes/${vote.id}`, { token: admin })).json();
    expect(d).toMatchObject({ participants: 1, status: 'open' });
    expect(d.options).toEqual([
      { key: 'green', label: '绿化提升' },
      { key: 'lights', label: '增设路灯' },
    ]);
    expect(d).not.toHaveProperty('result');
  });

  it('on site: a voter who voted online cannot check in; paper ballots never exceed check-ins; corrections void and replace', async () => {
    const voters = (await t.call('GET', `/api/democracy/votes/${vote.id}/voters`, { token: admin, query: { pageSize: '50' } })).json();
    const { rows } = await t.db.$client.query<{ resident_id: string }>("select resident_id from users where username = 'liuan_resident'");
    const online = { voterKey: rows[0]!.resident_id };
    const others = voters.items.filter(
      (v: { participated: boolean; voterKey: string }) => !v.participated && v.voterKey !== online.voterKey,
    );
    expect(
      (await t.call('POST', `/api/democracy/votes/${vote.id}/check-ins`, { token: admin, body: { voterKey: online.voterKey } })).statusCode,
    ).toBe(409);
    for (const v of others.slice(0, 2))
      expect(
        (await t.call('POST', `/api/democracy/votes/${vote.id}/check-ins`, { token: admin, body: { voterKey: v.voterKey } })).statusCode,
      ).toBe(201);
    const tooMany = await t.call('POST', `/api/democracy/votes/${vote.id}/paper-batches`, {
      token: admin,
      body: { ballots: [{ choice: ['green'] }, { choice: ['green'] }, { choice: ['green'] }] },
    });
    expect(tooMany.statusCode).toBe(400);
    const batch = await t.call('POST', `/api/democracy/votes/${vote.id}/paper-batches`, {
      token: admin,
      body: { ballots: [{ choice: ['green'] }, { choice: ['green'] }] },
    });
    expect(batch.statusCode, batch.body).toBe(201);
    const { batchId, ballots } = batch.json();
    const noReason = await t.call('POST', `/api/democracy/votes/${vote.id}/paper-batches`, {
      token: admin,
      body: { corrects: batchId, voids: [ballots[1]], ballots: [{ choice: ['lights'] }] },
    });
    expect(noReason.statusCode).toBe(400);
    const fix = await t.call('POST', `/api/democracy/votes/${vote.id}/paper-batches`, {
      token: admin,
      body: { corrects: batchId, voids: [ballots[1]], ballots: [{ choice: ['lights'] }], reason: '第2张选票录入错误，应为增设路灯' },
    });
    expect(fix.statusCode, fix.body).toBe(201);
    const list = (await t.call('GET', `/api/democracy/votes/${vote.id}/paper-batches`, { token: admin })).json();
    expect(list.map((b: { ballots: number; corrects: string | null }) => [b.ballots, b.corrects])).toEqual([
      [2, null],
      [1, batchId],
    ]);
    await expect(t.db.$client.query('update vote_ballots set choice = \'["green"]\' where vote_id = $1', [vote.id])).rejects.toThrow(
      /append-only/,
    );
  });

  it('after the close the result is published, anyone in scope recomputes it from the ballots, and the receipt verifies', async () => {
    await close(vote.id);
    expect(
      (await t.call('POST', `/api/democracy/votes/${vote.id}/ballot`, { token: resident, body: { choice: ['green'] } })).statusCode,
    ).toBe(409);
    const pub = await t.call('POST', `/api/democracy/votes/${vote.id}/result`, { token: admin });
    expect(pub.statusCode, pub.body).toBe(200);
    const r = (await t.call('GET', `/api/democracy/votes/${vote.id}/result`, { token: resident })).json();
    const votesOf = (k: string) => r.result.general.options.find((o: { key: string }) => o.key === k).votes;
    expect(votesOf('green')).toBe(1); // one paper ballot left after the correction
    expect(votesOf('lights')).toBe(2); // online + the corrected paper ballot
    expect(r.result.participants).toBe(3);
    const published = (await t.call('GET', `/api/democracy/votes/${vote.id}/ballots`, { token: resident })).json();
    const recount = new Map<string, number>();
    for (const b of published.ballots) recount.set(b.choice[0], (recount.get(b.choice[0]) ?? 0) + 1);
    expect(Object.fromEntries(recount)).toEqual({ green: 1, lights: 2 });
    expect(published.ballots.every((b: { voterKey: string | null }) => b.voterKey === null)).toBe(true);
    const check = await t.call('GET', `/api/democracy/votes/${vote.id}/receipts/${receipt}`, { token: resident });
    expect(check.json()).toEqual({ included: true, choice: ['lights'] });
    expect((await t.call('GET', `/api/democracy/votes/${vote.id}/receipts/AAAAAAAAAAAA`, { token: resident })).json().included).toBe(false);
    // Another street's administrator sees none of it.
    expect((await t.call('GET', `/api/democracy/votes/${vote.id}/result`, { token: await t.login('wangjiang_admin') })).statusCode).toBe(
      403,
    );
  });
});

describe('one person, one vote across channels', () => {
  it('1,000 concurrent submissions by one voter, online and on site, count once', async () => {
    const vote = await createVote({
      kind: 'general',
      title: '并发投票测试',
      options: [
        { key: 'y', label: '同意' },
        { key: 'n', label: '不同意' },
      ],
      eligibility: 'residents',
      channels: ['online', 'in_person'],
    });
    const { rows } = await t.db.$client.query<{ resident_id: string }>("select resident_id from users where username = 'liuan_resident'");
    const key = rows[0]!.resident_id;
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        i % 2
          ? t.call('POST', `/api/democracy/votes/${vote.id}/ballot`, { token: resident, body: { choice: ['y'] } })
          : t.call('POST', `/api/democracy/votes/${vote.id}/check-ins`, { token: admin, body: { voterKey: key } }),
      ),
    );
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c !== 201 && c !== 409)).toEqual([]);
    const { rows: p } = await t.db.$client.query('select count(*)::int as n from vote_participation where vote_id = $1', [vote.id]);
    expect(p[0].n).toBe(1);
    const { rows: b } = await t.db.$client.query('select count(*)::int as n from vote_ballots where vote_id = $1', [vote.id]);
    expect(b[0].n).toBeLessThanOrEqual(1);
  }, 120_000);
});

describe('an owners’ decision on the register', () => {
  it('counts each owner once with the summed exclusive area and decides by the same rules as the calculator', async () => {
    const vote = await createVote({
      kind: 'owners',
      title: '续聘物业服务企业',
      eligibility: 'owners',
      ownerMatter: 'property_company',
      channels: ['online', 'paper'],
    });
    const cast = await t.call('POST', `/api/democracy/votes/${vote.id}/ballot`, { token: resident, body: { choice: ['yes'] } });
    expect(cast.statusCode, cast.body).toBe(201);
    const voters = (await t.call('GET', `/api/democracy/votes/${vote.id}/voters`, { token: admin, query: { pageSize: '500' } })).json();
    expect(voters.total).toBe(vote.eligibleCount);
    const rest = voters.items.filter((v: { participated: boolean }) => !v.participated);
    const named = rest.slice(0, Math.ceil(rest.length * 0.7)).map((v: { voterKey: string }, i: number) => ({
      voterKey: v.voterKey,
      choice: [i % 5 === 0 ? 'no' : i % 7 === 0 ? 'abstain' : 'yes'],
    }));
    const anonymous = await t.call('POST', `/api/democracy/votes/${vote.id}/paper-batches`, {
      token: admin,
      body: { ballots: [{ choice: ['yes'] }] },
    });
    expect(anonymous.statusCode).toBe(400); // a named vote's paper ballot names its voter
    const batch = await t.call('POST', `/api/democracy/votes/${vote.id}/paper-batches`, { token: admin, body: { ballots: named } });
    expect(batch.statusCode, batch.body).toBe(201);
    await close(vote.id);
    const pub = (await t.call('POST', `/api/democracy/votes/${vote.id}/result`, { token: admin })).json();
    const { rows: owners } = await t.db.$client.query<{ voter_key: string; area: number }>(
      'select voter_key, area::float8 as area from vote_voters where vote_id = $1',
      [vote.id],
    );
    const { rows: ballots } = await t.db.$client.query<{ voter_key: string; choice: string[] }>(
      'select voter_key, choice from vote_ballots where vote_id = $1',
      [vote.id],
    );
    const expected = ownersDecision(
      'ordinary',
      owners.map((o) => ({ id: o.voter_key, area: o.area })),
      ballots.map((b) => ({ ownerId: b.voter_key, choice: b.choice[0] as 'yes' })),
    );
    expect('tally' in expected && expected.tally).toEqual(pub.owners);
    expect(pub.owners.participatingOwners).toBe(named.length + 1);
    // Named: the published ballots say who chose what.
    const published = (await t.call('GET', `/api/democracy/votes/${vote.id}/ballots`, { token: resident })).json();
    expect(published.secret).toBe(false);
    expect(published.ballots.every((b: { voter: string | null }) => !!b.voter)).toBe(true);
  });

  it('publishes the e-voting live measure of `003` L2P10', async () => {
    const card = (
      await t.call('GET', '/api/evaluation/scorecard', { token: admin, query: { communityId: liuan, framework: 'DB37/T 3890.3-2020' } })
    ).json();
    const c = card.indicators.find((i: { code: string }) => i.code === 'L2P10').criteria[0];
    expect(c.provenance).toMatchObject({ kind: 'measure', measure: 'democracy.e-voting' });
    expect(c.met).toBe(true);
  });
});

describe('an election (民主选举, `004` 5.2.1)', () => {
  it('nominations, the candidate list made public before voting, a secret vote, and the per-seat result', async () => {
    const at = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();
    const base = { regionId: liuan, title: '第十二届居民委员会委员选举', seats: 2, channels: ['online', 'in_person'], publicityDays: 1 };
    const tooSoon = await t.call('POST', '/api/democracy/elections', {
      token: admin,
      body: { ...base, nominationsCloseAt: at(1), opensAt: at(2), closesAt: at(80) },
    });
    expect(tooSoon.statusCode).toBe(400);
    expect(tooSoon.json().errors[0].field).toBe('body.opensAt');
    const created = await t.call('POST', '/api/democracy/elections', {
      token: admin,
      body: { ...base, nominationsCloseAt: at(1), opensAt: at(26), closesAt: at(80) },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().vote.id;

    // A resident nominates themselves; the community enters joint nominations.
    const self = await t.call('POST', `/api/democracy/elections/${id}/nominations`, {
      token: resident,
      body: { statement: '愿为大家服务' },
    });
    expect(self.statusCode, self.body).toBe(201);
    expect((await t.call('POST', `/api/democracy/elections/${id}/nominations`, { token: resident, body: {} })).statusCode).toBe(409);
    const { rows: adults } = await t.db.$client.query<{ id: string }>(
      `select s.id from residents s where s.community_id = $1 and s.status = 'active' and s.birth_date <= current_date - interval '30 years'
         and s.id <> (select resident_id from users where username = 'liuan_resident') order by s.id limit 3`,
      [liuan],
    );
    for (const a of adults) {
      const r = await t.call('POST', `/api/democracy/elections/${id}/nominations`, {
        token: admin,
        body: { residentId: a.id, source: 'residents' },
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    const nominations = (await t.call('GET', `/api/democracy/elections/${id}`, { token: resident })).json().nominations;
    expect(nominations).toHaveLength(4);
    expect(nominations[0].source).toBe('self');
    // A nominee may withdraw before the list is public; nobody else may withdraw for them.
    expect(
      (await t.call('POST', `/api/democracy/elections/${id}/nominations/${nominations[1].id}/withdraw`, { token: resident })).statusCode,
    ).toBe(403);
    const extra = await t.call('POST', `/api/democracy/elections/${id}/nominations`, {
      token: admin,
      body: {
        residentId: (
          await t.db.$client.query<{ id: string }>(
            `select s.id from residents s where s.community_id = $1 and s.status = 'active' and s.birth_date <= current_date - interval '40 years' order by s.id desc limit 1`,
            [liuan],
          )
        ).rows[0]!.id,
      },
    });
    expect(extra.statusCode, extra.body).toBe(201);
    const extraId = extra.json().nominations.at(-1).id;
    const withdrawn = await t.call('POST', `/api/democracy/elections/${id}/nominations/${extraId}/withdraw`, { token: admin });
    expect(withdrawn.json().nominations.find((n: { id: string }) => n.id === extraId).status).toBe('withdrawn');
    const last = nominations[3].id;
    expect(
      (await t.call('POST', `/api/democracy/elections/${id}/nominations/${last}/decision`, { token: admin, body: { accept: false } }))
        .statusCode,
    ).toBe(400);
    await t.call('POST', `/api/democracy/elections/${id}/nominations/${last}/decision`, {
      token: admin,
      body: { accept: false, reason: '本人放弃' },
    });
    for (const n of nominations.slice(0, 3))
      expect(
        (await t.call('POST', `/api/democracy/elections/${id}/nominations/${n.id}/decision`, { token: admin, body: { accept: true } }))
          .statusCode,
      ).toBe(200);
    // Voting cannot be published before the candidate list is.
    expect((await t.call('POST', `/api/democracy/votes/${id}/publish`, { token: admin })).statusCode).toBe(409);
    const published = await t.call('POST', `/api/democracy/elections/${id}/candidates`, { token: admin });
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json().vote.options.map((o: { key: string }) => o.key)).toEqual(
      nominations.slice(0, 3).map((n: { id: string }) => n.id),
    );
    expect(
      (await t.call('POST', `/api/democracy/elections/${id}/nominations`, { token: admin, body: { residentId: adults[2]!.id } }))
        .statusCode,
    ).toBe(409);

    // The publicity period passes; voting opens.
    await t.db.$client.query("update votes set opens_at = now() - interval '1 minute' where id = $1", [id]);
    expect((await t.call('POST', `/api/democracy/votes/${id}/publish`, { token: admin })).statusCode).toBe(200);
    const candidates = nominations.slice(0, 3).map((n: { id: string }) => n.id);
    expect((await t.call('POST', `/api/democracy/votes/${id}/ballot`, { token: resident, body: { choice: candidates } })).statusCode).toBe(
      400,
    );
    expect(
      (await t.call('POST', `/api/democracy/votes/${id}/ballot`, { token: resident, body: { choice: candidates.slice(0, 2) } })).statusCode,
    ).toBe(201);
    await close(id);
    const result = (await t.call('POST', `/api/democracy/votes/${id}/result`, { token: admin })).json();
    expect(result.kind).toBe('election');
    // One voter of thousands: not more than half took part, so the election is not valid and nobody is elected.
    expect(result.election).toMatchObject({ seats: 2, valid: false, elected: [], unfilled: 2 });
    expect(result.general.options.filter((o: { votes: number }) => o.votes === 1)).toHaveLength(2);
  });
});

describe('supervision (民主监督, `004` 5.2.5)', () => {
  it('a finance list with its ledger, the supervisory committee’s review, a report answered late is marked overdue for good', async () => {
    const bad = await t.call('POST', '/api/democracy/supervision', {
      token: admin,
      body: {
        regionId: liuan,
        kind: 'finance',
        title: '2026年第三季度社区经费收支',
        period: '2026年第三季度',
        ledger: [{ date: '2026-07-03', item: '办公用品' }],
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body.ledger.0.amount');
    const item = await t.call('POST', '/api/democracy/supervision', {
      token: admin,
      body: {
        regionId: liuan,
        kind: 'finance',
        title: '2026年第三季度社区经费收支',
        period: '2026年第三季度',
        ledger: [
          { date: '2026-07-01', item: '上级拨付办公经费', amount: 30000 },
          { date: '2026-07-03', item: '办公用品', amount: -1234.56 },
          { date: '2026-08-15', item: '老年活动中心水电费', amount: -2100.1 },
        ],
      },
    });
    expect(item.statusCode, item.body).toBe(201);
    const id = item.json().id;
    expect(item.json().total).toBe(26665.34);
    // Reviews are for members of the 居务监督委员会: the resident is not one yet.
    expect(
      (await t.call('POST', `/api/democracy/supervision/${id}/reviews`, { token: resident, body: { opinion: 'approved' } })).statusCode,
    ).toBe(403);
    const orgs = (await t.call('GET', '/api/organisations', { token: admin })).json();
    const committee = orgs.find((o: { kind: string }) => o.kind === 'supervisory_committee');
    const { rows } = await t.db.$client.query<{ resident_id: string }>("select resident_id from users where username = 'liuan_resident'");
    const joined = await t.call('POST', `/api/organisations/${committee.id}/members`, {
      token: admin,
      body: { residentId: rows[0]!.resident_id, position: '委员' },
    });
    expect(joined.statusCode, joined.body).toBe(201);
    expect(
      (await t.call('POST', `/api/democracy/supervision/${id}/reviews`, { token: resident, body: { opinion: 'concerns' } })).statusCode,
    ).toBe(400);
    const reviewed = await t.call('POST', `/api/democracy/supervision/${id}/reviews`, {
      token: resident,
      body: { opinion: 'concerns', text: '水电费请附缴费凭证' },
    });
    expect(reviewed.json().reviews).toMatchObject([{ opinion: 'concerns', opinionLabel: '有异议', text: '水电费请附缴费凭证' }]);

    const report = await t.call('POST', '/api/democracy/supervision-questions', {
      token: resident,
      body: { regionId: liuan, itemId: id, kind: 'report', text: '办公用品采购价格明显偏高' },
    });
    expect(report.statusCode, report.body).toBe(201);
    expect(report.json()).toMatchObject({ asker: null, overdue: false, answer: null });
    const far = new Date(Date.now() + 60 * 86400_000);
    const { fireDue } = await import('../../src/modules/deadlines/service.js');
    while ((await fireDue(t.db, far)) > 0) {
      /* fire everything due by then */
    }
    const listed = (await t.call('GET', '/api/democracy/supervision-questions', { token: admin })).json();
    const q = listed.find((x: { id: string }) => x.id === report.json().id);
    expect(q).toMatchObject({ overdue: true, asker: null });
    const answered = await t.call('POST', `/api/democracy/supervision-questions/${q.id}/answer`, {
      token: admin,
      body: { answer: '已核查，按政府采购目录价格执行，附比价单' },
    });
    expect(answered.json()).toMatchObject({ overdue: true, answer: '已核查，按政府采购目录价格执行，附比价单' });
    // The resident follows their own report and its answer.
    const mine = (await t.call('GET', '/api/democracy/my-questions', { token: resident })).json();
    expect(mine.find((x: { id: string }) => x.id === q.id)).toMatchObject({
      answer: '已核查，按政府采购目录价格执行，附比价单',
      overdue: true,
    });
    expect(
      ((await t.call('GET', '/api/democracy/my-questions', { token: await t.login('jiangyue_resident') })).json() as { id: string }[]).some(
        (x) => x.id === q.id,
      ),
    ).toBe(false);
    const detail = (await t.call('GET', `/api/democracy/supervision/${id}`, { token: resident })).json();
    expect(detail.questions).toHaveLength(1);
    expect(JSON.stringify(detail)).not.toContain(rows[0]!.resident_id);
    await expect(t.db.$client.query("update supervision_reviews set text = 'x' where item_id = $1", [id])).rejects.toThrow(/append-only/);
  });
});

describe('五议两公开 is public to the community', () => {
  it('residents see the decision items and their stages; another street does not', async () => {
    const made = await t.call('POST', '/api/democracy/decisions', { token: admin, body: { regionId: liuan, title: '小区东门改造方案' } });
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().id;
    const list = (await t.call('GET', '/api/democracy/decisions', { token: resident })).json();
    expect(list.map((d: { id: string }) => d.id)).toContain(id);
    expect((await t.call('GET', `/api/democracy/decisions/${id}`, { token: resident })).json().title).toBe('小区东门改造方案');
    expect((await t.call('GET', `/api/democracy/decisions/${id}`, { token: await t.login('wangjiang_admin') })).statusCode).toBe(403);
  });
});

describe('co-owners of a room decide who votes for it (民法典第278条)', () => {
  it('the community records their choice before publishing; the chosen co-owner carries the room', async () => {
    const r = await t.call('POST', '/api/democracy/votes', {
      token: admin,
      body: {
        regionId: liuan,
        kind: 'owners',
        title: '改选业主委员会',
        eligibility: 'owners',
        ownerMatter: 'committee',
        channels: ['online'],
        opensAt: iso(-60_000),
        closesAt: iso(3600_000),
      },
    });
    const id = r.json().id;
    const { rows } = await t.db.$client.query<{ room_id: string; resident_id: string }>(
      `select h.room_id, min(h.resident_id::text)::uuid as resident_id from residencies h
        where h.community_id = $1 and h.relation = 'owner' and h.moved_out_on is null
        group by h.room_id having count(*) = 1 order by h.room_id limit 1`,
      [liuan],
    );
    const { room_id: roomId, resident_id: first } = rows[0]!;
    const { rows: others } = await t.db.$client.query<{ id: string }>(
      `select s.id from residents s where s.community_id = $1 and s.status = 'active' and s.birth_date <= current_date - interval '30 years'
         and not exists (select 1 from residencies h where h.community_id = s.community_id and h.resident_id = s.id and h.relation = 'owner')
       order by s.id limit 2`,
      [liuan],
    );
    const second = others[0]!.id;
    const added = await t.call('POST', '/api/residencies', { token: admin, body: { residentId: second, roomId, relation: 'owner' } });
    expect(added.statusCode, added.body).toBe(201);
    const wrong = await t.call('POST', `/api/democracy/votes/${id}/representatives`, {
      token: admin,
      body: { roomId, residentId: others[1]!.id },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0].field).toBe('body.residentId');
    const chosen = await t.call('POST', `/api/democracy/votes/${id}/representatives`, {
      token: admin,
      body: { roomId, residentId: second },
    });
    expect(chosen.statusCode, chosen.body).toBe(200);
    expect((await t.call('POST', `/api/democracy/votes/${id}/publish`, { token: admin })).statusCode).toBe(200);
    const { rows: voters } = await t.db.$client.query<{ voter_key: string; room_ids: string[] }>(
      'select voter_key, room_ids from vote_voters where vote_id = $1 and voter_key = any($2)',
      [id, [first, second]],
    );
    expect(voters.find((v) => v.voter_key === second)?.room_ids).toContain(roomId);
    expect(voters.find((v) => v.voter_key === first)?.room_ids ?? []).not.toContain(roomId);
    expect(
      (await t.call('POST', `/api/democracy/votes/${id}/representatives`, { token: admin, body: { roomId, residentId: first } }))
        .statusCode,
    ).toBe(409);
  });
});
