// Alarm-rule configuration (issue 7 §4): overrides at street and community level change which
// telemetry raises alarms; disabling, reverting, history, validation and scope. Real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES_TTL_MS } from '../../src/modules/devices/rule-config.js';
import { authenticateDevice, ingest } from '../../src/modules/devices/service.js';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
let liuanAdmin: string;
let jiangyueAdmin: string;
let binheAdmin: string;
let wangjiangAdmin: string;
let liuan: string;
let jiangyue: string;
let binhe: string;

type Device = { id: string; credentials: { password: string } };

async function register(token: string, communityId: string, type: string, name: string): Promise<Device> {
  const r = await t.call('POST', '/api/devices', { token, body: { regionId: communityId, type, name } });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as Device;
}

async function send(d: Device, body: unknown) {
  const r = await t.app.inject({
    method: 'POST',
    url: `/api/devices/${d.id}/telemetry`,
    headers: {
      authorization: `Basic ${Buffer.from(`${d.id}:${d.credentials.password}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    payload: JSON.stringify(body),
  });
  expect(r.statusCode, r.body).toBe(202);
}

async function alarmsOf(token: string, communityId: string, d: Device) {
  const r = await t.call('GET', '/api/alarms', { token, query: { communityId } });
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { deviceId: string; type: string; status: string }[]).filter((a) => a.deviceId === d.id);
}

const gas = (value: number, extra: Record<string, unknown> = {}) => ({
  deviceType: 'gas_detector',
  alarmType: 'gas_leak',
  label: '燃气泄漏',
  severity: 'critical',
  kind: 'simple',
  condition: { key: 'gas_lel', op: '>=', value },
  ...extra,
});

const put = (token: string, regionId: string, ruleId: string, definition: unknown, enabled = true) =>
  t.call('PUT', `/api/device-rules/${regionId}/${ruleId}`, { token, body: { enabled, definition } });

async function effective(token: string, regionId: string, ruleId: string) {
  const r = await t.call('GET', '/api/device-rules', { token, query: { regionId } });
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { rules: Record<string, unknown>[] }).rules.find((x) => x.id === ruleId)!;
}

beforeAll(async () => {
  t = await setupTestApp();
  liuanAdmin = await t.login('liuan_admin');
  jiangyueAdmin = await t.login('jiangyue_admin');
  binheAdmin = await t.login('binhe_admin');
  wangjiangAdmin = await t.login('wangjiang_admin');
  liuan = await t.region('柳岸社区');
  jiangyue = await t.region('江月社区');
  binhe = await t.region('滨河街道');
});
afterAll(() => t.close());

describe('device rule configuration', () => {
  it('lists the defaults with their source before anything is configured', async () => {
    const r = await t.call('GET', '/api/device-rules', { token: liuanAdmin });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.region).toMatchObject({ id: liuan, level: 'community' });
    expect(body.rules.find((x: { id: string }) => x.id === 'gas.leak')).toMatchObject({
      source: 'default',
      sourceLabel: '默认',
      enabled: true,
      condition: { key: 'gas_lel', op: '>=', value: 20 },
    });
  });

  it('a community threshold override decides whether telemetry raises an alarm (both sides of the threshold)', async () => {
    const a = await register(liuanAdmin, liuan, 'gas_detector', '厨房燃气A');
    const b = await register(liuanAdmin, liuan, 'gas_detector', '厨房燃气B');
    await send(a, { values: { gas_lel: 12 } });
    expect(await alarmsOf(liuanAdmin, liuan, a)).toEqual([]); // default: >= 20

    const res = await put(liuanAdmin, liuan, 'gas.leak', gas(10));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: 'gas.leak', source: 'community', sourceLabel: '社区', here: true, version: 1 });

    await send(a, { values: { gas_lel: 12 } });
    expect(await alarmsOf(liuanAdmin, liuan, a)).toMatchObject([{ type: 'gas_leak', status: 'active' }]);
    await send(b, { values: { gas_lel: 9.9 } });
    expect(await alarmsOf(liuanAdmin, liuan, b)).toEqual([]);
    await send(b, { values: { gas_lel: 10 } }); // >= is inclusive
    expect(await alarmsOf(liuanAdmin, liuan, b)).toMatchObject([{ type: 'gas_leak', status: 'active' }]);
  });

  it('a duration override (30 °C for 1 minute) replaces the default (35 °C for 10 minutes)', async () => {
    const d = await register(liuanAdmin, liuan, 'temperature_humidity', '配电房温度');
    const def = {
      deviceType: 'temperature_humidity',
      alarmType: 'high_temperature',
      label: '温度持续过高',
      severity: 'major',
      kind: 'duration',
      seconds: 60,
      condition: { key: 'temperature', op: '>', value: 30 },
    };
    expect((await put(liuanAdmin, liuan, 'temperature.high', def)).statusCode).toBe(200);
    const t0 = Date.now() - 10 * 60_000;
    await send(d, { ts: t0, values: { temperature: 31 } });
    await send(d, { ts: t0 + 30_000, values: { temperature: 31 } });
    expect(await alarmsOf(liuanAdmin, liuan, d)).toEqual([]);
    await send(d, { ts: t0 + 61_000, values: { temperature: 31.5 } });
    expect(await alarmsOf(liuanAdmin, liuan, d)).toMatchObject([{ type: 'high_temperature', status: 'active' }]);
    const other = await register(liuanAdmin, liuan, 'temperature_humidity', '仓库温度');
    await send(other, { ts: t0, values: { temperature: 30 } });
    await send(other, { ts: t0 + 120_000, values: { temperature: 30 } }); // not above 30
    expect(await alarmsOf(liuanAdmin, liuan, other)).toEqual([]);
  });

  it('a street override applies to its communities unless a community overrides', async () => {
    const res = await put(binheAdmin, binhe, 'gas.leak', gas(5));
    expect(res.statusCode, res.body).toBe(200);
    expect(await effective(jiangyueAdmin, jiangyue, 'gas.leak')).toMatchObject({
      source: 'street',
      sourceLabel: '街道',
      sourceRegionId: binhe,
      here: false,
      condition: { value: 5 },
    });
    expect(await effective(liuanAdmin, liuan, 'gas.leak')).toMatchObject({ source: 'community', condition: { value: 10 } });

    const j = await register(jiangyueAdmin, jiangyue, 'gas_detector', '江月燃气');
    await send(j, { values: { gas_lel: 4 } });
    expect(await alarmsOf(jiangyueAdmin, jiangyue, j)).toEqual([]);
    await send(j, { values: { gas_lel: 6 } });
    expect(await alarmsOf(jiangyueAdmin, jiangyue, j)).toMatchObject([{ type: 'gas_leak', status: 'active' }]);

    const l = await register(liuanAdmin, liuan, 'gas_detector', '柳岸燃气');
    await send(l, { values: { gas_lel: 6 } }); // the street says 5, the community says 10
    expect(await alarmsOf(liuanAdmin, liuan, l)).toEqual([]);
  });

  it('disabling stops new alarms; an active alarm stays until cleared by people', async () => {
    const before = await register(liuanAdmin, liuan, 'gas_detector', '停用前');
    await send(before, { values: { gas_lel: 40 } });
    expect(await alarmsOf(liuanAdmin, liuan, before)).toMatchObject([{ status: 'active' }]);

    const res = await put(liuanAdmin, liuan, 'gas.leak', gas(10), false);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ enabled: false, version: 2 });

    const d = await register(liuanAdmin, liuan, 'gas_detector', '停用后');
    await send(d, { values: { gas_lel: 80 } });
    expect(await alarmsOf(liuanAdmin, liuan, d)).toEqual([]);
    await send(before, { values: { gas_lel: 0 } }); // the rule is off: it does not clear either
    expect(await alarmsOf(liuanAdmin, liuan, before)).toMatchObject([{ status: 'active' }]);
  });

  it('revert restores what is inherited (the street), and history lists every version', async () => {
    const res = await t.call('DELETE', `/api/device-rules/${liuan}/gas.leak`, { token: liuanAdmin });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ reverted: true, rule: { source: 'street', condition: { value: 5 } } });
    const again = await t.call('DELETE', `/api/device-rules/${liuan}/gas.leak`, { token: liuanAdmin });
    expect(again.json()).toMatchObject({ reverted: false });

    const d = await register(liuanAdmin, liuan, 'gas_detector', '恢复后');
    await send(d, { values: { gas_lel: 6 } });
    expect(await alarmsOf(liuanAdmin, liuan, d)).toMatchObject([{ type: 'gas_leak', status: 'active' }]);

    const h = await t.call('GET', `/api/device-rules/${liuan}/gas.leak/history`, { token: liuanAdmin });
    expect(h.statusCode, h.body).toBe(200);
    expect(h.json()).toMatchObject([
      { version: 3, action: 'revert', definition: null },
      { version: 2, action: 'set', enabled: false, definition: { condition: { value: 10 } } },
      { version: 1, action: 'set', enabled: true, definition: { condition: { value: 10 } } },
    ]);
    expect(h.json()[0].by).toBeTruthy();
    // Versions are history: the database refuses to change them.
    await expect(t.db.$client.query("update device_rules set enabled = true where rule_id = 'gas.leak'")).rejects.toThrow(/append-only/);
    await expect(t.db.$client.query("delete from device_rules where rule_id = 'gas.leak'")).rejects.toThrow(/append-only/);
  });

  it('adds a rule of an existing kind for a device type', async () => {
    const low = {
      deviceType: 'temperature_humidity',
      alarmType: 'low_temperature',
      label: '温度过低',
      severity: 'minor',
      kind: 'repeat',
      count: 2,
      windowSeconds: 300,
      condition: { key: 'temperature', op: '<', value: 5 },
    };
    const res = await put(liuanAdmin, liuan, 'temperature.low', low);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: 'temperature.low', source: 'community', kind: 'repeat', count: 2 });
    const d = await register(liuanAdmin, liuan, 'temperature_humidity', '水表井温度');
    const t0 = Date.now() - 60_000;
    await send(d, { ts: t0, values: { temperature: 3 } });
    expect(await alarmsOf(liuanAdmin, liuan, d)).toEqual([]);
    await send(d, { ts: t0 + 10_000, values: { temperature: 2 } });
    expect(await alarmsOf(liuanAdmin, liuan, d)).toMatchObject([{ type: 'low_temperature', status: 'active' }]);
    // Not in the street's sister community.
    expect(
      (await t.call('GET', '/api/device-rules', { token: jiangyueAdmin })).json().rules.map((r: { id: string }) => r.id),
    ).not.toContain('temperature.low');
  });

  it('two rules of one device with the same alarm type (street and community) make one alarm, their outcomes in time order', async () => {
    const overheat = (value: number) => ({
      deviceType: 'smoke_detector',
      alarmType: 'overheat',
      label: '烟感温度过高',
      severity: 'major',
      kind: 'simple',
      condition: { key: 'temperature', op: '>', value },
    });
    expect((await put(liuanAdmin, liuan, 'smoke.overheat', overheat(60))).statusCode).toBe(200);
    // The street's check looks at the rules above it, not at the community's below.
    expect((await put(binheAdmin, binhe, 'smoke.overheat_street', overheat(55))).statusCode).toBe(200);
    const d = await register(liuanAdmin, liuan, 'smoke_detector', '厨房烟感');
    const device = (await authenticateDevice(t.db, d.id, d.credentials.password))!;
    const ts = Date.now() - 30_000;
    await ingest(t.db, device, { ts, values: { temperature: 20 } });
    // The first starts a batch; hot and cool again wait for it and are written together: both rules
    // raise at the hot sample and clear at the cool one.
    await Promise.all([
      ingest(t.db, device, { ts: ts + 1, values: { temperature: 21 } }),
      ingest(t.db, device, { ts: ts + 2, values: { temperature: 70 } }),
      ingest(t.db, device, { ts: ts + 3, values: { temperature: 22 } }),
    ]);
    expect(await alarmsOf(liuanAdmin, liuan, d)).toMatchObject([{ type: 'overheat', status: 'cleared', count: 2 }]);
  });

  it('refuses invalid definitions with 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [gas(10, { kind: 'duration' }), 'body.definition.seconds'],
      [gas(10, { kind: 'repeat', count: 3 }), 'body.definition.windowSeconds'],
      [gas(10, { severity: 'huge' }), 'body.definition.severity'],
      [gas(10, { deviceType: 'smoke_detector' }), 'body.definition.deviceType'],
      [gas(10, { alarmType: 'fire' }), 'body.definition.alarmType'],
      [gas(10, { label: '' }), 'body.definition.label'],
      [gas(10, { seconds: -1, kind: 'duration' }), 'body.definition.seconds'],
      [{ ...gas(10), condition: { key: 'gas_lel', op: '>', value: true } }, 'body.definition.condition.op'],
      [{ ...gas(10), condition: { key: 'gas_lel', op: '>=', value: true } }, 'body.definition.condition.op'],
      [{ ...gas(10), condition: { key: 'gas_lel', op: '=~', value: 3 } }, 'body.definition.condition.op'],
      [{ ...gas(10), condition: { key: '9bad', op: '>=', value: 3 } }, 'body.definition.condition.key'],
      [{ ...gas(10), condition: { key: 'gas_lel', op: '==', value: true } }, 'body.definition.condition.value'],
    ];
    for (const [def, field] of cases) {
      const r = await put(liuanAdmin, liuan, 'gas.leak', def);
      expect(r.statusCode, `${field}: ${r.body}`).toBe(400);
      expect(
        (r.json().errors as { field: string }[]).map((e) => e.field),
        `${field}: ${r.body}`,
      ).toContain(field);
    }
    // A new rule may not take an alarm type its device type already has.
    const dup = await put(liuanAdmin, liuan, 'gas.leak2', gas(10));
    expect(dup.statusCode).toBe(400);
    expect(dup.json().errors[0].field).toBe('body.definition.alarmType');
    const badId = await put(liuanAdmin, liuan, 'Gas Leak', gas(10));
    expect(badId.statusCode).toBe(400);
    // Grids do not configure rules.
    const { rows } = await t.db.$client.query<{ id: string }>("select id from regions where parent_id = $1 and level = 'grid' limit 1", [
      liuan,
    ]);
    const grid = await put(liuanAdmin, rows[0]!.id, 'gas.leak', gas(10));
    expect(grid.statusCode, grid.body).toBe(400);
    expect(grid.json().errors[0].field).toBe('params.regionId');
    // Nothing was written by the refused requests.
    const h = (await t.call('GET', `/api/device-rules/${liuan}/gas.leak/history`, { token: liuanAdmin })).json();
    expect(h).toHaveLength(3);
  });

  it('a region outside the caller’s region is 403; roles without the permission are 403', async () => {
    expect((await put(liuanAdmin, binhe, 'gas.leak', gas(10))).statusCode).toBe(403);
    expect((await put(liuanAdmin, jiangyue, 'gas.leak', gas(10))).statusCode).toBe(403);
    const w = await put(wangjiangAdmin, liuan, 'gas.leak', gas(10));
    expect(w.statusCode).toBe(403);
    expect(w.json().type).toContain('out-of-scope');
    expect((await t.call('DELETE', `/api/device-rules/${binhe}/gas.leak`, { token: liuanAdmin })).statusCode).toBe(403);
    expect((await t.call('GET', '/api/device-rules', { token: liuanAdmin, query: { regionId: binhe } })).statusCode).toBe(403);
    expect((await t.call('GET', `/api/device-rules/${jiangyue}/gas.leak/history`, { token: liuanAdmin })).statusCode).toBe(403);
    const property = await t.login('liuan_property');
    const p = await put(property, liuan, 'gas.leak', gas(10));
    expect(p.statusCode).toBe(403);
    expect(p.json().type).toContain('forbidden');
  });

  it('a change made on another node reaches this node’s ingest within the cache lifetime', async () => {
    const d = await register(jiangyueAdmin, jiangyue, 'gas_detector', '他节点');
    await send(d, { values: { gas_lel: 3 } }); // warms the cache: street says 5
    expect(await alarmsOf(jiangyueAdmin, jiangyue, d)).toEqual([]);
    // Another node writes a community override (no invalidation reaches this process).
    await t.db.$client.query(
      `insert into device_rules (id, region_id, rule_id, version, action, definition, enabled, created_by)
       values (gen_random_uuid(), $1, 'gas.leak', 1, 'set', $2, true, '另一节点')`,
      [jiangyue, JSON.stringify(gas(2))],
    );
    await new Promise((r) => setTimeout(r, RULES_TTL_MS + 200));
    await send(d, { values: { gas_lel: 3 } });
    expect(await alarmsOf(jiangyueAdmin, jiangyue, d)).toMatchObject([{ type: 'gas_leak', status: 'active' }]);
  });
});
