// Derived device measures for evaluation (issue 7 §7), against a real PostgreSQL: `003` L1P4 terminals
// by kind, L1P8 smart-lighting installation and energy saving against the conventional baseline, L2P4
// parking share and occupancy, L3P1 building camera coverage. A fixed data set in a fresh community,
// every figure computed by hand; an empty community has no records and meets nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureValues } from '../../src/modules/evaluation/measures.js';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
let admin: string;
/** The fresh community's administrator: registers its buildings, devices and facilities. */
let local: string;
let community: string;
let empty: string;
const buildings: string[] = [];
const DB37 = 'DB37/T 3890.3-2020';
const HOUR = 3600_000;
const DAY = 24 * HOUR;
// Sample times a whole number of hours before now, so spans are exact.
const T = Math.floor(Date.now() / HOUR) * HOUR - HOUR;

type Device = { id: string; credentials: { password: string } };
type Criterion = {
  code: string;
  value: number | null;
  met: boolean;
  provenance: { kind: string; measure: string; records: number; numerator: number | null; denominator: number | null } | null;
};

async function register(body: Record<string, unknown>): Promise<Device> {
  const r = await t.call('POST', '/api/devices', { token: local, body: { buildingId: buildings[0], ...body } });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as Device;
}

async function send(d: Device, values: Record<string, number | boolean>, ts?: number) {
  const r = await t.app.inject({
    method: 'POST',
    url: `/api/devices/${d.id}/telemetry`,
    headers: {
      authorization: `Basic ${Buffer.from(`${d.id}:${d.credentials.password}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    payload: JSON.stringify(ts === undefined ? { values } : { ts, values }),
  });
  expect(r.statusCode, r.body).toBe(202);
}

async function facility(body: Record<string, unknown>) {
  const r = await t.call('POST', '/api/facilities', { token: local, body: { regionId: community, ...body } });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string };
}

async function criteria(communityId: string): Promise<Map<string, Criterion>> {
  const r = await t.call('GET', '/api/evaluation/scorecard', { token: admin, query: { communityId, framework: DB37 } });
  expect(r.statusCode, r.body).toBe(200);
  const card = r.json() as { indicators: { criteria: Criterion[] }[] };
  return new Map(card.indicators.flatMap((i) => i.criteria).map((c) => [c.code, c]));
}

const measure = async (key: string, communityId = community) =>
  (await measureValues(t.db, [key], [communityId])).get(key)!.get(communityId)!;

beforeAll(async () => {
  t = await setupTestApp();
  admin = await t.login('admin');
  const street = await t.region('滨河街道');
  const made = async (name: string, code: string) => {
    const r = await t.call('POST', '/api/regions', { token: admin, body: { parentId: street, name, code } });
    expect(r.statusCode, r.body).toBe(201);
    return (r.json() as { id: string }).id;
  };
  community = await made('测点社区', '990102001011');
  empty = await made('空白社区', '990102001012');
  const user = await t.call('POST', '/api/users', {
    token: admin,
    body: { username: 'cedian_admin', password: 'Good@Pass1', displayName: '测点管理员', roles: ['community_admin'], regionId: community },
  });
  expect(user.statusCode, user.body).toBe(201);
  local = await t.login('cedian_admin', 'Good@Pass1');
  for (const number of ['1', '2', '3', '4']) {
    const b = await t.call('POST', '/api/buildings', {
      token: local,
      body: { regionId: community, compound: '测点苑', road: '测点路8号', number, units: 1 },
    });
    expect(b.statusCode, b.body).toBe(201);
    buildings.push((b.json() as { id: string }).id);
  }
});
afterAll(() => t.close());

describe('a community with no devices', () => {
  it('has no records for any device measure and meets none of the criteria they answer', async () => {
    const keys = [
      'devices.smart-lighting-rate',
      'devices.lighting-saving-rate',
      'devices.iot-coverage',
      'devices.parking-share-rate',
      'devices.parking-occupancy',
      'devices.monitoring-coverage',
    ];
    const all = await measureValues(t.db, keys, [empty]);
    for (const k of keys) expect(all.get(k)!.get(empty), k).toMatchObject({ value: 0, records: 0 });
    expect(all.get('devices.iot-coverage')!.get(empty)).toMatchObject({ met: false, numerator: 0, denominator: 8 });
    const c = await criteria(empty);
    for (const code of ['L1P4.1', 'L1P8.1', 'L1P8.2', 'L2P4.3']) {
      expect(c.get(code), code).toMatchObject({ value: 0, met: false, provenance: { kind: 'measure', records: 0 } });
    }
  });
});

describe('003 L1P8 smart lighting', () => {
  it('counts the installation rate against the public lighting register, and the saving against the conventional schedule', async () => {
    // L1: the 100 W lamp it replaced, 12 h a night by default; 1.2 kWh over 48 h against 100 × 12 × 2 = 2.4 kWh.
    const l1 = await register({ type: 'street_light', name: '主路路灯1', attributes: { baselineWatts: 100, ratedPower: 40 } });
    // L2: rated 50 W, 10 h a night; 0.4 kWh over 24 h against 0.5 kWh.
    const l2 = await register({ type: 'street_light', name: '主路路灯2', attributes: { ratedPower: 50, baselineHoursPerDay: 10 } });
    // L3: rated 60 W; its meter was reset after 0.5 kWh, then 0.3 more: 0.8 kWh over 48 h against 1.44 kWh.
    const l3 = await register({ type: 'street_light', name: '花园景观灯', attributes: { ratedPower: 60 } });
    // L4: one reading, no span; L5: no baseline watts. Both smart, neither in the saving.
    const l4 = await register({ type: 'street_light', name: '主路路灯4', attributes: { ratedPower: 60 } });
    const l5 = await register({ type: 'street_light', name: '主路路灯5', attributes: {} });
    // An electricity meter's `energy` is not a street light's.
    const meter = await register({ type: 'electricity_meter', name: '公共照明总电表' });
    await send(l1, { energy: 100 }, T - 2 * DAY);
    await send(l1, { energy: 100.6 }, T - DAY);
    await send(l1, { energy: 101.2 }, T);
    await send(l2, { energy: 0 }, T - DAY);
    await send(l2, { energy: 0.4 }, T);
    await send(l3, { energy: 500 }, T - 2 * DAY);
    await send(l3, { energy: 500.5 }, T - DAY);
    await send(l3, { energy: 0.1 }, T - 12 * HOUR);
    await send(l3, { energy: 0.4 }, T);
    await send(l4, { energy: 70 }, T);
    await send(l5, { energy: 10 }, T - 2 * DAY);
    await send(l5, { energy: 11 }, T);
    await send(meter, { energy: 1000 }, T - 2 * DAY);
    await send(meter, { energy: 1100 }, T);

    // Without the register of all public lights the total is unknown: no records, not met.
    let c = await criteria(community);
    expect(c.get('L1P8.1')).toMatchObject({ value: 0, met: false, provenance: { measure: 'devices.smart-lighting-rate', records: 0 } });
    // The register: 6 road lamps, 1 garden light, and 3 old lamps out of service (not counted): 7.
    await facility({ kind: 'street_light', name: '测点路路灯', capacity: 6 });
    await facility({ kind: 'street_light', name: '中心花园景观灯' });
    const old = await facility({ kind: 'street_light', name: '旧路灯', capacity: 3 });
    expect((await t.call('PATCH', `/api/facilities/${old.id}`, { token: local, body: { status: 'out_of_service' } })).statusCode).toBe(200);

    c = await criteria(community);
    expect(c.get('L1P8.1')).toMatchObject({
      value: 71.43, // 5 / 7
      met: true,
      provenance: { kind: 'measure', measure: 'devices.smart-lighting-rate', numerator: 5, denominator: 7, records: 7 },
    });
    // Baseline 2.4 + 0.5 + 1.44 = 4.34 kWh; used 1.2 + 0.4 + 0.8 = 2.4 kWh; saved 1.94 / 4.34 = 44.70 %.
    expect(c.get('L1P8.2')).toMatchObject({
      value: 44.7,
      met: true,
      provenance: { kind: 'measure', measure: 'devices.lighting-saving-rate', numerator: 1.94, denominator: 4.34, records: 3 },
    });

    // A register counting fewer lamps than the smart lights is incomplete: the total is the smart lights.
    await t.db.$client.query(`update facilities set capacity = 2 where community_id = $1 and name = '测点路路灯'`, [community]);
    expect(await measure('devices.smart-lighting-rate')).toMatchObject({ value: 100, numerator: 5, denominator: 5, records: 5 });
  });
});

describe('003 L1P4 terminals and L2P4 parking', () => {
  it('covers the kinds the clause lists with online terminals; parking share and current occupancy', async () => {
    const p1 = await register({ type: 'parking_sensor', name: '车位 P1', attributes: { shared: true } });
    const p2 = await register({ type: 'parking_sensor', name: '车位 P2', attributes: { shared: false } });
    const p3 = await register({ type: 'parking_sensor', name: '车位 P3' });
    await send(p1, { occupied: true, battery: 90 });
    await send(p2, { occupied: false, battery: 90 });
    await send(p3, { battery: 80 }); // online, but no occupancy reading
    for (const type of ['ev_charger', 'elevator_monitor', 'temperature_humidity', 'water_meter', 'gas_meter'] as const)
      await send(await register({ type, name: `测点${type}` }), { battery: 100 });
    // The electricity meter reported in the lighting test; the heat meter is registered but silent.
    const heat = await register({ type: 'heat_meter', name: '测点热力总表' });

    // Online terminals: 3 sensors + charger, elevator, temperature, water, gas + electricity = 9, over 7 of 8 kinds.
    let c = await criteria(community);
    expect(c.get('L1P4.1')).toMatchObject({
      value: 0,
      met: false,
      provenance: { measure: 'devices.iot-coverage', numerator: 7, denominator: 8, records: 9 },
    });
    await send(heat, { reading: 12.5 });
    c = await criteria(community);
    expect(c.get('L1P4.1')).toMatchObject({ value: 1, met: true, provenance: { numerator: 8, denominator: 8, records: 10 } });
    expect(await measure('devices.iot-coverage')).toMatchObject({ value: 8, met: true });
    // Silent for more than a day is offline.
    await t.db.$client.query(`update devices set last_seen_at = now() - interval '25 hours' where id = $1`, [heat.id]);
    expect(await measure('devices.iot-coverage')).toMatchObject({ value: 7, met: false, records: 9 });

    // Shared: 1 of 3 sensors (33.33 % > 5 %).
    expect(c.get('L2P4.3')).toMatchObject({
      value: 33.33,
      met: true,
      provenance: { measure: 'devices.parking-share-rate', numerator: 1, denominator: 3, records: 3 },
    });
    // Occupied: 1 of the 2 sensors that reported occupancy; a reading older than a day no longer counts.
    expect(await measure('devices.parking-occupancy')).toEqual({ value: 50, numerator: 1, denominator: 2, records: 2 });
    await t.db.$client.query(`update device_latest set ts = now() - interval '25 hours' where device_id = $1 and key = 'occupied'`, [
      p2.id,
    ]);
    expect(await measure('devices.parking-occupancy')).toEqual({ value: 100, numerator: 1, denominator: 1, records: 1 });
  });
});

describe('003 L3P1 monitoring', () => {
  it('counts the buildings watched by an online camera', async () => {
    const a = await register({ type: 'camera', name: '1栋出入口', buildingId: buildings[0] });
    const b = await register({ type: 'camera', name: '1栋地库', buildingId: buildings[0] });
    const silent = await register({ type: 'camera', name: '2栋出入口', buildingId: buildings[1] });
    const square = await t.call('POST', '/api/devices', { token: local, body: { regionId: community, type: 'camera', name: '社区广场' } });
    expect(square.statusCode, square.body).toBe(201);
    await send(a, { online: true });
    await send(b, { online: true });
    await send(square.json() as Device, { online: true });
    // 1 of 4 buildings: two cameras on building 1, building 2's is silent, the square's is at no building.
    expect(await measure('devices.monitoring-coverage')).toEqual({ value: 25, numerator: 1, denominator: 4, records: 4 });
    await send(silent, { online: true });
    expect(await measure('devices.monitoring-coverage')).toEqual({ value: 50, numerator: 2, denominator: 4, records: 4 });
  });
});

describe('the demo community', () => {
  it('has non-trivial values for the device measures', async () => {
    const liuan = await t.region('柳岸社区');
    const c = await criteria(liuan);
    // 8 smart lights of the 12 in the register; a week of readings at ≈ 0.5 kWh a day against 0.72 kWh.
    expect(c.get('L1P8.1')).toMatchObject({ value: 66.67, met: true, provenance: { numerator: 8, denominator: 12 } });
    const saving = c.get('L1P8.2')!;
    expect(saving.met).toBe(true);
    expect(saving.value).toBeGreaterThan(20);
    expect(saving.value).toBeLessThan(40);
    expect(saving.provenance).toMatchObject({ records: 8 });
    expect(c.get('L1P4.1')).toMatchObject({ met: true, provenance: { numerator: 8, denominator: 8 } });
    const monitoring = await measure('devices.monitoring-coverage', liuan);
    // Cameras on every other one of the first buildings.
    expect(monitoring.numerator).toBeGreaterThan(0);
    expect(monitoring.value).toBeGreaterThan(0);
    expect(monitoring.value).toBeLessThan(100);
    expect((await measure('devices.parking-occupancy', liuan)).records).toBe(20);
  });
});
