// Pure rules of community votes (`003` L2P10 网上投票; `004` 5.2.3 民主决策): ballot validity and the
// tally of general votes. Owners' decisions (民法典第278条) are in owners.ts.
import type { VoteOption } from './schema.js';

export const METHODS = { single: '单选', multiple: '多选', approval: '赞成制（可选多项）', ranking: '排序（博尔达计分）' } as const;
export type Method = keyof typeof METHODS;
export const ELIGIBILITY = {
  residents: '本社区成年居民',
  households: '本社区住户（每户一票）',
  owners: '本社区业主（按人数和专有部分面积）',
  members: '组织成员',
  list: '指定名单',
} as const;
export type Eligibility = keyof typeof ELIGIBILITY;
export const CHANNELS = { online: '网上投票', in_person: '现场投票', paper: '纸质票' } as const;
export type Channel = keyof typeof CHANNELS;
export const VOTE_KINDS = { general: '社区事务表决', owners: '业主共同决定', election: '民主选举' } as const;
export type VoteKind = keyof typeof VOTE_KINDS;

/** The fixed options of an owners' decision. */
export const OWNER_OPTIONS: VoteOption[] = [
  { key: 'yes', label: '同意' },
  { key: 'no', label: '不同意' },
  { key: 'abstain', label: '弃权' },
];

export interface VoteRules {
  method: Method;
  options: readonly VoteOption[];
  maxChoices: number | null;
}

/** Why a choice is not a valid ballot of this vote (Chinese), or null. */
export function ballotProblem(v: VoteRules, choice: readonly string[]): string | null {
  const keys = new Set(v.options.map((o) => o.key));
  if (choice.some((c) => !keys.has(c))) return '选项不存在';
  if (new Set(choice).size !== choice.length) return '同一选项不能重复选择';
  switch (v.method) {
    case 'single':
      return choice.length === 1 ? null : '单选投票应选择一项';
    case 'multiple': {
      const max = v.maxChoices ?? v.options.length;
      if (choice.length === 0) return '请至少选择一项';
      return choice.length <= max ? null : `最多选择 ${max} 项`;
    }
    case 'approval':
      return choice.length === 0 ? '请至少选择一项' : null;
    case 'ranking':
      return choice.length === v.options.length ? null : '请为全部选项排序';
  }
}

export interface GeneralTally {
  method: Method;
  eligible: number;
  participants: number;
  ballots: number;
  /** Participation in percent of the eligible (two decimals). */
  turnout: number;
  quorumPercent: number | null;
  quorumMet: boolean;
  passPercent: number;
  /** Per option: votes (points for ranking), share of the valid ballots, and whether it passed. */
  options: { key: string; label: string; votes: number; share: number; passed: boolean }[];
  /** The option(s) with the most votes (several on a tie). */
  leaders: string[];
  rule: string;
}

const pct = (n: number, d: number) => (d === 0 ? 0 : Math.round((n * 10000) / d) / 100);

/**
 * Counts the ballots. Quorum: participants ≥ quorumPercent of the eligible (none set: no quorum).
 * An option passes when the quorum is met and its votes are more than passPercent (default 50) of the
 * valid ballots; ranking uses Borda points (n−1 for a first place … 0 for the last) and passes nothing,
 * it orders. Integer comparisons only (percentages with two decimals are scaled by 100).
 */
export function tallyGeneral(
  v: VoteRules & { quorumPercent: number | null; passPercent: number | null },
  ballots: readonly (readonly string[])[],
  eligible: number,
  participants: number,
): GeneralTally {
  const n = v.options.length;
  const votes = new Map(v.options.map((o) => [o.key, 0]));
  for (const b of ballots) {
    if (v.method === 'ranking') b.forEach((k, i) => votes.set(k, (votes.get(k) ?? 0) + (n - 1 - i)));
    else for (const k of b) votes.set(k, (votes.get(k) ?? 0) + 1);
  }
  const q = v.quorumPercent;
  const quorumMet = q === null ? true : participants * 10000 >= eligible * Math.round(q * 100);
  const pass = v.passPercent ?? 50;
  const max = Math.max(0, ...votes.values());
  return {
    method: v.method,
    eligible,
    participants,
    ballots: ballots.length,
    turnout: pct(participants, eligible),
    quorumPercent: q,
    quorumMet,
    passPercent: pass,
    options: v.options.map((o) => {
      const c = votes.get(o.key) ?? 0;
      return {
        key: o.key,
        label: o.label,
        votes: c,
        share: pct(c, v.method === 'ranking' ? ballots.length * (n - 1) : ballots.length),
        passed: v.method !== 'ranking' && quorumMet && c * 10000 > ballots.length * Math.round(pass * 100),
      };
    }),
    leaders: max > 0 ? v.options.filter((o) => votes.get(o.key) === max).map((o) => o.key) : [],
    rule:
      v.method === 'ranking'
        ? '博尔达计分：第一名得 n−1 分，依次递减'
        : `${q === null ? '不设参与率要求' : `参与人数达到应参与人数的 ${q}%`}；得票超过有效票的 ${pass}% 为通过`,
  };
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** A receipt code from random bytes: 12 characters without look-alikes (60 bits). */
export function receiptCode(random: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += CODE_ALPHABET[random[i]! % CODE_ALPHABET.length];
  return s;
}

export interface ElectionOutcome {
  seats: number;
  eligible: number;
  participants: number;
  /** More than validTurnoutPercent of the voters took part. */
  valid: boolean;
  elected: { key: string; label: string; votes: number }[];
  /** Candidates tied at the last seat: none of them is elected; those seats go to another round (另行选举). */
  tiedAtCut: { key: string; label: string; votes: number }[];
  unfilled: number;
  rule: string;
}

/**
 * Who is elected (`004` 5.2.1; defaults from 居民委员会组织法 第十四条): the election is valid when more
 * than validTurnoutPercent of the voters took part; a candidate needs more than electedPercent of the
 * votes of those who took part; the seats go to the qualified candidates with the most votes, and
 * candidates tied for the last seat(s) are left to another round. Integer comparisons only.
 */
export function electionResult(t: GeneralTally, seats: number, validTurnoutPercent: number, electedPercent: number): ElectionOutcome {
  const valid = t.participants * 10000 > t.eligible * Math.round(validTurnoutPercent * 100);
  const qualified = valid
    ? t.options.filter((o) => o.votes * 10000 > t.participants * Math.round(electedPercent * 100)).sort((a, b) => b.votes - a.votes)
    : [];
  let elected = qualified.slice(0, seats);
  let tiedAtCut: typeof elected = [];
  if (qualified.length > seats && qualified[seats]!.votes === qualified[seats - 1]!.votes) {
    const cut = qualified[seats - 1]!.votes;
    elected = qualified.filter((o) => o.votes > cut);
    tiedAtCut = qualified.filter((o) => o.votes === cut);
  }
  const pick = (o: { key: string; label: string; votes: number }) => ({ key: o.key, label: o.label, votes: o.votes });
  return {
    seats,
    eligible: t.eligible,
    participants: t.participants,
    valid,
    elected: elected.map(pick),
    tiedAtCut: tiedAtCut.map(pick),
    unfilled: seats - elected.length,
    rule: `参加投票人数超过选民总数的 ${validTurnoutPercent}% 选举有效；候选人得票超过参加投票人数的 ${electedPercent}% 始得当选，按得票多少确定；末位得票相等的候选人另行选举`,
  };
}
