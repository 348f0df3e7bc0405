// Evaluation (issue 4): live scorecards from measures and entered values, what-if, gap analysis,
// roll-ups over the region tree. Scoring rules live in model.ts; measures in measures.ts.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { beijingDay } from '../../db/days.js';
import { concurrently, type Db, type Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import type { Ctx } from '../../http/context.js';
import { problems } from '../../http/errors.js';
import { auditedChange } from '../audit/service.js';
import { communitiesWithin, placeOf, regionNames } from '../regions/service.js';
import {
  achievementOf,
  cheapestPath,
  criterionMet,
  frameworks,
  groupAchievements,
  score,
  type CriterionSpec,
  type Framework,
  type ScoreResult,
} from './model.js';
import { measureOf, measureValues, type MeasureValue } from './measures.js';
import { evaluationValues } from './schema.js';

export function frameworkOf(code: string, field = 'query.framework'): Framework {
  const f = frameworks().get(code);
  if (!f) throw problems.field(field, `没有这个评价标准：${code}（可选：${[...frameworks().keys()].join('、')}）`);
  return f;
}

export function listFrameworks() {
  return [...frameworks().values()].map((f) => ({
    code: f.code,
    title: f.title,
    issuer: f.issuer,
    version: f.version,
    status: f.status,
    published: f.published ?? null,
    effective: f.effective ?? null,
    source: f.source,
    rule: f.rule,
    indicators: f.indicators.length,
    criteria: f.criteria.size,
  }));
}

/** The whole framework as data (the indicator tree with every criterion), for the framework browser. */
export function frameworkDetail(code: string) {
  const f = frameworkOf(code, 'query.code');
  const { indicators: _i, criteria: _c, ...file } = f;
  return {
    ...file,
    stars: f.stars ?? [],
    measures: [...f.criteria.values()].filter((x) => measureOf(x.criterion.measure)).map((x) => x.criterion.code),
  };
}

// ---------------------------------------------------------------------------------------------
// What-if (stateless)
// ---------------------------------------------------------------------------------------------

export function whatIf(input: { framework: string; indicators: Record<string, number>; priorStars?: number }): ScoreResult {
  const f = frameworkOf(input.framework, 'body.framework');
  const known = new Set(f.indicators.map((i) => i.code));
  const unknown = Object.keys(input.indicators).filter((k) => !known.has(k));
  if (unknown.length) throw problems.field(`body.indicators.${unknown[0]}`, `${f.code} 没有指标 ${unknown.join('、')}`);
  return score(f, input.indicators, input.priorStars);
}

// ---------------------------------------------------------------------------------------------
// Scorecards
// ---------------------------------------------------------------------------------------------

export interface CriterionState {
  code: string;
  text: string;
  kind: CriterionSpec['kind'];
  unit: string | null;
  threshold: number | null;
  direction: string | null;
  clause: string;
  /** null: no value yet (counts as not met). */
  value: number | null;
  met: boolean;
  provenance:
    | {
        kind: 'measure';
        measure: string;
        title: string;
        method: string;
        computedAt: string;
        records: number;
        numerator: number | null;
        denominator: number | null;
      }
    | {
        kind: 'entered';
        version: number;
        source: string;
        referenceDate: string;
        quality: string;
        evidence: unknown[];
        enteredBy: string | null;
        enteredAt: string;
      }
    | null;
}

type ValueRow = typeof evaluationValues.$inferSelect;

/** The current entered value of every criterion of `framework` for the communities. */
async function currentValues(db: Executor, communityIds: string[], framework: string): Promise<Map<string, Map<string, ValueRow>>> {
  const rows = await db
    .selectDistinctOn([evaluationValues.communityId, evaluationValues.criterion])
    .from(evaluationValues)
    .where(and(inArray(evaluationValues.communityId, communityIds), eq(evaluationValues.framework, framework)))
    .orderBy(evaluationValues.communityId, evaluationValues.criterion, desc(evaluationValues.version));
  const out = new Map<string, Map<string, ValueRow>>();
  for (const r of rows) {
    let m = out.get(r.communityId);
    if (!m) out.set(r.communityId, (m = new Map()));
    m.set(r.criterion, r);
  }
  return out;
}

export interface Scorecard extends ScoreResult {
  communityId: string;
  computedAt: string;
  indicators: (ScoreResult['indicators'][number] & {
    name: string;
    group: { code: string; name: string };
    clause: string;
    criteria: CriterionState[];
  })[];
  /** Achievement per level-1 group (0..1), for the radar chart. */
  groups: { code: string; name: string; achievement: number; weight: number | null }[];
}

/** What scores are computed from: each measure's values and the current entered values, fetched once. */
interface Inputs {
  computedAt: string;
  entered: Map<string, Map<string, ValueRow>>;
  measured: Map<string, Map<string, MeasureValue>>;
}

async function loadInputs(db: Executor, f: Framework, communityIds: string[]): Promise<Inputs> {
  const computedAt = new Date().toISOString();
  const keys = [...new Set([...f.criteria.values()].flatMap((x) => (x.criterion.measure ? [x.criterion.measure] : [])))];
  const [entered, measured] = await concurrently(db, [
    () => currentValues(db, communityIds, f.code),
    () => measureValues(db, keys, communityIds),
  ]);
  return { computedAt, entered, measured };
}

/** A criterion's measured value for a community, when a measure supplies it. */
function measuredValue(inputs: Inputs, c: CriterionSpec, communityId: string) {
  const m = measureOf(c.measure);
  return m ? { m, v: inputs.measured.get(m.key)!.get(communityId)! } : null;
}

/** Whether a community meets a criterion: by its measure when one is registered, else by the current entered value. */
function metOf(inputs: Inputs, c: CriterionSpec, communityId: string): boolean {
  const measured = measuredValue(inputs, c, communityId);
  // A measure over no records says nothing: a response time of 0 minutes from no cases is not a fast response.
  if (measured)
    return c.kind === 'boolean' ? (measured.v.met ?? measured.v.value > 0) : measured.v.records > 0 && criterionMet(c, measured.v.value);
  const e = inputs.entered.get(communityId)?.get(c.code);
  return e ? criterionMet(c, e.value) : false;
}

function achievementsOf(f: Framework, inputs: Inputs, communityId: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of f.indicators) out[i.code] = achievementOf(f, i, (code) => metOf(inputs, f.criteria.get(code)!.criterion, communityId));
  return out;
}

/** A criterion with its value and where the value came from, for the scorecard. */
function criterionState(inputs: Inputs, c: CriterionSpec, communityId: string): CriterionState {
  const base = {
    code: c.code,
    text: c.text,
    kind: c.kind,
    unit: c.unit ?? null,
    threshold: c.threshold ?? null,
    direction: c.direction ?? null,
    clause: c.clause,
    met: metOf(inputs, c, communityId),
  };
  const measured = measuredValue(inputs, c, communityId);
  if (measured) {
    const { m, v } = measured;
    return {
      ...base,
      value: c.kind === 'boolean' ? (base.met ? 1 : 0) : v.value,
      provenance: {
        kind: 'measure',
        measure: m.key,
        title: m.title,
        method: m.method,
        computedAt: inputs.computedAt,
        records: v.records,
        numerator: v.numerator ?? null,
        denominator: v.denominator ?? null,
      },
    };
  }
  const e = inputs.entered.get(communityId)?.get(c.code);
  return {
    ...base,
    value: e ? e.value : null,
    provenance: e
      ? {
          kind: 'entered',
          version: e.version,
          source: e.source,
          referenceDate: e.referenceDate,
          quality: e.quality,
          evidence: e.evidence as unknown[],
          enteredBy: e.enteredByName,
          enteredAt: e.enteredAt.toISOString(),
        }
      : null,
  };
}

/** Live scorecards, every criterion with its provenance: one query per measure and one for entered values. */
export async function scorecards(
  db: Executor,
  f: Framework,
  communityIds: string[],
  priorStars?: Map<string, number>,
): Promise<Scorecard[]> {
  if (communityIds.length === 0) return [];
  const inputs = await loadInputs(db, f, communityIds);
  return communityIds.map((communityId) => {
    const achievements = achievementsOf(f, inputs, communityId);
    const result = score(f, achievements, priorStars?.get(communityId));
    const indicators = result.indicators.map((s, k) => {
      const i = f.indicators[k]!;
      return {
        ...s,
        name: i.name,
        group: i.group,
        clause: i.clause,
        criteria: i.criteria.map((c) => criterionState(inputs, c, communityId)),
      };
    });
    return { ...result, communityId, computedAt: inputs.computedAt, indicators, groups: groupAchievements(f, achievements) };
  });
}

export interface CommunityScore {
  communityId: string;
  total: number;
  stars?: number;
  /** Achievement per indicator code (0..1). */
  achievements: Record<string, number>;
  groups: { code: string; achievement: number }[];
}

/**
 * Scores only, for roll-ups over many communities: the same inputs and rules as `scorecards`, without
 * building a provenance object per criterion per community (which made a 5,000-community recompute
 * take ~6 s instead of ~0.4 s).
 */
export async function scoreCommunities(
  db: Executor,
  f: Framework,
  communityIds: string[],
): Promise<{ computedAt: string; scores: CommunityScore[] }> {
  if (communityIds.length === 0) return { computedAt: new Date().toISOString(), scores: [] };
  const inputs = await loadInputs(db, f, communityIds);
  const scores = communityIds.map((communityId): CommunityScore => {
    const achievements = achievementsOf(f, inputs, communityId);
    const r = score(f, achievements);
    return {
      communityId,
      total: r.total,
      ...(r.stars !== undefined ? { stars: r.stars } : {}),
      achievements,
      groups: groupAchievements(f, achievements).map((g) => ({ code: g.code, achievement: g.achievement })),
    };
  });
  return { computedAt: inputs.computedAt, scores };
}

export async function communityScorecard(ctx: Ctx, communityId: string, framework: string, priorStars?: number) {
  const f = frameworkOf(framework);
  const place = await placeOf(ctx.db, communityId);
  if (!place || place.gridId) throw problems.field('query.communityId', '应为社区');
  const prior = priorStars === undefined ? undefined : new Map([[communityId, priorStars]]);
  const card = (await scorecards(ctx.db, f, [communityId], prior))[0]!;
  return { ...card, perception: await perceptionDimension(ctx.db, f, communityId) };
}

/**
 * The 感知度 dimension (`002` 六 6.1) from residents' surveys (survey.ts), for frameworks that have it:
 * no criterion asks for it, so it is shown beside the score and does not change it.
 */
async function perceptionDimension(db: Executor, f: Framework, communityId: string) {
  const d = f.dimensions.find((x) => x.code === 'perception');
  const m = measureOf('evaluation.perception-survey');
  if (!d || !m) return null;
  const v = (await measureValues(db, [m.key], [communityId])).get(m.key)!.get(communityId)!;
  return {
    dimension: d.code,
    name: d.name,
    clause: d.clause,
    value: v.records > 0 ? v.value : null,
    provenance: { kind: 'measure' as const, measure: m.key, title: m.title, method: m.method, computedAt: new Date().toISOString(), ...v },
  };
}

// ---------------------------------------------------------------------------------------------
// Entered values (versioned, with evidence)
// ---------------------------------------------------------------------------------------------

export interface ValueInput {
  communityId: string;
  framework: string;
  criterion: string;
  value: number;
  numerator?: number | null;
  denominator?: number | null;
  source: string;
  referenceDate: string;
  quality: 'A' | 'B' | 'C' | 'D';
  evidence: { title: string; url?: string | undefined; reference?: string | undefined }[];
  note?: string | null;
}

export async function enterValue(ctx: Ctx, input: ValueInput) {
  const f = frameworkOf(input.framework, 'body.framework');
  const entry = f.criteria.get(input.criterion);
  if (!entry) throw problems.field('body.criterion', `${f.code} 没有考核项 ${input.criterion}`);
  const c = entry.criterion;
  const m = measureOf(c.measure);
  if (m) throw problems.field('body.criterion', `该项由平台数据自动计算（${m.title}），不能手工填报`);
  if (c.kind === 'boolean' && input.value !== 0 && input.value !== 1)
    throw problems.field('body.value', '是否达到：应为 1（达到）或 0（未达到）');
  if (c.kind === 'ratio' && (input.value < 0 || input.value > 100)) throw problems.field('body.value', '比例应在 0–100（%）之间');
  if (c.kind !== 'boolean' && input.value < 0) throw problems.field('body.value', '数值不能为负');
  if (input.referenceDate > beijingDay()) throw problems.field('body.referenceDate', '数据日期不能晚于今天');
  const place = await placeOf(ctx.db, input.communityId);
  if (!place || place.gridId) throw problems.field('body.communityId', '应为社区');
  return auditedChange(
    ctx,
    {
      targetType: 'evaluation_value',
      targetId: (r) => r.id,
      scopePath: () => place.path,
      statusCode: 201,
      detail: (r) => ({ framework: f.code, criterion: c.code, version: r.version, value: r.value }),
    },
    async (tx: Executor) => {
      // Versions are numbered per criterion; the unique key refuses a concurrent duplicate number.
      const [{ next }] = (
        await tx.execute<{ next: number }>(sql`
          select coalesce(max(version), 0) + 1 as next from evaluation_values
           where community_id = ${input.communityId} and framework = ${f.code} and criterion = ${c.code}`)
      ).rows as [{ next: number }];
      const [row] = await tx
        .insert(evaluationValues)
        .values({
          communityId: input.communityId,
          id: uuidv7(),
          framework: f.code,
          criterion: c.code,
          version: Number(next),
          value: input.value,
          numerator: input.numerator ?? null,
          denominator: input.denominator ?? null,
          source: input.source,
          referenceDate: input.referenceDate,
          quality: input.quality,
          evidence: input.evidence,
          note: input.note ?? null,
          enteredBy: ctx.caller.userId,
          enteredByName: ctx.caller.displayName,
        })
        .returning();
      return presentValue(row!, c);
    },
  );
}

function presentValue(r: ValueRow, c: CriterionSpec) {
  return {
    id: r.id,
    communityId: r.communityId,
    framework: r.framework,
    criterion: r.criterion,
    version: r.version,
    value: r.value,
    met: criterionMet(c, r.value),
    numerator: r.numerator,
    denominator: r.denominator,
    source: r.source,
    referenceDate: r.referenceDate,
    quality: r.quality,
    evidence: r.evidence as unknown[],
    note: r.note,
    enteredBy: r.enteredByName,
    enteredAt: r.enteredAt.toISOString(),
  };
}

export async function valueHistory(db: Db, communityId: string, framework: string, criterion: string) {
  const f = frameworkOf(framework);
  const entry = f.criteria.get(criterion);
  if (!entry) throw problems.field('query.criterion', `${f.code} 没有考核项 ${criterion}`);
  const rows = await db
    .select()
    .from(evaluationValues)
    .where(
      and(eq(evaluationValues.communityId, communityId), eq(evaluationValues.framework, f.code), eq(evaluationValues.criterion, criterion)),
    )
    .orderBy(desc(evaluationValues.version));
  return rows.map((r) => presentValue(r, entry.criterion));
}

// ---------------------------------------------------------------------------------------------
// Gap analysis and roll-up
// ---------------------------------------------------------------------------------------------

export async function gap(ctx: Ctx, communityId: string, framework: string, target: number | undefined, priorStars: number | undefined) {
  const card = await communityScorecard(ctx, communityId, framework, priorStars);
  const f = frameworkOf(framework);
  const met = new Map(card.indicators.flatMap((i) => i.criteria.map((c) => [c.code, c.met] as const)));
  const goal =
    target ?? (f.rule === 'beijing-stars' ? Math.min(5, (card.stars ?? 0) + 1) : Math.min(100, Math.floor(card.total / 10) * 10 + 10)); // the next ten points
  const path = cheapestPath(f, (code) => met.get(code) ?? false, goal, priorStars);
  return {
    framework: f.code,
    current: { total: card.total, ...(card.stars !== undefined ? { stars: card.stars } : {}) },
    target: goal,
    reachable: path !== null,
    criteriaToFix: path?.criteriaToFix ?? null,
    reached: path?.reached ?? null,
    steps: path?.steps ?? [],
  };
}

/** Beijing: communities per star level 0–5; weighted frameworks: per 20-point band of the total. */
export function distribution(f: Framework, scores: readonly { total: number; stars?: number | undefined }[]) {
  return f.rule === 'beijing-stars'
    ? [0, 1, 2, 3, 4, 5].map((s) => ({ label: `${s}星`, count: scores.filter((c) => (c.stars ?? 0) === s).length }))
    : [0, 20, 40, 60, 80].map((lo) => ({
        label: `${lo}–${lo + 20}`,
        count: scores.filter((c) => c.total >= lo && (lo === 80 ? c.total <= 100 : c.total < lo + 20)).length,
      }));
}

/** Every community under a region (the caller's own when none is named): score, stars, rank, per-indicator achievement. */
export async function rollup(ctx: Ctx, regionId: string | undefined, framework: string) {
  const f = frameworkOf(framework);
  const db = ctx.db;
  const id = regionId ?? ctx.caller.regionId;
  const region = (await regionNames(db, [id])).get(id);
  if (!region) throw problems.notFound('区划');
  const rows = await communitiesWithin(db, region.path);
  const { computedAt, scores } = await scoreCommunities(
    db,
    f,
    rows.map((r) => r.id),
  );
  const communities = scores.map((c, k) => ({
    id: c.communityId,
    name: rows[k]!.name,
    street: rows[k]!.street,
    total: c.total,
    ...(c.stars !== undefined ? { stars: c.stars } : {}),
    groups: c.groups,
    indicators: Object.fromEntries(Object.entries(c.achievements).map(([code, a]) => [code, Math.round(a * 1000) / 1000])),
  }));
  const ranked = [...communities].sort((a, b) => b.total - a.total || a.name.localeCompare(b.name, 'zh-CN'));
  const rank = new Map(ranked.map((c, i) => [c.id, i + 1]));
  const totals = communities.map((c) => c.total);
  const buckets = distribution(f, communities);
  return {
    framework: f.code,
    version: f.version,
    rule: f.rule,
    region: { id, name: region.name },
    computedAt,
    groups: f.groups.map((g) => ({ code: g.code, name: g.name, weight: g.weight ?? null })),
    indicators: f.indicators.map((i) => ({ code: i.code, name: i.name, group: i.group.code })),
    communities: communities.map((c) => ({ ...c, rank: rank.get(c.id)! })),
    summary: {
      count: communities.length,
      average: communities.length ? Math.round((totals.reduce((s, x) => s + x, 0) / communities.length) * 100) / 100 : 0,
      best: totals.length ? Math.max(...totals) : 0,
      worst: totals.length ? Math.min(...totals) : 0,
      distribution: buckets,
    },
  };
}
