// Resident democracy (民主议事): the types and calls of /api/democracy/*, and the labels of
// server/src/modules/democracy/model.ts the pages need.
import { api } from '../../api/client';
import type { Page } from '../../api/types';

const enc = encodeURIComponent;

export const METHODS = { single: '单选', multiple: '多选', approval: '赞成制（可选多项）', ranking: '排序（博尔达计分）' } as const;
export type Method = keyof typeof METHODS;
export const ELIGIBILITY = {
  residents: '本社区成年居民',
  households: '本社区住户（每户一票）',
  owners: '本社区业主（按人数和专有部分面积）',
} as const;
export type Eligibility = keyof typeof ELIGIBILITY | 'members' | 'list';
export const CHANNELS = { online: '网上投票', in_person: '现场投票', paper: '纸质票' } as const;
export type Channel = keyof typeof CHANNELS;
export const VOTE_KINDS = { general: '社区事务表决', owners: '业主共同决定' } as const;
export type VoteKind = keyof typeof VOTE_KINDS;

export const STATUS_COLOR: Record<string, string> = {
  draft: 'default',
  scheduled: 'gold',
  open: 'processing',
  counting: 'orange',
  closed: 'success',
  cancelled: 'default',
};

export function channelLabel(c: string | null | undefined): string {
  return c ? (CHANNELS[c as Channel] ?? c) : '—';
}

export interface VoteOption {
  key: string;
  label: string;
}

export interface Vote {
  id: string;
  communityId: string;
  title: string;
  description: string;
  kind: VoteKind;
  kindLabel: string;
  method: Method;
  methodLabel: string;
  options: VoteOption[];
  maxChoices: number | null;
  secret: boolean;
  ballotNotice: string;
  eligibility: Eligibility;
  eligibilityLabel: string;
  matter: 'ordinary' | 'major' | null;
  ownerMatter: string | null;
  ownerMatterLabel: string | null;
  channels: Channel[];
  quorumPercent: number | null;
  passPercent: number | null;
  opensAt: string;
  closesAt: string;
  status: 'draft' | 'scheduled' | 'open' | 'counting' | 'closed' | 'cancelled';
  statusLabel: string;
  eligibleCount: number | null;
  participants: number | null;
  participantsByChannel: Record<string, number> | null;
  publishedAt: string | null;
  closedAt: string | null;
}

export interface MyVote extends Vote {
  eligibleToVote: boolean;
  voted: boolean;
}

export interface VoteCreate {
  regionId: string;
  kind: VoteKind;
  title: string;
  description?: string;
  method?: Method;
  options?: VoteOption[];
  maxChoices?: number | null;
  secret?: boolean;
  eligibility: Eligibility;
  minAge?: number;
  ownerMatter?: string;
  channels: Channel[];
  quorumPercent?: number | null;
  passPercent?: number | null;
  opensAt: string;
  closesAt: string;
}

export interface OwnerMatter {
  key: string;
  label: string;
  matter: 'ordinary' | 'major';
}

export interface Voter {
  voterKey: string;
  label: string;
  area: number | null;
  participated: boolean;
  channel: string | null;
}

export interface PaperBatch {
  id: string;
  enteredBy: string;
  enteredAt: string;
  ballots: number;
  corrects: string | null;
  reason: string | null;
}

export interface PaperBatchBody {
  ballots: { choice: string[]; voterKey?: string }[];
  corrects?: string;
  voids?: string[];
  reason?: string;
}

export interface PaperBatchResult {
  batchId: string;
  ballots: string[];
  voided: number;
}

export interface GeneralTally {
  method: Method;
  eligible: number;
  participants: number;
  ballots: number;
  turnout: number;
  quorumPercent: number | null;
  quorumMet: boolean;
  passPercent: number;
  options: { key: string; label: string; votes: number; share: number; passed: boolean }[];
  leaders: string[];
  rule: string;
}

export interface OwnersTally {
  matter: 'ordinary' | 'major';
  totalOwners: number;
  totalArea: number;
  participatingOwners: number;
  participatingArea: number;
  agreeOwners: number;
  agreeArea: number;
  disagreeOwners: number;
  disagreeArea: number;
  abstainOwners: number;
  abstainArea: number;
  quorumMet: boolean;
  passed: boolean;
  reasons: string[];
  rule: string;
}

export interface VoteResultBody {
  kind: VoteKind;
  participants: number;
  byChannel: Record<string, number>;
  general?: GeneralTally;
  owners?: OwnersTally;
  computedAt: string;
  publishedBy: string;
}

export interface VoteResult {
  vote: Vote;
  result: VoteResultBody;
}

export interface Receipt {
  included: boolean;
  choice: string[] | null;
}

export const democracyApi = {
  votes: (communityId?: string, signal?: AbortSignal) =>
    api.get<Vote[]>('/api/democracy/votes', communityId ? { communityId } : undefined, signal),
  vote: (id: string) => api.get<Vote>(`/api/democracy/votes/${enc(id)}`),
  create: (body: VoteCreate) => api.post<Vote>('/api/democracy/votes', body),
  publish: (id: string) => api.post<Vote>(`/api/democracy/votes/${enc(id)}/publish`),
  ownerMatters: () => api.get<OwnerMatter[]>('/api/democracy/owner-matters'),
  voters: (id: string, query: { q?: string; page?: number; pageSize?: number }) =>
    api.get<Page<Voter>>(`/api/democracy/votes/${enc(id)}/voters`, { ...query }),
  checkIn: (id: string, voterKey: string) =>
    api.post<{ voterKey: string; label: string; channel: string }>(`/api/democracy/votes/${enc(id)}/check-ins`, { voterKey }),
  paperBatches: (id: string) => api.get<PaperBatch[]>(`/api/democracy/votes/${enc(id)}/paper-batches`),
  enterPaperBatch: (id: string, body: PaperBatchBody) => api.post<PaperBatchResult>(`/api/democracy/votes/${enc(id)}/paper-batches`, body),
  publishResult: (id: string) => api.post<unknown>(`/api/democracy/votes/${enc(id)}/result`),
  result: (id: string) => api.get<VoteResult>(`/api/democracy/votes/${enc(id)}/result`),
  receipt: (id: string, code: string) => api.get<Receipt>(`/api/democracy/votes/${enc(id)}/receipts/${enc(code)}`),
  myVotes: () => api.get<MyVote[]>('/api/democracy/my-votes'),
  cast: (id: string, choice: string[]) =>
    api.post<{ receipt: string; notice: string }>(`/api/democracy/votes/${enc(id)}/ballot`, { choice }),
};

/** 参与/应参与 with the share, e.g. "12 / 40（30.00%）". */
export function turnoutText(participants: number | null, eligible: number | null): string {
  if (eligible === null || eligible === undefined) return '—';
  const p = participants ?? 0;
  const pct = eligible > 0 ? ((p * 100) / eligible).toFixed(2) : '0.00';
  return `${p} / ${eligible}（${pct}%）`;
}

export function area(v: number): string {
  return `${v.toFixed(2)}㎡`;
}
