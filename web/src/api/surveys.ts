// Typed calls for 感知度调查 (resident perception surveys, `002` 六 6.1/6.2): officials open, close and
// read results; residents list their community's open surveys and answer once.
import { api } from './client';

export interface SurveyQuestion {
  code: string;
  name: string;
  text: string;
  clause: string;
}

export interface Survey {
  id: string;
  communityId: string;
  framework: string;
  frameworkVersion: string;
  period: string;
  assessmentId: string | null;
  status: 'open' | 'closed';
  closesAt: string;
  closedAt: string | null;
  createdBy: string | null;
  createdAt: string;
  closedBy: string | null;
  questions: SurveyQuestion[];
  scale: { value: number; label: string }[];
  respondents?: number;
}

export interface SurveyResults extends Survey {
  respondents: number;
  eligible: number;
  responseRate: number | null;
  mean: number | null;
  index: number | null;
  dimensions: {
    code: string;
    name: string;
    text: string;
    answers: number;
    mean: number | null;
    satisfiedShare: number | null;
    distribution: { score: number; label: string; count: number }[];
  }[];
  comments: string[];
}

export interface MySurvey extends Survey {
  answered: boolean;
}

const enc = encodeURIComponent;

export const surveysApi = {
  list: (communityId: string, signal?: AbortSignal) => api.get<Survey[]>('/api/evaluation/surveys', { communityId }, signal),
  results: (id: string, signal?: AbortSignal) => api.get<SurveyResults>(`/api/evaluation/surveys/${enc(id)}`, undefined, signal),
  open: (body: { communityId: string; framework: string; period: string; closesAt: string }) =>
    api.post<Survey>('/api/evaluation/surveys', body),
  close: (id: string) => api.post<SurveyResults>(`/api/evaluation/surveys/${enc(id)}/close`),
  mine: (signal?: AbortSignal) => api.get<MySurvey[]>('/api/my-surveys', undefined, signal),
  answer: (id: string, body: { scores: Record<string, number>; comment?: string }) =>
    api.post<{ answered: boolean; notice: string }>(`/api/my-surveys/${enc(id)}/answer`, body),
};
