// The register's live measures for the evaluation module (evaluation/measures.ts): each counts
// residents of the community who are currently registered (status active).
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/pool.js';
import { registerMeasure, type MeasureValue } from '../evaluation/measures.js';

const SPECIAL_GROUPS = ['community_correction', 'mental_disorder', 'released_prisoner', 'drug_rehab', 'petitioner', 'idle_youth'];

/** Every count the register's measures use, as SQL boolean expressions over residents. */
const FILTERS: Record<string, string> = {
  local: `hukou = 'local'`,
  local_health: `hukou = 'local' and 'health_record' = any(tags)`,
  disabled: `'disabled' = any(tags)`,
  disabled_graded: `'disabled' = any(tags) and disability_grade is not null`,
  veteran: `'veteran' = any(tags)`,
  special: `tags && array[${SPECIAL_GROUPS.map((t) => `'${t}'`).join(',')}]::text[]`,
};

/**
 * The counts for a set of communities, one scan for all four measures: the evaluation module asks
 * every measure with the same array of ids, so the answer is shared by that array (for that call).
 */
const shared = new WeakMap<string[], Promise<Map<string, Record<string, number>>>>();
function counts(db: Executor, communityIds: string[]) {
  let p = shared.get(communityIds);
  if (!p) shared.set(communityIds, (p = countAll(db, communityIds, FILTERS)));
  return p;
}

/** Counts per community in one statement: `filters` are SQL boolean expressions over residents. */
async function countAll(db: Executor, communityIds: string[], filters: Record<string, string>) {
  const names = Object.keys(filters);
  const { rows } = await db.execute<Record<string, string>>(sql`
    select community_id::text as community_id, count(*)::text as records,
           ${sql.raw(names.map((k) => `count(*) filter (where ${filters[k]})::text as ${k}`).join(', '))}
      from residents where community_id = any(${sql.param(communityIds)}::uuid[]) and status = 'active'
     group by community_id`);
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) out.set(r.community_id!, Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])));
  return out;
}

function each(communityIds: string[], got: Map<string, Record<string, number>>, f: (c: Record<string, number>) => MeasureValue) {
  return new Map(communityIds.map((id) => [id, f(got.get(id) ?? { records: 0 })]));
}

registerMeasure({
  key: 'registry.health-record-rate',
  title: '居民电子健康档案建档率',
  method: '标记“已建电子健康档案”的户籍居民数 ÷ 登记在册的户籍居民数 × 100%',
  clause: '003 L2P5',
  async compute(db, ids) {
    const got = await counts(db, ids);
    return each(ids, got, (c) => {
      const n = c.local_health ?? 0;
      const d = c.local ?? 0;
      return { value: d ? Math.round((10000 * n) / d) / 100 : 0, numerator: n, denominator: d, records: c.records ?? 0 };
    });
  },
});

registerMeasure({
  key: 'registry.disabled-registered',
  title: '残疾人信息纳入平台',
  method: '登记为残疾人的居民数（含残疾等级者计为信息完整）；有残疾人登记且全部载明残疾等级时视为达到',
  clause: '003 L2P8',
  async compute(db, ids) {
    const got = await counts(db, ids);
    return each(ids, got, (c) => {
      const n = c.disabled_graded ?? 0;
      const d = c.disabled ?? 0;
      return { value: d, met: d > 0 && n === d, numerator: n, denominator: d, records: c.records ?? 0 };
    });
  },
});

registerMeasure({
  key: 'registry.veterans-registered',
  title: '退役军人信息采集',
  method: '登记为退役军人的居民数；有登记时视为已实现信息采集管理',
  clause: '003 L2P9',
  async compute(db, ids) {
    const got = await counts(db, ids);
    return each(ids, got, (c) => ({
      value: c.veteran ?? 0,
      met: (c.veteran ?? 0) > 0,
      numerator: c.veteran ?? 0,
      records: c.records ?? 0,
    }));
  },
});

registerMeasure({
  key: 'registry.special-groups-registered',
  title: '特殊人群发现登记',
  method: `登记为社区矫正、严重精神障碍、刑释解教、吸毒戒毒、重点信访、社会闲散青少年的居民数；有登记时视为已实现发现登记`,
  clause: '003 L3P5',
  async compute(db, ids) {
    const got = await counts(db, ids);
    return each(ids, got, (c) => ({
      value: c.special ?? 0,
      met: (c.special ?? 0) > 0,
      numerator: c.special ?? 0,
      records: c.records ?? 0,
    }));
  },
});
