// The register's kept counts (migration 0027 triggers, registry/measures.ts) against a recount of the
// residents table: after random inserts, edits, moves between communities, deletes, rolled-back
// transactions, concurrent writers and compaction, the delta rows always sum to the recount.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactResidentCounts } from '../../src/modules/registry/measures.js';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
let communities: string[];

beforeAll(async () => {
  t = await setupTestApp();
  communities = [await t.region('柳岸社区'), await t.region('江月社区')];
});
afterAll(() => t.close());

// The definitions as the measures mean them (registry/measures.ts), written independently of the trigger.
const SPECIAL = ['community_correction', 'mental_disorder', 'released_prisoner', 'drug_rehab', 'petitioner', 'idle_youth'];
async function recount(): Promise<Record<string, number[]>> {
  const { rows } = await t.db.$client.query<{ community_id: string; c: string[] }>(
    `select community_id, array[count(*), count(*) filter (where hukou = 'local'),
            count(*) filter (where hukou = 'local' and 'health_record' = any(tags)), count(*) filter (where 'disabled' = any(tags)),
            count(*) filter (where 'disabled' = any(tags) and disability_grade is not null), count(*) filter (where 'veteran' = any(tags)),
            count(*) filter (where tags && $1::text[])]::text[] as c
       from residents where status = 'active' group by community_id`,
    [SPECIAL],
  );
  return Object.fromEntries(rows.filter((r) => Number(r.c[0]) !== 0).map((r) => [r.community_id, r.c.map(Number)]));
}
async function kept(): Promise<Record<string, number[]>> {
  const { rows } = await t.db.$client.query<{ community_id: string; c: string[] }>(
    `select community_id, array[sum(records), sum(local), sum(local_health), sum(disabled), sum(disabled_graded), sum(veteran),
            sum(special)]::text[] as c
       from resident_count_deltas group by community_id`,
  );
  return Object.fromEntries(rows.filter((r) => Number(r.c[0]) !== 0).map((r) => [r.community_id, r.c.map(Number)]));
}

const TAGS = ['health_record', 'disabled', 'veteran', 'community_correction', 'petitioner', 'elderly_alone'];
const tagSet = fc.subarray(TAGS);
type Op =
  | { kind: 'insert'; n: number; community: number; tags: string[]; hukou: string; graded: boolean }
  | { kind: 'retag'; pick: number; tags: string[] }
  | { kind: 'status'; pick: number; status: string }
  | { kind: 'hukou'; pick: number; hukou: string }
  | { kind: 'grade'; pick: number; grade: number | null }
  | { kind: 'move'; pick: number; community: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'compact' };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    n: fc.integer({ min: 1, max: 40 }),
    community: fc.integer({ min: 0, max: 1 }),
    tags: tagSet,
    hukou: fc.constantFrom('local', 'nonlocal', 'unknown'),
    graded: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('retag' as const), pick: fc.nat(), tags: tagSet }),
  fc.record({ kind: fc.constant('status' as const), pick: fc.nat(), status: fc.constantFrom('active', 'moved_out', 'deceased') }),
  fc.record({ kind: fc.constant('hukou' as const), pick: fc.nat(), hukou: fc.constantFrom('local', 'nonlocal') }),
  fc.record({ kind: fc.constant('grade' as const), pick: fc.nat(), grade: fc.option(fc.integer({ min: 1, max: 4 })) }),
  fc.record({ kind: fc.constant('move' as const), pick: fc.nat(), community: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('compact' as const) }),
);

let made = 0;
/** Copies of an existing resident (keys made unique) under test-made ids, so deletes touch only those. */
async function insertCopies(q: (text: string, params: unknown[]) => Promise<unknown>, o: Extract<Op, { kind: 'insert' }>) {
  const first = made;
  made += o.n;
  await q(
    `insert into residents (community_id, id, grid_id, name, name_pinyin, name_initials, gender, birth_date, id_type, name_grams,
            id_number_enc, id_number_index, id_number_masked, hukou, status, tags, disability_grade)
     select $1, gen_random_uuid(), null, '计数' || g, 'jishu', 'js', gender, birth_date, id_type, '{}', id_number_enc,
            'count-test-' || g, id_number_masked, $2, 'active', $3::text[], $4
       from (select * from residents limit 1) r, generate_series($5::int, $6::int) g`,
    [communities[o.community], o.hukou, o.tags, o.graded ? 2 : null, first, first + o.n - 1],
  );
}

async function apply(o: Op) {
  const q = (text: string, params: unknown[]) => t.db.$client.query(text, params);
  // Edits touch a few test-made rows picked by position, and sometimes a demo resident.
  const target = `(community_id, id) in (select community_id, id from residents order by id_number_index like 'count-test-%' desc, id
                    offset $1 % greatest((select count(*) from residents where id_number_index like 'count-test-%'), 1) limit 3)`;
  switch (o.kind) {
    case 'insert':
      return insertCopies(q, o);
    case 'retag':
      return q(`update residents set tags = $2::text[] where ${target}`, [o.pick, o.tags]);
    case 'status':
      return q(`update residents set status = $2 where ${target}`, [o.pick, o.status]);
    case 'hukou':
      return q(`update residents set hukou = $2 where ${target}`, [o.pick, o.hukou]);
    case 'grade':
      return q(`update residents set disability_grade = $2 where ${target}`, [o.pick, o.grade]);
    case 'move':
      return q(`update residents set community_id = $2 where ${target} and id_number_index like 'count-test-%'`, [
        o.pick,
        communities[o.community],
      ]);
    case 'delete':
      return q(`delete from residents where ${target} and id_number_index like 'count-test-%'`, [o.pick]);
    case 'compact':
      return compactResidentCounts(t.db);
  }
}

describe('kept resident counts', () => {
  it('start equal to a recount of the demo register', async () => {
    const want = await recount();
    expect(Object.keys(want).length).toBeGreaterThan(1);
    expect(await kept()).toEqual(want);
  });

  it('stay equal to a recount through random edits and compaction', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        for (const o of ops) await apply(o);
        expect(await kept()).toEqual(await recount());
      }),
      { numRuns: 25 },
    );
  });

  it('count only what commits, with concurrent writers and compactions', async () => {
    const writers = Array.from({ length: 8 }, async (_, k) => {
      const c = await t.db.$client.connect();
      try {
        await c.query('begin');
        await insertCopies((text, params) => c.query(text, params), {
          kind: 'insert',
          n: 25,
          community: k % 2,
          tags: k % 3 === 0 ? ['veteran'] : ['health_record'],
          hukou: 'local',
          graded: false,
        });
        await new Promise((r) => setTimeout(r, 20 * k));
        await c.query(k === 5 ? 'rollback' : 'commit');
      } finally {
        c.release();
      }
    });
    const compactions = Array.from({ length: 4 }, async (_, k) => {
      await new Promise((r) => setTimeout(r, 30 * k));
      return compactResidentCounts(t.db);
    });
    await Promise.all([...writers, ...compactions]);
    await compactResidentCounts(t.db);
    expect(await kept()).toEqual(await recount());
    // Compacted: one row per community.
    const { rows } = await t.db.$client.query('select community_id from resident_count_deltas group by community_id having count(*) > 1');
    expect(rows).toEqual([]);
  });

  it('follow a whole community leaving and coming back in one statement each', async () => {
    const before = (await recount())[communities[1]!]!;
    const { rows } = await t.db.$client.query<{ id: string }>(
      "update residents set status = 'moved_out' where community_id = $1 and status = 'active' returning id",
      [communities[1]],
    );
    expect(rows.length).toBe(before[0]);
    expect((await kept())[communities[1]!]).toBeUndefined();
    await t.db.$client.query("update residents set status = 'active' where community_id = $1 and id = any($2::uuid[])", [
      communities[1],
      rows.map((r) => r.id),
    ]);
    expect((await kept())[communities[1]!]).toEqual(before);
  });
});
