// The device module's live measures for evaluation: `003` L2P6 (accident response within 15 minutes)
// from the elderly SOS and fall alarms, and L2P4 (shared parking spaces) from the parking sensors.
import { sql } from 'drizzle-orm';
import { registerMeasures } from '../evaluation/measures.js';
import { RESPONSE_LIMIT_MINUTES } from './model.js';

interface Loaded {
  response: Map<string, { cases: number; within: number; p90: number | null }>;
  parking: Map<string, { spots: number; shared: number }>;
}

registerMeasures<Loaded>(
  async (db, communityIds) => {
    const [resp, park] = await Promise.all([
      db.execute(sql`
        select community_id, count(*)::int as cases,
          count(*) filter (where coalesce(arrived_at, acknowledged_at) <= first_at + make_interval(mins => ${RESPONSE_LIMIT_MINUTES}))::int as within,
          percentile_cont(0.9) within group (order by extract(epoch from coalesce(arrived_at, acknowledged_at, now()) - first_at) / 60)::float8 as p90
        from alarms
        where community_id = any(${sql.param(communityIds)}::uuid[]) and type in ('sos', 'fall') and first_at >= now() - interval '365 days'
        group by community_id`),
      db.execute(sql`
        select community_id, count(*)::int as spots, count(*) filter (where attributes->>'shared' = 'true')::int as shared
        from devices where community_id = any(${sql.param(communityIds)}::uuid[]) and type = 'parking_sensor' and status = 'active'
        group by community_id`),
    ]);
    return {
      response: new Map(
        (resp.rows as { community_id: string; cases: number; within: number; p90: number | null }[]).map((x) => [x.community_id, x]),
      ),
      parking: new Map((park.rows as { community_id: string; spots: number; shared: number }[]).map((x) => [x.community_id, x])),
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
        if (!x || x.cases === 0) return { value: 0, met: false, numerator: 0, denominator: 0, records: 0 };
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
        if (!x || x.spots === 0) return { value: 0, numerator: 0, denominator: 0, records: 0 };
        return { value: Math.round((x.shared / x.spots) * 10000) / 100, numerator: x.shared, denominator: x.spots, records: x.spots };
      },
    },
  ],
);
