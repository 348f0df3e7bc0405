// Evaluation frameworks as versioned data, and the scoring rules. Pure: no I/O except reading the
// framework files once. Seeds: `003` (DB37/T 3890.3-2020: 24 indicators, 指标考核, 表5 weights),
// `002` (Beijing 2013: 38 indicators, 六、评估机制, star rules 6.3), `000` (quantified, reproducible,
// extensible evaluation: a revised standard is a new file, old results keep their version and rule).
import fs from 'node:fs';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

const Direction = Type.Enum(['>=', '>', '<=', '<'] as const);
export const CRITERION_KINDS = ['boolean', 'ratio', 'count', 'duration', 'survey'] as const;
export type CriterionKind = (typeof CRITERION_KINDS)[number];

const Criterion = Type.Object(
  {
    code: Type.String({ minLength: 1 }),
    text: Type.String({ minLength: 1 }),
    kind: Type.Enum(CRITERION_KINDS),
    unit: Type.Optional(Type.String({ minLength: 1 })),
    threshold: Type.Optional(Type.Number()),
    direction: Type.Optional(Direction),
    numerator: Type.Optional(Type.String()),
    denominator: Type.Optional(Type.String()),
    clause: Type.String({ minLength: 1 }),
    /** A live measure that supplies the value (measures.ts); otherwise the value is entered with evidence. */
    measure: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
const Indicator = Type.Object(
  {
    code: Type.String({ minLength: 1 }),
    name: Type.String({ minLength: 1 }),
    definition: Type.String(),
    weight: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    dimensions: Type.Optional(Type.Array(Type.String())),
    clause: Type.String({ minLength: 1 }),
    criteria: Type.Array(Criterion, { minItems: 1 }),
  },
  { additionalProperties: false },
);
const GroupFields = {
  code: Type.String({ minLength: 1 }),
  name: Type.String({ minLength: 1 }),
  weight: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  clause: Type.String({ minLength: 1 }),
  indicators: Type.Optional(Type.Array(Indicator)),
};
const SubGroup = Type.Object(GroupFields, { additionalProperties: false });
const Group = Type.Object({ ...GroupFields, groups: Type.Optional(Type.Array(SubGroup)) }, { additionalProperties: false });

export const FrameworkFile = Type.Object(
  {
    code: Type.String({ minLength: 1 }),
    title: Type.String({ minLength: 1 }),
    issuer: Type.String({ minLength: 1 }),
    version: Type.String({ minLength: 1 }),
    status: Type.Enum(['active', 'draft', 'superseded'] as const),
    published: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
    effective: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
    source: Type.String(),
    rule: Type.Enum(['weighted-achievement', 'beijing-stars'] as const),
    stars: Type.Optional(
      Type.Array(
        Type.Object(
          {
            stars: Type.Integer({ minimum: 1, maximum: 5 }),
            minAchieved: Type.Integer({ minimum: 0 }),
            minPriorStars: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
            clause: Type.String(),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    dimensions: Type.Array(
      Type.Object(
        { code: Type.String(), name: Type.String(), description: Type.String(), clause: Type.String() },
        { additionalProperties: false },
      ),
    ),
    evaluators: Type.Array(
      Type.Object({ code: Type.String(), name: Type.String(), clause: Type.String() }, { additionalProperties: false }),
    ),
    groups: Type.Array(Group, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type FrameworkFile = Static<typeof FrameworkFile>;
export type CriterionSpec = Static<typeof Criterion>;
export type IndicatorSpec = Static<typeof Indicator>;
export type Rule = FrameworkFile['rule'];

/** An indicator with the level-1 group it belongs to (for radar charts and roll-ups). */
export interface IndicatorEntry extends IndicatorSpec {
  group: { code: string; name: string };
}

export interface Framework extends FrameworkFile {
  /** Every indicator in document order. */
  indicators: IndicatorEntry[];
  criteria: Map<string, { criterion: CriterionSpec; indicator: IndicatorEntry }>;
}

/** Checks a framework file: its shape, then what a schema cannot say. Throws with every problem. */
export function parseFramework(raw: unknown, file = 'framework'): Framework {
  if (!Value.Check(FrameworkFile, raw)) {
    const errors = [...Value.Errors(FrameworkFile, raw)].slice(0, 5).map((e) => `${e.instancePath} ${e.message}`);
    throw new Error(`${file}: not a framework: ${errors.join('; ')}`);
  }
  const f = raw;
  const problems: string[] = [];
  const indicators: IndicatorEntry[] = [];
  const criteria = new Map<string, { criterion: CriterionSpec; indicator: IndicatorEntry }>();
  for (const g of f.groups) {
    const groupIndicators: IndicatorEntry[] = [];
    for (const sub of [g, ...(g.groups ?? [])])
      for (const i of sub.indicators ?? []) groupIndicators.push({ ...i, group: { code: g.code, name: g.name } });
    if (f.rule === 'weighted-achievement' && g.weight !== undefined) {
      const sum = groupIndicators.reduce((s, i) => s + (i.weight ?? 0), 0);
      if (Math.abs(sum - g.weight) > 1e-9) problems.push(`group ${g.code}: weight ${g.weight} but its indicators sum to ${sum}`);
    }
    indicators.push(...groupIndicators);
  }
  const codes = new Set<string>();
  for (const i of indicators) {
    if (codes.has(i.code)) problems.push(`indicator ${i.code} appears twice`);
    codes.add(i.code);
    if (f.rule === 'weighted-achievement' && i.weight === undefined) problems.push(`indicator ${i.code} has no weight`);
    for (const c of i.criteria) {
      if (criteria.has(c.code)) problems.push(`criterion ${c.code} appears twice`);
      criteria.set(c.code, { criterion: c, indicator: i });
      if (c.kind !== 'boolean' && (c.unit === undefined || c.threshold === undefined || c.direction === undefined))
        problems.push(`criterion ${c.code} (${c.kind}) needs unit, threshold and direction`);
    }
  }
  if (f.rule === 'weighted-achievement') {
    const total = indicators.reduce((s, i) => s + (i.weight ?? 0), 0);
    if (Math.abs(total - 100) > 1e-9) problems.push(`weights sum to ${total}, not 100`);
  }
  if (f.rule === 'beijing-stars') {
    const stars = f.stars ?? [];
    if (stars.length === 0) problems.push('beijing-stars needs star rules');
    stars.forEach((s, k) => {
      if (s.stars !== k + 1) problems.push(`star rules must be 1..5 in order (found ${s.stars} at ${k + 1})`);
    });
  }
  if (problems.length) throw new Error(`${file}: ${problems.join('; ')}`);
  return { ...f, indicators, criteria };
}

const FRAMEWORK_DIR = new URL('./frameworks/', import.meta.url);

let loaded: Map<string, Framework> | null = null;

/** The frameworks shipped with the platform (one file per framework version), checked at first use. */
export function frameworks(): Map<string, Framework> {
  if (!loaded) {
    const out = new Map<string, Framework>();
    for (const name of fs
      .readdirSync(FRAMEWORK_DIR)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      const f = parseFramework(JSON.parse(fs.readFileSync(new URL(name, FRAMEWORK_DIR), 'utf8')), name);
      if (out.has(f.code)) throw new Error(`${name}: framework ${f.code} is defined twice`);
      out.set(f.code, f);
    }
    loaded = out;
  }
  return loaded;
}

// ---------------------------------------------------------------------------------------------
// Criteria
// ---------------------------------------------------------------------------------------------

/** Whether a value meets a criterion: booleans are 1 (met) or 0; the rest are compared with the threshold. */
export function criterionMet(c: CriterionSpec, value: number): boolean {
  if (c.kind === 'boolean') return value >= 1;
  const t = c.threshold!;
  switch (c.direction!) {
    case '>=':
      return value >= t;
    case '>':
      return value > t;
    case '<=':
      return value <= t;
    case '<':
      return value < t;
  }
}

// ---------------------------------------------------------------------------------------------
// Scoring
// ---------------------------------------------------------------------------------------------

export interface IndicatorScore {
  code: string;
  /** Percent (DB37); null where the framework has no weights (Beijing). */
  weight: number | null;
  /** 0..1. */
  achievement: number;
  /** weight × achievement (DB37); 1 if achieved, else 0 (Beijing). */
  score: number;
}

export interface ScoreResult {
  framework: string;
  version: string;
  rule: Rule;
  /** DB37: 0–100 to two decimals; Beijing: the number of indicators achieved. */
  total: number;
  /** Beijing only. */
  stars?: number;
  indicators: IndicatorScore[];
}

const round2 = (x: number) => Math.round((x + Number.EPSILON) * 100) / 100;

/**
 * Scores achievements (0..1 per indicator code; a missing indicator is 0) under the framework's rule:
 * - weighted-achievement (`003` 表5): score = weight × achievement, total = sum to two decimals.
 * - beijing-stars (`002` 六 6.3): an indicator counts when its achievement is 1 (all its criteria
 *   met); stars by the number counted, the 4- and 5-star levels only for a community that already
 *   holds at least 3 stars (`priorStars`); without it, the highest level reachable without it.
 */
export function score(f: Framework, achievements: Record<string, number>, priorStars?: number): ScoreResult {
  const indicators = f.indicators.map((i): IndicatorScore => {
    const a = Math.min(1, Math.max(0, achievements[i.code] ?? 0));
    if (f.rule === 'weighted-achievement') return { code: i.code, weight: i.weight!, achievement: a, score: round2(i.weight! * a) };
    return { code: i.code, weight: null, achievement: a, score: a === 1 ? 1 : 0 };
  });
  if (f.rule === 'weighted-achievement') {
    const total = round2(f.indicators.reduce((s, i) => s + i.weight! * Math.min(1, Math.max(0, achievements[i.code] ?? 0)), 0));
    return { framework: f.code, version: f.version, rule: f.rule, total, indicators };
  }
  const achieved = indicators.filter((i) => i.score === 1).length;
  return { framework: f.code, version: f.version, rule: f.rule, total: achieved, stars: starsFor(f, achieved, priorStars), indicators };
}

/** The star level for a number of achieved indicators (`002` 六 6.3). */
export function starsFor(f: Framework, achieved: number, priorStars = 0): number {
  let stars = 0;
  for (const rule of f.stars ?? [])
    if (achieved >= rule.minAchieved && (rule.minPriorStars === undefined || priorStars >= rule.minPriorStars))
      stars = Math.max(stars, rule.stars);
  return stars;
}

/** Each level-1 group's achievement (mean of its indicators', 0..1, to three decimals), for radar charts. */
export function groupAchievements(f: Framework, achievements: Record<string, number>) {
  const sum = new Map<string, { total: number; n: number }>();
  for (const i of f.indicators) {
    const g = sum.get(i.group.code) ?? { total: 0, n: 0 };
    g.total += achievements[i.code] ?? 0;
    g.n += 1;
    sum.set(i.group.code, g);
  }
  return f.groups.map((g) => {
    const x = sum.get(g.code);
    return { code: g.code, name: g.name, weight: g.weight ?? null, achievement: x ? Math.round((x.total / x.n) * 1000) / 1000 : 0 };
  });
}

/** An indicator's achievement from its criteria: the share met (DB37), or 1 only when all are met (Beijing). */
export function achievementOf(f: Framework, indicator: IndicatorSpec, met: (criterionCode: string) => boolean): number {
  const n = indicator.criteria.filter((c) => met(c.code)).length;
  if (f.rule === 'beijing-stars') return n === indicator.criteria.length ? 1 : 0;
  return n / indicator.criteria.length;
}

// ---------------------------------------------------------------------------------------------
// Gap analysis
// ---------------------------------------------------------------------------------------------

export interface GapStep {
  indicator: string;
  name: string;
  /** Criteria still unmet that this plan fixes. */
  criteria: { code: string; text: string }[];
  gain: number;
}

/**
 * The fewest criteria to fix to reach a target: for DB37 a total score (each unmet criterion of an
 * indicator adds weight ÷ its number of criteria, so taking the largest gains first is optimal);
 * for Beijing a star level (each unmet indicator needs all its unmet criteria fixed, so the
 * indicators with the fewest unmet criteria come first). Returns null when the target is out of reach.
 */
export function cheapestPath(
  f: Framework,
  met: (criterionCode: string) => boolean,
  target: number,
  priorStars = 0,
): { steps: GapStep[]; criteriaToFix: number; reached: number } | null {
  const current = score(f, Object.fromEntries(f.indicators.map((i) => [i.code, achievementOf(f, i, met)])), priorStars);
  if (f.rule === 'weighted-achievement') {
    const options = f.indicators.flatMap((i) =>
      i.criteria.filter((c) => !met(c.code)).map((c) => ({ i, c, gain: i.weight! / i.criteria.length })),
    );
    options.sort((a, b) => b.gain - a.gain || a.i.code.localeCompare(b.i.code));
    let total = current.total;
    const chosen: typeof options = [];
    // Totals are compared as the standard states them, to two decimals (sums of gains carry float error).
    for (const o of options) {
      if (round2(total) >= target) break;
      chosen.push(o);
      total += o.gain;
    }
    if (round2(total) < target) return null;
    return { steps: groupSteps(chosen), criteriaToFix: chosen.length, reached: round2(total) };
  }
  // Beijing: the number of achieved indicators the target star level needs.
  const rule = (f.stars ?? []).find((r) => r.stars === target);
  if (!rule || (rule.minPriorStars !== undefined && priorStars < rule.minPriorStars)) return null;
  const need = rule.minAchieved - current.total;
  const unmet = f.indicators
    .map((i) => ({ i, missing: i.criteria.filter((c) => !met(c.code)) }))
    .filter((x) => x.missing.length > 0)
    .sort((a, b) => a.missing.length - b.missing.length || Number(a.i.code) - Number(b.i.code));
  if (need > unmet.length) return null;
  const picked = need > 0 ? unmet.slice(0, need) : [];
  return {
    steps: picked.map((x) => ({
      indicator: x.i.code,
      name: x.i.name,
      criteria: x.missing.map((c) => ({ code: c.code, text: c.text })),
      gain: 1,
    })),
    criteriaToFix: picked.reduce((s, x) => s + x.missing.length, 0),
    reached: current.total + picked.length,
  };
}

function groupSteps(chosen: { i: IndicatorSpec; c: CriterionSpec; gain: number }[]): GapStep[] {
  const by = new Map<string, GapStep>();
  for (const { i, c, gain } of chosen) {
    const s = by.get(i.code) ?? { indicator: i.code, name: i.name, criteria: [], gain: 0 };
    s.criteria.push({ code: c.code, text: c.text });
    s.gain = round2(s.gain + gain);
    by.set(i.code, s);
  }
  return [...by.values()];
}
