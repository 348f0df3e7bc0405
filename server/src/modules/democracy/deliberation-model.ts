// Pure rules of consultation (民主协商, `004` 5.2.2) and of 五议两公开 decisions (民主决策, `004` 5.2.3):
// the two state machines, attendance quorums in exact integer arithmetic, publicity periods of at
// least 7 days. No I/O.
import type { FieldError } from '../../http/errors.js';

// ---- consultation (`004` 5.2.2: 网上提出议题 → 审核 → 制定方案 → 公告 → 确定规则 → 协商 → 形成意见 → 结果告知) ----

export const CONSULTATION_STATUSES = {
  proposed: '已提出议题',
  accepted: '审核通过',
  rejected: '审核未通过',
  planned: '已制定方案',
  announced: '已公告',
  rules_set: '已确定议事规则',
  deliberating: '协商中',
  opinions_formed: '已形成协商意见',
  communicated: '已告知结果',
} as const;
export type ConsultationStatus = keyof typeof CONSULTATION_STATUSES;

/** What a step needs besides its name. */
type Needs = 'text' | 'reason' | 'meeting' | null;

/** The steps staff take: the states each leaves from, the state it reaches, what it needs. */
export const CONSULTATION_STEPS = {
  accept: { label: '审核通过', from: ['proposed'], to: 'accepted', needs: null },
  reject: { label: '审核不通过', from: ['proposed'], to: 'rejected', needs: 'reason' },
  plan: { label: '制定协商方案', from: ['accepted'], to: 'planned', needs: 'text' },
  announce: { label: '发布协商公告', from: ['planned'], to: 'announced', needs: null },
  rules: { label: '确定议事规则', from: ['announced'], to: 'rules_set', needs: 'text' },
  deliberate: { label: '开始协商', from: ['rules_set'], to: 'deliberating', needs: null },
  comment: { label: '工作人员发表意见', from: ['deliberating'], to: 'deliberating', needs: 'text' },
  meeting: { label: '记录协商会议', from: ['deliberating'], to: 'deliberating', needs: 'meeting' },
  opinions: { label: '形成协商意见', from: ['deliberating'], to: 'opinions_formed', needs: 'text' },
  result: { label: '告知协商结果', from: ['opinions_formed'], to: 'communicated', needs: 'text' },
} as const satisfies Record<string, { label: string; from: readonly ConsultationStatus[]; to: ConsultationStatus; needs: Needs }>;
export type ConsultationStep = keyof typeof CONSULTATION_STEPS;

export interface MeetingRecord {
  kind: 'online' | 'offline';
  heldAt: string;
  place?: string;
  attendeesCount: number;
  minutes: string;
  attendees?: { name: string; userId?: string }[];
}

export interface StepInput {
  text?: string;
  reason?: string;
  meeting?: MeetingRecord;
}

/** The state a step leads to from `status`, or why it cannot be taken now (Chinese). */
export function consultationNext(status: ConsultationStatus, step: ConsultationStep): { to: ConsultationStatus } | { conflict: string } {
  const s = CONSULTATION_STEPS[step];
  if (!(s.from as readonly string[]).includes(status))
    return {
      conflict: `当前状态为「${CONSULTATION_STATUSES[status]}」，不能${s.label}（应在「${s.from.map((f) => CONSULTATION_STATUSES[f]).join('、')}」时）`,
    };
  return { to: s.to };
}

const blank = (s: string | undefined) => !s || !s.trim();

/** Field errors of a step's input (Chinese), empty when it is complete. */
export function stepProblems(step: ConsultationStep, input: StepInput): FieldError[] {
  const needs: Needs = CONSULTATION_STEPS[step].needs;
  const errors: FieldError[] = [];
  if (needs === 'reason' && blank(input.reason)) errors.push({ field: 'body.reason', message: '审核不通过须说明理由' });
  if (needs === 'text' && blank(input.text)) errors.push({ field: 'body.text', message: `${CONSULTATION_STEPS[step].label}须填写内容` });
  if (needs === 'meeting') {
    const m = input.meeting;
    if (!m) errors.push({ field: 'body.meeting', message: '请填写会议记录（形式、时间、地点、参会人数、纪要）' });
    else {
      if (m.kind === 'offline' && blank(m.place)) errors.push({ field: 'body.meeting.place', message: '线下会议须填写地点' });
      if (blank(m.minutes)) errors.push({ field: 'body.meeting.minutes', message: '请填写会议纪要' });
      if ((m.attendees?.length ?? 0) > m.attendeesCount)
        errors.push({ field: 'body.meeting.attendees', message: '记名参会人员不能多于参会人数' });
    }
  }
  return errors;
}

// ---- 五议两公开 (`004` 5.2.3: 提议 → 两委商议 → 监督委员会核议 → 党员大会审议 → 居民（代表）会议决议 → 决议公开 → 实施结果公开) ----

/** A share of the members: `numerator/denominator`, reached "at least" or "more than" (过半数 = more than 1/2). */
export interface Quorum {
  numerator: number;
  denominator: number;
  /** true: attendance ≥ the share; false: attendance > the share. */
  inclusive: boolean;
}

export type Stage =
  | { key: string; name: string; kind: 'proposal' }
  | { key: string; name: string; kind: 'meeting'; quorum: Quorum }
  | { key: string; name: string; kind: 'publicity'; periodDays: number; answerDays: number };

export const MIN_PUBLICITY_DAYS = 7;
export const DEFAULT_ANSWER_DAYS = 5;
/** Meetings need more than half of their members present unless configured. */
export const DEFAULT_QUORUM: Quorum = { numerator: 1, denominator: 2, inclusive: false };

export const DEFAULT_CHAIN: readonly Stage[] = Object.freeze([
  { key: 'proposal', name: '提议', kind: 'proposal' },
  { key: 'committees', name: '两委商议', kind: 'meeting', quorum: DEFAULT_QUORUM },
  { key: 'supervision', name: '监督委员会核议', kind: 'meeting', quorum: DEFAULT_QUORUM },
  { key: 'party', name: '党员大会审议', kind: 'meeting', quorum: DEFAULT_QUORUM },
  { key: 'residents', name: '居民（代表）会议决议', kind: 'meeting', quorum: DEFAULT_QUORUM },
  { key: 'resolution-publicity', name: '决议公开', kind: 'publicity', periodDays: MIN_PUBLICITY_DAYS, answerDays: DEFAULT_ANSWER_DAYS },
  { key: 'result-publicity', name: '实施结果公开', kind: 'publicity', periodDays: MIN_PUBLICITY_DAYS, answerDays: DEFAULT_ANSWER_DAYS },
] satisfies Stage[]);

/** A stage as configured by a community (optional parts get their defaults). */
export interface StageInput {
  key: string;
  name: string;
  kind: 'proposal' | 'meeting' | 'publicity';
  quorum?: Quorum;
  periodDays?: number;
  answerDays?: number;
}

/** Checks a configured chain and fills in defaults; field errors name `body.chain.<i>.<field>`. */
export function buildChain(input: readonly StageInput[]): { chain: Stage[] } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const f = (i: number, k: string) => `body.chain.${i}${k ? '.' + k : ''}`;
  if (input.length === 0) errors.push({ field: 'body.chain', message: '至少需要一个环节' });
  const keys = new Set<string>();
  const chain: Stage[] = [];
  input.forEach((s, i) => {
    if (keys.has(s.key)) errors.push({ field: f(i, 'key'), message: '环节代码不能重复' });
    keys.add(s.key);
    if (s.kind !== 'meeting' && s.quorum) errors.push({ field: f(i, 'quorum'), message: '只有会议环节设出席比例' });
    if (s.kind !== 'publicity' && (s.periodDays !== undefined || s.answerDays !== undefined))
      errors.push({ field: f(i, 'periodDays'), message: '只有公开环节设公示期和答复时限' });
    if (s.kind === 'proposal') chain.push({ key: s.key, name: s.name, kind: 'proposal' });
    else if (s.kind === 'meeting') {
      const q = s.quorum ?? DEFAULT_QUORUM;
      const p = quorumProblem(q);
      if (p) errors.push({ field: f(i, 'quorum'), message: p });
      chain.push({ key: s.key, name: s.name, kind: 'meeting', quorum: { ...q } });
    } else {
      const periodDays = s.periodDays ?? MIN_PUBLICITY_DAYS;
      const p = publicityPeriodProblem(periodDays);
      if (p) errors.push({ field: f(i, 'periodDays'), message: p });
      const answerDays = s.answerDays ?? DEFAULT_ANSWER_DAYS;
      if (!Number.isInteger(answerDays) || answerDays < 1 || answerDays > 60)
        errors.push({ field: f(i, 'answerDays'), message: '异议答复时限应为 1 至 60 个工作日' });
      chain.push({ key: s.key, name: s.name, kind: 'publicity', periodDays, answerDays });
    }
  });
  return errors.length ? { errors } : { chain };
}

/** Publicity lasts at least 7 (calendar) days; whole days, at most a year. */
export function publicityPeriodProblem(days: number): string | null {
  if (!Number.isInteger(days)) return '公示期应为整天数';
  if (days < MIN_PUBLICITY_DAYS) return `公示期不得少于 ${MIN_PUBLICITY_DAYS} 天`;
  if (days > 365) return '公示期不得超过 365 天';
  return null;
}

export function quorumProblem(q: Quorum): string | null {
  if (!Number.isInteger(q.numerator) || !Number.isInteger(q.denominator) || q.denominator < 1 || q.denominator > 100)
    return '出席比例应为整数分数（分母 1 至 100）';
  if (q.numerator < 0 || q.numerator > q.denominator) return '出席比例应在 0 至 1 之间';
  if (!q.inclusive && q.numerator === q.denominator) return '出席人数不可能超过应到人数的全部';
  return null;
}

/** Attendance meets the quorum: attendees/expected ≥ (or >) numerator/denominator, cross-multiplied in integers. */
export function quorumMet(attendees: number, expected: number, q: Quorum): boolean {
  if (expected <= 0 || attendees > expected) return false;
  const lhs = attendees * q.denominator;
  const rhs = expected * q.numerator;
  return q.inclusive ? lhs >= rhs : lhs > rhs;
}

/** The fewest attendees that meet the quorum for `expected` members. */
export function minimumAttendance(expected: number, q: Quorum): number {
  // Smallest n with n·d ≥ e·m (inclusive) or n·d > e·m: ⌈e·m/d⌉ or ⌊e·m/d⌋ + 1, in integers.
  const em = expected * q.numerator;
  const floor = (em - (em % q.denominator)) / q.denominator;
  if (q.inclusive) return em % q.denominator === 0 ? floor : floor + 1;
  return floor + 1;
}

export const describeQuorum = (q: Quorum) => `${q.inclusive ? '不少于' : '超过'}应到人数的 ${q.numerator}/${q.denominator}`;

export interface MeetingOutcome {
  expected?: number;
  attendees?: number;
  resolution?: 'passed' | 'not_passed';
  votesFor?: number;
  votesAgainst?: number;
  votesAbstain?: number;
  minutes?: string;
}

/**
 * A meeting stage's record: attendance at least the quorum, votes not more than those present, and a
 * resolution that agrees with the votes (passed = more than half of those present in favour).
 */
export function meetingProblems(q: Quorum, m: MeetingOutcome): FieldError[] {
  const errors: FieldError[] = [];
  if (m.expected === undefined) errors.push({ field: 'body.expected', message: '请填写应到人数' });
  if (m.attendees === undefined) errors.push({ field: 'body.attendees', message: '请填写实到人数' });
  if (!m.resolution) errors.push({ field: 'body.resolution', message: '请填写表决结果（passed 通过 / not_passed 未通过）' });
  if (errors.length) return errors;
  const expected = m.expected!;
  const attendees = m.attendees!;
  if (expected < 1) return [{ field: 'body.expected', message: '应到人数至少为 1' }];
  if (attendees > expected) return [{ field: 'body.attendees', message: '实到人数不能多于应到人数' }];
  if (!quorumMet(attendees, expected, q))
    return [
      {
        field: 'body.attendees',
        message: `出席人数未达到要求：应到 ${expected} 人，须${describeQuorum(q)}（至少 ${minimumAttendance(expected, q)} 人），实到 ${attendees} 人`,
      },
    ];
  const yes = m.votesFor ?? 0;
  const no = m.votesAgainst ?? 0;
  const abstain = m.votesAbstain ?? 0;
  if (yes + no + abstain > attendees) return [{ field: 'body.votesFor', message: '赞成、反对、弃权票数之和不能超过实到人数' }];
  const passes = yes * 2 > attendees;
  if (m.resolution === 'passed' && !passes)
    errors.push({ field: 'body.resolution', message: `赞成票 ${yes} 未超过实到人数 ${attendees} 的半数，不能记为通过` });
  if (m.resolution === 'not_passed' && passes)
    errors.push({ field: 'body.resolution', message: `赞成票 ${yes} 已超过实到人数的半数，应记为通过` });
  return errors;
}

export const DAY_MS = 86_400_000;

/** When a publicity period that started at `start` ends. */
export const publicityEndsAt = (start: Date, days: number) => new Date(start.getTime() + days * DAY_MS);

export type DecisionStatus = 'in_progress' | 'completed' | 'not_passed';
export const DECISION_STATUSES: Record<DecisionStatus, string> = {
  in_progress: '进行中',
  completed: '已完成',
  not_passed: '未通过（终止）',
};

/**
 * Whether the current stage may complete now, and what the item becomes: the next stage, completed
 * after the last, or not_passed when a meeting did not pass the item.
 */
export function completeStage(
  item: { chain: readonly Stage[]; currentStage: number; status: DecisionStatus; stageStartedAt: Date },
  now: Date,
  opts: { unansweredObjections: number; resolution?: 'passed' | 'not_passed' },
): { conflict: string } | { currentStage: number; status: DecisionStatus } {
  if (item.status !== 'in_progress') return { conflict: `事项${DECISION_STATUSES[item.status]}，不能再推进` };
  const stage = item.chain[item.currentStage];
  if (!stage) return { conflict: '事项已完成全部环节' };
  if (stage.kind === 'publicity') {
    const ends = publicityEndsAt(item.stageStartedAt, stage.periodDays);
    if (now < ends) return { conflict: `「${stage.name}」公示期 ${stage.periodDays} 天，尚未届满（${ends.toISOString()} 届满）` };
    if (opts.unansweredObjections > 0) return { conflict: `「${stage.name}」尚有 ${opts.unansweredObjections} 条异议未答复` };
  }
  if (stage.kind === 'meeting' && opts.resolution === 'not_passed') return { currentStage: item.currentStage, status: 'not_passed' };
  const next = item.currentStage + 1;
  return { currentStage: next, status: next >= item.chain.length ? 'completed' : 'in_progress' };
}

/** Objections are filed only while a publicity stage is in progress, before its period ends. */
export function objectionProblem(
  item: { chain: readonly Stage[]; currentStage: number; status: DecisionStatus; stageStartedAt: Date },
  now: Date,
): string | null {
  const stage = item.chain[item.currentStage];
  if (item.status !== 'in_progress' || !stage || stage.kind !== 'publicity') return '事项不在公示期，不能提出异议';
  if (now < item.stageStartedAt || now >= publicityEndsAt(item.stageStartedAt, stage.periodDays)) return '不在公示期内，不能提出异议';
  return null;
}
