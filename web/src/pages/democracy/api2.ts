// Resident democracy beyond votes: 民主选举 (elections), 民主监督 (supervision lists, reviews, questions),
// 民主协商 (consultations) and 五议两公开 (decision items) — the types and calls of /api/democracy/*.
import { api } from '../../api/client';
import type { Channel, Vote } from './api';

const enc = encodeURIComponent;

// ---- 民主选举 -------------------------------------------------------------------------------------------

export const NOMINATION_SOURCES: Record<string, string> = { self: '本人自荐', residents: '居民联名推荐', committee: '选举委员会提名' };
export const NOMINATION_STATUS: Record<string, { label: string; color: string }> = {
  nominated: { label: '待确认', color: 'gold' },
  accepted: { label: '已确认', color: 'success' },
  rejected: { label: '不予确认', color: 'error' },
  withdrawn: { label: '已撤回', color: 'default' },
};

export interface Nomination {
  id: string;
  name: string;
  statement: string;
  source: string;
  nominatedBy: string;
  status: string;
  decidedBy: string | null;
  reason: string | null;
  createdAt: string;
}

export interface Election {
  vote: Vote;
  seats: number;
  validTurnoutPercent: number;
  electedPercent: number;
  publicityDays: number;
  nominationsCloseAt: string;
  candidatesPublishedAt: string | null;
  nominations: Nomination[];
}

export interface ElectionCreate {
  regionId: string;
  title: string;
  description?: string;
  seats: number;
  channels: Channel[];
  minAge?: number;
  nominationsCloseAt: string;
  opensAt: string;
  closesAt: string;
  publicityDays?: number;
  validTurnoutPercent?: number;
  electedPercent?: number;
}

export interface ElectionOutcome {
  seats: number;
  eligible: number;
  participants: number;
  valid: boolean;
  elected: { key: string; label: string; votes: number }[];
  tiedAtCut: { key: string; label: string; votes: number }[];
  unfilled: number;
  rule: string;
}

/** Where an election stands before and around its vote. */
export function electionPhase(e: Election, now = Date.now()): { key: string; label: string; color: string } {
  if (e.vote.status !== 'draft') return { key: e.vote.status, label: e.vote.statusLabel, color: 'processing' };
  if (e.candidatesPublishedAt) return { key: 'publicity', label: '候选人公示中', color: 'purple' };
  if (now < new Date(e.nominationsCloseAt).getTime()) return { key: 'nominating', label: '提名中', color: 'gold' };
  return { key: 'reviewing', label: '提名已截止', color: 'orange' };
}

// ---- 民主监督 -------------------------------------------------------------------------------------------

export const SUPERVISION_KINDS = { matter: '事务公开', finance: '财务公开', decision: '决策公开' } as const;
export type SupervisionKind = keyof typeof SUPERVISION_KINDS;

export interface LedgerLine {
  date: string;
  item: string;
  amount?: number | null;
  note?: string | null;
}

export interface SupervisionItem {
  id: string;
  communityId: string;
  kind: SupervisionKind;
  kindLabel: string;
  title: string;
  content: string;
  period: string;
  ledger: LedgerLine[];
  total: number | null;
  publishedBy: string;
  publishedAt: string;
}

export interface SupervisionQuestion {
  id: string;
  itemId: string | null;
  kind: 'question' | 'report';
  text: string;
  asker: string | null;
  askedAt: string;
  dueAt: string;
  answer: string | null;
  answeredBy: string | null;
  answeredAt: string | null;
  overdue: boolean;
}

export interface SupervisionDetail extends SupervisionItem {
  reviews: { opinion: string; opinionLabel: string; text: string; reviewer: string; at: string }[];
  questions: SupervisionQuestion[];
}

export interface SupervisionCreate {
  regionId: string;
  kind: SupervisionKind;
  title: string;
  content?: string;
  period: string;
  ledger?: LedgerLine[];
}

/** 1234.5 → "¥1,234.50" (negative: expenditure). */
export function money(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  const s = Math.abs(v).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${v < 0 ? '-' : ''}¥${s}`;
}

/** The ledger's total in cents, summed as integers. */
export function ledgerTotal(lines: readonly LedgerLine[]): number {
  return lines.reduce((s, l) => s + Math.round((l.amount ?? 0) * 100), 0) / 100;
}

// ---- 民主协商 -------------------------------------------------------------------------------------------

export const CONSULTATION_STATUSES: Record<string, string> = {
  proposed: '已提出议题',
  accepted: '审核通过',
  rejected: '审核未通过',
  planned: '已制定方案',
  announced: '已公告',
  rules_set: '已确定议事规则',
  deliberating: '协商中',
  opinions_formed: '已形成协商意见',
  communicated: '已告知结果',
};

type Needs = 'text' | 'reason' | 'meeting' | null;
export const CONSULTATION_STEPS: Record<string, { label: string; from: string[]; needs: Needs }> = {
  accept: { label: '审核通过', from: ['proposed'], needs: null },
  reject: { label: '审核不通过', from: ['proposed'], needs: 'reason' },
  plan: { label: '制定协商方案', from: ['accepted'], needs: 'text' },
  announce: { label: '发布协商公告', from: ['planned'], needs: null },
  rules: { label: '确定议事规则', from: ['announced'], needs: 'text' },
  deliberate: { label: '开始协商', from: ['rules_set'], needs: null },
  comment: { label: '工作人员发表意见', from: ['deliberating'], needs: 'text' },
  meeting: { label: '记录协商会议', from: ['deliberating'], needs: 'meeting' },
  opinions: { label: '形成协商意见', from: ['deliberating'], needs: 'text' },
  result: { label: '告知协商结果', from: ['opinions_formed'], needs: 'text' },
};

export interface Consultation {
  id: string;
  communityId: string;
  title: string;
  description: string;
  proposerName: string;
  status: string;
  statusLabel: string;
  plan: string | null;
  rules: string | null;
  opinions: string | null;
  result: string | null;
  rejectReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface MeetingRecord {
  kind: 'online' | 'offline';
  heldAt: string;
  place?: string;
  attendeesCount: number;
  minutes: string;
  attendees?: { name: string; userId?: string }[];
}

export interface ConsultationDetail extends Consultation {
  steps: {
    step: string;
    label: string;
    fromStatus: string | null;
    toStatus: string;
    actorName: string;
    at: string;
    text: string | null;
    reason: string | null;
    meeting: MeetingRecord | null;
  }[];
  comments: { id: string; authorName: string; authorKind: string; text: string; at: string }[];
  meetings: {
    id: string;
    kind: string;
    heldAt: string;
    place: string;
    attendeesCount: number;
    minutes: string;
    attendees: { name: string }[];
    recordedBy: string;
  }[];
}

// ---- 五议两公开 -----------------------------------------------------------------------------------------

export interface Quorum {
  numerator: number;
  denominator: number;
  inclusive: boolean;
}

export interface DecisionStage {
  key: string;
  name: string;
  kind: 'proposal' | 'meeting' | 'publicity';
  quorum?: Quorum;
  periodDays?: number;
  answerDays?: number;
  index: number;
  rule: string;
}

export interface DecisionItem {
  id: string;
  communityId: string;
  title: string;
  description: string;
  chain: DecisionStage[];
  currentStage: number;
  currentStageName: string | null;
  stageStartedAt: string;
  publicityEndsAt: string | null;
  status: string;
  statusLabel: string;
  createdBy: string;
  createdAt: string;
  completedAt: string | null;
}

export interface DecisionObjection {
  id: string;
  stageIndex: number;
  text: string;
  filedByName: string;
  filedAt: string;
  dueAt: string;
  overdue: boolean;
  answer: string | null;
  answeredBy: string | null;
  answeredAt: string | null;
}

export interface DecisionDetail extends DecisionItem {
  steps: { stageIndex: number; stageKey: string; kind: string; actorName: string; at: string; data: Record<string, unknown> }[];
  objections: DecisionObjection[];
}

export interface StageCompletion {
  stage?: string;
  text?: string;
  expected?: number;
  attendees?: number;
  resolution?: 'passed' | 'not_passed';
  votesFor?: number;
  votesAgainst?: number;
  votesAbstain?: number;
  minutes?: string;
}

export const DECISION_STATUS_COLOR: Record<string, string> = { in_progress: 'processing', completed: 'success', rejected: 'error' };

// ---- register search (masked) ---------------------------------------------------------------------------

export interface ResidentHit {
  id: string;
  name: string;
  age: number | null;
  idNumber: string;
  communityId: string;
}

export const democracy2Api = {
  // elections
  election: (id: string) => api.get<Election>(`/api/democracy/elections/${enc(id)}`),
  createElection: (body: ElectionCreate) => api.post<Election>('/api/democracy/elections', body),
  nominate: (id: string, body: { residentId?: string; source?: 'residents' | 'committee'; statement?: string }) =>
    api.post<Election>(`/api/democracy/elections/${enc(id)}/nominations`, body),
  decide: (id: string, nominationId: string, body: { accept: boolean; reason?: string }) =>
    api.post<Election>(`/api/democracy/elections/${enc(id)}/nominations/${enc(nominationId)}/decision`, body),
  publishCandidates: (id: string) => api.post<Election>(`/api/democracy/elections/${enc(id)}/candidates`),
  residents: (q: string, communityId?: string) =>
    api.get<{ items: ResidentHit[] }>('/api/residents', { q, pageSize: 20, ...(communityId ? { communityId } : {}) }),
  // supervision
  supervision: (communityId?: string, kind?: SupervisionKind) =>
    api.get<SupervisionItem[]>('/api/democracy/supervision', { ...(communityId ? { communityId } : {}), ...(kind ? { kind } : {}) }),
  supervisionItem: (id: string) => api.get<SupervisionDetail>(`/api/democracy/supervision/${enc(id)}`),
  publishSupervision: (body: SupervisionCreate) => api.post<SupervisionDetail>('/api/democracy/supervision', body),
  myQuestions: () => api.get<SupervisionQuestion[]>('/api/democracy/my-questions'),
  review: (id: string, body: { opinion: 'approved' | 'concerns'; text?: string }) =>
    api.post<SupervisionDetail>(`/api/democracy/supervision/${enc(id)}/reviews`, body),
  ask: (body: { regionId: string; itemId?: string; kind: 'question' | 'report'; text: string; public?: boolean }) =>
    api.post<SupervisionQuestion>('/api/democracy/supervision-questions', body),
  questions: (communityId?: string) =>
    api.get<SupervisionQuestion[]>('/api/democracy/supervision-questions', communityId ? { communityId } : undefined),
  answer: (id: string, answer: string) =>
    api.post<SupervisionQuestion>(`/api/democracy/supervision-questions/${enc(id)}/answer`, { answer }),
  // consultations
  consultations: (communityId?: string) =>
    api.get<Consultation[]>('/api/democracy/consultations', communityId ? { communityId } : undefined),
  myConsultations: () => api.get<Consultation[]>('/api/democracy/my-consultations'),
  consultation: (id: string) => api.get<ConsultationDetail>(`/api/democracy/consultations/${enc(id)}`),
  propose: (body: { regionId: string; title: string; description?: string }) =>
    api.post<Consultation>('/api/democracy/consultations', body),
  record: (body: { regionId: string; title: string; description?: string; proposerResidentId?: string; proposerName?: string }) =>
    api.post<Consultation>('/api/democracy/consultations/recorded', body),
  step: (id: string, body: { step: string; text?: string; reason?: string; meeting?: MeetingRecord }) =>
    api.post<unknown>(`/api/democracy/consultations/${enc(id)}/steps`, body),
  comment: (id: string, text: string) => api.post<unknown>(`/api/democracy/consultations/${enc(id)}/comments`, { text }),
  // decisions
  decisions: (communityId?: string) => api.get<DecisionItem[]>('/api/democracy/decisions', communityId ? { communityId } : undefined),
  decision: (id: string) => api.get<DecisionDetail>(`/api/democracy/decisions/${enc(id)}`),
  createDecision: (body: { regionId: string; title: string; description?: string }) =>
    api.post<DecisionItem>('/api/democracy/decisions', body),
  completeStage: (id: string, body: StageCompletion) => api.post<DecisionDetail>(`/api/democracy/decisions/${enc(id)}/stages`, body),
  object: (id: string, text: string) => api.post<unknown>(`/api/democracy/decisions/${enc(id)}/objections`, { text }),
  answerObjection: (id: string, objectionId: string, answer: string) =>
    api.post<DecisionDetail>(`/api/democracy/decisions/${enc(id)}/objections/${enc(objectionId)}/answer`, { answer }),
};

/** Nominations are taken until they close or the candidate list is made public. */
export function nominationsOpen(e: Election, now = Date.now()): boolean {
  return !e.candidatesPublishedAt && now < new Date(e.nominationsCloseAt).getTime();
}
