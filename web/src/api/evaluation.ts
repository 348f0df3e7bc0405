// Typed calls for 社区评价 (evaluation): frameworks, live scorecards, gap analysis, roll-ups and
// entered values with evidence.
import { api } from './client';
import type { EvaluationValue, EvaluationValueCreate, FrameworkDetail, FrameworkSummary, GapAnalysis, Rollup, Scorecard } from './types';

export const evaluationApi = {
  frameworks: (signal?: AbortSignal) => api.get<FrameworkSummary[]>('/api/frameworks', undefined, signal),
  framework: (code: string, signal?: AbortSignal) => api.get<FrameworkDetail>('/api/frameworks/detail', { code }, signal),
  scorecard: (communityId: string, framework: string, priorStars?: number, signal?: AbortSignal) =>
    api.get<Scorecard>('/api/evaluation/scorecard', { communityId, framework, priorStars }, signal),
  gap: (communityId: string, framework: string, target?: number, signal?: AbortSignal) =>
    api.get<GapAnalysis>('/api/evaluation/gap', { communityId, framework, target }, signal),
  rollup: (framework: string, regionId?: string | null, signal?: AbortSignal) =>
    api.get<Rollup>('/api/evaluation/rollup', { framework, regionId }, signal),
  enterValue: (body: EvaluationValueCreate) => api.post<EvaluationValue>('/api/evaluation/values', body),
  values: (communityId: string, framework: string, criterion: string, signal?: AbortSignal) =>
    api.get<EvaluationValue[]>('/api/evaluation/values', { communityId, framework, criterion }, signal),
};
