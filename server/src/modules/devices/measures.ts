// The device module's live measures for evaluation (issue 7 §7), all from one grouped load:
// - `003` L2P6 (accident response within 15 minutes) from the elderly SOS and fall alarms;
// - `003` L2P4 (shared parking spaces, and the sensors' current occupancy) from the parking sensors;
// - `003` L1P8 (smart lighting installed ≥ 60 %, energy saving ≥ 20 %) from the street lights, the public
//   lighting register (facilities of kind street_light) and the lights' energy meter readings;
// - `003` L1P4 (物联网: 充电桩、车位、电梯控制、温湿度监测和水、电、气、暖智能终端) from the online terminals;
// - `003` L3P1 (智能监控) from the online cameras placed at the register's buildings.
// "Online" is a device heard from (any telemetry) within the last 24 hours: `devices.last_seen_at`.
import { sql } from 'drizzle-orm';
import { concurrently } from '../../db/pool.js';
import { registerMeasures } from '../evaluation/measures.js';
import { RESPONSE_LIMIT_MINUTES } from './model.js';

/**
 * `003` L1P4 指标考核 lists the terminals: 充电桩、车位、电梯控制、温湿度监测和水、电、气、暖智能终端.
 * Each listed application is one device type; the clause names water, electricity, gas and heating
 * separately, so each is a kind of its own.
 */
export const IOT_KINDS = [
  { type: 'ev_charger', label: '充电桩' },
  { type: 'parking_sensor', label: '车位' },
  { type: 'elevator_monitor', label: '电梯控制' },
  { type: 'temperature_humidity', label: '温湿度监测' },
  { type: 'water_meter', label: '水' },
  { type: 'electricity_meter', label: '电' },
  { type: 'gas_meter', label: '气' },
  { type: 'heat_meter', label: '暖' },
] as const;

/**
 * `003` L1P8 energy saving: a conventional street light burns all night at full power. Without a
 * registered `baselineHoursPerDay` the baseline takes 12 hours a day, the mean length of the night over
 * a year (dusk to dawn), the schedule of an uncontrolled 全夜灯.
 */
export const BASELINE_HOURS_PER_DAY = 12;
/** A light's meter readings must span at least a day to be compared with a daily baseline. */
const MIN_SPAN_HOURS = 24;

interface Lighting {
  smart: number;
  registered: number;
}
interface Saving {
  lights: number;
  actual: number;
  baseline: number;
}
interface Loaded {
  response: Map<string, { cases: number; within: number; p90: number | null }>;
  parking: Map<string, { spots: number; shared: number; reporting: number; occupied: number }>;
  lighting: Map<string, Lighting>;
  saving: Map<string, Saving>;
  iot: Map<string, Map<string, number>>;
  monitoring: Map<string, { buildings: number; covered: number }>;
}

const pct = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 10000) / 100 : 0);
const kwh = (x: number) => Math.round(x * 100) / 100;
const none = { value: 0, met: false, numerator: 0, denominator: 0, records: 0 };
/** numerator ÷ denominator in percent, over as many records as the denominator counts; nothing counted is no record. */
const ratio = (n: number, d: number) => (d > 0 ? { value: pct(n, d), numerator: n, denominator: d, records: d } : none);

registerMeasures<Loaded>(
  async (db, communityIds) => {
    const ids = sql`${sql.param(communityIds)}::uuid[]`;
    const [resp, park, lights, register, saving, iot, monitoring] = await concurrently(db, [
      () =>
        db.execute(sql`
        select community_id, count(*)::int as cases,
          count(*) filter (where coalesce(arrived_at, acknowledged_at) <= first_at + make_interval(mins => ${RESPONSE_LIMIT_MINUTES}))::int as within,
          percentile_cont(0.9) within group (order by extract(epoch from coalesce(arrived_at, acknowledged_at, now()) - first_at) / 60)::float8 as p90
        from alarms
        where community_id = any(${ids}) and type in ('sos', 'fall') and first_at >= now() - interval '365 days'
        group by community_id`),
      // Occupancy counts only the sensors whose `occupied` reading is less than a day old (true or 1 = occupied).
      () =>
        db.execute(sql`
        select d.community_id, count(*)::int as spots, count(*) filter (where d.attributes->>'shared' = 'true')::int as shared,
          count(l.device_id)::int as reporting, count(*) filter (where l.value in ('true'::jsonb, '1'::jsonb))::int as occupied
        from devices d
        left join device_latest l on l.community_id = d.community_id and l.device_id = d.id and l.key = 'occupied'
          and l.ts >= now() - interval '24 hours'
        where d.community_id = any(${ids}) and d.type = 'parking_sensor' and d.status = 'active'
        group by d.community_id`),
      () =>
        db.execute(sql`
        select community_id, count(*)::int as n from devices
        where community_id = any(${ids}) and type = 'street_light' and status = 'active' group by community_id`),
      // The public lighting register (地、物): a facility of kind street_light is one light, or a group of
      // `capacity` lights (a road's lamps, the landscape lights of a garden).
      () =>
        db.execute(sql`
        select community_id, sum(coalesce(capacity, 1))::int as n from facilities
        where community_id = any(${ids}) and kind = 'street_light' and status = 'in_service' group by community_id`),
      // Per smart light: kWh used = the sum of the increases of its cumulative `energy` reading over the
      // last 365 days (a drop is a replaced or reset meter and adds nothing); the baseline over the same
      // hours = baseline watts × baseline hours a day × days / 1000.
      () =>
        db.execute(sql`
        with e as (
          select t.community_id, t.device_id, t.ts,
            t.value - lag(t.value) over (partition by t.community_id, t.device_id order by t.ts) as delta
          from telemetry t
          join devices d on d.community_id = t.community_id and d.id = t.device_id and d.type = 'street_light' and d.status = 'active'
          where t.community_id = any(${ids}) and t.key = 'energy' and t.value is not null and t.ts >= now() - interval '365 days'
        ), per as (
          select community_id, device_id, extract(epoch from max(ts) - min(ts))::float8 / 3600 as hours,
            coalesce(sum(greatest(delta, 0)), 0)::float8 as used
          from e group by community_id, device_id
        ), b as (
          select per.community_id, per.hours, per.used,
            coalesce(case when jsonb_typeof(d.attributes->'baselineWatts') = 'number' then (d.attributes->>'baselineWatts')::float8 end,
              case when jsonb_typeof(d.attributes->'ratedPower') = 'number' then (d.attributes->>'ratedPower')::float8 end) as watts,
            coalesce(case when jsonb_typeof(d.attributes->'baselineHoursPerDay') = 'number'
              then least(greatest((d.attributes->>'baselineHoursPerDay')::float8, 0), 24) end, ${BASELINE_HOURS_PER_DAY}::float8) as per_day
          from per join devices d on d.community_id = per.community_id and d.id = per.device_id
        )
        select community_id, count(*)::int as lights, sum(used)::float8 as actual, sum(watts * per_day * hours / 24 / 1000)::float8 as baseline
        from b where hours >= ${MIN_SPAN_HOURS} and watts > 0 and per_day > 0
        group by community_id`),
      () =>
        db.execute(sql`
        select community_id, type, count(*)::int as n from devices
        where community_id = any(${ids}) and type = any(${sql.param(IOT_KINDS.map((k) => k.type))}::text[]) and status = 'active'
          and last_seen_at >= now() - interval '24 hours'
        group by community_id, type`),
      () =>
        db.execute(sql`
        select b.community_id, count(*)::int as buildings, count(c.building_id)::int as covered
        from buildings b
        left join (
          select distinct community_id, building_id from devices
          where community_id = any(${ids}) and type = 'camera' and status = 'active' and building_id is not null
            and last_seen_at >= now() - interval '24 hours'
        ) c on c.community_id = b.community_id and c.building_id = b.id
        where b.community_id = any(${ids})
        group by b.community_id`),
    ]);
    const byCommunity = <R extends { community_id: string }>(rows: unknown[]) =>
      new Map((rows as R[]).map((x) => [x.community_id, x] as const));
    const smart = byCommunity<{ community_id: string; n: number }>(lights.rows);
    const registered = byCommunity<{ community_id: string; n: number }>(register.rows);
    const iotMap = new Map<string, Map<string, number>>();
    for (const r of iot.rows as { community_id: string; type: string; n: number }[]) {
      let m = iotMap.get(r.community_id);
      if (!m) iotMap.set(r.community_id, (m = new Map()));
      m.set(r.type, r.n);
    }
    return {
      response: byCommunity<{ community_id: string; cases: number; within: number; p90: number | null }>(resp.rows),
      parking: byCommunity<{ community_id: string; spots: number; shared: number; reporting: number; occupied: number }>(park.rows),
      lighting: new Map(
        [...new Set([...smart.keys(), ...registered.keys()])].map((c) => [
          c,
          { smart: smart.get(c)?.n ?? 0, registered: registered.get(c)?.n ?? 0 },
        ]),
      ),
      saving: byCommunity<{ community_id: string } & Saving>(saving.rows),
      iot: iotMap,
      monitoring: byCommunity<{ community_id: string; buildings: number; covered: number }>(monitoring.rows),
    };
  },
  [
    {
      key: 'devices.elderly-response-15min',
      title: '老人呼救与跌倒告警的响应时间（近365天，90%分位）',
      method: '每起一键呼救/跌倒告警从发生到确认（或到场）的分钟数，取 90% 分位；分子为15分钟内响应的起数，分母为全部起数',
      clause: '003 L2P6',
      value: (l, c) => {
        const x = l.response.get(c);
        if (!x || x.cases === 0) return none;
        const p90 = Math.round((x.p90 ?? 0) * 10) / 10;
        return { value: p90, numerator: x.within, denominator: x.cases, records: x.cases };
      },
    },
    {
      key: 'devices.parking-share-rate',
      title: '共享车位比例（车位检测器）',
      method: '登记为共享（attributes.shared = true）的车位检测器数 ÷ 车位检测器总数',
      clause: '003 L2P4',
      value: (l, c) => {
        const x = l.parking.get(c);
        return ratio(x?.shared ?? 0, x?.spots ?? 0);
      },
    },
    {
      // Informational: L2P4.2 (停车引导、反向寻车 …) asks for services that occupancy alone does not show.
      key: 'devices.parking-occupancy',
      title: '车位实时占用率（车位检测器）',
      method: '最近24小时内上报过占用状态的车位检测器中，最新状态为“占用”的个数 ÷ 上报过的车位检测器数；未上报的检测器不计',
      clause: '003 L2P4',
      value: (l, c) => {
        const x = l.parking.get(c);
        return ratio(x?.occupied ?? 0, x?.reporting ?? 0);
      },
    },
    {
      // `003` L1P8 指标考核: 安装了智能控制设备的公共照明设备数 / 公共照明设备总数. Every registered street_light
      // device is a networked light with its own controller (it has credentials and reports), so it is a
      // smart light. The total comes from the public lighting register (facilities, kind street_light);
      // without that register the total is unknown and the measure has no records. A register counting
      // fewer lights than the smart ones registered is incomplete: the total is then the smart lights.
      key: 'devices.smart-lighting-rate',
      title: '智能照明设备安装率',
      method:
        '设备台账中在用的智慧路灯（每台均带联网控制器）数 ÷ 设施台账登记的在用公共照明设备总数（类别“路灯”，每条按容量计灯数，未填为1盏）；' +
        '未登记公共照明设施时无法计算；台账总数少于智慧路灯数时以智慧路灯数为总数',
      clause: '003 L1P8',
      value: (l, c) => {
        const x = l.lighting.get(c);
        return x && x.registered > 0 ? ratio(x.smart, Math.max(x.registered, x.smart)) : none;
      },
    },
    {
      // `003` L1P8 指标考核: (未采用智能照明的公共照明年度耗电量 − 采用了智慧照明的公共照明年度耗电量) / 前者.
      // The smart lights' consumption is metered (their cumulative `energy` reading, kWh); what the same
      // lights would use without smart control is not, so it is the conventional schedule: full power
      // (`baselineWatts`, the lamp it replaced, else the light's `ratedPower`) all night
      // (`baselineHoursPerDay`, else 12 h). Both are taken over the hours each light's readings span in the
      // last 365 days (retention may keep fewer days), so the ratio stands for the year's.
      key: 'devices.lighting-saving-rate',
      title: '智能路灯节能率（对照常规全夜照明）',
      method:
        '近365天内每盏智慧路灯的累计电量读数（energy，kWh）增量之和为实际耗电；同一时段的常规照明耗电 = 基准功率（attributes.baselineWatts，' +
        '未填取额定功率 ratedPower）× 每日常规亮灯时长（attributes.baselineHoursPerDay，未填按全夜12小时）× 天数；' +
        '节能率 =（常规耗电 − 实际耗电）÷ 常规耗电；读数跨度不足24小时或无基准功率的路灯不计',
      clause: '003 L1P8',
      value: (l, c) => {
        const x = l.saving.get(c);
        if (!x || x.lights === 0 || !(x.baseline > 0)) return none;
        return {
          value: pct(x.baseline - x.actual, x.baseline),
          numerator: kwh(x.baseline - x.actual),
          denominator: kwh(x.baseline),
          records: x.lights,
        };
      },
    },
    {
      // `003` L1P4.1 is met when every application the clause lists has an online terminal.
      key: 'devices.iot-coverage',
      title: '物联网智能终端覆盖（按应用类别）',
      method:
        '条款列出的 8 类终端（充电桩、车位、电梯控制、温湿度监测、水表、电表、燃气表、热表）中，近24小时内在线（有上报）的在用设备所覆盖的类别数；' +
        '8 类全部覆盖为达到；记录数为在线终端台数',
      clause: '003 L1P4',
      value: (l, c) => {
        const m = l.iot.get(c);
        const covered = IOT_KINDS.filter((k) => (m?.get(k.type) ?? 0) > 0).length;
        const records = m ? [...m.values()].reduce((s, n) => s + n, 0) : 0;
        return { value: covered, met: covered === IOT_KINDS.length, numerator: covered, denominator: IOT_KINDS.length, records };
      },
    },
    {
      // Informational: L3P1.1 asks for squares, activity centres, markets, parks and underpasses, which the
      // register does not hold as places; buildings watched by an online camera are what can be counted.
      key: 'devices.monitoring-coverage',
      title: '楼栋视频监控覆盖率',
      method: '有至少一台近24小时内在线的在用摄像机（安装位置为该楼栋）的楼栋数 ÷ 社区登记的楼栋总数；记录数为楼栋数',
      clause: '003 L3P1',
      value: (l, c) => {
        const x = l.monitoring.get(c);
        return ratio(x?.covered ?? 0, x?.buildings ?? 0);
      },
    },
  ],
);
