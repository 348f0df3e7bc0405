// Typed calls for 社区评价 (evaluation): frameworks, live scorecards, gap analysis, roll-ups,
// entered values with evidence, and assessments (自评 → 审核 → 锁定).
import { api, fetchBlob, type Download } from './client';
import type {
  Assessment,
  AssessmentCreate,
  AssessmentSummary,
  EvaluationValue,
  EvaluationValueCreate,
  FrameworkDetail,
  FrameworkSummary,
  GapAnalysis,
  Rollup,
  Scorecard,
  Trend,
} from './types';

const enc = encodeURIComponent;

export const evaluationApi = {
  frameworks: (signal?: AbortSignal) => api.get<FrameworkSummary[]>('/api/frameworks', undefined, signal),
  framework: (code: string, signal?: AbortSignal) => api.get<FrameworkDetail>('/api/frameworks/detail', { code }, signal),
  scorecard: (communityId: string, framework: string, priorStars?: number, signal?: AbortSignal) =>
    api.get<Scorecard>('/api/evaluation/scorecard', { communityId, framework, priorStars }, signal),
  /** The scorecard as xlsx (cover, dimensions, every criterion with its source and evidence). */
  scorecardXlsx: (communityId: string, framework: string): Promise<Download> =>
    fetchBlob('/api/evaluation/scorecard.xlsx', { communityId, framework }),
  gap: (communityId: string, framework: string, target?: number, signal?: AbortSignal) =>
    api.get<GapAnalysis>('/api/evaluation/gap', { communityId, framework, target }, signal),
  rollup: (framework: string, regionId?: string | null, signal?: AbortSignal) =>
    api.get<Rollup>('/api/evaluation/rollup', { framework, regionId }, signal),
  /** The roll-up as xlsx (ranking and indicator-by-indicator achievement). */
  rollupXlsx: (framework: string, regionId?: string | null): Promise<Download> =>
    fetchBlob('/api/evaluation/rollup.xlsx', { framework, regionId }),
  /** Per assessment period: the region's mean, median, distribution and communities assessed; a community's own totals; the live point. */
  trend: (framework: string, regionId?: string | null, signal?: AbortSignal) =>
    api.get<Trend>('/api/evaluation/trend', { framework, regionId }, signal),
  enterValue: (body: EvaluationValueCreate) => api.post<EvaluationValue>('/api/evaluation/values', body),
  values: (communityId: string, framework: string, criterion: string, signal?: AbortSignal) =>
    api.get<EvaluationValue[]>('/api/evaluation/values', { communityId, framework, criterion }, signal),
  assessments: (communityId: string, signal?: AbortSignal) =>
    api.get<AssessmentSummary[]>('/api/evaluation/assessments', { communityId }, signal),
  assessment: (id: string, signal?: AbortSignal) => api.get<Assessment>(`/api/evaluation/assessments/${enc(id)}`, undefined, signal),
  createAssessment: (body: AssessmentCreate) => api.post<Assessment>('/api/evaluation/assessments', body),
  submitAssessment: (id: string) => api.post<Assessment>(`/api/evaluation/assessments/${enc(id)}/submit`),
  review: (id: string, body: { indicator: string; decision: 'accepted' | 'returned'; reason?: string }) =>
    api.post<Assessment>(`/api/evaluation/assessments/${enc(id)}/reviews`, body),
  lockAssessment: (id: string) => api.post<Assessment>(`/api/evaluation/assessments/${enc(id)}/lock`),
};
