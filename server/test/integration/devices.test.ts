// Devices, ingest over HTTP and MQTT (embedded broker and the machine's Mosquitto), rules → alarms,
// linkage to grid events, elderly emergency escalation (issue 7), against a real PostgreSQL.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireDue } from '../../src/modules/deadlines/service.js';
import { dispatchBatch } from '../../src/modules/events/service.js';
import { startEmbeddedBroker, startExternalIngest, type MqttIngest } from '../../src/modules/devices/mqtt.js';
import { alarmFeed, authenticateDevice, ingest } from '../../src/modules/devices/service.js';
import { freePort } from '../../src/db/embedded.js';
import pg from 'pg';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
let admin: string;
let liuan: string;
let building: string;
const log = { info: () => {}, warn: () => {} };

async function register(body: Record<string, unknown>) {
  const r = await t.call('POST', '/api/devices', { token: admin, body: { buildingId: building, ...body } });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string; credentials: { username: string; password: string } };
}

function send(d: { id: string; credentials: { password: string } }, body: unknown, password = d.credentials.password) {
  return t.app.inject({
    method: 'POST',
    url: `/api/devices/${d.id}/telemetry`,
    headers: { authorization: `Basic ${Buffer.from(`${d.id}:${password}`).toString('base64')}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

const alarmsOf = async (deviceId: string) =>
  ((await t.call('GET', '/api/alarms', { token: admin, query: { communityId: liuan } })).json() as { deviceId: string }[]).filter(
    (a) => a.deviceId === deviceId,
  );

beforeAll(async () => {
  t = await setupTestApp();
  admin = await t.login('liuan_admin');
  liuan = await t.region('柳岸社区');
  const { rows } = await t.db.$client.query<{ id: string }>('select id from buildings where community_id = $1 order by id limit 1', [
    liuan,
  ]);
  building = rows[0]!.id;
});
afterAll(() => t.close());

describe('register and HTTP ingest', () => {
  it('registers a device with credentials shown once; refuses wrong credentials and malformed payloads; stores the latest values', async () => {
    const d = await register({ type: 'smoke_detector', name: '3栋1单元楼道烟感' });
    expect(d.credentials.username).toBe(d.id);
    const { rows } = await t.db.$client.query('select secret_hash from devices where id = $1', [d.id]);
    expect(rows[0].secret_hash).not.toContain(d.credentials.password);
    expect((await send(d, { values: { smoke: false } }, 'wrong')).statusCode).toBe(401);
    const bad = await send(d, { values: { smoke: { nested: true } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body.values.smoke');
    const ok = await send(d, { values: { smoke: false, battery: 87 } });
    expect(ok.statusCode, ok.body).toBe(202);
    const detail = (await t.call('GET', `/api/devices/${d.id}`, { token: admin })).json();
    expect(detail.latest.battery.value).toBe(87);
    expect(detail.fiwareType).toBe('Device');
  });

  it('malformed payloads never cause a 5xx', async () => {
    const d = await register({ type: 'temperature_humidity', name: '配电房温湿度' });
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (body) => {
        const r = await send(d, body);
        expect(r.statusCode === 202 || r.statusCode === 400).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

describe('rules → alarms', () => {
  it('a smoke alarm is raised once, repeats update it, it clears, and a fire becomes an urgent grid event', async () => {
    const d = await register({ type: 'smoke_detector', name: '2栋地下室烟感' });
    await send(d, { values: { smoke: true } });
    await send(d, { values: { smoke: true } });
    let list = await alarmsOf(d.id);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ deviceId: d.id, type: 'fire', severity: 'critical', status: 'active', count: 2 });
    // Linkage (`003` L3P2): the outbox delivers the raised alarm; a grid event follows.
    while ((await dispatchBatch(t.db)) > 0) {
      /* deliver */
    }
    const detail = (await t.call('GET', `/api/alarms/${(list[0] as unknown as { id: string }).id}`, { token: admin })).json();
    expect(detail.gridEventId).toBeTruthy();
    const ev = (await t.call('GET', `/api/grid/events/${detail.gridEventId}`, { token: admin })).json();
    expect(ev).toMatchObject({ categoryCode: 'safety.fire', urgency: 'urgent', reporterKind: 'device', buildingId: building });
    await send(d, { values: { smoke: false } });
    list = await alarmsOf(d.id);
    expect(list[0]).toMatchObject({ status: 'cleared' });
    // A new fire is a new alarm.
    await send(d, { values: { smoke: true } });
    expect((await alarmsOf(d.id)).filter((a) => (a as unknown as { status: string }).status === 'active')).toHaveLength(1);
  });

  it('alarm messages queued behind a batch being written go together, each counted, in order (a fire cleared and raised again within a batch)', async () => {
    const d = await register({ type: 'smoke_detector', name: '3栋楼道烟感' });
    const device = (await authenticateDevice(t.db, d.id, d.credentials.password))!;
    // The community's rules are loaded (the alarm lane needs them) by a first, routine message.
    await ingest(t.db, device, { ts: Date.now() - 10_000, values: { smoke: false } });
    const ts = Date.now() - 5_000;
    // The first fire starts a batch of its own; the next three wait for it and are written as one batch
    // (one multi-row upsert of the same alarm would be refused if they were not merged first).
    const first = ingest(t.db, device, { ts, values: { smoke: true } });
    const rest = [1, 2, 3].map((k) => ingest(t.db, device, { ts: ts + k, values: { smoke: true } }));
    await Promise.all([first, ...rest]);
    expect(await alarmsOf(d.id)).toMatchObject([{ type: 'fire', status: 'active', count: 4 }]);
    // Smoke gone and back within one batch: that fire is cleared and a new one raised, in this order.
    const holder = ingest(t.db, device, { ts: ts + 10, values: { smoke: true } });
    const gone = ingest(t.db, device, { ts: ts + 11, values: { smoke: false } });
    const back = ingest(t.db, device, { ts: ts + 12, values: { smoke: true } });
    const still = ingest(t.db, device, { ts: ts + 13, values: { smoke: true } });
    await Promise.all([holder, gone, back, still]);
    const list = (await alarmsOf(d.id)) as unknown as { status: string; count: number; firstAt: string; lastAt: string }[];
    expect(list.map((a) => [a.status, a.count]).sort()).toEqual([
      ['active', 2],
      ['cleared', 5],
    ]);
    // Each alarm's times are its own samples' (the 15-minute measure counts from `firstAt`).
    expect(list.find((a) => a.status === 'active')).toMatchObject({
      firstAt: new Date(ts + 12).toISOString(),
      lastAt: new Date(ts + 13).toISOString(),
    });
    expect(list.find((a) => a.status === 'cleared')).toMatchObject({ firstAt: new Date(ts).toISOString() });
    const { rows } = await t.db.$client.query<{ n: string }>('select count(*) as n from telemetry where device_id = $1', [d.id]);
    expect(Number(rows[0]!.n)).toBe(9);
  });

  it('a duration rule raises only after the condition held for its time (the clock is the samples’)', async () => {
    const d = await register({ type: 'temperature_humidity', name: '水泵房温度' });
    const t0 = Date.now() - 30 * 60_000;
    for (const m of [0, 3, 6, 9]) expect((await send(d, { ts: t0 + m * 60_000, values: { temperature: 38 } })).statusCode).toBe(202);
    expect(await alarmsOf(d.id)).toHaveLength(0);
    await send(d, { ts: t0 + 10 * 60_000, values: { temperature: 39 } });
    expect(await alarmsOf(d.id)).toMatchObject([{ type: 'high_temperature', status: 'active' }]);
    const series = (
      await t.call('GET', `/api/devices/${d.id}/series`, {
        token: admin,
        query: { key: 'temperature', from: new Date(t0 - 60_000).toISOString(), to: new Date().toISOString(), bucket: '300' },
      })
    ).json();
    expect(series.reduce((s: number, b: { n: number }) => s + b.n, 0)).toBe(5);
  });

  it('an elderly SOS escalates until acknowledged; arrival is recorded and counts for `003` L2P6', async () => {
    const d = await register({ type: 'sos_button', name: '独居老人一键呼救' });
    await send(d, { values: { pressed: true } });
    const [a] = (await alarmsOf(d.id)) as unknown as { id: string }[];
    await fireDue(t.db, new Date());
    await fireDue(t.db, new Date(Date.now() + 6 * 60_000));
    let detail = (await t.call('GET', `/api/alarms/${a!.id}`, { token: admin })).json();
    // How many were told at each level (notifications.test.ts checks who): the grid's workers, the community's administrators.
    const notices = detail.log.filter((l: { kind: string }) => l.kind === 'notify').map((l: { text: string }) => l.text);
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatch(/^已通知家属与网格员 \d+ 人（第 1 级）$/);
    expect(notices[1]).toMatch(/^已通知社区值班人员 \d+ 人（第 2 级）$/);
    const grid = await t.login('liuan_grid1');
    expect((await t.call('POST', `/api/alarms/${a!.id}/actions`, { token: grid, body: { action: 'arrive' } })).statusCode).toBe(200);
    await fireDue(t.db, new Date(Date.now() + 20 * 60_000)); // acknowledged: the chain stopped
    detail = (await t.call('GET', `/api/alarms/${a!.id}`, { token: admin })).json();
    expect(detail.log.filter((l: { kind: string }) => l.kind === 'notify')).toHaveLength(2);
    const { rows: pending } = await t.db.$client.query('select count(*)::int as n from deadlines where subject_id = $1', [a!.id]);
    expect(pending[0].n).toBe(0);
    expect(detail.acknowledged).toBe(true);
    expect(detail.arrivalMinutes).toBeLessThan(15);
    const card = (
      await t.call('GET', '/api/evaluation/scorecard', { token: admin, query: { communityId: liuan, framework: 'DB37/T 3890.3-2020' } })
    ).json();
    const c = card.indicators
      .find((i: { code: string }) => i.code === 'L2P6')
      .criteria.find((x: { provenance: { measure?: string } | null }) => x.provenance?.measure === 'devices.elderly-response-15min');
    expect(c.met).toBe(true);
    expect(c.provenance.records).toBeGreaterThan(0);
  });

  it('family members follow the alarms of a device serving someone of their household', async () => {
    const { rows } = await t.db.$client.query<{ resident_id: string }>("select resident_id from users where username = 'liuan_resident'");
    const d = await register({ type: 'fall_detector', name: '卧室跌倒检测', residentId: rows[0]!.resident_id });
    await send(d, { values: { fall: true } });
    const resident = await t.login('liuan_resident');
    const mine = (await t.call('GET', '/api/my-family-alarms', { token: resident })).json();
    expect(mine.find((a: { deviceId: string }) => a.deviceId === d.id)).toMatchObject({
      type: 'fall',
      label: '跌倒报警',
      acknowledged: false,
    });
    // Someone else's household sees none of it.
    const other = await t.login('jiangyue_resident');
    expect(
      ((await t.call('GET', '/api/my-family-alarms', { token: other })).json() as { deviceId: string }[]).some((a) => a.deviceId === d.id),
    ).toBe(false);
  });
});

describe('MQTT ingest', () => {
  let broker: MqttIngest;
  beforeAll(async () => {
    broker = await startEmbeddedBroker(t.db, await freePort(), log, '127.0.0.1');
  });
  afterAll(() => broker.stop());

  it('the embedded broker authenticates devices, acknowledges a QoS 1 message only once it is stored, and refuses other topics', async () => {
    const d = await register({ type: 'water_meter', name: '1栋总水表' });
    await expect(
      mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { username: d.id, password: 'wrong', reconnectPeriod: 0, connectTimeout: 3000 }),
    ).rejects.toThrow();
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      username: d.id,
      password: d.credentials.password,
      reconnectPeriod: 0,
    });
    await c.publishAsync(`jiayuan/devices/${d.id}/telemetry`, JSON.stringify({ values: { reading: 1234.5 } }), { qos: 1 });
    // Acknowledged → already in PostgreSQL.
    const { rows } = await t.db.$client.query("select value from telemetry where device_id = $1 and key = 'reading'", [d.id]);
    expect(rows).toEqual([{ value: 1234.5 }]);
    await c.publishAsync(`jiayuan/devices/${d.id}/telemetry`, 'not json', { qos: 1 }); // acknowledged, dropped, counted
    const stats = (await t.call('GET', '/api/devices/ingest-stats', { token: admin })).json();
    expect(stats.rejected.malformed).toBeGreaterThan(0);
    await c.endAsync();
    const other = await register({ type: 'water_meter', name: '2栋总水表' });
    const c2 = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      username: other.id,
      password: other.credentials.password,
      reconnectPeriod: 0,
    });
    const closed = new Promise<void>((r) => c2.once('close', () => r()));
    c2.publish(`jiayuan/devices/${d.id}/telemetry`, JSON.stringify({ values: { reading: 1 } }), { qos: 1 });
    await closed; // publishing as another device ends the connection
    const { rows: after } = await t.db.$client.query("select count(*)::int as n from telemetry where device_id = $1 and key = 'reading'", [
      d.id,
    ]);
    expect(after[0].n).toBe(1);
  });

  it('with an external broker (the machine’s Mosquitto) the platform reads as an ordinary client and stores what devices publish', async () => {
    const clientId = `jiayuan-test-${randomUUID().slice(0, 8)}`;
    const ingest = await startExternalIngest(t.db, 'mqtt://127.0.0.1:1883', log, clientId);
    try {
      const d = await register({ type: 'electricity_meter', name: '配电箱电表' });
      const dev = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { reconnectPeriod: 0 });
      await dev.publishAsync(`jiayuan/devices/${d.id}/telemetry`, JSON.stringify({ values: { kwh: 42.5 } }), { qos: 1 });
      await dev.endAsync();
      let n = 0;
      for (let i = 0; i < 50 && n === 0; i++) {
        n = (await t.db.$client.query("select count(*)::int as n from telemetry where device_id = $1 and key = 'kwh'", [d.id])).rows[0].n;
        if (!n) await new Promise((r) => setTimeout(r, 100));
      }
      expect(n).toBe(1);
    } finally {
      await ingest.stop();
      // The platform's session is persistent (it must outlive a restart); the test's must not outlive the
      // test, or the machine's broker queues every later message for it.
      await (await mqtt.connectAsync('mqtt://127.0.0.1:1883', { clientId, clean: true, reconnectPeriod: 0 })).endAsync();
    }
  });
});

describe('external broker: many messages in flight, each acknowledged only once stored', () => {
  const BROKER = 'mqtt://127.0.0.1:1883';
  const until = async (done: () => Promise<boolean>, ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (await done()) return true;
    return false;
  };
  const stored = async (key: string, since: Date) =>
    (await t.db.$client.query('select count(*)::int as n from telemetry where key = $1 and ts >= $2', [key, since])).rows[0].n as number;

  it('stores every message of a burst from ten publishers (one at a time, the broker dropped what queued past its limit)', async () => {
    const clientId = `jiayuan-test-${randomUUID().slice(0, 8)}`;
    const ingest = await startExternalIngest(t.db, BROKER, log, clientId);
    const publishers = await Promise.all(Array.from({ length: 10 }, () => mqtt.connectAsync(BROKER, { reconnectPeriod: 0 })));
    try {
      const meters = await Promise.all(Array.from({ length: 20 }, (_, i) => register({ type: 'water_meter', name: `楼道水表 ${i + 1}` })));
      const n = 2000;
      const t0 = new Date(Date.now() - 3_600_000);
      // Each reading has its own time: stored twice, it would still be one row.
      await Promise.all(
        publishers.map(async (p, k) => {
          for (let i = k; i < n; i += publishers.length)
            await p.publishAsync(
              `jiayuan/devices/${meters[i % meters.length]!.id}/telemetry`,
              JSON.stringify({ ts: new Date(t0.getTime() + i * 1000).toISOString(), values: { burst_m3: i } }),
              { qos: 1 },
            );
        }),
      );
      await until(async () => (await stored('burst_m3', t0)) >= n, 30_000);
      expect(await stored('burst_m3', t0)).toBe(n);
    } finally {
      await Promise.all(publishers.map((p) => p.endAsync()));
      await ingest.stop();
      await (await mqtt.connectAsync(BROKER, { clientId, clean: true, reconnectPeriod: 0 })).endAsync();
    }
  });

  it('a message the database refuses is not acknowledged: the broker sends it again until it is stored, once', async () => {
    const clientId = `jiayuan-test-${randomUUID().slice(0, 8)}`;
    const ingest = await startExternalIngest(t.db, BROKER, log, clientId);
    const dev = await mqtt.connectAsync(BROKER, { reconnectPeriod: 0 });
    // New rows with this key break a constraint (NOT VALID: the rows already there are not checked).
    await t.db.$client.query("alter table telemetry add constraint telemetry_test_refuse check (key <> 'refused_kwh') not valid");
    let dropped = false;
    try {
      const d = await register({ type: 'electricity_meter', name: '拒收电表' });
      const at = new Date(Date.now() - 60_000);
      await dev.publishAsync(`jiayuan/devices/${d.id}/telemetry`, JSON.stringify({ ts: at.toISOString(), values: { refused_kwh: 7 } }), {
        qos: 1,
      });
      // Refused: the platform drops its connection instead of acknowledging; reconnected (every 2 s),
      // it is sent the message again and refused again.
      await new Promise((r) => setTimeout(r, 3000));
      expect(await stored('refused_kwh', at)).toBe(0);
      await t.db.$client.query('alter table telemetry drop constraint telemetry_test_refuse');
      dropped = true;
      expect(await until(async () => (await stored('refused_kwh', at)) === 1, 15_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 500));
      expect(await stored('refused_kwh', at)).toBe(1);
    } finally {
      if (!dropped) await t.db.$client.query('alter table telemetry drop constraint if exists telemetry_test_refuse');
      await dev.endAsync();
      await ingest.stop();
      await (await mqtt.connectAsync(BROKER, { clientId, clean: true, reconnectPeriod: 0 })).endAsync();
    }
  });
});

describe('the live alarm centre (Server-Sent Events)', () => {
  it('needs an account, and pushes an alarm of the caller’s communities as it is raised', async () => {
    expect((await t.call('GET', '/api/alarms/stream')).statusCode).toBe(401);
    expect((await t.call('GET', '/api/alarms/stream', { token: await t.login('liuan_resident') })).statusCode).toBe(403);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as { port: number }).port;
    const ac = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/api/alarms/stream`, {
      headers: { authorization: `Bearer ${admin}` },
      signal: ac.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const d = await register({ type: 'gas_detector', name: '厨房燃气探测器' });
    await send(d, { values: { gas_lel: 35 } }); // no outbox dispatch needed: the feed hears the commit
    const deadline = Date.now() + 5000;
    while (!text.includes('devices.alarm-raised') && Date.now() < deadline) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    ac.abort();
    expect(text).toContain('event: devices.alarm-raised');
    expect(text).toContain(d.id);
  });

  it('this node tells its own consoles at its commit, once: its notification coming back is not told again', async () => {
    const heard: { topic: string; payload: { deviceId?: string } }[] = [];
    const listen = (c: { topic: string; payload: { deviceId?: string } }) => heard.push(c);
    alarmFeed.on('alarm', listen);
    try {
      const d = await register({ type: 'smoke_detector', name: '本节点烟感' });
      const r = await send(d, { values: { smoke: true } });
      expect(r.statusCode).toBe(202);
      // Told at the commit, before the answer to the device.
      expect(heard.filter((h) => h.payload.deviceId === d.id).map((h) => h.topic)).toEqual(['devices.alarm-raised']);
      // The notification has come back meanwhile (a query on the same server after it) and was not told again.
      await new Promise((r) => setTimeout(r, 300));
      await t.db.$client.query('select 1');
      expect(heard.filter((h) => h.payload.deviceId === d.id)).toHaveLength(1);
    } finally {
      alarmFeed.off('alarm', listen);
    }
  });

  it('is announced to every node through PostgreSQL (NOTIFY at commit), not through this process', async () => {
    // What another node's feed listener does: LISTEN on its own connection to the same database.
    const other = new pg.Client({ connectionString: t.url });
    await other.connect();
    try {
      const heard: { topic: string; communityId: string; payload: { deviceId?: string } }[] = [];
      other.on('notification', (n) => heard.push(JSON.parse(n.payload!)));
      await other.query('listen jiayuan_alarm_feed');
      const d = await register({ type: 'smoke_detector', name: '二号节点烟感' });
      await send(d, { values: { smoke: true } });
      for (let i = 0; i < 50 && !heard.some((h) => h.payload.deviceId === d.id); i++) await new Promise((r) => setTimeout(r, 100));
      const mine = heard.filter((h) => h.payload.deviceId === d.id);
      expect(mine.map((h) => h.topic)).toEqual(['devices.alarm-raised']);
      expect(mine[0]!.communityId).toBe(liuan);
    } finally {
      await other.end();
    }
  });
});
