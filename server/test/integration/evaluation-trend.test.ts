// Evaluation trend across periods (issue 4 §6): a fixed set of assessments over three periods in one
// district, the figures computed by hand; a community's own series (locked, submitted, draft); the
// self-assessment kept at submission; the live "now" point; scope.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
let admin: string;
const BJ = 'BJ-ZHSQ-2013';
const DB37 = 'DB37/T 3890.3-2020';
const c: Record<string, string> = {};
let linjiang: string;

/** An assessment as stored: the locked result or the submitted self-assessment is a scorecard; only total and stars matter here. */
async function assessment(
  community: string,
  framework: string,
  period: string,
  status: 'draft' | 'submitted' | 'locked',
  figure?: { total: number; stars?: number },
) {
  const card = figure
    ? JSON.stringify({ framework, total: figure.total, ...(figure.stars !== undefined ? { stars: figure.stars } : {}) })
    : null;
  await t.db.$client.query(
    `insert into evaluation_assessments (community_id, id, framework, framework_version, period, status, result, submitted_result)
     values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      c[community],
      randomUUID(),
      framework,
      framework === BJ ? '2013' : '2020',
      period,
      status,
      status === 'locked' ? card : null,
      status === 'submitted' ? card : null,
    ],
  );
}

beforeAll(async () => {
  t = await setupTestApp();
  admin = await t.login('linjiang_admin');
  linjiang = await t.region('临江区');
  for (const name of ['柳岸社区', '江月社区', '晓风社区', '锦绣社区']) c[name] = await t.region(name);
  // Beijing, three periods, inserted out of order.
  await assessment('江月社区', BJ, '2026-H2', 'locked', { total: 25, stars: 3 });
  await assessment('柳岸社区', BJ, '2026-H2', 'draft');
  await assessment('柳岸社区', BJ, '2026-H1', 'locked', { total: 21, stars: 3 });
  await assessment('江月社区', BJ, '2026-H1', 'submitted', { total: 18, stars: 2 });
  await assessment('晓风社区', BJ, '2026-H1', 'locked', { total: 15, stars: 2 });
  await assessment('锦绣社区', BJ, '2026-H1', 'locked', { total: 26, stars: 4 });
  await assessment('柳岸社区', BJ, '2025', 'locked', { total: 12, stars: 1 });
  await assessment('江月社区', BJ, '2025', 'locked', { total: 16, stars: 2 });
  await assessment('晓风社区', BJ, '2025', 'submitted', { total: 9, stars: 0 });
});
afterAll(() => t.close());

const trend = async (regionId: string, framework = BJ, token = admin) =>
  t.call('GET', '/api/evaluation/trend', { token, query: { regionId, framework } });
const stars = (...counts: number[]) => counts.map((count, s) => ({ label: `${s}星`, count }));

describe('trend across periods', () => {
  it('gives a district, per period in time order, the mean, median, star distribution and communities assessed', async () => {
    const res = await trend(linjiang);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ framework: BJ, region: { id: linjiang, name: '临江区', level: 'district' }, communities: 4 });
    expect(body.community).toBeUndefined();
    expect(body.periods).toEqual([
      {
        period: '2025',
        assessed: 3, // 12, 16, 9
        mean: 12.33, // 37 / 3
        median: 12,
        best: 16,
        worst: 9,
        distribution: stars(1, 1, 1, 0, 0, 0),
        locked: 2,
        selfAssessed: 1,
        drafts: 0,
      },
      {
        period: '2026-H1',
        assessed: 4, // 21, 18, 15, 26
        mean: 20, // 80 / 4
        median: 19.5, // (18 + 21) / 2
        best: 26,
        worst: 15,
        distribution: stars(0, 0, 2, 1, 1, 0),
        locked: 3,
        selfAssessed: 1,
        drafts: 0,
      },
      {
        period: '2026-H2',
        assessed: 1, // 25; 柳岸's draft does not count
        mean: 25,
        median: 25,
        best: 25,
        worst: 25,
        distribution: stars(0, 0, 0, 1, 0, 0),
        locked: 1,
        selfAssessed: 0,
        drafts: 1,
      },
    ]);
  });

  it('gives the live "now" point from current data, the same figures as the roll-up', async () => {
    const body = (await trend(linjiang)).json();
    const rollup = (await t.call('GET', '/api/evaluation/rollup', { token: admin, query: { regionId: linjiang, framework: BJ } })).json();
    expect(body.now).toMatchObject({ assessed: 4, mean: rollup.summary.average, distribution: rollup.summary.distribution });
    const totals = (rollup.communities as { total: number }[]).map((x) => x.total).sort((a, b) => a - b);
    expect(body.now.median).toBe((totals[1]! + totals[2]!) / 2);
  });

  it("gives a street only its own communities' assessments", async () => {
    const body = (await trend(await t.region('滨河街道'))).json();
    expect(body.communities).toBe(2);
    expect(body.periods.map((p: { period: string; assessed: number; mean: number }) => [p.period, p.assessed, p.mean])).toEqual([
      ['2025', 2, 14], // (12 + 16) / 2
      ['2026-H1', 2, 19.5], // (21 + 18) / 2
      ['2026-H2', 1, 25],
    ]);
  });

  it('gives a community its total per period, saying whether it is the locked result or the self-assessment', async () => {
    const body = (await trend(c['柳岸社区']!)).json();
    const live = (
      await t.call('GET', '/api/evaluation/scorecard', { token: admin, query: { communityId: c['柳岸社区']!, framework: BJ } })
    ).json();
    expect(body.community.points).toEqual([
      expect.objectContaining({ period: '2025', status: 'locked', basis: 'locked', basisLabel: '锁定结果', total: 12, stars: 1 }),
      expect.objectContaining({ period: '2026-H1', status: 'locked', basis: 'locked', total: 21, stars: 3 }),
      expect.objectContaining({ period: '2026-H2', status: 'draft', basis: 'live', total: live.total, stars: live.stars }),
    ]);
    expect(body.community.now).toMatchObject({ total: live.total, stars: live.stars });
    const jy = (await trend(c['江月社区']!)).json();
    expect(jy.community.points.map((p: { period: string; basis: string; total: number }) => [p.period, p.basis, p.total])).toEqual([
      ['2025', 'locked', 16],
      ['2026-H1', 'submitted', 18],
      ['2026-H2', 'locked', 25],
    ]);
  });

  it('keeps the self-assessment as submitted: later data moves "now", not the period', async () => {
    const jy = await t.login('jiangyue_admin');
    const created = await t.call('POST', '/api/evaluation/assessments', {
      token: jy,
      body: { communityId: c['江月社区'], framework: DB37, period: '2025-Q4' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const submitted = await t.call('POST', `/api/evaluation/assessments/${created.json().id}/submit`, { token: jy });
    expect(submitted.statusCode, submitted.body).toBe(200);
    const before = submitted.json().scorecard.total as number;
    const entered = await t.call('POST', '/api/evaluation/values', {
      token: jy,
      body: {
        communityId: c['江月社区'],
        framework: DB37,
        criterion: 'L1P2.1',
        value: 1,
        source: '现场核验',
        referenceDate: '2025-12-31',
        quality: 'A',
        evidence: [{ title: '点位图' }],
      },
    });
    expect(entered.statusCode, entered.body).toBe(201);
    const body = (await trend(c['江月社区']!, DB37, jy)).json();
    expect(body.community.points).toEqual([expect.objectContaining({ period: '2025-Q4', basis: 'submitted', total: before })]);
    expect(body.community.now.total).toBeGreaterThan(before);
    expect(body.periods).toEqual([
      expect.objectContaining({
        period: '2025-Q4',
        assessed: 1,
        mean: before,
        median: before,
        distribution: [0, 20, 40, 60, 80].map((lo) => ({ label: `${lo}–${lo + 20}`, count: before >= lo && before < lo + 20 ? 1 : 0 })),
      }),
    ]);
  });

  it('is scoped to the caller and refuses a grid', async () => {
    const wangjiang = await t.login('wangjiang_admin');
    expect((await trend(c['柳岸社区']!, BJ, wangjiang)).statusCode).toBe(403);
    expect((await trend(c['晓风社区']!, BJ, wangjiang)).statusCode).toBe(200);
    const grid = await t.region('柳岸第二网格');
    const res = await trend(grid);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('query.regionId');
    expect((await t.call('GET', '/api/evaluation/trend', { token: admin, query: { framework: 'X' } })).statusCode).toBe(400);
  });
});
