// Resident perception surveys (感知度, issue 4 §5; `002` 六 6.1/6.2): officials open and close a
// survey, residents of the community answer once each (also under concurrency), results are anonymous
// per-dimension means and distributions, and the 满意度指数 reaches the live scorecard.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
let admin: string;
let resident: string;
let outsider: string;
let street: string;
let liuan: string;
let jiangyue: string;
const BJ = 'BJ-ZHSQ-2013';
const DIMS = ['synergy', 'convenience', 'safety', 'perception'];
const later = () => new Date(Date.now() + 7 * 86400_000).toISOString();
let periodSeq = 2030;
const nextPeriod = () => String(periodSeq++);

/** Accounts for `n` more residents of a community (linked to register people with no account yet). */
async function residentAccounts(communityId: string, n: number): Promise<string[]> {
  const { rows } = await t.db.$client.query<{ id: string }>(
    `select r.id from residents r where r.community_id = $1 and not exists (select 1 from users u where u.resident_id = r.id)
      order by r.id limit $2`,
    [communityId, n],
  );
  expect(rows.length).toBe(n);
  const tokens: string[] = [];
  for (const r of rows) {
    const username = `survey_${randomUUID().slice(0, 8)}`;
    await t.db.$client.query(
      `insert into users (id, username, password_hash, display_name, region_id, roles, resident_id)
       select $1, $2, password_hash, '调查居民', $3, '{resident}', $4 from users where username = 'liuan_resident'`,
      [randomUUID(), username, communityId, r.id],
    );
    tokens.push(await t.login(username));
  }
  return tokens;
}

async function open(period = nextPeriod(), communityId = liuan, closesAt = later()) {
  const res = await t.call('POST', '/api/evaluation/surveys', { token: admin, body: { communityId, framework: BJ, period, closesAt } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as {
    id: string;
    status: string;
    questions: { code: string; name: string; text: string }[];
    assessmentId: string | null;
  };
}

const all = (v: number) => Object.fromEntries(DIMS.map((d) => [d, v]));
const answer = (token: string, id: string, scores: Record<string, number>, comment?: string) =>
  t.call('POST', `/api/my-surveys/${id}/answer`, { token, body: { scores, ...(comment ? { comment } : {}) } });

beforeAll(async () => {
  t = await setupTestApp();
  admin = await t.login('liuan_admin');
  resident = await t.login('liuan_resident');
  outsider = await t.login('jiangyue_resident');
  street = await t.login('binhe_admin');
  liuan = await t.region('柳岸社区');
  jiangyue = await t.region('江月社区');
});
afterAll(() => t.close());

describe('opening a survey', () => {
  it('asks one question per dimension of the framework, and links the assessment of that period', async () => {
    const a = await t.call('POST', '/api/evaluation/assessments', {
      token: admin,
      body: { communityId: liuan, framework: BJ, period: '2029' },
    });
    expect(a.statusCode, a.body).toBe(201);
    const s = await open('2029');
    expect(s.status).toBe('open');
    expect(s.assessmentId).toBe(a.json().id);
    expect(s.questions.map((q) => q.name)).toEqual(['协同度', '便利度', '安全度', '感知度']);
    expect(s.questions[3]!.text).toBe('公众对智慧社区建设的感知和认可程度。');
    // One per community, framework and period.
    const again = await t.call('POST', '/api/evaluation/surveys', {
      token: admin,
      body: { communityId: liuan, framework: BJ, period: '2029', closesAt: later() },
    });
    expect(again.statusCode).toBe(409);
  });

  it('refuses a framework without dimensions, a past closing time, and other people', async () => {
    const db37 = await t.call('POST', '/api/evaluation/surveys', {
      token: admin,
      body: { communityId: liuan, framework: 'DB37/T 3890.3-2020', period: '2031', closesAt: later() },
    });
    expect(db37.statusCode).toBe(400);
    expect(db37.json().errors[0].field).toBe('body.framework');
    const past = await t.call('POST', '/api/evaluation/surveys', {
      token: admin,
      body: { communityId: liuan, framework: BJ, period: '2031', closesAt: '2020-01-01T00:00:00Z' },
    });
    expect(past.statusCode).toBe(400);
    expect(past.json().errors[0].field).toBe('body.closesAt');
    // Residents and street administrators (evaluation.read but not write) cannot open one.
    for (const token of [resident, street]) {
      const res = await t.call('POST', '/api/evaluation/surveys', {
        token,
        body: { communityId: liuan, framework: BJ, period: '2031', closesAt: later() },
      });
      expect(res.statusCode).toBe(403);
    }
  });
});

describe('answering', () => {
  it('a resident sees the open survey, answers once; a second answer is 409', async () => {
    const s = await open();
    const mine = (await t.call('GET', '/api/my-surveys', { token: resident })).json() as { id: string; answered: boolean }[];
    expect(mine.find((x) => x.id === s.id)).toMatchObject({ answered: false });
    const first = await answer(resident, s.id, all(4), '路灯很亮');
    expect(first.statusCode, first.body).toBe(201);
    const second = await answer(resident, s.id, all(2));
    expect(second.statusCode).toBe(409);
    expect(second.json().detail).toContain('已提交');
    const after = (await t.call('GET', '/api/my-surveys', { token: resident })).json() as { id: string; answered: boolean }[];
    expect(after.find((x) => x.id === s.id)).toMatchObject({ answered: true });
    // The answer was audited without its scores.
    const { rows } = await t.db.$client.query<{ detail: Record<string, unknown>; outcome: string }>(
      `select detail, outcome from audit_log where action = 'evaluation.survey.answer' and target_id = $1 order by occurred_at`,
      [s.id],
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows[0]!.outcome).toBe('success');
    expect(JSON.stringify(rows[0]!.detail)).not.toContain('"synergy"');
  });

  it('a resident of another community neither sees nor answers it', async () => {
    const s = await open();
    const theirs = (await t.call('GET', '/api/my-surveys', { token: outsider })).json() as { id: string }[];
    expect(theirs.some((x) => x.id === s.id)).toBe(false);
    const res = await answer(outsider, s.id, all(5));
    expect(res.statusCode).toBe(403);
    const missing = await answer(resident, randomUUID(), all(5));
    expect(missing.statusCode).toBe(404);
    // An official's account is not linked to a resident.
    expect((await t.call('GET', '/api/my-surveys', { token: admin })).statusCode).toBe(403);
    expect((await answer(admin, s.id, all(5))).statusCode).toBe(403);
  });

  it('two submissions at once store exactly one answer', async () => {
    const s = await open();
    const [token] = await residentAccounts(liuan, 1);
    const results = await Promise.all([1, 2, 3, 4, 5].map((v) => answer(token!, s.id, all(v))));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409]);
    const { rows } = await t.db.$client.query<{ n: number }>(
      'select count(*)::int as n from evaluation_survey_answers where survey_id = $1',
      [s.id],
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('bad scores or a missing dimension are 400 naming the field', async () => {
    const s = await open();
    const zero = await answer(resident, s.id, { ...all(3), safety: 0 });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().errors[0].field).toBe('body.scores.safety');
    const six = await answer(resident, s.id, { ...all(3), synergy: 6 });
    expect(six.statusCode).toBe(400);
    expect(six.json().errors[0].field).toBe('body.scores.synergy');
    const { perception: _p, ...three } = all(3);
    const missing = await answer(resident, s.id, three);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].field).toBe('body.scores.perception');
    expect(missing.json().detail).toContain('感知度');
    const unknown = await answer(resident, s.id, { ...all(3), beauty: 3 });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0].field).toBe('body.scores.beauty');
    // Nothing stored: the resident can still answer.
    expect((await answer(resident, s.id, all(3))).statusCode).toBe(201);
  });

  it('a closed survey refuses answers and cannot be closed twice', async () => {
    const s = await open();
    const closed = await t.call('POST', `/api/evaluation/surveys/${s.id}/close`, { token: admin });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json().status).toBe('closed');
    const res = await answer(resident, s.id, all(4));
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toContain('已结束');
    expect((await t.call('POST', `/api/evaluation/surveys/${s.id}/close`, { token: admin })).statusCode).toBe(409);
    const mine = (await t.call('GET', '/api/my-surveys', { token: resident })).json() as { id: string }[];
    expect(mine.some((x) => x.id === s.id)).toBe(false);
  });
});

describe('results and the live measure', () => {
  it('per-dimension means, distributions and response rate over a fixed set of answers; the index reaches the scorecard', async () => {
    const s = await open();
    const tokens = await residentAccounts(liuan, 4);
    // Four residents:            synergy convenience safety perception
    const answers = [
      { synergy: 5, convenience: 4, safety: 3, perception: 5 },
      { synergy: 4, convenience: 4, safety: 2, perception: 3 },
      { synergy: 3, convenience: 5, safety: 1, perception: 4 },
      { synergy: 5, convenience: 2, safety: 4, perception: 4 },
    ];
    for (const [k, a] of answers.entries())
      expect((await answer(tokens[k]!, s.id, a, k === 0 ? '希望多办活动' : undefined)).statusCode).toBe(201);
    const res = await t.call('GET', `/api/evaluation/surveys/${s.id}`, { token: admin });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.respondents).toBe(4);
    // By hand: synergy (5+4+3+5)/4 = 4.25, convenience 15/4 = 3.75, safety 10/4 = 2.5, perception 16/4 = 4.
    expect(r.dimensions.map((d: { mean: number }) => d.mean)).toEqual([4.25, 3.75, 2.5, 4]);
    const safety = r.dimensions.find((d: { code: string }) => d.code === 'safety');
    expect(safety.distribution.map((x: { count: number }) => x.count)).toEqual([1, 1, 1, 1, 0]);
    expect(safety.satisfiedShare).toBe(0.25);
    // Overall mean 58/16 = 3.625; index (3.625 − 1) / 4 × 100 = 65.625 → 65.63.
    expect(r.mean).toBe(3.63);
    expect(r.index).toBe(65.63);
    expect(r.comments).toEqual(['希望多办活动']);
    // Eligible: residents of 柳岸 with an active linked account (liuan_resident, the accounts made by this file).
    const { rows } = await t.db.$client.query<{ n: number }>(
      `select count(distinct u.resident_id)::int as n from users u join residents p on p.id = u.resident_id
        where p.community_id = $1 and u.status = 'active'`,
      [liuan],
    );
    expect(r.eligible).toBe(rows[0]!.n);
    expect(r.responseRate).toBe(Math.round((4 / rows[0]!.n) * 10000) / 10000);
    // Results carry no resident.
    expect(res.body).not.toMatch(/resident_?[iI]d/);

    // Closed: this becomes the community's latest closed survey, the one the measure reads.
    expect((await t.call('POST', `/api/evaluation/surveys/${s.id}/close`, { token: admin })).statusCode).toBe(200);
    const card = (await t.call('GET', '/api/evaluation/scorecard', { token: admin, query: { communityId: liuan, framework: BJ } })).json();
    expect(card.perception).toMatchObject({
      dimension: 'perception',
      name: '感知度',
      value: 65.63,
      provenance: { kind: 'measure', measure: 'evaluation.perception-survey', records: 4, numerator: 42, denominator: 64 },
    });
    expect(card.perception.provenance.method).toContain('满意度指数');
    // The street sees it too; a community without a survey has no value.
    const other = (
      await t.call('GET', '/api/evaluation/scorecard', { token: street, query: { communityId: jiangyue, framework: BJ } })
    ).json();
    expect(other.perception).toMatchObject({ value: null, provenance: { records: 0 } });
    // DB37 has no 感知度 dimension.
    const db37 = (
      await t.call('GET', '/api/evaluation/scorecard', { token: admin, query: { communityId: liuan, framework: 'DB37/T 3890.3-2020' } })
    ).json();
    expect(db37.perception).toBeNull();
  });

  it('lists the community surveys with respondents; out of scope is refused', async () => {
    const list = await t.call('GET', '/api/evaluation/surveys', { token: admin, query: { communityId: liuan } });
    expect(list.statusCode).toBe(200);
    expect(list.json().length).toBeGreaterThan(3);
    expect((await t.call('GET', '/api/evaluation/surveys', { token: admin, query: { communityId: jiangyue } })).statusCode).toBe(403);
    const s = await open(nextPeriod(), liuan);
    const jiangyueAdmin = await t.login('jiangyue_admin');
    expect((await t.call('GET', `/api/evaluation/surveys/${s.id}`, { token: jiangyueAdmin })).statusCode).toBe(403);
    expect((await t.call('POST', `/api/evaluation/surveys/${s.id}/close`, { token: jiangyueAdmin })).statusCode).toBe(403);
  });
});
