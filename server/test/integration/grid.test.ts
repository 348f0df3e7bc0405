// Grid governance (issue 5): the closed loop through the HTTP API against a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireDue } from '../../src/modules/deadlines/service.js';
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
    const { rows } = await t.db.$client.query('select count(*)::int as n from deadlines where subject_id = $1 and fired_at is null', [
      ev.id,
    ]);
    expect(rows[0].n).toBe(0);
  });
});

describe('deadlines', () => {
  it('fire once, mark the event overdue and escalate it; the overdue flag cannot be cleared', async () => {
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
    const d = (await t.call('GET', `/api/grid/events/${ev.id}`, { token: admin })).json();
    expect(d.handleOverdue).toBe(true);
    expect(d.escalationLevel).toBe(2);
    expect(d.warned).toBe(true);
    expect(d.transitions.filter((x: { actorName: string }) => x.actorName === '系统').map((x: { action: string }) => x.action)).toEqual([
      'warn',
      'overdue',
      'escalate',
    ]);
    expect(await fireDue(t.db, far)).toBe(0);
    await expect(t.db.$client.query('update grid_events set handle_overdue = false where id = $1', [ev.id])).rejects.toThrow(/overdue/);
    await expect(t.db.$client.query("update grid_event_transitions set reason = 'x' where event_id = $1", [ev.id])).rejects.toThrow(
      /append-only/,
    );
  });
});
