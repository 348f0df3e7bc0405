import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ballotProblem, electionResult, receiptCode, tallyGeneral, type GeneralTally } from './model.js';

const opts = [
  { key: 'a', label: '甲' },
  { key: 'b', label: '乙' },
  { key: 'c', label: '丙' },
];

describe('ballots', () => {
  it('single, multiple, approval and ranking validity', () => {
    expect(ballotProblem({ method: 'single', options: opts, maxChoices: null }, ['a'])).toBeNull();
    expect(ballotProblem({ method: 'single', options: opts, maxChoices: null }, ['a', 'b'])).toContain('一项');
    expect(ballotProblem({ method: 'multiple', options: opts, maxChoices: 2 }, ['a', 'b', 'c'])).toContain('最多选择 2 项');
    expect(ballotProblem({ method: 'multiple', options: opts, maxChoices: 2 }, ['a', 'a'])).toContain('重复');
    expect(ballotProblem({ method: 'approval', options: opts, maxChoices: null }, ['a', 'b', 'c'])).toBeNull();
    expect(ballotProblem({ method: 'ranking', options: opts, maxChoices: null }, ['c', 'a', 'b'])).toBeNull();
    expect(ballotProblem({ method: 'ranking', options: opts, maxChoices: null }, ['c', 'a'])).toContain('排序');
    expect(ballotProblem({ method: 'single', options: opts, maxChoices: null }, ['x'])).toContain('不存在');
  });
});

describe('general tally', () => {
  it('counts every valid ballot once, and passes only with more than the pass share of the ballots', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 200 }), (choices) => {
        const t = tallyGeneral(
          { method: 'single', options: opts, maxChoices: null, quorumPercent: null, passPercent: 50 },
          choices.map((c) => [c]),
          500,
          choices.length,
        );
        expect(t.options.reduce((s, o) => s + o.votes, 0)).toBe(choices.length);
        for (const o of t.options) expect(o.passed).toBe(o.votes * 2 > choices.length);
      }),
    );
    // Exactly half is not "more than half".
    const t = tallyGeneral({ method: 'single', options: opts, maxChoices: null, quorumPercent: 50, passPercent: 50 }, [['a'], ['b']], 4, 2);
    expect(t.quorumMet).toBe(true); // 2 of 4 reaches a 50 % quorum ("at least")
    expect(t.options.map((o) => o.passed)).toEqual([false, false, false]);
  });

  it('ranking uses Borda points and passes nothing', () => {
    const t = tallyGeneral(
      { method: 'ranking', options: opts, maxChoices: null, quorumPercent: null, passPercent: null },
      [
        ['a', 'b', 'c'],
        ['b', 'a', 'c'],
        ['a', 'c', 'b'],
      ],
      10,
      3,
    );
    expect(t.options.map((o) => o.votes)).toEqual([5, 3, 1]);
    expect(t.leaders).toEqual(['a']);
    expect(t.options.every((o) => !o.passed)).toBe(true);
  });
});

describe('elections (`004` 5.2.1)', () => {
  const tally = (votes: number[], participants: number, eligible: number): GeneralTally => ({
    method: 'multiple',
    eligible,
    participants,
    ballots: participants,
    turnout: 0,
    quorumPercent: null,
    quorumMet: true,
    passPercent: 50,
    options: votes.map((v, i) => ({ key: `c${i}`, label: `候选人${i}`, votes: v, share: 0, passed: false })),
    leaders: [],
    rule: '',
  });
  it('valid only with more than half of the voters taking part; elected with more than half of those who took part', () => {
    expect(electionResult(tally([60, 40], 100, 200), 1, 50, 50).valid).toBe(false); // exactly half took part
    const r = electionResult(tally([60, 51, 50, 30], 101, 200), 3, 50, 50);
    expect(r.valid).toBe(true);
    expect(r.elected.map((e) => e.key)).toEqual(['c0', 'c1']); // 50 of 101 is not more than half
    expect(r.unfilled).toBe(1);
  });
  it('candidates tied for the last seat go to another round', () => {
    const r = electionResult(tally([80, 70, 70, 10], 100, 150), 2, 50, 50);
    expect(r.elected.map((e) => e.key)).toEqual(['c0']);
    expect(r.tiedAtCut.map((e) => e.key)).toEqual(['c1', 'c2']);
    expect(r.unfilled).toBe(1);
  });
  it('never elects more than the seats, nor anyone under the threshold', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 5 }),
        (votes, seats) => {
          const r = electionResult(tally(votes, 100, 150), seats, 50, 50);
          expect(r.elected.length).toBeLessThanOrEqual(seats);
          expect(r.elected.every((e) => e.votes > 50)).toBe(true);
          expect(r.elected.length + r.unfilled).toBe(seats);
        },
      ),
    );
  });
});

describe('receipts', () => {
  it('12 characters without look-alikes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 12 }), (b) => {
        expect(receiptCode(b)).toMatch(/^[A-HJ-NP-Z2-9]{12}$/);
      }),
    );
  });
});
