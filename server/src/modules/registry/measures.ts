// The register's live measures for the evaluation module (evaluation/measures.ts): each counts
// residents of the community who are currently registered (status active).
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/pool.js';
import { registerMeasures, type MeasureSpec, type MeasureValue } from '../evaluation/measures.js';

const SPECIAL_GROUPS = ['community_correction', 'mental_disorder', 'released_prisoner', 'drug_rehab', 'petitioner', 'idle_youth'];

/** Every count the register's measures use, as SQL boolean expressions over residents. */
const FILTERS = {
  local: `hukou = 'local'`,
  local_health: `hukou = 'local' and 'health_record' = any(tags)`,
  disabled: `'disabled' = any(tags)`,
  disabled_graded: `'disabled' = any(tags) and disability_grade is not null`,
  veteran: `'veteran' = any(tags)`,
  special: `tags && array[${SPECIAL_GROUPS.map((t) => `'${t}'`).join(',')}]::text[]`,
} satisfies Record<string, string>;

/** Counts per community in one statement: `filters` are SQL boolean expressions over residents. */
async function countAll(db: Executor, communityIds: string[], filters: Record<string, string>) {
  const names = Object.keys(filters);
  const { rows } = await db.execute<Record<string, string>>(sql`
    select community_id::text as community_id, count(*)::text as records,
           ${sql.raw(names.map((k) => `count(*) filter (where ${filters[k]})::text as ${k}`).join(', '))}
      from residents where community_id = any(${sql.param(communityIds)}::uuid[]) and status = 'active'
     group by community_id`);
  const out: Loaded = new Map();
  for (const r of rows) out.set(r.community_id!, Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])));
  return out;
}

type Counts = Record<keyof typeof FILTERS | 'records', number>;
const NONE = Object.fromEntries([...Object.keys(FILTERS), 'records'].map((k) => [k, 0])) as Counts;

type Loaded = Map<string, Partial<Counts>>;

/** A measure from one community's counts. */
function fromCounts(
  key: string,
  title: string,
  method: string,
  clause: string,
  value: (c: Counts) => Omit<MeasureValue, 'records'>,
): MeasureSpec<Loaded> {
  return {
    key,
    title,
    method,
    clause,
    value(loaded, communityId) {
      const c: Counts = { ...NONE, ...loaded.get(communityId) };
      return { ...value(c), records: c.records };
    },
  };
}

/** Met when the register holds at least one such person: the information is being collected. */
const registered = (n: number) => ({ value: n, met: n > 0, numerator: n });

// One scan of the residents answers all four.
registerMeasures(
  (db, ids) => countAll(db, ids, FILTERS),
  [
    fromCounts(
      'registry.health-record-rate',
      '居民电子健康档案建档率',
      '标记“已建电子健康档案”的户籍居民数 ÷ 登记在册的户籍居民数 × 100%',
      '003 L2P5',
      (c) => ({
        value: c.local ? Math.round((10000 * c.local_health) / c.local) / 100 : 0,
        numerator: c.local_health,
        denominator: c.local,
      }),
    ),
    fromCounts(
      'registry.disabled-registered',
      '残疾人信息纳入平台',
      '登记为残疾人的居民数（含残疾等级者计为信息完整）；有残疾人登记且全部载明残疾等级时视为达到',
      '003 L2P8',
      (c) => ({
        value: c.disabled,
        met: c.disabled > 0 && c.disabled_graded === c.disabled,
        numerator: c.disabled_graded,
        denominator: c.disabled,
      }),
    ),
    fromCounts(
      'registry.veterans-registered',
      '退役军人信息采集',
      '登记为退役军人的居民数；有登记时视为已实现信息采集管理',
      '003 L2P9',
      (c) => registered(c.veteran),
    ),
    fromCounts(
      'registry.special-groups-registered',
      '特殊人群发现登记',
      '登记为社区矫正、严重精神障碍、刑释解教、吸毒戒毒、重点信访、社会闲散青少年的居民数；有登记时视为已实现发现登记',
      '003 L3P5',
      (c) => registered(c.special),
    ),
  ],
);
