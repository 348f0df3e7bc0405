// The effective-rule merge (rule-config.ts mergeRules): defaults ← city ← district ← street ← community,
// the deepest definition of each rule id winning, whatever order the overrides arrive in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { definitionProblems, mergeRules, RULE_LEVELS, type Override, type RuleDefinition } from './rule-config.js';
import { DEFAULT_RULES } from './rules.js';

const IDS = [...DEFAULT_RULES.map((r) => r.id).slice(0, 4), 'temperature.low', 'gas.high2'];

const definition = (value: number): RuleDefinition => ({
  deviceType: 'gas_detector',
  alarmType: 'gas_leak',
  label: '燃气泄漏',
  severity: 'critical',
  kind: 'simple',
  condition: { key: 'gas_lel', op: '>=', value },
});

// One region per level along one path (depth 0 city … 3 community), each overriding a subset of ids.
const overridesArb = fc
  .array(
    fc.record({
      depth: fc.integer({ min: 0, max: 3 }),
      ruleId: fc.constantFrom(...IDS),
      value: fc.integer({ min: 0, max: 100 }),
      enabled: fc.boolean(),
    }),
    {
      maxLength: 24,
    },
  )
  .map((xs) => {
    // (region, rule id) is unique among current overrides.
    const seen = new Map<string, (typeof xs)[number]>();
    for (const x of xs) seen.set(`${x.depth}/${x.ruleId}`, x);
    return [...seen.values()].map((x, i): Override => ({
      regionId: `r${x.depth}`,
      regionName: `区划${x.depth}`,
      level: RULE_LEVELS[x.depth]!,
      depth: x.depth,
      ruleId: x.ruleId,
      definition: definition(x.value),
      enabled: x.enabled,
      version: i + 1,
      updatedBy: null,
      updatedAt: null,
    }));
  });

describe('mergeRules', () => {
  it('picks the deepest definition per rule id, keeps defaults otherwise, and ignores input order', () => {
    fc.assert(
      fc.property(overridesArb, fc.integer(), (overrides, seed) => {
        const shuffled = [...overrides].sort((a, b) => ((a.version * 7919 + seed) % 13) - ((b.version * 7919 + seed) % 13));
        const merged = mergeRules(DEFAULT_RULES, shuffled);
        expect(merged).toEqual(mergeRules(DEFAULT_RULES, overrides));
        const ids = merged.map((e) => e.rule.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const d of DEFAULT_RULES) expect(ids).toContain(d.id);
        for (const e of merged) {
          const mine = overrides.filter((o) => o.ruleId === e.rule.id);
          if (!mine.length) {
            expect(e.source).toBe('default');
            expect(e.enabled).toBe(true);
            expect(e.rule).toEqual(DEFAULT_RULES.find((d) => d.id === e.rule.id));
            continue;
          }
          const deepest = mine.reduce((a, b) => (b.depth > a.depth ? b : a));
          expect(e.source).toBe(deepest.level);
          expect(e.sourceRegionId).toBe(deepest.regionId);
          expect(e.enabled).toBe(deepest.enabled);
          expect(e.rule.condition.value).toBe(deepest.definition.condition.value);
          expect(e.rule.id).toBe(deepest.ruleId);
        }
        // An id no level defines and no default has never appears.
        for (const id of ids) expect(DEFAULT_RULES.some((d) => d.id === id) || overrides.some((o) => o.ruleId === id)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps only the fields of the kind', () => {
    const [e] = mergeRules(
      [],
      [
        {
          regionId: 'c',
          regionName: '社区',
          level: 'community',
          depth: 3,
          ruleId: 'gas.slow',
          definition: { ...definition(5), kind: 'duration', seconds: 60, count: 3 },
          enabled: true,
          version: 1,
          updatedBy: null,
          updatedAt: null,
        },
      ],
    );
    expect(e!.rule).toMatchObject({ id: 'gas.slow', kind: 'duration', seconds: 60 });
    expect(e!.rule).not.toHaveProperty('count');
  });
});

describe('definitionProblems', () => {
  const inherited = mergeRules(DEFAULT_RULES, []);
  it('accepts the defaults as their own overrides', () => {
    for (const r of DEFAULT_RULES) {
      const { id, ...d } = r;
      expect(definitionProblems(id, d as RuleDefinition, inherited)).toEqual([]);
    }
  });
  it('names the field a kind needs, and refuses changing what an override may not change', () => {
    expect(definitionProblems('gas.leak', { ...definition(5), kind: 'duration' }, inherited).map((e) => e.field)).toEqual([
      'body.definition.seconds',
    ]);
    expect(definitionProblems('gas.leak', { ...definition(5), deviceType: 'smoke_detector' }, inherited).map((e) => e.field)).toContain(
      'body.definition.deviceType',
    );
    expect(definitionProblems('gas.other', definition(5), inherited).map((e) => e.field)).toEqual(['body.definition.alarmType']);
  });
});
