// Trend across periods (issue 4 §6): for a region, per assessment period, the mean and median total,
// the distribution (stars for Beijing) and how many communities were assessed; for a community, its
// total per period; and the live "now" point from current data.
//
// A period's figure for a community is its locked result when the assessment is locked, else its
// self-assessment as submitted (kept at submission). Drafts (not yet submitted) do not count in a
// region's figures; a community's own series shows them computed from current data and says so.
import { and, eq, inArray } from 'drizzle-orm';
import type { Ctx } from '../../http/context.js';
import { problems } from '../../http/errors.js';
import { communitiesWithin, regionBrief } from '../regions/service.js';
import { score, type Framework } from './model.js';
import { evaluationAssessments } from './schema.js';
import { distribution, frameworkOf, scoreCommunities, type Scorecard } from './service.js';

export type Basis = 'locked' | 'submitted' | 'live';
export const BASIS_LABELS: Record<Basis, string> = {
  locked: '锁定结果',
  submitted: '自评（提交时）',
  live: '自评（按当前数据计算）',
};

const PERIOD = /^(\d{4})(?:-(H[12]|Q[1-4]))?$/;
const START: Record<string, number> = { '': 0, H1: 0, H2: 6, Q1: 0, Q2: 3, Q3: 6, Q4: 9 };
const SPAN: Record<string, number> = { '': 12, H1: 6, H2: 6, Q1: 3, Q2: 3, Q3: 3, Q4: 3 };

/** Periods in time order: by start month, a longer period before the shorter ones it contains (2026, 2026-H1, 2026-Q1). */
export function comparePeriods(a: string, b: string): number {
  const key = (p: string) => {
    const m = PERIOD.exec(p);
    if (!m) return [Number.MAX_SAFE_INTEGER, 0];
    const part = m[2] ?? '';
    return [Number(m[1]) * 12 + START[part]!, -SPAN[part]!];
  };
  const [ka, kb] = [key(a), key(b)];
  return ka[0]! - kb[0]! || ka[1]! - kb[1]! || a.localeCompare(b);
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function median(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return round2(s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2);
}

function stats(f: Framework, scores: { total: number; stars?: number | undefined }[]) {
  const totals = scores.map((s) => s.total);
  return {
    assessed: scores.length,
    mean: totals.length ? round2(totals.reduce((s, x) => s + x, 0) / totals.length) : null,
    median: median(totals),
    best: totals.length ? Math.max(...totals) : null,
    worst: totals.length ? Math.min(...totals) : null,
    distribution: distribution(f, scores),
  };
}

export async function trend(ctx: Ctx, regionId: string | undefined, framework: string) {
  const f = frameworkOf(framework);
  const db = ctx.db;
  const id = regionId ?? ctx.caller.regionId;
  const region = await regionBrief(db, id);
  if (!region) throw problems.notFound('区划');
  if (region.level === 'grid') throw problems.field('query.regionId', '应为社区或以上区划');
  const communities = await communitiesWithin(db, region.path);
  const ids = communities.map((c) => c.id);
  const rows = ids.length
    ? await db
        .select()
        .from(evaluationAssessments)
        .where(and(eq(evaluationAssessments.framework, f.code), inArray(evaluationAssessments.communityId, ids)))
    : [];

  // One live computation for every community: the "now" point, and the figure of assessments that have
  // no stored scorecard (drafts; submissions made before the scorecard was kept at submission).
  const live = await scoreCommunities(db, f, ids);
  const liveOf = new Map(live.scores.map((s) => [s.communityId, s]));

  const points = rows.map((a) => {
    const stored = (a.status === 'locked' ? a.result : a.submittedResult) as Scorecard | null;
    const basis: Basis = a.status === 'locked' ? 'locked' : stored ? 'submitted' : 'live';
    const r = stored ?? score(f, liveOf.get(a.communityId)!.achievements, a.priorStars ?? undefined);
    return {
      communityId: a.communityId,
      assessmentId: a.id,
      period: a.period,
      status: a.status,
      basis,
      basisLabel: BASIS_LABELS[basis],
      total: r.total,
      ...(r.stars !== undefined ? { stars: r.stars } : {}),
    };
  });
  const periods = [...new Set(rows.map((a) => a.period))].sort(comparePeriods);
  const community = region.level === 'community';
  return {
    framework: f.code,
    version: f.version,
    rule: f.rule,
    region: { id, name: region.name, level: region.level },
    communities: ids.length,
    periods: periods.map((period) => {
      const here = points.filter((p) => p.period === period);
      const counted = here.filter((p) => p.status !== 'draft');
      return {
        period,
        ...stats(f, counted),
        locked: counted.filter((p) => p.basis === 'locked').length,
        selfAssessed: counted.filter((p) => p.basis !== 'locked').length,
        drafts: here.length - counted.length,
      };
    }),
    now: { computedAt: live.computedAt, ...stats(f, live.scores) },
    ...(community
      ? {
          community: {
            id,
            name: region.name,
            points: points.sort((a, b) => comparePeriods(a.period, b.period)).map(({ communityId: _c, ...p }) => p),
            now: {
              computedAt: live.computedAt,
              total: liveOf.get(id)!.total,
              ...(liveOf.get(id)!.stars !== undefined ? { stars: liveOf.get(id)!.stars } : {}),
            },
          },
        }
      : {}),
  };
}
