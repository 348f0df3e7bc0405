import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { achievementOf, cheapestPath, frameworks, parseFramework, score, starsFor, type Framework } from './model.js';

const db37 = () => frameworks().get('DB37/T 3890.3-2020')!;
const bj = () => frameworks().get('BJ-ZHSQ-2013')!;

/** `003` 表5, copied from the standard: indicator code → weight in percent. */
const TABLE_5: Record<string, number> = {
  L1P1: 3, L1P2: 3, L1P3: 3, L1P4: 3, L1P5: 6, L1P6: 4, L1P7: 2, L1P8: 5,
  L2P1: 4, L2P2: 4, L2P3: 3, L2P4: 6, L2P5: 6, L2P6: 6, L2P7: 4, L2P8: 2, L2P9: 2, L2P10: 2,
  L3P1: 5, L3P2: 6, L3P3: 5, L3P4: 4, L3P5: 2,
  L4P1: 10,
}; // prettier-ignore

// Reference implementations, written from the text independently of model.ts.
function referenceDb37(weights: Record<string, number>, input: Record<string, number>): number {
  let cents = 0;
  for (const [code, w] of Object.entries(weights)) cents += w * 100 * (input[code] ?? 0);
  return Math.round(cents) / 100;
}
function referenceStars(achieved: number, prior: number | undefined): number {
  const p = prior ?? 0;
  if (achieved >= 30 && p >= 3) return 5;
  if (achieved >= 25 && p >= 3) return 4;
  if (achieved >= 20) return 3;
  if (achieved >= 15) return 2;
  if (achieved >= 10) return 1;
  return 0;
}

describe('frameworks as data', () => {
  it('ships DB37/T 3890.3-2020 with the 24 indicators of 表5, code by code, summing to 100', () => {
    const f = db37();
    expect(f.rule).toBe('weighted-achievement');
    expect(Object.fromEntries(f.indicators.map((i) => [i.code, i.weight]))).toEqual(TABLE_5);
    expect(f.indicators.reduce((s, i) => s + i.weight!, 0)).toBeCloseTo(100, 10);
    expect(f.groups.map((g) => [g.code, g.weight])).toEqual([
      ['L1', 29],
      ['L2', 39],
      ['L3', 22],
      ['L4', 10],
    ]);
    expect(f.criteria.get('L2P5.1')).toMatchObject({
      criterion: { kind: 'ratio', threshold: 80, direction: '>=', measure: 'registry.health-record-rate' },
    });
  });

  it('ships Beijing 2013 with 38 indicators and the star rules of 002 六 6.3', () => {
    const f = bj();
    expect(f.indicators.map((i) => i.code)).toEqual(Array.from({ length: 38 }, (_, k) => String(k + 1)));
    expect(f.dimensions.map((d) => d.name)).toEqual(['协同度', '便利度', '安全度', '感知度']);
    expect(f.stars!.map((s) => [s.stars, s.minAchieved, s.minPriorStars ?? 0])).toEqual([
      [1, 10, 0],
      [2, 15, 0],
      [3, 20, 0],
      [4, 25, 3],
      [5, 30, 3],
    ]);
  });

  it('refuses a framework whose weights do not add up, or with a duplicate criterion', () => {
    const raw = JSON.parse(JSON.stringify({ ...db37(), indicators: undefined, criteria: undefined }));
    delete raw.indicators;
    delete raw.criteria;
    raw.groups[0].indicators[0].weight = 4;
    expect(() => parseFramework(raw)).toThrow(/weight/);
    raw.groups[0].indicators[0].weight = 3;
    raw.groups[0].indicators[1].criteria[0].code = raw.groups[0].indicators[0].criteria[0].code;
    expect(() => parseFramework(raw)).toThrow(/appears twice/);
  });
});

describe('scoring rules', () => {
  const achievements = (f: Framework) =>
    fc.dictionary(fc.constantFrom(...f.indicators.map((i) => i.code)), fc.double({ min: 0, max: 1, noNaN: true }));

  it('property: DB37 total is Σ weight × achievement to two decimals; missing indicators count 0', () => {
    fc.assert(
      fc.property(achievements(db37()), (input) => {
        const r = score(db37(), input);
        expect(Math.abs(r.total - referenceDb37(TABLE_5, input))).toBeLessThanOrEqual(0.010001);
        expect(r.total).toBeGreaterThanOrEqual(0);
        expect(r.total).toBeLessThanOrEqual(100);
        for (const i of r.indicators) expect(i.achievement).toBe(input[i.code] ?? 0);
      }),
    );
  });

  it('property: Beijing stars follow the counts, with 4 and 5 stars only for a community already at 3 or more', () => {
    const codes = bj().indicators.map((i) => i.code);
    fc.assert(
      fc.property(
        fc.subarray(codes),
        fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
        fc.subarray(codes),
        (done, prior, partial) => {
          const input: Record<string, number> = {};
          for (const c of partial) input[c] = 0.5; // partly met is not achieved
          for (const c of done) input[c] = 1;
          const r = score(bj(), input, prior);
          expect(r.total).toBe(done.length);
          expect(r.stars).toBe(referenceStars(done.length, prior));
        },
      ),
    );
  });

  it('examples at the bounds', () => {
    expect(score(db37(), Object.fromEntries(Object.keys(TABLE_5).map((k) => [k, 1]))).total).toBe(100);
    expect(score(db37(), { L1P1: 0.5, L4P1: 1 }).total).toBe(11.5);
    expect(starsFor(bj(), 25)).toBe(3);
    expect(starsFor(bj(), 25, 3)).toBe(4);
    expect(starsFor(bj(), 30, 4)).toBe(5);
    expect(starsFor(bj(), 30, 5)).toBe(5); // a five-star community keeps qualifying
    expect(starsFor(bj(), 29, 2)).toBe(3);
    expect(starsFor(bj(), 9)).toBe(0);
  });

  it('property: the cheapest path reaches its target, and one criterion fewer cannot (DB37)', () => {
    const f = db37();
    const all = [...f.criteria.keys()];
    fc.assert(
      fc.property(fc.subarray(all), fc.integer({ min: 0, max: 100 }), (metList, target) => {
        const met = new Set(metList);
        const path = cheapestPath(f, (c) => met.has(c), target);
        expect(path).not.toBeNull(); // everything met scores 100
        const after = new Set([...met, ...path!.steps.flatMap((s) => s.criteria.map((c) => c.code))]);
        const scored = (m: Set<string>) =>
          score(f, Object.fromEntries(f.indicators.map((i) => [i.code, achievementOf(f, i, (c) => m.has(c))]))).total;
        expect(scored(after)).toBeGreaterThanOrEqual(target - 0.01);
        // No set of criteriaToFix − 1 unmet criteria gains enough: the largest such gains fall short.
        const gains = f.indicators
          .flatMap((i) => i.criteria.filter((c) => !met.has(c.code)).map(() => i.weight! / i.criteria.length))
          .sort((a, b) => b - a);
        const best = gains.slice(0, Math.max(0, path!.criteriaToFix - 1)).reduce((s, g) => s + g, 0);
        if (path!.criteriaToFix > 0) expect(scored(met) + best).toBeLessThan(target);
      }),
      { numRuns: 200 },
    );
  });

  it('reaches a target of exactly 100 despite float error in the sum of gains', () => {
    const f = db37();
    const met = new Set([...f.criteria.keys()].filter((c) => !c.startsWith('L3P1.')));
    const path = cheapestPath(f, (c) => met.has(c), 100)!;
    expect(path).not.toBeNull();
    expect(path.reached).toBe(100);
    expect(path.steps.map((s) => s.indicator)).toEqual(['L3P1']);
  });

  it('Beijing: the next star needs the indicators with the fewest unmet criteria', () => {
    const f = bj();
    const met = (c: string) => Number(c.split('.')[0]) <= 9; // indicators 1–9 fully met: 0 stars
    const path = cheapestPath(f, met, 1)!;
    expect(path.steps).toHaveLength(1);
    expect(path.reached).toBe(10);
    const fewest = Math.min(...f.indicators.filter((i) => Number(i.code) > 9).map((i) => i.criteria.length));
    expect(path.criteriaToFix).toBe(fewest);
    expect(cheapestPath(f, met, 4)).toBeNull(); // 4 stars need a prior 3-star rating
  });
});
