// Grid governance (issue 5): the closed loop through the HTTP API against a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireDue } from '../../src/modules/deadlines/service.js';
import { addWorkingMinutes, chinaCalendar, CHINA_HOLIDAYS } from '../../src/modules/grid/calendar.js';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
let admin: string; // liuan_admin (community_admin)
let grid1: string; // liuan_grid1 (grid worker)
let property: string; // liuan_property (property staff)
let resident: string; // liuan_resident
let street: string; // binhe_admin
let liuan: string;
let unitId: string;
let userIds: Record<string, string>;

async function ids(...usernames: string[]) {
  const { rows } = await t.db.$client.query<{ id: string; username: string }>('select id, username from users where username = any($1)', [
    usernames,
  ]);
  return Object.fromEntries(rows.map((r) => [r.username, r.id]));
}

async function aBuilding(communityId: string) {
  const { rows } = await t.db.$client.query<{ id: string; grid_id: string }>(
    'select id, grid_id from buildings where community_id = $1 and grid_id is not null order by id limit 1',
    [communityId],
  );
  return rows[0]!;
}

beforeAll(async () => {
  t = await setupTestApp();
  admin = await t.login('liuan_admin');
  grid1 = await t.login('liuan_grid1');
  property = await t.login('liuan_property');
  resident = await t.login('liuan_resident');
  street = await t.login('binhe_admin');
  liuan = await t.region('柳岸社区');
  userIds = await ids('liuan_property', 'liuan_grid1', 'liuan_admin', 'liuan_resident');
  const unit = await t.call('POST', '/api/grid/units', {
    token: admin,
    body: { regionId: liuan, name: '测试物业服务中心', kind: 'property', memberIds: [userIds.liuan_property] },
  });
  expect(unit.statusCode, unit.body).toBe(201);
  unitId = unit.json().id;
  const route = await t.call('PUT', '/api/grid/routes', { token: admin, body: { regionId: liuan, categoryCode: 'property', unitId } });
  expect(route.statusCode, route.body).toBe(200);
  // Categories of the tests' own, so the demo city's routing table does not decide the outcome.
  const city = await t.login('admin');
  for (const [code, body] of [
    ['gtest', { name: '测试类', parentCode: null }],
    ['gtest.verify', { name: '需核查', parentCode: 'gtest', needsVerification: true }],
    ['gtest.assist', { name: '救助', parentCode: 'gtest' }],
  ] as const) {
    const r = await t.call('PUT', `/api/grid/categories/${code}`, { token: city, body });
    expect(r.statusCode, r.body).toBe(200);
  }
});
afterAll(() => t.close());

describe('grid events: the closed loop', () => {
  it('a grid worker reports at a building; the routing table dispatches it; the unit grabs, handles; the reporter confirms and rates', async () => {
    const b = await aBuilding(liuan);
    const r = await t.call('POST', '/api/grid/events', {
      token: grid1,
      body: { categoryCode: 'property.repair', description: '3单元楼道灯不亮', buildingId: b.id },
    });
    expect(r.statusCode, r.body).toBe(201);
    const ev = r.json();
    expect(ev.status).toBe('dispatched');
    expect(ev.unitId).toBe(unitId);
    expect(ev.assigneeId).toBeNull(); // 物业服务 is 抢单: the unit's members grab it
    expect(ev.gridId).toBe(b.grid_id);

    const grab = await t.call('POST', `/api/grid/events/${ev.id}/actions`, { token: property, body: { action: 'grab' } });
    expect(grab.statusCode, grab.body).toBe(200);
    expect(grab.json()).toMatchObject({ status: 'in_progress', assigneeId: userIds.liuan_property });

    const noNote = await t.call('POST', `/api/grid/events/${ev.id}/actions`, { token: property, body: { action: 'handle' } });
    expect(noNote.statusCode).toBe(400);
    expect(noNote.json().errors[0].field).toBe('body.note');

    const handled = await t.call('POST', `/api/grid/events/${ev.id}/actions`, {
      token: property,
      body: { action: 'handle', note: '已更换灯泡' },
    });
    expect(handled.json().status).toBe('feedback');

    // Only the reporter (or staff on their behalf) may confirm; property staff may not.
    const wrong = await t.call('POST', `/api/grid/events/${ev.id}/actions`, {
      token: property,
      body: { action: 'confirm', satisfaction: 5 },
    });
    expect(wrong.statusCode).toBe(403);
    const closed = await t.call('POST', `/api/grid/events/${ev.id}/actions`, {
      token: grid1,
      body: { action: 'confirm', satisfaction: 4, comment: '及时' },
    });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({ status: 'closed', satisfaction: 4 });

    const detail = (await t.call('GET', `/api/grid/events/${ev.id}`, { token: admin })).json();
    expect(detail.transitions.map((x: { action: string }) => x.action)).toEqual([
      'report',
      'accept',
      'dispatch',
      'grab',
      'handle',
      'confirm',
    ]);
    expect(detail.transitions.map((x: { toStatus: string }) => x.toStatus)).toEqual([
      'reported',
      'accepted',
      'dispatched',
      'in_progress',
      'feedback',
      'closed',
    ]);
    // The deadlines of a closed event are gone.
    const { rows } = await t.db.$client.query('select count(*)::int as n from deadlines where subject_id = $1', [ev.id]);
    expect(rows[0].n).toBe(0);
  });
});

describe('deadlines', () => {
  it('each fires once, recorded on the history at the moment its limit passed, in that order', async () => {
    const b = await aBuilding(liuan);
    const ev = (
      await t.call('POST', '/api/grid/events', {
        token: grid1,
        body: { categoryCode: 'env.garbage', description: '垃圾桶满溢无人清运', buildingId: b.id },
      })
    ).json();
    const far = new Date(Date.now() + 60 * 24 * 3600_000);
    let fired = 0;
    for (let n = await fireDue(t.db, far); n > 0; n = await fireDue(t.db, far)) fired += n;
    expect(fired).toBeGreaterThanOrEqual(3);
    expect(await fireDue(t.db, far)).toBe(0);
    const d = (await t.call('GET', `/api/grid/events/${ev.id}`, { token: admin })).json();
    const system = d.transitions.filter((x: { actorName: string }) => x.actorName === '系统');
    expect(system.map((x: { action: string }) => x.action)).toEqual(['warn', 'overdue', 'escalate']);
    const cal = chinaCalendar();
    const due = new Date(ev.handleDueAt);
    expect(system.map((x: { at: string }) => new Date(x.at).getTime())).toEqual([
      addWorkingMinutes(cal, new Date(ev.reportedAt), 450 * 0.8).getTime(),
      due.getTime(),
      addWorkingMinutes(cal, due, 450).getTime(),
    ]);
    expect(system[1].handleOverdue).toBe(true);
    const { rows } = await t.db.$client.query('select count(*)::int as n from deadlines where subject_id = $1', [ev.id]);
    expect(rows[0].n).toBe(0);
  });

  it('overdue and escalation follow the clock, freeze at the next step, and the flag can never be cleared', async () => {
    const b = await aBuilding(liuan);
    const ev = await report(grid1, { categoryCode: 'env.garbage', description: '绿化带垃圾', buildingId: b.id });
    const view = async () => (await t.call('GET', `/api/grid/events/${ev.id}`, { token: admin })).json();
    expect(await view()).toMatchObject({ handleOverdue: false, escalationLevel: 0, warned: false });
    // Ten days later (at least a working day and a half of 7.5 h even across a long holiday): past twice the limit.
    await t.db.$client.query("update grid_events set handle_due_at = now() - interval '10 days' where id = $1", [ev.id]);
    expect(await view()).toMatchObject({ handleOverdue: true, escalationLevel: 2 });
    const { rows: before } = await t.db.$client.query('select handle_overdue, escalation_level from grid_events where id = $1', [ev.id]);
    expect(before[0]).toEqual({ handle_overdue: false, escalation_level: 0 }); // the clock says so; nothing frozen yet
    const suspended = await act(admin, ev.id, { action: 'suspend', reason: '等待园林部门答复' });
    expect(suspended.statusCode, suspended.body).toBe(200);
    const { rows: after } = await t.db.$client.query('select handle_overdue, escalation_level from grid_events where id = $1', [ev.id]);
    expect(after[0]).toEqual({ handle_overdue: true, escalation_level: 2 });
    // Moving the deadline later does not hide it.
    await t.db.$client.query("update grid_events set handle_due_at = now() + interval '10 days' where id = $1", [ev.id]);
    expect(await view()).toMatchObject({ handleOverdue: true, escalationLevel: 2 });
    await expect(t.db.$client.query('update grid_events set handle_overdue = false where id = $1', [ev.id])).rejects.toThrow(/overdue/);
    await expect(t.db.$client.query("update grid_event_transitions set reason = 'x' where event_id = $1", [ev.id])).rejects.toThrow(
      /append-only/,
    );
  });

  it('a resident report not accepted within its limit is overdue for response; accepting later is recorded late', async () => {
    const b = await aBuilding(liuan);
    const ev = await report(resident, { categoryCode: 'livelihood.consult', description: '咨询居住证办理', buildingId: b.id });
    await t.db.$client.query("update grid_events set respond_due_at = now() - interval '1 minute' where id = $1", [ev.id]);
    const accepted = (await act(admin, ev.id, { action: 'accept' })).json();
    expect(accepted.respondOverdue).toBe(true);
    const d = (await t.call('GET', `/api/grid/events/${ev.id}`, { token: admin })).json();
    expect(d.transitions.find((x: { action: string }) => x.action === 'accept').respondOverdue).toBe(true);
  });
});

const act = (token: string, id: string, body: Record<string, unknown>) => t.call('POST', `/api/grid/events/${id}/actions`, { token, body });
async function report(token: string, body: Record<string, unknown>) {
  const r = await t.call('POST', '/api/grid/events', { token, body });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}
async function gridOf(communityId: string, n = 0) {
  const { rows } = await t.db.$client.query<{ id: string; boundary: { coordinates: number[][][] } }>(
    "select id, boundary from regions where parent_id = $1 and level = 'grid' order by code",
    [communityId],
  );
  const g = rows[n]!;
  const ring = g.boundary.coordinates[0]!;
  const xs = ring.map((p) => p[0]!);
  const ys = ring.map((p) => p[1]!);
  return { id: g.id, centre: { lng: (Math.min(...xs) + Math.max(...xs)) / 2, lat: (Math.min(...ys) + Math.max(...ys)) / 2 } };
}

describe('transitions refused, with reasons', () => {
  it('refuses actions from the wrong state (409), without a reason (400), by the wrong person (403), and changes nothing', async () => {
    const b = await aBuilding(liuan);
    const ev = await report(resident, { categoryCode: 'livelihood.consult', description: '咨询养老补贴', buildingId: b.id });
    expect(ev.status).toBe('reported'); // a resident's report waits for acceptance (受理)
    const start = await act(admin, ev.id, { action: 'start' });
    expect(start.statusCode).toBe(409);
    expect(start.json().errors[0].field).toBe('body.action');
    expect(start.json().detail).toContain('待受理');
    const reject = await act(admin, ev.id, { action: 'reject' });
    expect(reject.statusCode).toBe(400);
    expect(reject.json().errors[0].field).toBe('body.reason');
    // A grid worker may handle but not accept (立案 is for the community's managers).
    expect((await act(grid1, ev.id, { action: 'accept' })).statusCode).toBe(403);
    // Residents use their own routes and have no access to the console's.
    expect((await act(resident, ev.id, { action: 'accept' })).statusCode).toBe(403);
    const stale = await act(admin, ev.id, { action: 'accept', version: 99 });
    expect(stale.statusCode).toBe(409);
    const d = (await t.call('GET', `/api/grid/events/${ev.id}`, { token: admin })).json();
    expect(d.status).toBe('reported');
    expect(d.transitions).toHaveLength(1);
    // The console offers exactly what the caller may do now.
    expect(d.allowedActions).toEqual(['accept', 'reject', 'merge', 'escalate']);
    expect((await t.call('GET', `/api/grid/events/${ev.id}`, { token: grid1 })).json().allowedActions).toEqual([]);
    const rejected = await act(admin, ev.id, { action: 'reject', reason: '属政策咨询，已电话答复', version: d.version });
    expect(rejected.json()).toMatchObject({ status: 'rejected' });
    expect(rejected.json().respondedAt).not.toBeNull();
  });

  it('a handler outside the unit cannot start it; the handler cannot verify their own work', async () => {
    const b = await aBuilding(liuan);
    // This category needs verification (核查) by someone other than the handler, and has no route.
    const other = await t.call('POST', '/api/grid/units', {
      token: admin,
      body: { regionId: liuan, name: '柳岸市政维修（测试）', kind: 'department', memberIds: [userIds.liuan_grid1] },
    });
    const municipal = other.json().id;
    const ev = await report(admin, { categoryCode: 'gtest.verify', description: '路灯不亮', buildingId: b.id });
    expect(ev.status).toBe('accepted'); // no route for 市政设施 in this community: waits in the triage queue
    const triage = (await t.call('GET', '/api/grid/events', { token: admin, query: { view: 'triage' } })).json();
    expect(triage.items.map((e: { id: string }) => e.id)).toContain(ev.id);
    expect((await act(admin, ev.id, { action: 'dispatch', unitId: municipal, assigneeId: userIds.liuan_grid1 })).json().status).toBe(
      'dispatched',
    );
    expect((await act(property, ev.id, { action: 'start' })).statusCode).toBe(403);
    expect((await act(grid1, ev.id, { action: 'start' })).json().status).toBe('in_progress');
    expect((await act(grid1, ev.id, { action: 'handle', note: '已更换灯具' })).json().status).toBe('handled');
    // liuan_grid1 handled it; an administrator verifies.
    const bad = await act(admin, ev.id, { action: 'rework', reason: '现场仍不亮' });
    expect(bad.json().status).toBe('in_progress');
    expect((await act(grid1, ev.id, { action: 'handle', note: '更换镇流器' })).json().status).toBe('handled');
    expect((await act(admin, ev.id, { action: 'verify' })).json().status).toBe('feedback');
  });
});

describe('routing, return and re-dispatch', () => {
  it('a located report finds its grid by polygon; a grid-level route beats the community route', async () => {
    const g0 = await gridOf(liuan, 0);
    const g1 = await gridOf(liuan, 1);
    const gridUnit = (
      await t.call('POST', '/api/grid/units', {
        token: admin,
        body: { regionId: g1.id, name: '网格二物业小组', kind: 'property', memberIds: [userIds.liuan_property] },
      })
    ).json().id;
    expect(
      (
        await t.call('PUT', '/api/grid/routes', {
          token: admin,
          body: { regionId: g1.id, categoryCode: 'property.repair', unitId: gridUnit },
        })
      ).statusCode,
    ).toBe(200);
    const a = await report(admin, { categoryCode: 'property.repair', description: '单元门禁损坏', regionId: liuan, ...g0.centre });
    const b = await report(admin, { categoryCode: 'property.repair', description: '消防通道堵塞', regionId: liuan, ...g1.centre });
    expect(a.gridId).toBe(g0.id);
    expect(b.gridId).toBe(g1.id);
    expect(a.unitId).toBe(unitId);
    expect(b.unitId).toBe(gridUnit);
    // The routing table keeps its history: the change retired nothing here, a second change retires the first.
    await t.call('PUT', '/api/grid/routes', { token: admin, body: { regionId: g1.id, categoryCode: 'property.repair', unitId } });
    const hist = (await t.call('GET', '/api/grid/routes', { token: admin, query: { history: 'true' } })).json();
    const cell = hist.filter(
      (r: { regionId: string; categoryCode: string }) => r.regionId === g1.id && r.categoryCode === 'property.repair',
    );
    expect(cell).toHaveLength(2);
    expect(cell.filter((r: { retiredAt: string | null }) => r.retiredAt === null)).toHaveLength(1);
    // A point outside every grid is refused with the field named.
    const off = await t.call('POST', '/api/grid/events', {
      token: admin,
      body: { categoryCode: 'env.garbage', description: '城外', lng: 100, lat: 10 },
    });
    expect(off.statusCode).toBe(400);
    expect(off.json().errors[0].field).toBe('body.lng');
  });

  it('退单: the unit returns it with a reason; it waits in triage without a unit; then goes to another unit', async () => {
    const b = await aBuilding(liuan);
    const ev = await report(grid1, { categoryCode: 'property.parking', description: '车辆占用消防通道', buildingId: b.id });
    expect(ev.unitId).toBe(unitId);
    expect((await act(property, ev.id, { action: 'return' })).statusCode).toBe(400);
    const back = await act(property, ev.id, { action: 'return', reason: '属交警执法范围，非物业职责' });
    expect(back.json()).toMatchObject({ status: 'accepted', unitId: null, returnCount: 1 });
    const triage = (await t.call('GET', '/api/grid/events', { token: admin, query: { view: 'triage' } })).json();
    expect(triage.items.map((e: { id: string }) => e.id)).toContain(ev.id);
    const other = (
      await t.call('POST', '/api/grid/units', { token: admin, body: { regionId: liuan, name: '社区警务室（测试）', kind: 'other' } })
    ).json().id;
    const again = await act(admin, ev.id, { action: 'dispatch', unitId: other });
    expect(again.json()).toMatchObject({ status: 'dispatched', unitId: other });
    const d = (await t.call('GET', `/api/grid/events/${ev.id}`, { token: admin })).json();
    const ret = d.transitions.find((x: { action: string }) => x.action === 'return');
    expect(ret).toMatchObject({
      reason: '属交警执法范围，非物业职责',
      fromStatus: 'dispatched',
      toStatus: 'accepted',
      actorName: expect.any(String),
    });
  });

  it('a likely duplicate is flagged, not auto-dispatched, and can be merged into the first report', async () => {
    const b = await aBuilding(liuan);
    const first = await report(grid1, { categoryCode: 'property.cleaning', description: '楼道堆放杂物', buildingId: b.id });
    const second = await report(grid1, { categoryCode: 'property.cleaning', description: '楼道杂物很多', buildingId: b.id });
    expect(second.suspectedDuplicates.map((d: { id: string }) => d.id)).toContain(first.id);
    expect(second.status).toBe('accepted');
    const merged = await act(admin, second.id, { action: 'merge', intoId: first.id, reason: '同一楼道同一问题' });
    expect(merged.json()).toMatchObject({ status: 'merged', mergedInto: first.id });
  });

  it('round robin (轮派) alternates between the unit members; concurrent grabs leave one winner', async () => {
    const rr = (
      await t.call('POST', '/api/grid/units', {
        token: admin,
        body: { regionId: liuan, name: '保洁轮班（测试）', kind: 'property', memberIds: [userIds.liuan_property, userIds.liuan_grid1] },
      })
    ).json().id;
    await t.call('PUT', '/api/grid/routes', { token: admin, body: { regionId: liuan, categoryCode: 'env.pests', unitId: rr } });
    const g2 = await gridOf(liuan, 2);
    const assignees = [];
    for (let i = 0; i < 4; i++)
      assignees.push(
        (
          await report(admin, {
            categoryCode: 'env.pests',
            description: `鼠患${i}`,
            regionId: liuan,
            lng: g2.centre.lng + i * 0.003,
            lat: g2.centre.lat,
          })
        ).assigneeId,
      );
    expect(new Set(assignees).size).toBe(2);
    expect(assignees[0]).not.toBe(assignees[1]);
    expect(assignees[2]).toBe(assignees[0]);

    const b = await aBuilding(liuan);
    const ev = await report(grid1, { categoryCode: 'property.elevator', description: '电梯困人', urgency: 'urgent', buildingId: b.id });
    await t.call('PUT', `/api/grid/units/${unitId}/members`, {
      token: admin,
      body: { memberIds: [userIds.liuan_property, userIds.liuan_grid1] },
    });
    const [x, y] = await Promise.all([act(property, ev.id, { action: 'grab' }), act(grid1, ev.id, { action: 'grab' })]);
    expect([x.statusCode, y.statusCode].sort()).toEqual([200, 409]);
    await t.call('PUT', `/api/grid/units/${unitId}/members`, { token: admin, body: { memberIds: [userIds.liuan_property] } });
  });
});

describe('deadlines on the working-day calendar', () => {
  it('handling time counts working hours; a year edited by the city moves new deadlines past the holidays it adds', async () => {
    const b = await aBuilding(liuan);
    const ev = await report(grid1, { categoryCode: 'env.garbage', description: '垃圾清运不及时', buildingId: b.id });
    // 垃圾堆放: 7.5 working hours, from the report.
    expect(new Date(ev.handleDueAt).getTime()).toBe(addWorkingMinutes(chinaCalendar(), new Date(ev.reportedAt), 450).getTime());
    const city = await t.login('admin');
    const today = new Date(Date.now() + 8 * 3600_000);
    const days = [...(CHINA_HOLIDAYS[2026] ?? [])].filter((d) => d.date < '2026-12-01');
    for (let i = 0; i < 10; i++) {
      const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + i)).toISOString().slice(0, 10);
      if (d.startsWith('2026-')) days.push({ date: d, kind: 'holiday', name: '测试假日' });
    }
    const put = await t.call('PUT', '/api/grid/calendar/2026', { token: city, body: { days } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().source).toBe('configured');
    const bad = await t.call('PUT', '/api/grid/calendar/2026', {
      token: city,
      body: { days: [{ date: '2026-12-01', kind: 'workday', name: '周二' }] },
    });
    expect(bad.statusCode).toBe(400);
    const later = await report(grid1, { categoryCode: 'env.garbage', description: '垃圾清运不及时（假期）', buildingId: b.id });
    if (today.toISOString().slice(0, 10) <= '2026-12-22')
      expect(new Date(later.handleDueAt).getTime() - Date.now()).toBeGreaterThan(6 * 24 * 3600_000);
    // Restore the built-in year for the other tests.
    await t.call('PUT', '/api/grid/calendar/2026', { token: city, body: { days: [...(CHINA_HOLIDAYS[2026] ?? [])] } });
  });

  it('a step taken after the deadline is frozen as late on its transition row and on the event', async () => {
    const b = await aBuilding(liuan);
    const ev = await report(grid1, { categoryCode: 'property.repair', description: '水管漏水', buildingId: b.id });
    await t.db.$client.query("update grid_events set handle_due_at = now() - interval '1 minute' where id = $1", [ev.id]);
    await act(property, ev.id, { action: 'grab' });
    const handled = (await act(property, ev.id, { action: 'handle', note: '已修复' })).json();
    expect(handled.handleOverdue).toBe(true);
    // Moving the deadline afterwards does not clear it.
    await t.db.$client.query("update grid_events set handle_due_at = now() + interval '10 days' where id = $1", [ev.id]);
    const d = (await t.call('GET', `/api/grid/events/${ev.id}`, { token: admin })).json();
    expect(d.handleOverdue).toBe(true);
    expect(d.transitions.find((x: { action: string }) => x.action === 'handle').handleOverdue).toBe(true);
    expect(d.transitions.find((x: { action: string }) => x.action === 'report').handleOverdue).toBe(false);
  });
});

describe('residents: reporting without an account and following the event', () => {
  it('reports from a 数字门牌, follows with code + phone, confirms and rates; the phone is masked and its reveal audited', async () => {
    const { rows } = await t.db.$client.query<{ plate_code: string; id: string }>(
      'select id, plate_code from buildings where community_id = $1 order by id limit 1',
      [liuan],
    );
    const plate = rows[0]!;
    const r = await t.call('POST', '/api/public/grid/reports', {
      body: {
        categoryCode: 'property.repair',
        description: '楼下路灯坏了',
        plate: { communityId: liuan, code: plate.plate_code },
        reporterPhone: '139 0013 9000',
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    const { trackingCode, number } = r.json();
    expect(r.body).not.toContain('13900139000');
    const wrong = await t.call('POST', '/api/public/grid/track', { body: { code: trackingCode, phone: '13900139001' } });
    expect(wrong.statusCode).toBe(404);
    const track = await t.call('POST', '/api/public/grid/track', { body: { code: trackingCode.toLowerCase(), phone: '13900139000' } });
    expect(track.json()).toMatchObject({ number, status: 'reported', canConfirm: false });
    expect(track.body).not.toContain('13900139000');

    const list = (await t.call('GET', '/api/grid/events', { token: admin, query: { q: number } })).json();
    const id = list.items[0].id;
    expect(list.items[0].reporterPhone).toBe('139****9000');
    const { rows: stored } = await t.db.$client.query('select reporter_phone_enc::text as enc from grid_events where id = $1', [id]);
    expect(stored[0].enc).not.toContain('13900139000');
    const reveal = await t.call('POST', `/api/grid/events/${id}/reveal-phone`, { token: admin });
    expect(reveal.json().phone).toBe('13900139000');
    const { rows: audit } = await t.db.$client.query(
      "select count(*)::int as n from audit_log where action = 'grid.event-reveal-phone' and target_id = $1",
      [id],
    );
    expect(audit[0].n).toBe(1);

    await act(admin, id, { action: 'accept' }); // the route table sends 物业服务 to the unit
    await act(property, id, { action: 'grab' });
    await act(property, id, { action: 'handle', note: '已更换灯泡' });
    const pending = (await t.call('POST', '/api/public/grid/track', { body: { code: trackingCode, phone: '13900139000' } })).json();
    expect(pending).toMatchObject({ status: 'feedback', canConfirm: true, handlerNote: '已更换灯泡' });
    const noReason = await t.call('POST', '/api/public/grid/track/actions', {
      body: { code: trackingCode, phone: '13900139000', action: 'reopen' },
    });
    expect(noReason.statusCode).toBe(400);
    const done = await t.call('POST', '/api/public/grid/track/actions', {
      body: { code: trackingCode, phone: '13900139000', action: 'confirm', satisfaction: 5, comment: '很快' },
    });
    expect(done.json()).toMatchObject({ status: 'closed', satisfaction: 5 });
    expect(done.json().steps.map((s: { action: string }) => s.action)).toEqual([
      '上报',
      '立案',
      '派遣',
      '抢单',
      '处置完成',
      '确认办结并评价',
    ]);
  });

  it('a resident with an account sees only their own reports', async () => {
    const b = await aBuilding(liuan);
    const mine = await report(resident, { categoryCode: 'livelihood.elderly', description: '独居老人需要助餐', buildingId: b.id });
    const theirs = await report(grid1, { categoryCode: 'env.litter', description: '乱扔垃圾', buildingId: b.id });
    const list = (await t.call('GET', '/api/grid/my-events', { token: resident })).json();
    expect(list.items.map((e: { id: string }) => e.id)).toContain(mine.id);
    expect(list.items.map((e: { id: string }) => e.id)).not.toContain(theirs.id);
    expect((await t.call('GET', `/api/grid/my-events/${mine.id}`, { token: resident })).json().status).toBe('reported');
    expect((await t.call('GET', `/api/grid/my-events/${theirs.id}`, { token: resident })).statusCode).toBe(404);
    expect((await t.call('GET', `/api/grid/events/${mine.id}`, { token: resident })).statusCode).toBe(403);
  });
});

describe('assessment (绩效考核) and scope', () => {
  it('per-unit figures over a fresh unit match a hand count; the xlsx carries them; another street sees none of it', async () => {
    const fresh = (
      await t.call('POST', '/api/grid/units', {
        token: admin,
        body: { regionId: liuan, name: '考核测试单位', kind: 'department', memberIds: [userIds.liuan_property] },
      })
    ).json().id;
    await t.call('PUT', '/api/grid/routes', {
      token: admin,
      body: { regionId: liuan, categoryCode: 'gtest.assist', unitId: fresh },
    });
    // Four buildings, so none of the reports looks like a duplicate of another.
    const { rows: blds } = await t.db.$client.query<{ id: string }>(
      'select id from buildings where community_id = $1 order by id desc limit 4',
      [liuan],
    );
    const evs = [];
    for (let i = 0; i < 4; i++)
      evs.push(await report(admin, { categoryCode: 'gtest.assist', description: `困难救助${i}`, buildingId: blds[i]!.id }));
    expect(evs.every((e) => e.unitId === fresh)).toBe(true);
    // e0: closed 5; e1: closed 2 after one reopen; e2: handled late (feedback); e3: still dispatched.
    for (const e of evs.slice(0, 3)) {
      await act(property, e.id, { action: 'start' });
    }
    await act(property, evs[0].id, { action: 'handle', note: '已办' });
    await act(admin, evs[0].id, { action: 'confirm', satisfaction: 5 });
    await act(property, evs[1].id, { action: 'handle', note: '已办' });
    await act(admin, evs[1].id, { action: 'reopen', reason: '未落实' });
    await act(property, evs[1].id, { action: 'start' });
    await act(property, evs[1].id, { action: 'handle', note: '已落实' });
    await act(admin, evs[1].id, { action: 'confirm', satisfaction: 2 });
    await t.db.$client.query("update grid_events set handle_due_at = now() - interval '1 hour' where id = $1", [evs[2].id]);
    await act(property, evs[2].id, { action: 'handle', note: '已办' });
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const k = await t.call('GET', '/api/grid/kpis', { token: admin, query: { by: 'unit', from: today, to: today } });
    expect(k.statusCode, k.body).toBe(200);
    const row = k.json().items.find((x: { id: string }) => x.id === fresh);
    expect(row).toMatchObject({
      name: '考核测试单位',
      reports: 4,
      valid: 4,
      responseRate: 100,
      onTimeRate: 66.67,
      resolutionRate: 50,
      satisfactionRate: 50,
      satisfactionMean: 3.5,
      reworks: 1,
      overdue: 1,
      open: 2,
    });
    const xlsx = await t.call('GET', '/api/grid/kpis.xlsx', { token: admin, query: { by: 'unit', from: today, to: today } });
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const wb = new (await import('exceljs')).default.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const rows = wb.worksheets[0]!.getSheetValues().flat() as unknown[];
    expect(rows).toContain('考核测试单位');

    const wangjiang = await t.login('wangjiang_admin');
    const theirs = (await t.call('GET', '/api/grid/events', { token: wangjiang })).json();
    expect(theirs.items.every((e: { communityId: string }) => e.communityId !== liuan)).toBe(true);
    expect((await t.call('GET', `/api/grid/events/${evs[0].id}`, { token: wangjiang })).statusCode).toBe(403);
    const dash = (await t.call('GET', '/api/grid/dashboard', { token: street })).json();
    expect(dash.open).toBeGreaterThan(0);
    expect(dash.grids.length).toBeGreaterThan(3);
  });

  it('a period given in dates counts days in Beijing time, whatever the database session’s zone', async () => {
    const { rows: blds } = await t.db.$client.query<{ id: string }>(
      'select id from buildings where community_id = $1 order by id limit 1',
      [liuan],
    );
    const e = await report(admin, { categoryCode: 'gtest.assist', description: '跨零点的上报', buildingId: blds[0]!.id });
    // 2026-06-02 00:30 in Beijing is still 2026-06-01 in UTC.
    await t.db.$client.query("update grid_events set reported_at = '2026-06-01T16:30:00Z' where id = $1", [e.id]);
    const listed = async (day: string) =>
      (await t.call('GET', '/api/grid/events', { token: admin, query: { from: day, to: day, q: e.number } }))
        .json()
        .items.map((x: { id: string }) => x.id);
    expect(await listed('2026-06-02')).toEqual([e.id]);
    expect(await listed('2026-06-01')).toEqual([]);
    const kpi = async (day: string) =>
      (await t.call('GET', '/api/grid/kpis', { token: admin, query: { by: 'community', from: day, to: day } })).json().total.reports;
    expect(await kpi('2026-06-02')).toBe(1);
    expect(await kpi('2026-06-01')).toBe(0);
  });

  it('publishes the closed-loop rate as the live measure of `003` L3P3', async () => {
    const card = await t.call('GET', '/api/evaluation/scorecard', {
      token: admin,
      query: { communityId: liuan, framework: 'DB37/T 3890.3-2020' },
    });
    expect(card.statusCode, card.body).toBe(200);
    const body = JSON.stringify(card.json());
    expect(body).toContain('grid.closed-loop');
    const ind = card.json().indicators.find((i: { code: string }) => i.code === 'L3P3');
    const c = ind.criteria[0];
    expect(c.provenance).toMatchObject({ kind: 'measure', measure: 'grid.closed-loop' });
    expect(c.provenance.records).toBeGreaterThan(0);
    expect(c.met).toBe(true);
  });
});
