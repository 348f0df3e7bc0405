// Owners' common decisions, 民法典 第278条 and 第1259条 (`003 L2P10`, `004 5.2.3`): checked against an
// independent reference that reads each area's decimal text into an exact fraction and follows the law's words.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  OWNER_MATTERS,
  ownersDecision,
  type Matter,
  type OwnerBallot,
  type OwnerChoice,
  type OwnerEntry,
  type OwnersTally,
} from './owners.js';

// ---------------------------------------------------------------------------------------------
// Reference: exact fractions (BigInt numerator / denominator), the law's words
// ---------------------------------------------------------------------------------------------

interface Frac {
  n: bigint;
  d: bigint;
}
const frac = (n: bigint, d = 1n): Frac => (d < 0n ? { n: -n, d: -d } : { n, d });
const add = (a: Frac, b: Frac): Frac => frac(a.n * b.d + b.n * a.d, a.d * b.d);
const div = (a: Frac, b: Frac): Frac => frac(a.n * b.d, a.d * b.n);
/** Sign of a − b. */
const cmp = (a: Frac, b: Frac): number => {
  const x = a.n * b.d - b.n * a.d;
  return x > 0n ? 1 : x < 0n ? -1 : 0;
};
/** "x以上" includes x (第1259条). */
const atLeast = (share: Frac, bound: Frac): boolean => cmp(share, bound) >= 0;
/** "过半数": more than half. */
const moreThanHalf = (share: Frac): boolean => cmp(share, frac(1n, 2n)) > 0;
/** A decimal as written ("33.33", "1e-2" never occurs for these inputs) to an exact fraction. */
const parseDecimal = (x: number): Frac => {
  const s = String(x);
  const [int, dec = ''] = s.split('.');
  return frac(BigInt(int + dec), 10n ** BigInt(dec.length));
};
const ZERO = frac(0n);

interface RefResult {
  quorumMet: boolean;
  passed: boolean;
  participatingOwners: number;
  participatingArea: Frac;
  agreeOwners: number;
  agreeArea: Frac;
  totalOwners: number;
  totalArea: Frac;
}

function reference(matter: Matter, owners: readonly OwnerEntry[], ballots: readonly OwnerBallot[]): RefResult {
  // 业主: one person however many rooms; their 专有部分面积 is the sum of their rooms.
  const areaOf = new Map<string, Frac>();
  for (const o of owners) areaOf.set(o.id, add(areaOf.get(o.id) ?? ZERO, parseDecimal(o.area)));
  let totalArea = ZERO;
  for (const a of areaOf.values()) totalArea = add(totalArea, a);
  const totalOwners = areaOf.size;
  let participatingArea = ZERO;
  let agreeArea = ZERO;
  let participatingOwners = 0;
  let agreeOwners = 0;
  for (const b of ballots) {
    const a = areaOf.get(b.ownerId) ?? ZERO;
    participatingArea = add(participatingArea, a);
    participatingOwners += 1;
    if (b.choice === 'yes') {
      agreeArea = add(agreeArea, a);
      agreeOwners += 1;
    }
  }
  // 专有部分面积占比三分之二以上的业主且人数占比三分之二以上的业主参与表决.
  const quorumMet =
    atLeast(div(participatingArea, totalArea), frac(2n, 3n)) &&
    atLeast(frac(BigInt(participatingOwners), BigInt(totalOwners)), frac(2n, 3n));
  let passed = false;
  if (quorumMet) {
    const areaShare = div(agreeArea, participatingArea);
    const headShare = frac(BigInt(agreeOwners), BigInt(participatingOwners));
    passed =
      matter === 'major'
        ? // 参与表决专有部分面积四分之三以上的业主且参与表决人数四分之三以上的业主同意.
          atLeast(areaShare, frac(3n, 4n)) && atLeast(headShare, frac(3n, 4n))
        : // 参与表决专有部分面积过半数的业主且参与表决人数过半数的业主同意.
          moreThanHalf(areaShare) && moreThanHalf(headShare);
  }
  return { quorumMet, passed, participatingOwners, participatingArea, agreeOwners, agreeArea, totalOwners, totalArea };
}

/** The tally's area (a number of m²) as an exact fraction, to compare with the reference. */
const areaFrac = (x: number): Frac => parseDecimal(x);

function tallyOf(matter: Matter, owners: readonly OwnerEntry[], ballots: readonly OwnerBallot[]): OwnersTally {
  const r = ownersDecision(matter, owners, ballots);
  if (!('tally' in r)) throw new Error(`unexpected problems: ${JSON.stringify(r.problems)}`);
  return r.tally;
}

function problemsOf(matter: Matter, owners: readonly OwnerEntry[], ballots: readonly OwnerBallot[]) {
  const r = ownersDecision(matter, owners, ballots);
  if (!('problems' in r)) throw new Error('expected problems');
  return r.problems;
}

/** `n` owners with one room each of `area` m², ids o0…o(n−1). */
const flat = (n: number, area = 1): OwnerEntry[] => Array.from({ length: n }, (_, i) => ({ id: `o${i}`, area }));
const votes = (choices: OwnerChoice[], offset = 0): OwnerBallot[] => choices.map((choice, i) => ({ ownerId: `o${i + offset}`, choice }));
const rep = <T>(x: T, n: number): T[] => Array.from({ length: n }, () => x);

// ---------------------------------------------------------------------------------------------
// Random inputs
// ---------------------------------------------------------------------------------------------

/** Owners 1..60 entries over a small id pool (so ids repeat), areas with 2 decimals; ballots for a random subset. */
const arbCase = (areaArb: fc.Arbitrary<number>, idPool = 40) =>
  fc
    .record({
      matter: fc.constantFrom<Matter>('ordinary', 'major'),
      owners: fc.array(fc.record({ id: fc.integer({ min: 0, max: idPool - 1 }).map((i) => `p${i}`), area: areaArb }), {
        minLength: 1,
        maxLength: 60,
      }),
      keep: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
      choices: fc.array(fc.constantFrom<OwnerChoice>('yes', 'no', 'abstain', 'yes', 'yes'), { minLength: 40, maxLength: 40 }),
      order: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
    })
    .map(({ matter, owners, keep, choices, order }) => {
      const ids = [...new Set(owners.map((o) => o.id))];
      const voters = ids.filter((_, i) => keep[i] || keep[(i + 1) % 40]);
      // shuffle deterministically
      const sorted = voters.map((id, i) => ({ id, k: order[i] ?? 0 })).sort((a, b) => a.k - b.k);
      const ballots: OwnerBallot[] = sorted.map(({ id }, i) => ({ ownerId: id, choice: choices[i] ?? 'yes' }));
      return { matter, owners, ballots };
    });

const areas2dp = fc.integer({ min: 1, max: 50_000 }).map((h) => h / 100);
/** Few distinct values, so sums land exactly on the bounds often. */
const coarseAreas = fc.constantFrom(0.01, 0.1, 0.2, 0.3, 1, 1.5, 2, 3, 33.33, 66.67, 100);
/** Tiny registers of equal-ish rooms: ties at exactly 1/2, 2/3 and 3/4 are frequent. */
const tinyAreas = fc.constantFrom(1, 1, 2, 0.5);

describe('ownersDecision agrees with the exact reference', () => {
  for (const [name, areaArb, idPool] of [
    ['areas 0.01..500.00', areas2dp, 40],
    ['coarse areas', coarseAreas, 40],
    ['tiny registers', tinyAreas, 8],
  ] as const) {
    it(`on random registers and ballots (${name})`, () => {
      const seen = { quorum: 0, noQuorum: 0, passed: 0, failed: 0 };
      fc.assert(
        fc.property(arbCase(areaArb, idPool), ({ matter, owners, ballots }) => {
          const t = tallyOf(matter, owners, ballots);
          const ref = reference(matter, owners, ballots);
          if (ref.quorumMet) seen.quorum++;
          else seen.noQuorum++;
          if (ref.passed) seen.passed++;
          else if (ref.quorumMet) seen.failed++;
          expect(t.quorumMet).toBe(ref.quorumMet);
          expect(t.passed).toBe(ref.passed);
          expect(t.totalOwners).toBe(ref.totalOwners);
          expect(t.participatingOwners).toBe(ref.participatingOwners);
          expect(t.agreeOwners).toBe(ref.agreeOwners);
          expect(cmp(areaFrac(t.totalArea), ref.totalArea)).toBe(0);
          expect(cmp(areaFrac(t.participatingArea), ref.participatingArea)).toBe(0);
          expect(cmp(areaFrac(t.agreeArea), ref.agreeArea)).toBe(0);
          expect(t.agreeOwners + t.disagreeOwners + t.abstainOwners).toBe(t.participatingOwners);
          expect(cmp(add(add(areaFrac(t.agreeArea), areaFrac(t.disagreeArea)), areaFrac(t.abstainArea)), ref.participatingArea)).toBe(0);
          expect(t.rule).toBe(matter === 'major' ? '民法典第278条（重大事项）' : '民法典第278条（一般事项）');
        }),
        { numRuns: 2000 },
      );
      // The generator reaches every outcome.
      expect(Math.min(seen.quorum, seen.noQuorum, seen.passed, seen.failed)).toBeGreaterThan(0);
    });
  }

  it('the answer does not depend on the order of rooms or ballots', () => {
    fc.assert(
      fc.property(arbCase(areas2dp), ({ matter, owners, ballots }) => {
        const a = tallyOf(matter, owners, ballots);
        const b = tallyOf(matter, [...owners].reverse(), [...ballots].reverse());
        expect(b).toEqual(a);
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Bounds, by hand
// ---------------------------------------------------------------------------------------------

describe('quorum (参与表决：面积与人数均三分之二以上)', () => {
  it('participating area exactly two thirds meets it; one hundredth less does not', () => {
    // o0 holds 192.00, o1..o8 hold 1.00 each, o9 holds 100.00: total 300.00.
    const owners: OwnerEntry[] = [{ id: 'o0', area: 192 }, ...flat(9).slice(1), { id: 'o9', area: 100 }];
    // Voting: o0..o8 (9 of 10 heads, well above), area 192 + 8 = 200.00 of 300.00 — exactly 2/3.
    const t = tallyOf('ordinary', owners, votes(rep<OwnerChoice>('yes', 9)));
    expect([t.totalArea, t.participatingArea, t.participatingOwners, t.totalOwners]).toEqual([300, 200, 9, 10]);
    expect(t.quorumMet).toBe(true);
    expect(t.reasons[0]).toBe('参与表决专有部分面积 200.00㎡ ≥ 总面积 300.00㎡ 的三分之二（200.00㎡）：是');

    // Same heads, 199.99 participating (o0 holds 191.99, o9 holds 100.01).
    const below: OwnerEntry[] = [{ id: 'o0', area: 191.99 }, ...flat(9).slice(1), { id: 'o9', area: 100.01 }];
    const u = tallyOf('ordinary', below, votes(rep<OwnerChoice>('yes', 9)));
    expect([u.totalArea, u.participatingArea]).toEqual([300, 199.99]);
    expect(u.quorumMet).toBe(false);
    expect(u.passed).toBe(false);
    expect(u.reasons[0]).toBe('参与表决专有部分面积 199.99㎡ ≥ 总面积 300.00㎡ 的三分之二（200.00㎡）：否');
  });

  it('headcount exactly two thirds (6 of 9) meets it; 5 of 9 does not', () => {
    // Area is not the constraint: o0 holds 1000.00 and always votes.
    const owners: OwnerEntry[] = [{ id: 'o0', area: 1000 }, ...flat(9).slice(1)];
    const six = tallyOf('ordinary', owners, votes(rep<OwnerChoice>('yes', 6)));
    expect([six.participatingOwners, six.totalOwners, six.quorumMet, six.passed]).toEqual([6, 9, true, true]);
    expect(six.reasons[1]).toBe('参与表决人数 6 人 ≥ 业主总人数 9 人的三分之二（6 人）：是');
    const five = tallyOf('ordinary', owners, votes(rep<OwnerChoice>('yes', 5)));
    expect([five.participatingOwners, five.quorumMet, five.passed]).toEqual([5, false, false]);
    expect(five.reasons[1]).toBe('参与表决人数 5 人 ≥ 业主总人数 9 人的三分之二（6 人）：否');
  });

  it('a bound that is not a whole number is shown as the least value reaching it', () => {
    const t = tallyOf('ordinary', flat(10), votes(rep<OwnerChoice>('yes', 7)));
    expect(t.reasons[0]).toBe('参与表决专有部分面积 7.00㎡ ≥ 总面积 10.00㎡ 的三分之二（至少 6.67㎡）：是');
    expect(t.reasons[1]).toBe('参与表决人数 7 人 ≥ 业主总人数 10 人的三分之二（至少 7 人）：是');
    expect(t.reasons[3]).toBe('同意人数 7 人 > 参与表决人数 7 人的一半（3.5 人）：是');
  });

  it('nobody voting: no quorum, not passed', () => {
    const t = tallyOf('ordinary', flat(3), []);
    expect([t.participatingOwners, t.participatingArea, t.quorumMet, t.passed]).toEqual([0, 0, false, false]);
  });
});

describe('ordinary matters (过半数同意，不含本数)', () => {
  // o0 votes no, o1 and o2 vote yes: 2 of 3 heads agree, so only the area decides.
  const three = (no: number, yes1: number, yes2: number): OwnerEntry[] => [
    { id: 'o0', area: no },
    { id: 'o1', area: yes1 },
    { id: 'o2', area: yes2 },
  ];
  const ballots = votes(['no', 'yes', 'yes']);

  it('agreeing area exactly half (150.00 of 300.00) does not pass; half + 0.01 (150.01 of 300.00) passes', () => {
    const half = tallyOf('ordinary', three(150, 100, 50), ballots);
    expect([half.agreeArea, half.participatingArea, half.agreeOwners, half.quorumMet, half.passed]).toEqual([150, 300, 2, true, false]);
    expect(half.reasons[2]).toBe('同意的专有部分面积 150.00㎡ > 参与表决面积 300.00㎡ 的一半（150.00㎡）：否');

    const plus = tallyOf('ordinary', three(149.99, 100, 50.01), ballots);
    expect([plus.agreeArea, plus.participatingArea, plus.passed]).toEqual([150.01, 300, true]);
    expect(plus.reasons[2]).toBe('同意的专有部分面积 150.01㎡ > 参与表决面积 300.00㎡ 的一半（150.00㎡）：是');
  });

  it('an odd number of hundredths: 50.00 of 99.99 is more than half (49.995)', () => {
    const t = tallyOf('ordinary', three(49.99, 25, 25), ballots);
    expect([t.agreeArea, t.participatingArea, t.passed]).toEqual([50, 99.99, true]);
    expect(t.reasons[2]).toBe('同意的专有部分面积 50.00㎡ > 参与表决面积 99.99㎡ 的一半（49.995㎡）：是');
    expect(tallyOf('ordinary', three(50, 25, 24.99), ballots).passed).toBe(false); // 49.99 of 99.99
  });

  it('agreeing owners exactly half does not pass, even with most of the area', () => {
    const owners: OwnerEntry[] = [{ id: 'o0', area: 90 }, ...flat(4).slice(1)]; // 93.00 in all
    const t = tallyOf('ordinary', owners, votes(['yes', 'yes', 'no', 'no']));
    expect([t.agreeOwners, t.participatingOwners, t.agreeArea, t.passed]).toEqual([2, 4, 91, false]);
    expect(t.reasons[3]).toBe('同意人数 2 人 > 参与表决人数 4 人的一半（2 人）：否');
    expect(tallyOf('ordinary', owners, votes(['yes', 'yes', 'yes', 'no'])).passed).toBe(true);
  });
});

describe('major matters (四分之三以上同意，含本数)', () => {
  it('exactly three quarters of area and owners passes', () => {
    // 4 owners of 25.00: 3 agree → 75.00 of 100.00 and 3 of 4.
    const t = tallyOf('major', flat(4, 25), votes(['yes', 'yes', 'yes', 'no']));
    expect([t.agreeArea, t.participatingArea, t.agreeOwners, t.participatingOwners, t.passed]).toEqual([75, 100, 3, 4, true]);
    expect(t.rule).toBe('民法典第278条（重大事项）');
    expect(t.reasons[2]).toBe('同意的专有部分面积 75.00㎡ ≥ 参与表决面积 100.00㎡ 的四分之三（75.00㎡）：是');
    expect(t.reasons[3]).toBe('同意人数 3 人 ≥ 参与表决人数 4 人的四分之三（3 人）：是');
  });

  it('one hundredth of area below three quarters does not pass', () => {
    const owners: OwnerEntry[] = [
      { id: 'o0', area: 25 },
      { id: 'o1', area: 25 },
      { id: 'o2', area: 24.99 },
      { id: 'o3', area: 25.01 },
    ];
    const t = tallyOf('major', owners, votes(['yes', 'yes', 'yes', 'no']));
    expect([t.agreeArea, t.participatingArea, t.agreeOwners, t.passed]).toEqual([74.99, 100, 3, false]);
    expect(t.reasons[2]).toBe('同意的专有部分面积 74.99㎡ ≥ 参与表决面积 100.00㎡ 的四分之三（75.00㎡）：否');
  });

  it('one owner below three quarters does not pass, even with the area', () => {
    // 8 owners vote; 6 agree is exactly 3/4, 5 is below. o0 holds most of the area.
    const owners: OwnerEntry[] = [{ id: 'o0', area: 100 }, ...flat(8).slice(1)];
    const six = tallyOf('major', owners, votes(['yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'no', 'no']));
    expect([six.agreeOwners, six.participatingOwners, six.passed]).toEqual([6, 8, true]);
    const five = tallyOf('major', owners, votes(['yes', 'yes', 'yes', 'yes', 'yes', 'no', 'no', 'no']));
    expect([five.agreeOwners, five.participatingOwners, five.passed]).toEqual([5, 8, false]);
    expect(five.reasons[3]).toBe('同意人数 5 人 ≥ 参与表决人数 8 人的四分之三（6 人）：否');
  });

  it('a result that passes as ordinary fails as major', () => {
    const ballots = votes(['yes', 'yes', 'no', 'no', 'yes']);
    expect(tallyOf('ordinary', flat(5), ballots).passed).toBe(true);
    expect(tallyOf('major', flat(5), ballots).passed).toBe(false);
  });
});

describe('abstentions and several rooms', () => {
  it('abstentions count for the quorum but not as agreement', () => {
    const t = tallyOf('ordinary', flat(3, 10), votes(['abstain', 'abstain', 'abstain']));
    expect([t.quorumMet, t.passed, t.participatingOwners, t.abstainOwners, t.agreeOwners]).toEqual([true, false, 3, 3, 0]);
    expect([t.abstainArea, t.participatingArea, t.agreeArea]).toEqual([30, 30, 0]);
    expect(tallyOf('major', flat(3, 10), votes(['abstain', 'abstain', 'abstain'])).passed).toBe(false);
    // An abstention raises the bar: 2 yes of 3 participating passes; 2 yes, 1 no, 1 abstain is exactly half.
    expect(tallyOf('ordinary', flat(4, 10), votes(['yes', 'yes', 'no'])).passed).toBe(true);
    const withAbstain = tallyOf('ordinary', flat(4, 10), votes(['yes', 'yes', 'no', 'abstain']));
    expect(withAbstain.passed).toBe(false);
    expect(withAbstain.reasons).toContain('弃权 1 人（10.00㎡）计入参与表决，不计入同意');
  });

  it('a person with several rooms counts once, with the summed area, and one ballot carries it all', () => {
    const owners: OwnerEntry[] = [
      { id: 'wang', area: 80.5 },
      { id: 'li', area: 90 },
      { id: 'wang', area: 60.25 },
      { id: 'zhao', area: 100 },
      { id: 'wang', area: 12.34 },
    ];
    const t = tallyOf('ordinary', owners, [{ ownerId: 'wang', choice: 'yes' }]);
    expect([t.totalOwners, t.totalArea, t.participatingOwners, t.participatingArea, t.agreeArea]).toEqual([3, 343.09, 1, 153.09, 153.09]);
    expect(t.quorumMet).toBe(false); // 1 of 3 heads
    const u = tallyOf('ordinary', owners, [
      { ownerId: 'wang', choice: 'yes' },
      { ownerId: 'li', choice: 'no' },
    ]);
    // 2 of 3 heads, 243.09 of 343.09 ≥ 228.73: quorum; agree 1 of 2 heads is not more than half.
    expect([u.quorumMet, u.agreeOwners, u.participatingOwners, u.passed]).toEqual([true, 1, 2, false]);
  });
});

// ---------------------------------------------------------------------------------------------
// Float traps: a naive float tally gets these wrong
// ---------------------------------------------------------------------------------------------

const naiveSum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

describe('exact arithmetic', () => {
  it('quorum exactly at two thirds with 0.2 + 20.2 of 30.6', () => {
    const owners: OwnerEntry[] = [
      { id: 'o0', area: 0.2 },
      { id: 'o1', area: 20.2 },
      { id: 'o2', area: 10.1 },
      { id: 'o3', area: 0.1 },
      { id: 'o4', area: 0 },
      { id: 'o5', area: 0 },
    ];
    // Floats: (0.2 + 20.2) × 3 < (0.2 + 20.2 + 10.1 + 0.1) × 2.
    expect(naiveSum([0.2, 20.2]) * 3 >= naiveSum([0.2, 20.2, 10.1, 0.1]) * 2).toBe(false);
    const t = tallyOf('ordinary', owners, [...votes(['yes', 'yes']), ...votes(['no', 'no'], 4)]);
    expect([t.participatingArea, t.totalArea, t.participatingOwners, t.totalOwners]).toEqual([20.4, 30.6, 4, 6]);
    expect(t.quorumMet).toBe(true);
  });

  it('ordinary: 1.1 + 2.2 agreeing of 6.6 is exactly half, not more', () => {
    expect(naiveSum([1.1, 2.2]) * 2 > naiveSum([1.1, 2.2, 3.3])).toBe(true); // the float trap
    const owners: OwnerEntry[] = [
      { id: 'o0', area: 1.1 },
      { id: 'o1', area: 2.2 },
      { id: 'o2', area: 3.3 },
    ];
    const t = tallyOf('ordinary', owners, votes(['yes', 'yes', 'no']));
    expect([t.agreeArea, t.participatingArea, t.agreeOwners]).toEqual([3.3, 6.6, 2]);
    expect(t.passed).toBe(false);
  });

  it('major: 0.3 + 0.3 agreeing of 0.8 is exactly three quarters', () => {
    expect(naiveSum([0.3, 0.3]) * 4 >= naiveSum([0.3, 0.3, 0.2]) * 3).toBe(false); // the float trap
    const owners: OwnerEntry[] = [
      { id: 'o0', area: 0.3 },
      { id: 'o1', area: 0.3 },
      { id: 'o2', area: 0.2 },
      { id: 'o3', area: 0 },
    ];
    const t = tallyOf('major', owners, votes(['yes', 'yes', 'no', 'yes']));
    expect([t.agreeArea, t.participatingArea, t.agreeOwners, t.participatingOwners]).toEqual([0.6, 0.8, 3, 4]);
    expect(t.passed).toBe(true);
  });

  it('33.33 × 3 of 99.99: two owners are exactly two thirds', () => {
    const t = tallyOf('major', flat(3, 33.33), votes(['yes', 'yes']));
    expect([t.participatingArea, t.totalArea, t.quorumMet, t.passed]).toEqual([66.66, 99.99, true, true]);
    const u = tallyOf('ordinary', flat(3, 33.33), votes(['yes', 'yes', 'abstain']));
    expect([u.participatingArea, u.agreeArea, u.passed]).toEqual([99.99, 66.66, true]);
  });
});

// ---------------------------------------------------------------------------------------------
// Problems
// ---------------------------------------------------------------------------------------------

describe('problems', () => {
  it('a second ballot for one owner is refused at its own index', () => {
    const p = problemsOf('ordinary', flat(3), [
      { ownerId: 'o0', choice: 'yes' },
      { ownerId: 'o1', choice: 'no' },
      { ownerId: 'o0', choice: 'no' },
    ]);
    expect(p).toEqual([{ field: 'body.ballots.2.ownerId', message: '该业主已投票' }]);
  });

  it('a second ballot for a person with several rooms is refused too', () => {
    const owners: OwnerEntry[] = [
      { id: 'wang', area: 50 },
      { id: 'wang', area: 60 },
      { id: 'li', area: 70 },
    ];
    const p = problemsOf('ordinary', owners, [
      { ownerId: 'wang', choice: 'yes' },
      { ownerId: 'wang', choice: 'yes' },
    ]);
    expect(p).toEqual([{ field: 'body.ballots.1.ownerId', message: '该业主已投票' }]);
  });

  it('a ballot from someone not among the owners is refused', () => {
    const p = problemsOf('major', flat(3), [
      { ownerId: 'o0', choice: 'yes' },
      { ownerId: 'stranger', choice: 'yes' },
      { ownerId: '', choice: 'no' },
    ]);
    expect(p).toEqual([
      { field: 'body.ballots.1.ownerId', message: '不在业主名单中' },
      { field: 'body.ballots.2.ownerId', message: '不在业主名单中' },
    ]);
  });

  it('an unknown choice is refused', () => {
    const p = problemsOf('ordinary', flat(2), [{ ownerId: 'o0', choice: 'maybe' as OwnerChoice }]);
    expect(p).toHaveLength(1);
    expect(p[0]?.field).toBe('body.ballots.0.choice');
  });

  it('bad areas are refused with their path: negative, NaN, infinite, three decimals, not a number', () => {
    const owners = [
      { id: 'a', area: -1 },
      { id: 'b', area: Number.NaN },
      { id: 'c', area: 12.345 },
      { id: 'd', area: 10 },
      { id: 'e', area: Number.POSITIVE_INFINITY },
      { id: 'f', area: '10' as unknown as number },
      { id: 'g', area: 0.1 + 0.2 }, // 0.30000000000000004 is not a 2-decimal area
    ];
    const p = problemsOf('ordinary', owners, []);
    expect(p.map((x) => x.field)).toEqual([
      'body.owners.0.area',
      'body.owners.1.area',
      'body.owners.2.area',
      'body.owners.4.area',
      'body.owners.5.area',
      'body.owners.6.area',
    ]);
    expect(p[0]?.message).toBe('面积不能为负数');
    expect(p[2]?.message).toBe('面积最多保留两位小数');
    for (const x of p) expect(x.message).toMatch(/面积/);
  });

  it('0 is a valid area for a room, 2 decimals are accepted', () => {
    const t = tallyOf(
      'ordinary',
      [
        { id: 'a', area: 0 },
        { id: 'b', area: 0.01 },
        { id: 'c', area: 123456.78 },
      ],
      [],
    );
    expect(t.totalArea).toBe(123456.79);
  });

  it('an empty register, a register of total area 0, an empty owner id', () => {
    expect(problemsOf('ordinary', [], [])).toEqual([{ field: 'body.owners', message: '业主名单不能为空' }]);
    expect(problemsOf('ordinary', [{ id: 'a', area: 0 }], [])).toEqual([{ field: 'body.owners', message: '专有部分总面积不能为 0' }]);
    const p = problemsOf(
      'ordinary',
      [
        { id: '', area: 10 },
        { id: '  ', area: 10 },
        { id: 'x', area: 10 },
      ],
      [],
    );
    expect(p.map((x) => x.field)).toEqual(['body.owners.0.id', 'body.owners.1.id']);
  });

  it('an unknown matter is refused', () => {
    expect(problemsOf('urgent' as Matter, flat(1), [])).toEqual([expect.objectContaining({ field: 'body.matter' })]);
  });
});

describe('OWNER_MATTERS follows 第278条 (2021 text)', () => {
  it('items (六)–(八) need three quarters; the rest, 使用维修资金 and 其他重大事项 included, a majority', () => {
    const matterOf = (k: string) => OWNER_MATTERS[k]?.matter;
    for (const k of ['repair_fund_raise', 'rebuild', 'common_use_change']) expect(matterOf(k), k).toBe('major');
    for (const k of ['rules', 'covenant', 'committee', 'property_company', 'repair_fund_use', 'other'])
      expect(matterOf(k), k).toBe('ordinary');
    expect(Object.keys(OWNER_MATTERS)).toHaveLength(9);
    expect(OWNER_MATTERS.repair_fund_use?.label).toBe('使用建筑物及其附属设施的维修资金');
    expect(OWNER_MATTERS.repair_fund_raise?.label).toBe('筹集建筑物及其附属设施的维修资金');
    expect(OWNER_MATTERS.common_use_change?.label).toBe('改变共有部分的用途或者利用共有部分从事经营活动');
  });
});
