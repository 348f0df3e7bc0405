// 民主协商 (`004` 5.2.2) and 五议两公开 (`004` 5.2.3) through the HTTP API against a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireDue } from '../../src/modules/deadlines/service.js';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
let admin: string; // liuan_admin (democracy.manage)
let resident: string; // liuan_resident (democracy.vote)
let liuan: string;
let adminId: string;
let residentId: string;

const userId = async (username: string) =>
  (await t.db.$client.query<{ id: string }>('select id from users where username = $1', [username])).rows[0]!.id;

beforeAll(async () => {
  t = await setupTestApp();
  admin = await t.login('liuan_admin');
  resident = await t.login('liuan_resident');
  liuan = await t.region('柳岸社区');
  adminId = await userId('liuan_admin');
  residentId = await userId('liuan_resident');
});
afterAll(() => t.close());

async function propose(title: string) {
  const r = await t.call('POST', '/api/democracy/consultations', {
    token: resident,
    body: { regionId: liuan, title, description: '小区东门外停车难，建议协商' },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json().id as string;
}
const step = (id: string, body: Record<string, unknown>, token = admin) =>
  t.call('POST', `/api/democracy/consultations/${id}/steps`, { token, body });

describe('民主协商 (004 5.2.2)', () => {
  it('a consultation goes through every step, each recorded with who and when, and everyone who took part is told the result', async () => {
    const id = await propose('东门停车位规划');
    for (const body of [
      { step: 'accept' },
      { step: 'plan', text: '征集意见两周，召开线下协商会一次' },
      { step: 'announce', text: '在公告栏和线上发布' },
      { step: 'rules', text: '每人发言不超过 5 分钟；少数服从多数' },
      { step: 'deliberate' },
    ]) {
      const r = await step(id, body);
      expect(r.statusCode, `${body.step}: ${r.body}`).toBe(200);
    }
    const c = await t.call('POST', `/api/democracy/consultations/${id}/comments`, {
      token: resident,
      body: { text: '建议划出夜间临时车位' },
    });
    expect(c.statusCode, c.body).toBe(201);
    expect((await step(id, { step: 'comment', text: '物业可配合夜间管理' })).statusCode).toBe(200);
    const m = await step(id, {
      step: 'meeting',
      meeting: {
        kind: 'offline',
        heldAt: new Date().toISOString(),
        place: '社区议事厅',
        attendeesCount: 12,
        minutes: '同意试行夜间临时车位三个月',
        attendees: [{ name: '居民代表甲' }, { name: '柳岸居民', userId: residentId }],
      },
    });
    expect(m.statusCode, m.body).toBe(200);
    expect((await step(id, { step: 'opinions', text: '试行夜间临时车位' })).statusCode).toBe(200);
    const done = await step(id, { step: 'result', text: '自下月起试行三个月' });
    expect(done.statusCode, done.body).toBe(200);

    const d = (await t.call('GET', `/api/democracy/consultations/${id}`, { token: admin })).json();
    expect(d.status).toBe('communicated');
    expect(d.steps.map((s: { step: string }) => s.step)).toEqual([
      'propose',
      'accept',
      'plan',
      'announce',
      'rules',
      'deliberate',
      'comment',
      'meeting',
      'opinions',
      'result',
    ]);
    for (const s of d.steps) {
      expect(s.actorName).toBeTruthy();
      expect(Date.parse(s.at)).toBeGreaterThan(Date.now() - 600_000);
    }
    expect(d.steps[0].actorUserId).toBe(residentId);
    expect(d.steps[1].actorUserId).toBe(adminId);
    expect(d.comments).toHaveLength(2);
    expect(d.meetings[0]).toMatchObject({ kind: 'offline', place: '社区议事厅', attendeesCount: 12 });

    // The proposer (also a commenter and attendee) once, the staff commenter, and the named attendee without an account.
    const { rows } = await t.db.$client.query<{ recipient_user_id: string | null; recipient_name: string }>(
      'select recipient_user_id, recipient_name from democracy_notifications where consultation_id = $1',
      [id],
    );
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.recipient_user_id).sort()).toEqual([adminId, residentId, null].sort());
    // Those with an account find it in their inbox, once each.
    const mine = (await t.call('GET', '/api/notifications', { token: resident })).json();
    const told = mine.items.filter((n: { subjectId: string }) => n.subjectId === id);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ kind: 'democracy.consultation-result', title: '协商结果告知', link: '/m/board?tab=consult' });
    expect(told[0].body).toContain('自下月起试行三个月');
    const staff = (await t.call('GET', '/api/notifications', { token: admin })).json();
    expect(staff.items.filter((n: { subjectId: string }) => n.subjectId === id)).toHaveLength(1);

    // Steps are append-only.
    await expect(t.db.$client.query('update consultation_steps set text = $2 where consultation_id = $1', [id, 'x'])).rejects.toThrow(
      /append-only/,
    );
    const { rows: audit } = await t.db.$client.query('select 1 from audit_log where target_id = $1 and outcome = $2', [id, 'success']);
    expect(audit.length).toBe(11);
  });

  it('a step out of order is 409, a rejection without a reason is 400, comments only while deliberating', async () => {
    const id = await propose('增设快递柜');
    const early = await step(id, { step: 'plan', text: '方案' });
    expect(early.statusCode).toBe(409);
    const comment = await t.call('POST', `/api/democracy/consultations/${id}/comments`, { token: resident, body: { text: '赞成' } });
    expect(comment.statusCode).toBe(409);
    const bad = await step(id, { step: 'reject' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body.reason');
    expect(bad.json().errors[0].message).toMatch(/理由/);
    const ok = await step(id, { step: 'reject', reason: '已由业主委员会议定' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'rejected', rejectReason: '已由业主委员会议定' });
    expect((await step(id, { step: 'accept' })).statusCode).toBe(409);
  });

  it('staff record a topic raised offline for a named proposer; notifications are marked read by their recipient only', async () => {
    const missing = await t.call('POST', '/api/democracy/consultations/recorded', {
      token: admin,
      body: { regionId: liuan, title: '楼道照明' },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].field).toBe('body.proposerName');
    const r = await t.call('POST', '/api/democracy/consultations/recorded', {
      token: admin,
      body: { regionId: liuan, title: '楼道照明', proposerName: '王阿姨' },
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ proposerName: '王阿姨', status: 'proposed' });
    const d = (await t.call('GET', `/api/democracy/consultations/${r.json().id}`, { token: admin })).json();
    expect(d.steps[0]).toMatchObject({ step: 'propose', actorUserId: adminId });

    const mine = (await t.call('GET', '/api/notifications', { token: resident })).json().items;
    expect(mine.length).toBeGreaterThan(0);
    expect((await t.call('POST', `/api/notifications/${mine[0].id}/read`, { token: admin })).statusCode).toBe(404);
    const read = await t.call('POST', `/api/notifications/${mine[0].id}/read`, { token: resident });
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().readAt).toBeTruthy();
  });
});

describe('五议两公开 (004 5.2.3)', () => {
  let id: string;
  let objectionId: string;
  const stage = (body: Record<string, unknown>) => t.call('POST', `/api/democracy/decisions/${id}/stages`, { token: admin, body });
  const backdate = (days: number) =>
    t.db.$client.query(`update decision_items set stage_started_at = now() - ($2 || ' days')::interval where id = $1`, [id, String(days)]);

  it('refuses a publicity period of fewer than 7 days, naming the field', async () => {
    const r = await t.call('POST', '/api/democracy/decisions', {
      token: admin,
      body: {
        regionId: liuan,
        title: '短公示',
        chain: [
          { key: 'p', name: '提议', kind: 'proposal' },
          { key: 'pub', name: '决议公开', kind: 'publicity', periodDays: 5 },
        ],
      },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0]).toMatchObject({ field: 'body.chain.1.periodDays' });
    expect(r.json().errors[0].message).toContain('7 天');
  });

  it('goes through the default chain: quorum, publicity, objections answered on the working-day calendar', async () => {
    const r = await t.call('POST', '/api/democracy/decisions', { token: admin, body: { regionId: liuan, title: '小区道路硬化工程' } });
    expect(r.statusCode, r.body).toBe(201);
    id = r.json().id;
    expect(r.json().chain).toHaveLength(7);

    expect((await stage({ stage: 'proposal', text: '两委提议：硬化小区北侧道路' })).statusCode).toBe(200);
    // A wrong stage named: 409.
    expect((await stage({ stage: 'party', expected: 10, attendees: 8, resolution: 'passed', votesFor: 8 })).statusCode).toBe(409);
    // Below quorum: 5 of 10 is not more than half.
    const low = await stage({ expected: 10, attendees: 5, resolution: 'passed', votesFor: 5 });
    expect(low.statusCode).toBe(400);
    expect(low.json().errors[0].field).toBe('body.attendees');
    expect(low.json().errors[0].message).toContain('出席人数未达到要求');
    for (const key of ['committees', 'supervision', 'party', 'residents']) {
      const s = await stage({ stage: key, expected: 10, attendees: 6, resolution: 'passed', votesFor: 5, votesAgainst: 1 });
      expect(s.statusCode, `${key}: ${s.body}`).toBe(200);
    }
    let d = (await t.call('GET', `/api/democracy/decisions/${id}`, { token: admin })).json();
    expect(d).toMatchObject({ currentStage: 5, currentStageName: '决议公开', status: 'in_progress' });
    expect(d.publicityEndsAt).toBeTruthy();

    const o = await t.call('POST', `/api/democracy/decisions/${id}/objections`, {
      token: resident,
      body: { text: '施工期间车辆如何通行？' },
    });
    expect(o.statusCode, o.body).toBe(201);
    objectionId = o.json().id;
    // Due 5 working days later on the calendar: at least 5 calendar days away.
    expect(Date.parse(o.json().dueAt) - Date.now()).toBeGreaterThan(5 * 86_400_000 - 86_400_000);

    const tooEarly = await stage({});
    expect(tooEarly.statusCode).toBe(409);
    expect(tooEarly.json().detail).toContain('尚未届满');
    await backdate(8);
    const unanswered = await stage({});
    expect(unanswered.statusCode).toBe(409);
    expect(unanswered.json().detail).toContain('异议未答复');

    // The answer deadline passes: the objection is marked overdue and a step records it.
    await fireDue(t.db, new Date(Date.now() + 60 * 86_400_000));
    d = (await t.call('GET', `/api/democracy/decisions/${id}`, { token: admin })).json();
    expect(d.objections[0]).toMatchObject({ id: objectionId, overdue: true, answer: null });
    expect(d.steps.filter((s: { kind: string }) => s.kind === 'objection-overdue')).toHaveLength(1);

    const a = await t.call('POST', `/api/democracy/decisions/${id}/objections/${objectionId}/answer`, {
      token: admin,
      body: { answer: '分段施工，保留单侧通行' },
    });
    expect(a.statusCode, a.body).toBe(200);
    expect(
      (await t.call('POST', `/api/democracy/decisions/${id}/objections/${objectionId}/answer`, { token: admin, body: { answer: '再答' } }))
        .statusCode,
    ).toBe(409);
    const pub = await stage({ text: '公示期满，无未答复异议' });
    expect(pub.statusCode, pub.body).toBe(200);
    expect(pub.json()).toMatchObject({ currentStage: 6, currentStageName: '实施结果公开' });
    await backdate(7);
    const last = await stage({ text: '工程已完工，结果公开' });
    expect(last.statusCode, last.body).toBe(200);
    expect(last.json()).toMatchObject({ status: 'completed', currentStageName: null });
    const completed = last.json().steps.filter((s: { kind: string }) => s.kind === 'completed');
    expect(completed.map((s: { stageKey: string }) => s.stageKey)).toEqual([
      'proposal',
      'committees',
      'supervision',
      'party',
      'residents',
      'resolution-publicity',
      'result-publicity',
    ]);
    expect(completed[1]).toMatchObject({ actorUserId: adminId, data: { expected: 10, attendees: 6, resolution: 'passed' } });
    expect((await stage({})).statusCode).toBe(409);
    // No objection outside a publicity period.
    expect(
      (await t.call('POST', `/api/democracy/decisions/${id}/objections`, { token: resident, body: { text: '迟到的异议' } })).statusCode,
    ).toBe(409);
  });

  it('another street’s administrator cannot see or act on this community’s items', async () => {
    const other = await t.login('wangjiang_admin');
    const consultation = await propose('范围测试');
    expect((await t.call('GET', `/api/democracy/consultations/${consultation}`, { token: other })).statusCode).toBe(403);
    expect((await t.call('GET', `/api/democracy/decisions/${id}`, { token: other })).statusCode).toBe(403);
    expect((await t.call('GET', '/api/democracy/decisions', { token: other, query: { communityId: liuan } })).statusCode).toBe(403);
    const list = (await t.call('GET', '/api/democracy/decisions', { token: other })).json();
    expect(list.some((x: { id: string }) => x.id === id)).toBe(false);
    // The street above sees it.
    expect((await t.call('GET', `/api/democracy/decisions/${id}`, { token: await t.login('binhe_admin') })).statusCode).toBe(200);
  });
});
