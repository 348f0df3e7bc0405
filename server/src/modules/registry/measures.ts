// The register's live measures for the evaluation module (evaluation/measures.ts): each counts
// residents of the community who are currently registered (status active). The counts are kept per
// community by statement triggers on `residents` (migration 0027, which defines each count), so a
// scorecard reads a few delta rows instead of recounting the community's residents (~1 s for a
// 100,000-resident community on the bench machine, against a few milliseconds).
import { sql } from 'drizzle-orm';
import type { Db, Executor } from '../../db/pool.js';
import { registerMeasures, type MeasureSpec, type MeasureValue } from '../evaluation/measures.js';

const COUNTS = ['local', 'local_health', 'disabled', 'disabled_graded', 'veteran', 'special'] as const;

/** The kept counts of the communities (one grouped read of their delta rows). */
async function countAll(db: Executor, communityIds: string[]) {
  const { rows } = await db.execute<Record<string, string>>(sql`
    select community_id::text as community_id, sum(records)::text as records,
           ${sql.raw(COUNTS.map((k) => `sum(${k})::text as ${k}`).join(', '))}
      from resident_count_deltas where community_id = any(${sql.param(communityIds)}::uuid[])
     group by community_id`);
  const out: Loaded = new Map();
  for (const r of rows) out.set(r.community_id!, Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])));
  return out;
}

/**
 * Folds each community's delta rows into one, in one statement per run: rows written meanwhile are
 * not seen by the delete and stay; two runs at once cannot double count (a row is deleted once).
 */
export async function compactResidentCounts(db: Db): Promise<number> {
  const r = await db.execute<{ n: string }>(sql`
    with busy as (select community_id from resident_count_deltas group by community_id having count(*) > 1),
         gone as (delete from resident_count_deltas d using busy where d.community_id = busy.community_id returning d.*),
         kept as (insert into resident_count_deltas (community_id, records, ${sql.raw(COUNTS.join(', '))})
                  select community_id, sum(records), ${sql.raw(COUNTS.map((k) => `sum(${k})`).join(', '))}
                    from gone group by community_id returning 1)
    select count(*)::text as n from kept`);
  return Number(r.rows[0]!.n);
}

/** Compacts now and every minute (housekeeping: a missed run only leaves more rows to sum). */
export function startResidentCountCompaction(db: Db, onError: (e: unknown) => void): () => void {
  const run = () => compactResidentCounts(db).catch(onError);
  void run();
  const timer = setInterval(run, 60_000);
  timer.unref();
  return () => clearInterval(timer);
}

type Counts = Record<(typeof COUNTS)[number] | 'records', number>;
const NONE = Object.fromEntries([...COUNTS, 'records'].map((k) => [k, 0])) as Counts;

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

// One read of the kept counts answers all four.
registerMeasures(
  (db, ids) => countAll(db, ids),
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
