// The event catalogue every installation starts with (two levels; administrators edit it). Limits are
// working hours from the report: respond = accept or reject (受理), handle = handled on site (处置).
// Categories follow the common 城市网格化管理 event classes (环境卫生、市政设施、矛盾纠纷、安全隐患、
// 物业服务、民生诉求) named in issue 5 and `004` 5.3.11 (报事报修、投诉建议).
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/pool.js';
import type { DispatchMode } from './model.js';

interface Seed {
  code: string;
  name: string;
  mode?: DispatchMode;
  verify?: boolean;
  /** [respond, handle] working hours, normal; urgent is a quarter of each (at least 0.5 h / 2 h). */
  hours?: [number, number];
  children: [string, string, ([number, number] | undefined)?][];
}

const CATALOGUE: Seed[] = [
  {
    code: 'env',
    name: '环境卫生',
    mode: 'round_robin',
    children: [
      ['env.garbage', '垃圾堆放', [2, 7.5]],
      ['env.litter', '乱扔乱倒'],
      ['env.sewage', '污水外溢', [2, 7.5]],
      ['env.greenery', '绿化损毁'],
      ['env.pests', '病媒生物'],
    ],
  },
  {
    code: 'municipal',
    name: '市政设施',
    verify: true,
    hours: [4, 30],
    children: [
      ['municipal.streetlight', '路灯损坏'],
      ['municipal.road', '道路破损'],
      ['municipal.manhole', '井盖缺失', [1, 7.5]],
      ['municipal.drainage', '排水不畅'],
    ],
  },
  {
    code: 'dispute',
    name: '矛盾纠纷',
    verify: true,
    hours: [4, 37.5],
    children: [
      ['dispute.neighbour', '邻里纠纷'],
      ['dispute.family', '家庭纠纷'],
      ['dispute.property', '物业纠纷'],
      ['dispute.labour', '劳资纠纷'],
    ],
  },
  {
    code: 'safety',
    name: '安全隐患',
    verify: true,
    hours: [1, 7.5],
    children: [
      ['safety.fire', '消防隐患'],
      ['safety.gas', '燃气隐患'],
      ['safety.building', '房屋安全'],
      ['safety.ebike', '电动车违规充电'],
    ],
  },
  {
    code: 'property',
    name: '物业服务',
    mode: 'grab',
    hours: [2, 15],
    children: [
      ['property.repair', '报修'],
      ['property.elevator', '电梯故障', [0.5, 4]],
      ['property.parking', '停车秩序'],
      ['property.cleaning', '保洁服务'],
    ],
  },
  {
    code: 'livelihood',
    name: '民生诉求',
    hours: [4, 37.5],
    children: [
      ['livelihood.elderly', '为老服务'],
      ['livelihood.assistance', '困难救助'],
      ['livelihood.complaint', '投诉建议'],
      ['livelihood.consult', '政策咨询'],
    ],
  },
];

const urgentOf = ([r, h]: [number, number]): { respond: number; handle: number } => ({
  respond: Math.max(0.5, Math.round((r / 4) * 2) / 2),
  handle: Math.max(2, Math.round((h / 4) * 2) / 2),
});

export function catalogueRows() {
  const rows: {
    code: string;
    parentCode: string | null;
    name: string;
    mode: DispatchMode;
    verify: boolean;
    limits: object;
    sort: number;
  }[] = [];
  CATALOGUE.forEach((p, i) => {
    const ph = p.hours ?? [4, 22.5];
    const limits = (h: [number, number]) => ({ normal: { respond: h[0], handle: h[1] }, urgent: urgentOf(h) });
    rows.push({
      code: p.code,
      parentCode: null,
      name: p.name,
      mode: p.mode ?? 'assign',
      verify: p.verify ?? false,
      limits: limits(ph),
      sort: i * 100,
    });
    p.children.forEach(([code, name, hours], j) =>
      rows.push({
        code,
        parentCode: p.code,
        name,
        mode: p.mode ?? 'assign',
        verify: p.verify ?? false,
        limits: limits(hours ?? ph),
        sort: i * 100 + j + 1,
      }),
    );
  });
  return rows;
}

/** Loads the catalogue into an installation that has none. */
export async function ensureCatalogue(db: Db): Promise<void> {
  const r = await db.execute(sql`select 1 from grid_categories limit 1`);
  if (r.rows.length) return;
  const rows = catalogueRows();
  await db.execute(sql`
    insert into grid_categories (code, parent_code, name, dispatch_mode, needs_verification, limits, sort)
    select * from unnest(${sql.param(rows.map((r) => r.code))}::text[], ${sql.param(rows.map((r) => r.parentCode))}::text[], ${sql.param(rows.map((r) => r.name))}::text[],
      ${sql.param(rows.map((r) => r.mode))}::text[], ${sql.param(rows.map((r) => r.verify))}::boolean[], ${sql.param(rows.map((r) => JSON.stringify(r.limits)))}::jsonb[],
      ${sql.param(rows.map((r) => r.sort))}::int[])
    on conflict do nothing`);
}
