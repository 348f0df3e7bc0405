// Evaluation (issue 4): frameworks, what-if, live scorecards fed by the register, entered values
// with evidence (versioned), gap analysis, roll-ups, and scope.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdNumber } from '../../src/modules/registry/model.js';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
let admin: string;
let liuan: string;
let jiangyue: string;
let seq = 300;
const DB37 = 'DB37/T 3890.3-2020';
const BJ = 'BJ-ZHSQ-2013';

beforeAll(async () => {
  t = await setupTestApp();
  admin = await t.login('liuan_admin');
  liuan = await t.region('柳岸社区');
  jiangyue = await t.region('江月社区');
});
afterAll(() => t.close());

type Card = {
  total: number;
  stars?: number;
  indicators: {
    code: string;
    achievement: number;
    criteria: { code: string; value: number | null; met: boolean; provenance: Record<string, unknown> | null }[];
  }[];
};
const card = async (communityId: string, framework = DB37, token = admin) =>
  (await t.call('GET', '/api/evaluation/scorecard', { token, query: { communityId, framework } })).json() as Card;
const criterion = (c: Card, code: string) => c.indicators.flatMap((i) => i.criteria).find((x) => x.code === code)!;

describe('frameworks and what-if', () => {
  it('lists the shipped frameworks', async () => {
    const list = (await t.call('GET', '/api/frameworks', { token: admin })).json();
    expect(list).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: DB37, version: '2020', indicators: 24 }),
        expect.objectContaining({ code: BJ, version: '2013', indicators: 38 }),
      ]),
    );
    const detail = (await t.call('GET', '/api/frameworks/detail', { token: admin, query: { code: BJ } })).json();
    expect(detail.stars).toHaveLength(5);
    expect((await t.call('GET', '/api/frameworks/detail', { token: admin, query: { code: 'X' } })).statusCode).toBe(400);
  });

  it('scores a what-if under each framework, and names a bad field', async () => {
    const db = await t.call('POST', '/api/evaluation/what-if', {
      token: admin,
      body: { framework: DB37, indicators: { L1P1: 1, L2P5: 0.5, L4P1: 1 } },
    });
    expect(db.statusCode, db.body).toBe(200);
    expect(db.json()).toMatchObject({ framework: DB37, total: 16 });
    expect(db.json().indicators.find((i: { code: string }) => i.code === 'L2P5')).toEqual({
      code: 'L2P5',
      weight: 6,
      achievement: 0.5,
      score: 3,
    });
    const twentyFive = Object.fromEntries(Array.from({ length: 25 }, (_, k) => [String(k + 1), 1]));
    const bj = async (priorStars?: number) =>
      (
        await t.call('POST', '/api/evaluation/what-if', {
          token: admin,
          body: { framework: BJ, indicators: twentyFive, ...(priorStars !== undefined ? { priorStars } : {}) },
        })
      ).json();
    expect(await bj()).toMatchObject({ total: 25, stars: 3 });
    expect(await bj(3)).toMatchObject({ total: 25, stars: 4 });
    const bad = await t.call('POST', '/api/evaluation/what-if', { token: admin, body: { framework: DB37, indicators: { L9P9: 1 } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body.indicators.L9P9');
    const over = await t.call('POST', '/api/evaluation/what-if', { token: admin, body: { framework: DB37, indicators: { L1P1: 1.5 } } });
    expect(over.statusCode).toBe(400);
    expect((await t.call('POST', '/api/evaluation/what-if', { body: { framework: DB37, indicators: {} } })).statusCode).toBe(401);
  });
});

describe('live scorecards', () => {
  it('computes 003 L2P5 from the register, with provenance, and follows the register when it changes', async () => {
    const before = criterion(await card(liuan), 'L2P5.1');
    expect(before.provenance).toMatchObject({ kind: 'measure', measure: 'registry.health-record-rate' });
    const { numerator, denominator } = before.provenance as { numerator: number; denominator: number };
    expect(denominator).toBeGreaterThan(100); // the demo community's registered residents
    expect(before.value).toBeCloseTo((100 * numerator) / denominator, 1);
    const created = await t.call('POST', '/api/residents', {
      token: admin,
      body: {
        regionId: liuan,
        name: '建档居民',
        idType: 'resident_id',
        idNumber: makeIdNumber('990102', '19600101', seq++),
        tags: ['health_record'],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const after = criterion(await card(liuan), 'L2P5.1');
    expect(after.provenance).toMatchObject({ numerator: numerator + 1, denominator: denominator + 1 });
  });

  it('takes entered values with evidence as versions, refuses them for measured criteria, and scores them', async () => {
    const body = {
      communityId: jiangyue,
      framework: DB37,
      criterion: 'L1P1.1',
      value: 96,
      source: '电信运营商统计',
      referenceDate: '2026-10-31',
      quality: 'B',
      evidence: [{ title: '光纤入户统计表', reference: '江月社区〔2026〕12号' }],
    };
    const jy = await t.login('jiangyue_admin');
    const first = await t.call('POST', '/api/evaluation/values', { token: jy, body });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ version: 1, met: false });
    expect(criterion(await card(jiangyue, DB37, jy), 'L1P1.1')).toMatchObject({
      value: 96,
      met: false,
      provenance: { kind: 'entered', version: 1 },
    });
    const second = await t.call('POST', '/api/evaluation/values', { token: jy, body: { ...body, value: 100 } });
    expect(second.json()).toMatchObject({ version: 2, met: true });
    const c = await card(jiangyue, DB37, jy);
    expect(criterion(c, 'L1P1.1')).toMatchObject({ value: 100, met: true, provenance: { version: 2, quality: 'B' } });
    expect(c.indicators.find((i) => i.code === 'L1P1')!.achievement).toBe(0.5); // one of its two criteria
    const history = (
      await t.call('GET', '/api/evaluation/values', { token: jy, query: { communityId: jiangyue, framework: DB37, criterion: 'L1P1.1' } })
    ).json();
    expect(history.map((v: { version: number; value: number }) => [v.version, v.value])).toEqual([
      [2, 100],
      [1, 96],
    ]);
    // Versions are never edited in place.
    await expect(t.db.$client.query('update evaluation_values set value = 1')).rejects.toThrow(/append-only/);

    const measured = await t.call('POST', '/api/evaluation/values', { token: jy, body: { ...body, criterion: 'L2P5.1' } });
    expect(measured.statusCode).toBe(400);
    expect(measured.json().errors[0]).toMatchObject({ field: 'body.criterion' });
    const noEvidence = await t.call('POST', '/api/evaluation/values', { token: jy, body: { ...body, evidence: [] } });
    expect(noEvidence.statusCode).toBe(400);
    const boolean = await t.call('POST', '/api/evaluation/values', { token: jy, body: { ...body, criterion: 'L1P1.2', value: 2 } });
    expect(boolean.statusCode).toBe(400);
    expect(boolean.json().errors[0].field).toBe('body.value');
    expect(
      (
        await t.call('GET', '/api/evaluation/values', { token: jy, query: { communityId: jiangyue, framework: DB37, criterion: 'L1P1.1' } })
      ).json(),
    ).toHaveLength(2);
  });

  it('lists the cheapest criteria to the next level', async () => {
    const g = (await t.call('GET', '/api/evaluation/gap', { token: admin, query: { communityId: liuan, framework: BJ } })).json();
    expect(g).toMatchObject({ framework: BJ, target: 1, reachable: true });
    expect(g.steps.length).toBeGreaterThan(0);
    const s = (
      await t.call('GET', '/api/evaluation/gap', { token: admin, query: { communityId: liuan, framework: DB37, target: '60' } })
    ).json();
    expect(s.reachable).toBe(true);
    const current = (await card(liuan)).total;
    const gained = s.steps.reduce((sum: number, x: { gain: number }) => sum + x.gain, 0);
    expect(current + gained).toBeGreaterThanOrEqual(59.99);
  });

  it('rolls up a street: every community with score, rank and per-indicator achievement', async () => {
    const street = await t.login('binhe_admin');
    const r = (await t.call('GET', '/api/evaluation/rollup', { token: street, query: { framework: DB37 } })).json();
    expect(r.communities.length).toBeGreaterThanOrEqual(2);
    expect(r.communities.map((c: { id: string }) => c.id)).toContain(liuan);
    expect(r.communities.map((c: { rank: number }) => c.rank).sort()).toEqual(r.communities.map((_: unknown, i: number) => i + 1));
    expect(Object.keys(r.communities[0].indicators)).toHaveLength(24);
    expect(r.summary.count).toBe(r.communities.length);
  });

  it('exports a scorecard and a roll-up as xlsx', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/evaluation/scorecard.xlsx?communityId=${liuan}&framework=${encodeURIComponent(DB37)}`,
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['封面', '维度', '指标明细']);
    const rows: string[][] = [];
    wb.getWorksheet('指标明细')!.eachRow((r) => rows.push((r.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
    expect(rows).toHaveLength(1 + 47); // header + every criterion of DB37
    const l2p5 = rows.find((r) => r[5] === 'L2P5.1')!;
    expect(l2p5[9]).toContain('平台数据');
    expect(Number(wb.getWorksheet('封面')!.getCell('B4').value)).toBe((await card(liuan)).total);
    const roll = await t.app.inject({
      method: 'GET',
      url: `/api/evaluation/rollup.xlsx?framework=${encodeURIComponent(BJ)}`,
      headers: { authorization: `Bearer ${await t.login('binhe_admin')}` },
    });
    expect(roll.statusCode).toBe(200);
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(roll.rawPayload as unknown as ArrayBuffer);
    expect(wb2.worksheets[0]!.getRow(1).values).toEqual(expect.arrayContaining(['排名', '社区', '星级', '1', '38']));
  });

  it('keeps each community to its own scope', async () => {
    const other = await t.call('GET', '/api/evaluation/scorecard', { token: admin, query: { communityId: jiangyue, framework: DB37 } });
    expect(other.statusCode).toBe(403);
    const write = await t.call('POST', '/api/evaluation/values', {
      token: admin,
      body: {
        communityId: jiangyue,
        framework: DB37,
        criterion: 'L1P2.1',
        value: 1,
        source: 's',
        referenceDate: '2026-01-01',
        quality: 'A',
        evidence: [{ title: 'x' }],
      },
    });
    expect(write.statusCode).toBe(403);
    const resident = await t.login('liuan_resident');
    expect(
      (await t.call('GET', '/api/evaluation/scorecard', { token: resident, query: { communityId: liuan, framework: DB37 } })).statusCode,
    ).toBe(403);
  });
});

describe('assessments: self-assessment, review, lock', () => {
  it('runs submit → review each indicator → lock, reopens a review when its input changes, and freezes the result', async () => {
    const jy = await t.login('jiangyue_admin');
    const expert = await t.login('city_evaluator');
    const created = await t.call('POST', '/api/evaluation/assessments', {
      token: jy,
      body: { communityId: jiangyue, framework: DB37, period: '2026' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect(created.json()).toMatchObject({ status: 'draft', frameworkVersion: '2020' });
    expect(created.json().reviews.every((r: { state: string }) => r.state === 'pending')).toBe(true);
    expect(
      (await t.call('POST', '/api/evaluation/assessments', { token: jy, body: { communityId: jiangyue, framework: DB37, period: '2026' } }))
        .statusCode,
    ).toBe(409);
    // Reviewing before submission, or a community admin reviewing, is refused.
    expect(
      (
        await t.call('POST', `/api/evaluation/assessments/${id}/reviews`, {
          token: expert,
          body: { indicator: 'L1P1', decision: 'accepted' },
        })
      ).statusCode,
    ).toBe(409);
    expect(
      (await t.call('POST', `/api/evaluation/assessments/${id}/reviews`, { token: jy, body: { indicator: 'L1P1', decision: 'accepted' } }))
        .statusCode,
    ).toBe(403);
    expect((await t.call('POST', `/api/evaluation/assessments/${id}/submit`, { token: jy })).json().status).toBe('submitted');

    const review = (indicator: string, decision: 'accepted' | 'returned', reason?: string) =>
      t.call('POST', `/api/evaluation/assessments/${id}/reviews`, {
        token: expert,
        body: { indicator, decision, ...(reason ? { reason } : {}) },
      });
    const noReason = await review('L1P3', 'returned');
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].field).toBe('body.reason');
    expect(
      (await review('L1P3', 'returned', '缺少有线电视覆盖证明')).json().reviews.find((r: { indicator: string }) => r.indicator === 'L1P3'),
    ).toMatchObject({
      state: 'returned',
      reason: '缺少有线电视覆盖证明',
    });
    const codes = (created.json().scorecard.indicators as { code: string }[]).map((i) => i.code);
    for (const code of codes) expect((await review(code, 'accepted')).statusCode).toBe(201);
    // An entered input of a reviewed indicator changes: its review reopens and locking is refused.
    await new Promise((r) => setTimeout(r, 5));
    const changed = await t.call('POST', '/api/evaluation/values', {
      token: jy,
      body: {
        communityId: jiangyue,
        framework: DB37,
        criterion: 'L1P2.1',
        value: 1,
        source: '现场核验',
        referenceDate: '2026-06-30',
        quality: 'A',
        evidence: [{ title: '点位图' }],
      },
    });
    expect(changed.statusCode, changed.body).toBe(201);
    const view = (await t.call('GET', `/api/evaluation/assessments/${id}`, { token: expert })).json();
    expect(view.reviews.find((r: { indicator: string }) => r.indicator === 'L1P2').state).toBe('reopened');
    const refused = await t.call('POST', `/api/evaluation/assessments/${id}/lock`, { token: expert });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain('L1P2');
    expect((await review('L1P2', 'accepted')).statusCode).toBe(201);
    // A measured input (veterans registered, 003 L2P9, from the register) turns the other way after the
    // review: the review reopens; turned back, the reviewer's decision stands again.
    const veterans = () =>
      t.call('GET', `/api/evaluation/assessments/${id}`, { token: expert }).then((r) => {
        const v = r.json();
        const c = (v.scorecard.indicators as Card['indicators']).find((i) => i.code === 'L2P9')!.criteria;
        return { state: v.reviews.find((r: { indicator: string }) => r.indicator === 'L2P9').state as string, c };
      });
    const seenMet = (await veterans()).c.find(
      (c) => (c.provenance as { measure?: string } | null)?.measure === 'registry.veterans-registered',
    )!.met;
    const flipped = seenMet
      ? await t.db.$client.query(
          "update residents set tags = array_remove(tags, 'veteran') where community_id = $1 and 'veteran' = any(tags) returning id",
          [jiangyue],
        )
      : await t.db.$client.query(
          "update residents set tags = tags || '{veteran}' where (community_id, id) in (select community_id, id from residents where community_id = $1 and status = 'active' limit 1) returning id",
          [jiangyue],
        );
    expect(flipped.rowCount).toBeGreaterThan(0);
    expect((await veterans()).state).toBe('reopened');
    expect((await t.call('POST', `/api/evaluation/assessments/${id}/lock`, { token: expert })).json().detail).toContain('L2P9');
    await t.db.$client.query(
      seenMet
        ? "update residents set tags = tags || '{veteran}' where community_id = $1 and id = any($2::uuid[])"
        : "update residents set tags = array_remove(tags, 'veteran') where community_id = $1 and id = any($2::uuid[])",
      [jiangyue, flipped.rows.map((r) => r.id)],
    );
    expect((await veterans()).state).toBe('accepted');
    const locked = await t.call('POST', `/api/evaluation/assessments/${id}/lock`, { token: expert });
    expect(locked.statusCode, locked.body).toBe(200);
    expect(locked.json()).toMatchObject({
      status: 'locked',
      scorecard: { framework: DB37, version: '2020', rule: 'weighted-achievement' },
    });
    const total = locked.json().scorecard.total;
    // Later changes do not move a locked result.
    await t.call('POST', '/api/evaluation/values', {
      token: jy,
      body: {
        communityId: jiangyue,
        framework: DB37,
        criterion: 'L1P3.1',
        value: 1,
        source: '运营商',
        referenceDate: '2026-06-30',
        quality: 'B',
        evidence: [{ title: '证明' }],
      },
    });
    expect((await t.call('GET', `/api/evaluation/assessments/${id}`, { token: expert })).json().scorecard.total).toBe(total);
    expect((await card(jiangyue, DB37, jy)).total).toBeGreaterThan(total);
    expect((await t.call('POST', `/api/evaluation/assessments/${id}/lock`, { token: expert })).statusCode).toBe(409);
    const list = (await t.call('GET', '/api/evaluation/assessments', { token: jy, query: { communityId: jiangyue } })).json();
    expect(list).toEqual([expect.objectContaining({ id, status: 'locked', total })]);
    // Another community's administrator cannot see it.
    expect((await t.call('GET', `/api/evaluation/assessments/${id}`, { token: admin })).statusCode).toBe(403);
  });
});

describe('the evaluator kinds of 002 6.2', () => {
  const KINDS = [
    ['evaluator_expert', 'expert', '专家'],
    ['evaluator_third_party', 'third_party', '第三方社会组织'],
    ['evaluator_unit', 'unit', '辖区单位'],
    ['evaluator_media', 'media', '新闻媒体'],
  ] as const;

  it('are roles with exactly the evaluator permissions, granted by administrators, labelled in Chinese', async () => {
    const roles = (await t.call('GET', '/api/roles', { token: admin })).json() as {
      id: string;
      label: string;
      permissions: string[];
      levels: string[];
    }[];
    const evaluator = roles.find((r) => r.id === 'evaluator')!;
    for (const [role] of KINDS) {
      const r = roles.find((x) => x.id === role)!;
      expect(r.permissions.sort(), role).toEqual([...evaluator.permissions].sort());
      expect(r.levels).toEqual(evaluator.levels);
      expect(r.label).toMatch(/[\u4e00-\u9fa5]/);
    }
    const me = (await t.call('GET', '/api/auth/me', { token: await t.login('binhe_admin') })).json();
    expect(me.grantableRoles).toEqual(expect.arrayContaining(KINDS.map(([r]) => r)));
  });

  it('each kind reviews; the record, the workspace and the summary carry the kind', async () => {
    const city = await t.login('admin');
    const cityId = await t.region('青川市');
    const tokens: string[] = [];
    for (const [role] of KINDS) {
      const username = `kind_${role}`;
      const created = await t.call('POST', '/api/users', {
        token: city,
        body: { username, password: 'Good@Pass1', displayName: `评估${role}`, roles: [role], regionId: cityId },
      });
      expect(created.statusCode, created.body).toBe(201);
      tokens.push(await t.login(username, 'Good@Pass1'));
    }
    const jx = await t.login('jinxiu_admin');
    const jinxiu = await t.region('锦绣社区');
    const a = await t.call('POST', '/api/evaluation/assessments', {
      token: jx,
      body: { communityId: jinxiu, framework: BJ, period: '2026' },
    });
    expect(a.statusCode, a.body).toBe(201);
    const id = a.json().id as string;
    expect(a.json().reviewsByKind.every((k: { count: number }) => k.count === 0)).toBe(true);
    await t.call('POST', `/api/evaluation/assessments/${id}/submit`, { token: jx });
    // Indicator k + 1 by kind k; the expert also returns indicator 5; the general evaluator reviews indicator 6.
    for (const [k, token] of tokens.entries()) {
      const r = await t.call('POST', `/api/evaluation/assessments/${id}/reviews`, {
        token,
        body: { indicator: String(k + 1), decision: 'accepted' },
      });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json().reviews.find((x: { indicator: string }) => x.indicator === String(k + 1))).toMatchObject({
        state: 'accepted',
        reviewerKind: KINDS[k]![1],
        reviewerKindLabel: KINDS[k]![2],
      });
    }
    await t.call('POST', `/api/evaluation/assessments/${id}/reviews`, {
      token: tokens[0]!,
      body: { indicator: '5', decision: 'returned', reason: '佐证不足' },
    });
    await t.call('POST', `/api/evaluation/assessments/${id}/reviews`, {
      token: await t.login('city_evaluator'),
      body: { indicator: '6', decision: 'accepted' },
    });
    const view = (await t.call('GET', `/api/evaluation/assessments/${id}`, { token: jx })).json();
    expect(view.history.map((h: { indicator: string; reviewerKind: string }) => [h.indicator, h.reviewerKind])).toEqual([
      ['1', 'expert'],
      ['2', 'third_party'],
      ['3', 'unit'],
      ['4', 'media'],
      ['5', 'expert'],
      ['6', 'unspecified'],
    ]);
    expect(view.reviewsByKind).toEqual([
      { kind: 'expert', label: '专家', count: 2, reviewers: 1 },
      { kind: 'third_party', label: '第三方社会组织', count: 1, reviewers: 1 },
      { kind: 'unit', label: '辖区单位', count: 1, reviewers: 1 },
      { kind: 'media', label: '新闻媒体', count: 1, reviewers: 1 },
      { kind: 'unspecified', label: '评估人员（未区分）', count: 1, reviewers: 1 },
    ]);
    const list = (await t.call('GET', '/api/evaluation/assessments', { token: jx, query: { communityId: jinxiu } })).json();
    expect(list[0].reviewsByKind.map((k: { kind: string; count: number }) => [k.kind, k.count])).toEqual([
      ['expert', 2],
      ['third_party', 1],
      ['unit', 1],
      ['media', 1],
      ['unspecified', 1],
    ]);
    const { rows } = await t.db.$client.query<{ reviewer_kind: string }>(
      'select reviewer_kind from evaluation_reviews where assessment_id = $1 order by reviewed_at, id',
      [id],
    );
    expect(rows.map((r) => r.reviewer_kind)).toEqual(['expert', 'third_party', 'unit', 'media', 'expert', 'unspecified']);
    // The evaluator's permissions, no more: a media evaluator reviews but does not enter values.
    const media = tokens[3]!;
    expect(
      (
        await t.call('POST', '/api/evaluation/values', {
          token: media,
          body: {
            communityId: jinxiu,
            framework: DB37,
            criterion: 'L1P2.1',
            value: 1,
            source: '现场核验',
            referenceDate: '2026-06-30',
            quality: 'A',
            evidence: [{ title: '点位图' }],
          },
        })
      ).statusCode,
    ).toBe(403);
  });
});
