// The evaluator kinds of `002` 六 6.2 (社区居民、专家、辖区单位、新闻媒体、第三方社会组织). Residents take part
// through the perception survey (survey.ts); the other four are roles with the evaluator's
// permissions, and a review records the kind of the evaluator who made it. The general `evaluator`
// role stays, as kind `unspecified`.
import type { Role } from '../accounts/model.js';

export const EVALUATOR_KINDS = ['expert', 'third_party', 'unit', 'media', 'unspecified'] as const;
export type EvaluatorKind = (typeof EVALUATOR_KINDS)[number];

export const EVALUATOR_KIND_LABELS: Record<EvaluatorKind, string> = {
  expert: '专家',
  third_party: '第三方社会组织',
  unit: '辖区单位',
  media: '新闻媒体',
  unspecified: '评估人员（未区分）',
};

/** In this order: an account holding two kinds of evaluator role reviews as the first. */
const BY_ROLE: [Role, EvaluatorKind][] = [
  ['evaluator_expert', 'expert'],
  ['evaluator_third_party', 'third_party'],
  ['evaluator_unit', 'unit'],
  ['evaluator_media', 'media'],
];

export function evaluatorKindOf(roles: readonly Role[]): EvaluatorKind {
  return BY_ROLE.find(([r]) => roles.includes(r))?.[1] ?? 'unspecified';
}

/** Review records counted by the kind of evaluator, every kind listed (zero included). */
export function countByKind(kinds: readonly string[]) {
  return EVALUATOR_KINDS.map((kind) => ({
    kind,
    label: EVALUATOR_KIND_LABELS[kind],
    count: kinds.filter((k) => k === kind).length,
  }));
}
