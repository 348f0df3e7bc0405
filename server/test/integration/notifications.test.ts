// Notifications (inbox and text messages) against a real PostgreSQL: elderly SOS escalation tells real
// people level by level, grid events tell their reporters (inbox, or SMS with the tracking code) and the
// handling unit, the SMS worker posts to a gateway or honestly records no_gateway, and nobody reads
// another account's messages.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireDue } from '../../src/modules/deadlines/service.js';
import { dispatchBatch } from '../../src/modules/events/service.js';
import { sendSmsBatch } from '../../src/modules/notifications/service.js';
import { setupTestApp, testKeys, type TestApp } from '../helpers.js';

let t: TestApp;
let admin: string;
let resident: string;
let property: string;
let liuan: string;
const keys = testKeys();

const userId = async (username: string) =>
  (await t.db.$client.query<{ id: string }>('select id from users where username = $1', [username])).rows[0]!.id;

async function dispatchAll() {
  while ((await dispatchBatch(t.db, 1000)) > 0) {
    /* until the outbox is empty */
  }
}

async function inbox(token: string, query: Record<string, string> = {}) {
  const r = await t.call('GET', '/api/notifications', { token, query });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as {
    items: {
      id: string;
      kind: string;
      title: string;
      body: string;
      link: string | null;
      subjectId: string | null;
      readAt: string | null;
    }[];
    total: number;
    unread: number;
  };
}

/** Posts a device's telemetry over HTTP with its Basic credentials. */
async function telemetry(d: { id: string; credentials: { password: string } }, values: Record<string, unknown>) {
  const r = await t.app.inject({
    method: 'POST',
    url: `/api/devices/${d.id}/telemetry`,
    headers: {
      authorization: `Basic ${Buffer.from(`${d.id}:${d.credentials.password}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    payload: JSON.stringify({ values }),
  });
  expect(r.statusCode, r.body).toBeLessThan(300);
}

beforeAll(async () => {
  t = await setupTestApp();
  admin = await t.login('liuan_admin');
  resident = await t.login('liuan_resident');
  property = await t.login('liuan_property');
  liuan = await t.region('柳岸社区');
  // A handling unit for 物业服务 (as in grid.test.ts), so accepting a report dispatches it.
  const unit = await t.call('POST', '/api/grid/units', {
    token: admin,
    body: { regionId: liuan, name: '通知测试物业中心', kind: 'property', memberIds: [await userId('liuan_property')] },
  });
  expect(unit.statusCode, unit.body).toBe(201);
  const route = await t.call('PUT', '/api/grid/routes', {
    token: admin,
    body: { regionId: liuan, categoryCode: 'property', unitId: unit.json().id },
  });
  expect(route.statusCode, route.body).toBe(200);
  await dispatchAll();
});
afterAll(() => t.close());

describe('elderly SOS escalation', () => {
  it('tells the family and the grid workers at once, then the community; the comments count them; acknowledgement stops the chain', async () => {
    // The device serves someone living in the same room as liuan_resident's person: liuan_resident is family.
    const { rows } = await t.db.$client.query<{ resident_id: string; room_id: string }>(
      `select h.resident_id, h.room_id from users u
       join residencies m on m.resident_id = u.resident_id and m.moved_out_on is null
       join residencies h on h.community_id = m.community_id and h.room_id = m.room_id and h.moved_out_on is null and h.resident_id <> u.resident_id
       where u.username = 'liuan_resident' order by h.resident_id limit 1`,
    );
    expect(rows.length, 'liuan_resident lives with someone in the demo register').toBe(1);
    const elder = rows[0]!;
    const reg = await t.call('POST', '/api/devices', {
      token: admin,
      body: { type: 'sos_button', name: '一键呼救（通知测试）', roomId: elder.room_id, residentId: elder.resident_id },
    });
    expect(reg.statusCode, reg.body).toBe(201);
    const d = reg.json() as { id: string; gridId: string; credentials: { password: string } };
    await telemetry(d, { pressed: true });
    const { rows: alarms } = await t.db.$client.query<{ id: string }>('select id from alarms where device_id = $1', [d.id]);
    const alarmId = alarms[0]!.id;

    await fireDue(t.db, new Date());
    const notified = async (level: number) =>
      (
        await t.db.$client.query<{ username: string }>(
          `select u.username from notifications n join users u on u.id = n.recipient_user_id
           where n.subject_id = $1 and n.dedupe_key = $2 order by u.username`,
          [alarmId, `escalate:${alarmId}:${level}`],
        )
      ).rows.map((r) => r.username);
    const level0 = await notified(0);
    const { rows: gridWorkers } = await t.db.$client.query<{ username: string }>(
      "select username from users where 'grid_worker' = any(roles) and region_id = $1 and status = 'active'",
      [d.gridId],
    );
    expect(gridWorkers.length).toBeGreaterThan(0);
    expect(level0).toContain('liuan_resident');
    for (const g of gridWorkers) expect(level0).toContain(g.username);
    const family = (await inbox(resident)).items.find((n) => n.subjectId === alarmId)!;
    expect(family).toMatchObject({ kind: 'alarm.escalation', link: '/m/family', readAt: null });
    expect(family.body).toContain('一键呼救（通知测试）');

    await fireDue(t.db, new Date(Date.now() + 6 * 60_000));
    const level1 = await notified(1);
    expect(level1).toContain('liuan_admin');
    expect(level1.every((u) => !level0.includes(u))).toBe(true);
    const log = async () =>
      (
        await t.db.$client.query<{ text: string }>(
          "select text from alarm_comments where alarm_id = $1 and kind = 'notify' order by at, id",
          [alarmId],
        )
      ).rows.map((r) => r.text);
    expect(await log()).toEqual([`已通知家属与网格员 ${level0.length} 人（第 1 级）`, `已通知社区值班人员 ${level1.length} 人（第 2 级）`]);

    const grid = await t.login(gridWorkers[0]!.username);
    expect((await t.call('POST', `/api/alarms/${alarmId}/actions`, { token: grid, body: { action: 'ack' } })).statusCode).toBe(200);
    await fireDue(t.db, new Date(Date.now() + 20 * 60_000));
    expect(await log()).toHaveLength(2);
    expect(await notified(2)).toEqual([]);

    // A second emergency is a second message to the same people, not swallowed as a repeat of the first.
    const reg2 = await t.call('POST', '/api/devices', {
      token: admin,
      body: { type: 'fall_detector', name: '跌倒检测（通知测试）', roomId: elder.room_id, residentId: elder.resident_id },
    });
    expect(reg2.statusCode, reg2.body).toBe(201);
    const d2 = reg2.json() as { id: string; credentials: { password: string } };
    await telemetry(d2, { fall: true });
    const { rows: alarms2 } = await t.db.$client.query<{ id: string }>('select id from alarms where device_id = $1', [d2.id]);
    expect(alarms2).toHaveLength(1);
    await fireDue(t.db, new Date());
    const toFamily = (await inbox(resident)).items.filter((n) => n.kind === 'alarm.escalation');
    expect(toFamily.map((n) => n.subjectId)).toEqual(expect.arrayContaining([alarmId, alarms2[0]!.id]));
  });

  it('says so when nobody could be told at a level', async () => {
    // A device serving nobody, at the community itself (no grid): nobody to tell at level 1.
    const reg = await t.call('POST', '/api/devices', {
      token: admin,
      body: { type: 'fall_detector', name: '活动室跌倒检测', regionId: liuan },
    });
    expect(reg.statusCode, reg.body).toBe(201);
    const d = reg.json() as { id: string; credentials: { password: string } };
    await telemetry(d, { fall: true });
    await fireDue(t.db, new Date());
    const { rows } = await t.db.$client.query<{ text: string }>(
      "select c.text from alarm_comments c join alarms a on a.id = c.alarm_id where a.device_id = $1 and c.kind = 'notify'",
      [d.id],
    );
    expect(rows.map((r) => r.text)).toEqual(['第 1 级无可通知人员（家属与网格员）']);
  });
});

describe('grid events', () => {
  let plate: { communityId: string; code: string };
  beforeAll(async () => {
    const { rows } = await t.db.$client.query<{ plate_code: string }>(
      'select plate_code from buildings where community_id = $1 order by id limit 1',
      [liuan],
    );
    plate = { communityId: liuan, code: rows[0]!.plate_code };
  });

  async function phoneReport(phone: string) {
    const r = await t.call('POST', '/api/public/grid/reports', {
      body: { categoryCode: 'property.repair', description: '楼道灯不亮（通知测试）', plate, reporterPhone: phone },
    });
    expect(r.statusCode, r.body).toBe(201);
    const { trackingCode, number } = r.json() as { trackingCode: string; number: string };
    const list = (await t.call('GET', '/api/grid/events', { token: admin, query: { q: number } })).json();
    return { id: list.items[0].id as string, trackingCode, number };
  }
  const act = async (token: string, id: string, body: Record<string, unknown>) => {
    const r = await t.call('POST', `/api/grid/events/${id}/actions`, { token, body });
    expect(r.statusCode, r.body).toBe(200);
  };
  const smsOf = async (eventId: string) =>
    (
      await t.db.$client.query<{ phone_masked: string; status: string; text: string; attempts: number }>(
        'select phone_masked, status, text, attempts from sms_outbox where subject_id = $1 order by created_at, id',
        [eventId],
      )
    ).rows;

  it('a reporter without an account gets a text message per status change; without a gateway it is recorded as no_gateway; no plaintext phone is stored', async () => {
    const ev = await phoneReport('139 0013 9001');
    await act(admin, ev.id, { action: 'accept' }); // routed: 立案 and 派遣 in one step
    await dispatchAll();
    await dispatchAll();
    let sms = await smsOf(ev.id);
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatchObject({ phone_masked: '139****9001', status: 'queued' });
    expect(sms[0]!.text).toContain(ev.trackingCode);
    expect(sms[0]!.text).toContain('/m/track');
    expect(sms[0]!.text).toContain('已派遣');
    // The unit's members hear of the dispatch.
    const p = (await inbox(property)).items.find((n) => n.subjectId === ev.id)!;
    expect(p).toMatchObject({ kind: 'grid.dispatch', link: `/grid/events?q=${ev.number}` });

    // Delivered twice (at least once): nothing is written twice.
    await t.db.$client.query("update outbox set dispatched_at = null where topic like 'grid.event-%' and payload->>'eventId' = $1", [
      ev.id,
    ]);
    await dispatchAll();
    expect(await smsOf(ev.id)).toHaveLength(1);
    expect((await inbox(property)).items.filter((n) => n.subjectId === ev.id)).toHaveLength(1);

    expect(await sendSmsBatch(t.db, keys, {})).toBeGreaterThan(0);
    sms = await smsOf(ev.id);
    expect(sms[0]!.status).toBe('no_gateway');
    const { rows } = await t.db.$client.query('select s::text as row from sms_outbox s');
    for (const r of rows) expect(r.row).not.toMatch(/13900139001/);

    const city = await t.login('admin');
    const listed = await t.call('GET', '/api/sms-outbox', { token: city, query: { status: 'no_gateway' } });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().items.find((m: { subjectId: string }) => m.subjectId === ev.id)).toMatchObject({ phone: '139****9001' });
    expect(listed.body).not.toContain('13900139001');
    expect((await t.call('GET', '/api/sms-outbox', { token: admin })).statusCode).toBe(403);
  });

  it('with JIAYUAN_SMS_URL the worker posts {phone, text} to the gateway and marks the message sent; a failing gateway is retried', async () => {
    const received: { phone: string; text: string }[] = [];
    let fail = false;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (fail) {
          res.writeHead(503).end();
          return;
        }
        received.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
    try {
      await sendSmsBatch(t.db, keys, {}); // leftovers of other tests
      const ev = await phoneReport('13900139002');
      await act(admin, ev.id, { action: 'accept' });
      await dispatchAll();
      fail = true;
      expect(await sendSmsBatch(t.db, keys, { url })).toBe(1);
      expect((await smsOf(ev.id))[0]).toMatchObject({ status: 'queued', attempts: 1 });
      fail = false;
      await t.db.$client.query('update sms_outbox set next_attempt_at = now() where subject_id = $1', [ev.id]);
      expect(await sendSmsBatch(t.db, keys, { url })).toBe(1);
      expect((await smsOf(ev.id))[0]).toMatchObject({ status: 'sent', attempts: 2 });
      expect(received).toHaveLength(1);
      expect(received[0]!.phone).toBe('13900139002');
      expect(received[0]!.text).toContain(ev.trackingCode);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a resident with an account gets inbox messages for their own event; read, read-all; nobody reads another’s', async () => {
    const { rows } = await t.db.$client.query<{ id: string }>('select id from buildings where community_id = $1 order by id limit 1', [
      liuan,
    ]);
    const r = await t.call('POST', '/api/grid/events', {
      token: resident,
      body: { categoryCode: 'property.repair', description: '电梯异响（通知测试）', buildingId: rows[0]!.id },
    });
    expect(r.statusCode, r.body).toBe(201);
    const ev = r.json() as { id: string; number: string };
    await act(admin, ev.id, { action: 'accept' });
    await act(property, ev.id, { action: 'grab' });
    await dispatchAll();
    const mine = (await inbox(resident)).items.filter((n) => n.subjectId === ev.id);
    expect(mine.map((n) => n.title)).toEqual(['您上报的事件处置中', '您上报的事件已派遣']);
    expect(mine.every((n) => n.kind === 'grid.status' && n.readAt === null)).toBe(true);
    expect(await smsOf(ev.id)).toEqual([]);

    const before = await inbox(resident);
    expect(before.unread).toBeGreaterThanOrEqual(2);
    const one = await t.call('POST', `/api/notifications/${mine[0]!.id}/read`, { token: resident });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json().readAt).not.toBeNull();
    expect((await inbox(resident)).unread).toBe(before.unread - 1);
    expect((await inbox(resident, { unread: 'true' })).items.some((n) => n.id === mine[0]!.id)).toBe(false);

    // Someone else's message is not found, and stays unread.
    const stranger = await t.call('POST', `/api/notifications/${mine[1]!.id}/read`, { token: property });
    expect(stranger.statusCode).toBe(404);
    expect((await inbox(property)).items.some((n) => n.id === mine[1]!.id)).toBe(false);

    const all = await t.call('POST', '/api/notifications/read-all', { token: resident });
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json().marked).toBe(before.unread - 1);
    const after = await inbox(resident);
    expect(after.unread).toBe(0);
    expect(after.total).toBe(before.total);
  });

  it('deadlines tell: the handler before the limit, the street when it is missed, the district at twice the time, the reporter when feedback lapses', async () => {
    const { rows } = await t.db.$client.query<{ id: string }>('select id from buildings where community_id = $1 order by id limit 1', [
      liuan,
    ]);
    const report = async (description: string) => {
      const r = await t.call('POST', '/api/grid/events', {
        token: resident,
        body: { categoryCode: 'property.repair', description, buildingId: rows[0]!.id },
      });
      expect(r.statusCode, r.body).toBe(201);
      const ev = r.json() as { id: string; number: string };
      await act(admin, ev.id, { action: 'accept' });
      await act(property, ev.id, { action: 'grab' });
      return ev;
    };
    const late = await report('楼道灯不亮（超期测试）');
    const done = await report('单元门闭门器坏（反馈期满测试）');
    await act(property, done.id, { action: 'handle', note: '已更换' });
    // Only these two events' deadlines, fired as if weeks had passed (each firing schedules the next step).
    await t.db.$client.query('delete from deadlines where not (subject_id = any($1::uuid[]))', [[late.id, done.id]]);
    const later = new Date(Date.now() + 60 * 86400_000);
    while ((await fireDue(t.db, later)) > 0) {
      /* warn → overdue → escalate, feedback → auto-close */
    }
    await dispatchAll();

    const warned = (await inbox(property)).items.filter((n) => n.subjectId === late.id && n.kind === 'grid.warn');
    expect(warned).toHaveLength(1);
    expect(warned[0]!.body).toContain(late.number);

    const supervisors = await t.db.$client.query<{ username: string; level: string }>(
      `select u.username, r.level from users u join regions r on r.id = u.region_id
       where u.status = 'active' and ((r.id = (select parent_id from regions where id = $1) and 'street_admin' = any(u.roles))
          or (r.id = (select s.parent_id from regions s where s.id = (select parent_id from regions where id = $1)) and 'district_admin' = any(u.roles)))`,
      [liuan],
    );
    const street = supervisors.rows.find((x) => x.level === 'street')!;
    const district = supervisors.rows.find((x) => x.level === 'district')!;
    expect(street && district).toBeTruthy();
    const streetInbox = (await inbox(await t.login(street.username))).items.filter((n) => n.kind === 'grid.overdue');
    expect(streetInbox).toHaveLength(1); // one digest for the community, not one message per event
    expect(streetInbox[0]!.body).toMatch(/柳岸社区 1 件事件超过处置时限，已上报街道督办/);
    expect(streetInbox[0]!.body).toContain(late.number);
    expect(streetInbox[0]!.link).toBe('/grid/events?view=overdue');
    const districtInbox = (await inbox(await t.login(district.username))).items.filter((n) => n.kind === 'grid.escalated');
    expect(districtInbox).toHaveLength(1);
    expect(districtInbox[0]!.body).toContain(late.number);

    // The event left in 待反馈 closed itself after 3 working days: its reporter is told.
    const status = await t.db.$client.query<{ status: string }>('select status from grid_events where id = $1', [done.id]);
    expect(status.rows[0]!.status).toBe('closed');
    const told = (await inbox(resident)).items.filter((n) => n.subjectId === done.id && n.kind === 'grid.status');
    expect(told.map((n) => n.title)).toContain('您上报的事件已结案');
    expect(told.find((n) => n.title === '您上报的事件已结案')!.body).toContain('自动结案');
    // The overdue event's reporter is not told of supervision steps.
    expect((await inbox(resident)).items.filter((n) => n.subjectId === late.id && n.body.includes('督办'))).toEqual([]);
  });
});
