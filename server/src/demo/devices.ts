// Demo devices of 柳岸社区 (issue 7): smoke detectors in its buildings, parking sensors (some shared),
// street lights with a week of energy readings and the public lighting register they belong to
// (`003` L1P8), chargers, an elevator monitor, a temperature sensor and water, electricity, gas and heat
// meters online (L1P4), cameras on half of the buildings (L3P1), an SOS button of an elderly resident
// living alone with a past emergency answered in time, and a day of readings. Their passwords are
// random and not kept: register a device in the console (设备台账 → 登记设备) to get credentials for
// trying MQTT or HTTP ingest.
import { randomBytes, createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db, Executor } from '../db/pool.js';
import { uuidv7 } from '../db/ids.js';
import { prng } from './seed.js';

export async function seedDevices(db: Db, now = new Date()): Promise<void> {
  const rand = prng(1884);
  await db.transaction(async (tx: Executor) => {
    const { rows: c } = await tx.execute(sql`select id from regions where name = '柳岸社区'`);
    const liuan = (c[0] as { id: string } | undefined)?.id;
    if (!liuan) return;
    const { rows: bs } = await tx.execute(sql`
      select id, grid_id, lng, lat, compound || number || '栋' as label from buildings where community_id = ${liuan} order by compound, number limit 12`);
    const buildings = bs as { id: string; grid_id: string | null; lng: number | null; lat: number | null; label: string }[];
    if (!buildings.length) return;
    const devices: {
      id: string;
      type: string;
      name: string;
      b: (typeof buildings)[number];
      attributes: Record<string, unknown>;
      residentId?: string;
    }[] = [];
    for (const b of buildings)
      devices.push({
        id: uuidv7(),
        type: 'smoke_detector',
        name: `${b.label}楼道烟感`,
        b,
        attributes: { manufacturerName: '青川安防', serialNumber: `SD${Math.floor(rand() * 1e8)}` },
      });
    for (let i = 0; i < 20; i++)
      devices.push({
        id: uuidv7(),
        type: 'parking_sensor',
        name: `地面车位 P${String(i + 1).padStart(2, '0')}`,
        b: buildings[i % buildings.length]!,
        attributes: { shared: i < 3 },
      });
    for (let i = 0; i < 8; i++)
      devices.push({
        id: uuidv7(),
        type: 'street_light',
        name: `小区路灯 L${i + 1}`,
        b: buildings[i % buildings.length]!,
        // The conventional schedule it is compared with (`003` L1P8): full power all night.
        attributes: { powerState: 'on', ratedPower: 60, baselineHoursPerDay: 12 },
      });
    for (const b of buildings.slice(0, 4)) devices.push({ id: uuidv7(), type: 'water_meter', name: `${b.label}总水表`, b, attributes: {} });
    // Cameras on every other building (L3P1), chargers and the other terminals `003` L1P4 lists.
    for (const b of buildings.filter((_, k) => k % 2 === 0))
      devices.push({ id: uuidv7(), type: 'camera', name: `${b.label}出入口摄像机`, b, attributes: { manufacturerName: '青川安防' } });
    for (let i = 0; i < 2; i++)
      devices.push({ id: uuidv7(), type: 'ev_charger', name: `地面充电桩 C${i + 1}`, b: buildings[i]!, attributes: { ratedPower: 7000 } });
    devices.push(
      { id: uuidv7(), type: 'temperature_humidity', name: '配电房温湿度', b: buildings[0]!, attributes: {} },
      { id: uuidv7(), type: 'electricity_meter', name: '公共照明总电表', b: buildings[0]!, attributes: {} },
      { id: uuidv7(), type: 'gas_meter', name: `${buildings[0]!.label}燃气总表`, b: buildings[0]!, attributes: {} },
      { id: uuidv7(), type: 'heat_meter', name: `${buildings[0]!.label}热力总表`, b: buildings[0]!, attributes: {} },
    );
    devices.push({
      id: uuidv7(),
      type: 'elevator_monitor',
      name: `${buildings[0]!.label}1号电梯`,
      b: buildings[0]!,
      attributes: { modelName: 'QC-E300' },
    });
    const { rows: elder } = await tx.execute(sql`
      select id from residents where community_id = ${liuan} and 'elderly_alone' = any(tags) and status = 'active' order by id limit 1`);
    const elderId = (elder[0] as { id: string } | undefined)?.id;
    const sos = {
      id: uuidv7(),
      type: 'sos_button',
      name: '独居老人一键呼救器',
      b: buildings[1 % buildings.length]!,
      attributes: {},
      residentId: elderId,
    };
    devices.push(sos);
    const hash = createHash('sha256').update(randomBytes(24)).digest('hex');
    await tx.execute(sql`
      insert into devices (community_id, id, type, name, grid_id, building_id, lng, lat, attributes, secret_hash, resident_id, last_seen_at)
      select ${liuan}::uuid, x.id, x.type, x.name, x.grid, x.building, x.lng, x.lat, x.attrs::jsonb, ${hash}, x.resident, ${now.toISOString()}::timestamptz
      from unnest(${sql.param(devices.map((d) => d.id))}::uuid[], ${sql.param(devices.map((d) => d.type))}::text[], ${sql.param(devices.map((d) => d.name))}::text[],
        ${sql.param(devices.map((d) => d.b.grid_id))}::uuid[], ${sql.param(devices.map((d) => d.b.id))}::uuid[],
        ${sql.param(devices.map((d) => d.b.lng))}::float8[], ${sql.param(devices.map((d) => d.b.lat))}::float8[],
        ${sql.param(devices.map((d) => JSON.stringify(d.attributes)))}::text[], ${sql.param(devices.map((d) => d.residentId ?? null))}::uuid[])
        as x(id, type, name, grid, building, lng, lat, attrs, resident)`);
    // Latest values and a day of hourly readings for the meters and lights.
    const latest: [string, string, unknown][] = [];
    const series: [string, string, string, number][] = [];
    for (const d of devices) {
      if (d.type === 'smoke_detector') latest.push([d.id, 'smoke', false], [d.id, 'battery', 60 + Math.floor(rand() * 40)]);
      if (d.type === 'parking_sensor') latest.push([d.id, 'occupied', rand() < 0.6]);
      if (d.type === 'street_light') {
        // A reading a day for a week: 11.5 h lit, dimmed to half from 23:00 to 05:00, ≈ 0.5 kWh a day
        // against the 0.72 kWh of a conventional light (60 W × 12 h): about 30 % saved.
        let kwh = 800 + Math.round(rand() * 400);
        for (let day = 7; day >= 0; day--) {
          if (day < 7) kwh += 0.48 + rand() * 0.05;
          series.push([d.id, 'energy', new Date(now.getTime() - day * 86400_000).toISOString(), Math.round(kwh * 1000) / 1000]);
        }
        latest.push([d.id, 'power', 48 + Math.floor(rand() * 10)], [d.id, 'energy', Math.round(kwh * 1000) / 1000]);
      }
      if (d.type === 'ev_charger') latest.push([d.id, 'charging', rand() < 0.5]);
      if (d.type === 'temperature_humidity') latest.push([d.id, 'temperature', 24], [d.id, 'humidity', 55]);
      if (d.type === 'camera') latest.push([d.id, 'online', true]);
      if (d.type === 'elevator_monitor') latest.push([d.id, 'fault', false], [d.id, 'floor', 1 + Math.floor(rand() * 18)]);
      if (d.type === 'sos_button') latest.push([d.id, 'pressed', false]);
      if (d.type === 'water_meter') {
        let m = 10_000 + rand() * 5000;
        for (let h = 24; h >= 0; h--) {
          m += 0.2 + rand() * (h % 24 < 7 ? 0.3 : 2);
          series.push([d.id, 'reading', new Date(now.getTime() - h * 3600_000).toISOString(), Math.round(m * 10) / 10]);
        }
        latest.push([d.id, 'reading', Math.round(m * 10) / 10]);
      }
    }
    await tx.execute(sql`
      insert into device_latest (community_id, device_id, key, value, ts)
      select ${liuan}::uuid, x.d, x.k, x.v::jsonb, ${now.toISOString()}::timestamptz
      from unnest(${sql.param(latest.map((l) => l[0]))}::uuid[], ${sql.param(latest.map((l) => l[1]))}::text[],
        ${sql.param(latest.map((l) => JSON.stringify(l[2])))}::text[]) as x(d, k, v)`);
    await tx.execute(sql`
      insert into telemetry (community_id, device_id, key, ts, value)
      select ${liuan}::uuid, x.d, x.k, x.t, x.v
      from unnest(${sql.param(series.map((s) => s[0]))}::uuid[], ${sql.param(series.map((s) => s[1]))}::text[],
        ${sql.param(series.map((s) => s[2]))}::timestamptz[], ${sql.param(series.map((s) => s[3]))}::float8[]) as x(d, k, t, v)
      on conflict do nothing`);
    // The public lighting register (地、物): the 12 lamps of the compound's roads and garden, 8 of them smart.
    await tx.execute(sql`
      insert into facilities (community_id, id, kind, name, location, capacity, attributes)
      values (${liuan}, ${uuidv7()}, 'street_light', '小区道路与景观照明', '小区主干道及中心花园', 12, ${JSON.stringify({ 智能控制: '8盏' })}::jsonb)`);
    // A past emergency: the SOS was answered in 4 minutes and someone was there in 9.
    const first = new Date(now.getTime() - 3 * 86400_000);
    const alarmId = uuidv7();
    await tx.execute(sql`
      insert into alarms (community_id, id, device_id, type, label, severity, status, acknowledged, acknowledged_by, acknowledged_at, arrived_at,
        arrived_by, first_at, last_at, cleared_at, grid_id, building_id, value)
      values (${liuan}, ${alarmId}, ${sos.id}, 'sos', '一键呼救', 'critical', 'cleared', true, '柳岸网格员', ${new Date(first.getTime() + 4 * 60_000).toISOString()},
        ${new Date(first.getTime() + 9 * 60_000).toISOString()}, '柳岸网格员', ${first.toISOString()}, ${first.toISOString()},
        ${new Date(first.getTime() + 40 * 60_000).toISOString()}, ${sos.b.grid_id}, ${sos.b.id}, 'true'::jsonb)`);
    await tx.execute(sql`
      insert into alarm_comments (community_id, id, alarm_id, author, kind, text, at) values
        (${liuan}, ${uuidv7()}, ${alarmId}, '系统', 'notify', '已通知家属与网格员（第 1 级）', ${first.toISOString()}),
        (${liuan}, ${uuidv7()}, ${alarmId}, '柳岸网格员', 'ack', '', ${new Date(first.getTime() + 4 * 60_000).toISOString()}),
        (${liuan}, ${uuidv7()}, ${alarmId}, '柳岸网格员', 'arrive', '老人在家中跌坐，无外伤，已联系子女', ${new Date(first.getTime() + 9 * 60_000).toISOString()})`);
  });
}
