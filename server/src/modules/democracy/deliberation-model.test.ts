// Pure rules of 民主协商 (`004` 5.2.2) and 五议两公开 (`004` 5.2.3).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildChain,
  completeStage,
  CONSULTATION_STATUSES,
  CONSULTATION_STEPS,
  consultationNext,
  DAY_MS,
  DEFAULT_CHAIN,
  meetingProblems,
  minimumAttendance,
  objectionProblem,
  publicityPeriodProblem,
  quorumMet,
  stepProblems,
  type ConsultationStatus,
  type ConsultationStep,
  type Quorum,
} from './deliberation-model.js';

const statuses = Object.keys(CONSULTATION_STATUSES) as ConsultationStatus[];
const steps = Object.keys(CONSULTATION_STEPS) as ConsultationStep[];
const quorum = fc
  .record({ denominator: fc.integer({ min: 1, max: 100 }), n: fc.nat(), inclusive: fc.boolean() })
  .map(({ denominator, n, inclusive }): Quorum => {
    const numerator = n % (denominator + (inclusive ? 1 : 0));
    return { numerator, denominator, inclusive };
  });

describe('consultation state machine', () => {
  it('the happy path visits every state in order and ends communicated', () => {
    let s: ConsultationStatus = 'proposed';
    for (const step of ['accept', 'plan', 'announce', 'rules', 'deliberate', 'comment', 'meeting', 'opinions', 'result'] as const) {
      const r = consultationNext(s, step);
      expect(r).toHaveProperty('to');
      s = (r as { to: ConsultationStatus }).to;
    }
    expect(s).toBe('communicated');
  });

  it('a step is allowed exactly from the states it lists; terminal states allow nothing', () => {
    fc.assert(
      fc.property(fc.constantFrom(...statuses), fc.constantFrom(...steps), (s, step) => {
        const r = consultationNext(s, step);
        const allowed = (CONSULTATION_STEPS[step].from as readonly string[]).includes(s);
        expect('to' in r).toBe(allowed);
        if (s === 'rejected' || s === 'communicated') expect('conflict' in r).toBe(true);
      }),
    );
  });

  it('a rejection needs a reason; text steps need text; meetings need place (offline) and minutes', () => {
    expect(stepProblems('reject', {})[0]!.field).toBe('body.reason');
    expect(stepProblems('reject', { reason: '  ' })[0]!.field).toBe('body.reason');
    expect(stepProblems('reject', { reason: '不属于本社区事务' })).toEqual([]);
    for (const s of ['plan', 'rules', 'opinions', 'result', 'comment'] as const) expect(stepProblems(s, {})[0]!.field).toBe('body.text');
    expect(stepProblems('meeting', {})[0]!.field).toBe('body.meeting');
    const m = { kind: 'offline' as const, heldAt: '2026-01-01T00:00:00Z', attendeesCount: 1, minutes: '' };
    expect(stepProblems('meeting', { meeting: m }).map((e) => e.field)).toEqual(['body.meeting.place', 'body.meeting.minutes']);
  });
});

describe('attendance quorum (exact integers)', () => {
  it('agrees with rational arithmetic', () => {
    fc.assert(
      fc.property(quorum, fc.integer({ min: 1, max: 100_000 }), fc.nat(100_000), (q, expected, a) => {
        const attendees = a % (expected + 1);
        const share = BigInt(attendees) * BigInt(q.denominator) - BigInt(expected) * BigInt(q.numerator);
        expect(quorumMet(attendees, expected, q)).toBe(q.inclusive ? share >= 0n : share > 0n);
      }),
    );
  });

  it('the minimum attendance is the smallest that meets the quorum', () => {
    fc.assert(
      fc.property(quorum, fc.integer({ min: 1, max: 100_000 }), (q, expected) => {
        const n = minimumAttendance(expected, q);
        if (n <= expected) expect(quorumMet(n, expected, q)).toBe(true);
        if (n - 1 >= 0 && n - 1 <= expected) expect(quorumMet(n - 1, expected, q)).toBe(false);
      }),
    );
  });

  it('more than half: 5 of 10 is not enough, 6 is; 4 of 7 is', () => {
    const half: Quorum = { numerator: 1, denominator: 2, inclusive: false };
    expect(quorumMet(5, 10, half)).toBe(false);
    expect(quorumMet(6, 10, half)).toBe(true);
    expect(quorumMet(4, 7, half)).toBe(true);
    expect(quorumMet(11, 10, half)).toBe(false);
    expect(quorumMet(2, 3, { numerator: 2, denominator: 3, inclusive: true })).toBe(true);
  });

  it('a meeting below quorum is refused on body.attendees; a resolution must agree with the votes', () => {
    const q = DEFAULT_CHAIN[1]!.kind === 'meeting' ? DEFAULT_CHAIN[1]!.quorum : null;
    expect(meetingProblems(q!, { expected: 10, attendees: 5, resolution: 'passed', votesFor: 5 })[0]!.field).toBe('body.attendees');
    expect(meetingProblems(q!, { expected: 10, attendees: 6, resolution: 'passed', votesFor: 3 })[0]!.field).toBe('body.resolution');
    expect(meetingProblems(q!, { expected: 10, attendees: 6, resolution: 'passed', votesFor: 4, votesAgainst: 3 })[0]!.field).toBe(
      'body.votesFor',
    );
    expect(meetingProblems(q!, { expected: 10, attendees: 6, resolution: 'passed', votesFor: 4 })).toEqual([]);
  });
});

describe('publicity and the chain', () => {
  it('publicity periods of fewer than 7 days are refused, 7 or more accepted', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: 400 }), (d) => {
        expect(publicityPeriodProblem(d) === null).toBe(d >= 7 && d <= 365);
      }),
    );
  });

  it('the default chain has the seven stages of 五议两公开, publicity ≥ 7 days', () => {
    expect(DEFAULT_CHAIN.map((s) => s.name)).toEqual([
      '提议',
      '两委商议',
      '监督委员会核议',
      '党员大会审议',
      '居民（代表）会议决议',
      '决议公开',
      '实施结果公开',
    ]);
    const r = buildChain(DEFAULT_CHAIN.map((s) => ({ key: s.key, name: s.name, kind: s.kind })));
    expect(r).toEqual({ chain: DEFAULT_CHAIN });
  });

  it('a configured chain names the bad field', () => {
    const r = buildChain([
      { key: 'a', name: '提议', kind: 'proposal' },
      { key: 'b', name: '公示', kind: 'publicity', periodDays: 5 },
      { key: 'b', name: '会议', kind: 'meeting', quorum: { numerator: 3, denominator: 2, inclusive: true } },
    ]);
    expect('errors' in r && r.errors.map((e) => e.field)).toEqual(['body.chain.1.periodDays', 'body.chain.2.key', 'body.chain.2.quorum']);
  });

  it('a publicity stage completes only after its period and with every objection answered', () => {
    const start = new Date('2026-03-02T00:00:00Z');
    const item = { chain: DEFAULT_CHAIN, currentStage: 5, status: 'in_progress' as const, stageStartedAt: start };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 * DAY_MS }), fc.nat(3), (dt, open) => {
        const now = new Date(start.getTime() + dt);
        const r = completeStage(item, now, { unansweredObjections: open });
        const ok = dt >= 7 * DAY_MS && open === 0;
        expect('conflict' in r).toBe(!ok);
        if (ok) expect(r).toEqual({ currentStage: 6, status: 'in_progress' });
        expect(objectionProblem(item, now) === null).toBe(dt < 7 * DAY_MS);
      }),
    );
    expect(completeStage({ ...item, currentStage: 6 }, new Date(start.getTime() + 7 * DAY_MS), { unansweredObjections: 0 })).toEqual({
      currentStage: 7,
      status: 'completed',
    });
  });

  it('a meeting that does not pass ends the item; a finished item cannot move', () => {
    const item = { chain: DEFAULT_CHAIN, currentStage: 2, status: 'in_progress' as const, stageStartedAt: new Date() };
    expect(completeStage(item, new Date(), { unansweredObjections: 0, resolution: 'not_passed' })).toEqual({
      currentStage: 2,
      status: 'not_passed',
    });
    expect(completeStage({ ...item, status: 'not_passed' }, new Date(), { unansweredObjections: 0 })).toHaveProperty('conflict');
    expect(objectionProblem(item, new Date())).not.toBeNull();
  });
});
