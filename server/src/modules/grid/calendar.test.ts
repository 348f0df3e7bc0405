import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addWorkingMinutes,
  calendarDaysProblem,
  chinaCalendar,
  CHINA_HOLIDAYS,
  DEFAULT_PERIODS,
  isWorkingDay,
  makeCalendar,
  workingMinutesBetween,
  type CalendarDay,
  type WorkCalendar,
} from './calendar.js';

const cal = chinaCalendar();
/** An Asia/Shanghai wall-clock time. */
const sh = (local: string) => new Date(`${local}+08:00`);
const DAY = 450; // working minutes of a default working day (3.5 h + 4 h)

/** Local date and minute of day of an instant in the calendar's offset. */
function local(c: WorkCalendar, d: Date): { date: string; ms: number } {
  const l = d.getTime() + c.utcOffsetMinutes * 60_000;
  const day = Math.floor(l / 86_400_000);
  return { date: new Date(day * 86_400_000).toISOString().slice(0, 10), ms: l - day * 86_400_000 };
}

/** Independent oracle: walk every local day, no week skipping. */
function refBetween(c: WorkCalendar, from: Date, to: Date): number {
  if (to <= from) return 0;
  const off = c.utcOffsetMinutes * 60_000;
  let total = 0;
  const first = Math.floor((from.getTime() + off) / 86_400_000);
  const last = Math.floor((to.getTime() + off) / 86_400_000);
  for (let day = first; day <= last; day++) {
    if (!isWorkingDay(c, new Date(day * 86_400_000).toISOString().slice(0, 10))) continue;
    for (const [a, b] of c.periods) {
      const s = Math.max(day * 86_400_000 + a * 60_000 - off, from.getTime());
      const e = Math.min(day * 86_400_000 + b * 60_000 - off, to.getTime());
      if (e > s) total += e - s;
    }
  }
  return total / 60_000;
}

const START_2025 = Date.UTC(2025, 0, 1) - 8 * 3_600_000;
const END_2028 = Date.UTC(2029, 0, 1) - 8 * 3_600_000 - 1;
const anyStart = fc.integer({ min: START_2025, max: END_2028 }).map((t) => new Date(t));
/** 0..10 working days, at millisecond resolution (the resolution of Date). */
const anyAmount = fc.oneof(
  fc.integer({ min: 0, max: 10 * DAY * 60_000 }).map((ms) => ms / 60_000),
  fc.integer({ min: 0, max: 10 * DAY }),
);

describe('holiday data', () => {
  it('2026 follows the State Council notice of 2025-11-04', () => {
    for (const d of ['2026-01-01', '2026-01-02', '2026-02-16', '2026-02-20', '2026-02-23', '2026-04-06', '2026-05-04', '2026-05-05']) {
      expect(isWorkingDay(cal, d), d).toBe(false);
    }
    for (const d of ['2026-06-19', '2026-09-25', '2026-10-01', '2026-10-05', '2026-10-07']) expect(isWorkingDay(cal, d), d).toBe(false);
    for (const d of ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']) {
      expect(isWorkingDay(cal, d), d).toBe(true);
    }
    expect(isWorkingDay(cal, '2026-02-24')).toBe(true);
    expect(isWorkingDay(cal, '2026-10-08')).toBe(true);
  });

  it('every table entry is valid and make-up days fall on weekends', () => {
    for (const [year, days] of Object.entries(CHINA_HOLIDAYS)) {
      expect(calendarDaysProblem(days), year).toBeNull();
      for (const d of days) expect(d.date.startsWith(year)).toBe(true);
    }
    expect(Object.keys(CHINA_HOLIDAYS)).toEqual(expect.arrayContaining(['2026', '2027']));
  });

  it('2027 is marked provisional', () => {
    for (const d of CHINA_HOLIDAYS[2027]!) expect(d.name).toContain('（暂定）');
    expect(isWorkingDay(cal, '2027-02-05')).toBe(false); // 除夕
    expect(isWorkingDay(cal, '2027-10-09')).toBe(true);
  });

  it('a year without data follows the default week', () => {
    expect(isWorkingDay(cal, '2030-01-01')).toBe(true); // a Tuesday
    expect(isWorkingDay(cal, '2030-01-05')).toBe(false); // a Saturday
  });

  it('extra days override the built-in table by date', () => {
    const c = chinaCalendar([
      { date: '2026-10-08', kind: 'holiday', name: '地方假日' },
      { date: '2026-10-10', kind: 'holiday', name: '取消调休' },
    ]);
    expect(isWorkingDay(c, '2026-10-08')).toBe(false);
    expect(isWorkingDay(c, '2026-10-10')).toBe(false);
    expect(c.overrides.get('2026-10-10')?.name).toBe('取消调休');
    expect(isWorkingDay(cal, '2026-10-10')).toBe(true);
  });
});

describe('addWorkingMinutes: worked examples (Asia/Shanghai, 08:30–12:00 and 13:30–17:30)', () => {
  it('16 working hours from Wed 2026-09-30 10:00 cross National Day', () => {
    // Sep 30: 10:00–12:00 (2 h) + 13:30–17:30 (4 h) = 6 h, 10 h left. Oct 1–7 holiday.
    // Oct 8 (Thu): 7.5 h, 2.5 h left. Oct 9 (Fri): 08:30 + 2.5 h = 11:00.
    const start = sh('2026-09-30T10:00:00');
    const due = addWorkingMinutes(cal, start, 16 * 60);
    expect(due.toISOString()).toBe(sh('2026-10-09T11:00:00').toISOString());
    expect(due.toISOString()).toBe('2026-10-09T03:00:00.000Z');
    expect(workingMinutesBetween(cal, start, due)).toBe(960);
  });

  it('24 working hours from the same start run into the make-up Saturday Oct 10', () => {
    // 6 h (Sep 30) + 7.5 h (Oct 8) + 7.5 h (Oct 9) = 21 h; Sat Oct 10 is a make-up working day: 08:30 + 3 h.
    expect(addWorkingMinutes(cal, sh('2026-09-30T10:00:00'), 24 * 60)).toEqual(sh('2026-10-10T11:30:00'));
  });

  it('Sun 2026-09-20 (make-up) counts; the Saturday before does not', () => {
    expect(addWorkingMinutes(cal, sh('2026-09-19T09:00:00'), 60)).toEqual(sh('2026-09-20T09:30:00'));
    expect(workingMinutesBetween(cal, sh('2026-09-19T00:00:00'), sh('2026-09-21T00:00:00'))).toBe(DAY);
  });

  it('Sat 2026-02-14 is a make-up working day and the Spring Festival is skipped', () => {
    // Fri Feb 13 17:00–17:30 = 0.5 h, then Sat Feb 14 08:30 + 1.5 h.
    expect(addWorkingMinutes(cal, sh('2026-02-13T17:00:00'), 120)).toEqual(sh('2026-02-14T10:00:00'));
    // A start on Sat Feb 14 counts that day; Feb 15–23 are the holiday; Tue Feb 24 is the next working day.
    const start = sh('2026-02-14T08:30:00');
    expect(addWorkingMinutes(cal, start, DAY)).toEqual(sh('2026-02-14T17:30:00'));
    expect(addWorkingMinutes(cal, start, 2 * DAY)).toEqual(sh('2026-02-24T17:30:00'));
    expect(addWorkingMinutes(cal, sh('2026-02-14T17:30:00'), 1)).toEqual(sh('2026-02-24T08:31:00'));
    expect(workingMinutesBetween(cal, sh('2026-02-14T00:00:00'), sh('2026-02-25T00:00:00'))).toBe(2 * DAY);
  });

  it('a start at lunch (12:30) begins counting at 13:30', () => {
    expect(addWorkingMinutes(cal, sh('2026-03-04T12:30:00'), 60)).toEqual(sh('2026-03-04T14:30:00'));
    expect(workingMinutesBetween(cal, sh('2026-03-04T12:30:00'), sh('2026-03-04T14:30:00'))).toBe(60);
  });

  it('the end of a working period is the deadline, not the start of the next', () => {
    expect(addWorkingMinutes(cal, sh('2026-03-04T11:00:00'), 60)).toEqual(sh('2026-03-04T12:00:00'));
    expect(addWorkingMinutes(cal, sh('2026-03-06T17:00:00'), 30)).toEqual(sh('2026-03-06T17:30:00')); // a Friday
    expect(addWorkingMinutes(cal, sh('2026-03-06T17:00:00'), 31)).toEqual(sh('2026-03-09T08:31:00'));
  });

  it('starts before work, at night and on weekends', () => {
    expect(addWorkingMinutes(cal, sh('2026-03-04T06:00:00'), 30)).toEqual(sh('2026-03-04T09:00:00'));
    expect(addWorkingMinutes(cal, sh('2026-03-04T22:00:00'), 30)).toEqual(sh('2026-03-05T09:00:00'));
    expect(addWorkingMinutes(cal, sh('2026-03-07T10:00:00'), 30)).toEqual(sh('2026-03-09T09:00:00'));
  });

  it('0 minutes returns the start unchanged, even outside working time', () => {
    const start = sh('2026-10-03T03:21:09.123');
    expect(addWorkingMinutes(cal, start, 0).getTime()).toBe(start.getTime());
  });

  it('fractional minutes work at millisecond resolution', () => {
    expect(addWorkingMinutes(cal, sh('2026-03-04T09:00:00'), 1.5)).toEqual(sh('2026-03-04T09:01:30'));
    expect(addWorkingMinutes(cal, sh('2026-03-04T09:00:00'), 0.001)).toEqual(sh('2026-03-04T09:00:00.060'));
  });

  it('crosses years, including into years without data', () => {
    // Thu 2026-12-31 17:00: 30 min that day; 2027-01-01..03 holiday (provisional); Mon Jan 4 08:30 + 30 min.
    expect(addWorkingMinutes(cal, sh('2026-12-31T17:00:00'), 60)).toEqual(sh('2027-01-04T09:00:00'));
    // Fri 2032-12-31 17:00 (no data): Mon 2033-01-03 (a plain Monday) 09:00.
    expect(addWorkingMinutes(cal, sh('2032-12-31T17:00:00'), 60)).toEqual(sh('2033-01-03T09:00:00'));
  });

  it('handles huge amounts quickly (whole weeks skipped past the data)', () => {
    const start = sh('2026-09-30T10:00:00');
    const t0 = performance.now();
    const due = addWorkingMinutes(cal, start, 250_000 * DAY); // roughly a millennium of working days
    const back = workingMinutesBetween(cal, start, due);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(back).toBe(250_000 * DAY);
  });

  it('an amount of exactly whole weeks past the data ends on the last working day, not the next one', () => {
    // Mon 2030-01-07 00:00 (no data for 2030): two weeks of work end on Fri 2030-01-18 at 17:30.
    expect(addWorkingMinutes(cal, sh('2030-01-07T00:00:00'), 10 * DAY)).toEqual(sh('2030-01-18T17:30:00'));
    expect(addWorkingMinutes(cal, sh('2030-01-07T00:00:00'), 520 * DAY)).toEqual(sh('2032-01-02T17:30:00'));
  });

  it('rejects negative or non-finite amounts and invalid dates', () => {
    expect(() => addWorkingMinutes(cal, sh('2026-03-04T09:00:00'), -1)).toThrow(RangeError);
    expect(() => addWorkingMinutes(cal, sh('2026-03-04T09:00:00'), Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => addWorkingMinutes(cal, new Date(Number.NaN), 1)).toThrow(RangeError);
    expect(() => isWorkingDay(cal, '2026-02-30')).toThrow(RangeError);
  });
});

describe('workingMinutesBetween', () => {
  it('is 0 when to <= from', () => {
    expect(workingMinutesBetween(cal, sh('2026-03-04T10:00:00'), sh('2026-03-04T10:00:00'))).toBe(0);
    expect(workingMinutesBetween(cal, sh('2026-03-04T11:00:00'), sh('2026-03-04T10:00:00'))).toBe(0);
  });

  it('a full default week is 5 working days', () => {
    expect(workingMinutesBetween(cal, sh('2026-03-02T00:00:00'), sh('2026-03-09T00:00:00'))).toBe(5 * DAY);
    expect(workingMinutesBetween(cal, sh('2026-09-28T00:00:00'), sh('2026-10-12T00:00:00'))).toBe(6 * DAY); // Sep 28–30, Oct 8, 9, 10
  });

  it('agrees with a day-by-day oracle (spans up to 60 days, and long spans past the data)', () => {
    fc.assert(
      fc.property(anyStart, fc.integer({ min: 0, max: 60 * 86_400_000 }), (from, span) => {
        const to = new Date(from.getTime() + span);
        expect(workingMinutesBetween(cal, from, to)).toBeCloseTo(refBetween(cal, from, to), 6);
      }),
      { numRuns: 300 },
    );
    const from = sh('2027-12-30T15:17:00');
    const to = sh('2031-02-11T09:45:00');
    expect(workingMinutesBetween(cal, from, to)).toBeCloseTo(refBetween(cal, from, to), 6);
  });
});

describe('addWorkingMinutes: properties (2025–2028 starts, 0..10 working days)', () => {
  it('workingMinutesBetween(start, addWorkingMinutes(start, m)) === m', () => {
    fc.assert(
      fc.property(anyStart, anyAmount, (start, m) => {
        const due = addWorkingMinutes(cal, start, m);
        expect(Math.abs(workingMinutesBetween(cal, start, due) - m)).toBeLessThan(1e-6);
      }),
      { numRuns: 1000 },
    );
  });

  it('is monotonic in m', () => {
    fc.assert(
      fc.property(anyStart, anyAmount, anyAmount, (start, m1, m2) => {
        const [lo, hi] = m1 <= m2 ? [m1, m2] : [m2, m1];
        expect(addWorkingMinutes(cal, start, lo).getTime()).toBeLessThanOrEqual(addWorkingMinutes(cal, start, hi).getTime());
      }),
      { numRuns: 500 },
    );
  });

  it('for m > 0 the deadline lies in a working period of a working day (end of period included)', () => {
    fc.assert(
      fc.property(anyStart, anyAmount, (start, m) => {
        fc.pre(m > 0);
        const due = addWorkingMinutes(cal, start, m);
        expect(due.getTime()).toBeGreaterThan(start.getTime() - 1);
        const { date, ms } = local(cal, due);
        expect(isWorkingDay(cal, date)).toBe(true);
        expect(cal.periods.some(([a, b]) => a * 60_000 <= ms && ms <= b * 60_000)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips on a custom calendar (other periods, offset and overrides)', () => {
    const days: CalendarDay[] = [
      { date: '2026-03-03', kind: 'holiday', name: 'x' },
      { date: '2026-03-07', kind: 'workday', name: 'y' },
    ];
    const custom = makeCalendar(
      days,
      [
        [0, 60],
        [600, 601],
        [1380, 1440],
      ],
      -300,
    );
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2026, 1, 20), max: Date.UTC(2026, 2, 20) }).map((t) => new Date(t)),
        fc.integer({ min: 0, max: 5000 * 60_000 }).map((ms) => ms / 60_000),
        (start, m) => {
          const due = addWorkingMinutes(custom, start, m);
          expect(Math.abs(workingMinutesBetween(custom, start, due) - m)).toBeLessThan(1e-6);
          expect(workingMinutesBetween(custom, start, due)).toBeCloseTo(refBetween(custom, start, due), 6);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('makeCalendar', () => {
  it('uses the defaults', () => {
    const c = makeCalendar([]);
    expect(c.periods).toEqual(DEFAULT_PERIODS);
    expect(DEFAULT_PERIODS).toEqual([
      [510, 720],
      [810, 1050],
    ]);
    expect(c.utcOffsetMinutes).toBe(480);
    expect(c.overrides.size).toBe(0);
  });

  it('refuses a calendar without working time and malformed periods', () => {
    expect(() => makeCalendar([], [])).toThrow(RangeError);
    expect(() => makeCalendar([], [[600, 600]])).toThrow(RangeError);
    expect(() =>
      makeCalendar(
        [],
        [
          [600, 700],
          [650, 800],
        ],
      ),
    ).toThrow(RangeError);
    expect(() =>
      makeCalendar(
        [],
        [
          [700, 800],
          [500, 600],
        ],
      ),
    ).toThrow(RangeError);
    expect(() => makeCalendar([], [[0, 1441]])).toThrow(RangeError);
    expect(() => makeCalendar([], [[-1, 60]])).toThrow(RangeError);
    expect(() => makeCalendar([], [[0.5, 60]])).toThrow(RangeError);
  });

  it('refuses bad days and offsets', () => {
    expect(() => makeCalendar([{ date: '2026-13-01', kind: 'holiday', name: 'x' }])).toThrow(RangeError);
    expect(() => makeCalendar([{ date: '2026-01-01', kind: 'rest' as 'holiday', name: 'x' }])).toThrow(RangeError);
    expect(() => makeCalendar([], DEFAULT_PERIODS, 0.5)).toThrow(RangeError);
  });

  it('a hand-built calendar without periods throws instead of hanging', () => {
    const broken: WorkCalendar = { overrides: new Map(), periods: [], utcOffsetMinutes: 480 };
    expect(() => addWorkingMinutes(broken, sh('2026-03-04T09:00:00'), 1)).toThrow(RangeError);
    expect(() => workingMinutesBetween(broken, sh('2026-03-04T09:00:00'), sh('2026-03-05T09:00:00'))).toThrow(RangeError);
  });

  it('an all-day calendar in UTC', () => {
    const c = makeCalendar([], [[0, 1440]], 0);
    expect(addWorkingMinutes(c, new Date('2026-03-06T23:00:00Z'), 120).toISOString()).toBe('2026-03-09T01:00:00.000Z');
    expect(workingMinutesBetween(c, new Date('2026-03-06T23:00:00Z'), new Date('2026-03-09T01:00:00Z'))).toBe(120);
  });
});

describe('calendarDaysProblem', () => {
  it('accepts a valid list, including a pointless weekend holiday', () => {
    expect(calendarDaysProblem([])).toBeNull();
    expect(
      calendarDaysProblem([
        { date: '2026-10-01', kind: 'holiday', name: '国庆节' },
        { date: '2026-10-03', kind: 'holiday', name: '国庆节' }, // a Saturday
        { date: '2026-10-10', kind: 'workday', name: '国庆节调休上班' },
      ]),
    ).toBeNull();
  });

  it('refuses what is not a list of days', () => {
    expect(calendarDaysProblem(null)).toMatch(/列表/);
    expect(calendarDaysProblem({ date: '2026-10-01' })).toMatch(/列表/);
    expect(calendarDaysProblem(['2026-10-01'])).toMatch(/第 1 条/);
  });

  it('refuses bad dates', () => {
    for (const date of ['2026-02-29', '2026-1-01', '20261001', '2026-10-01T00:00', 20261001, undefined]) {
      expect(calendarDaysProblem([{ date, kind: 'holiday', name: 'x' }]), String(date)).toMatch(/日期无效/);
    }
    expect(calendarDaysProblem([{ date: '2028-02-29', kind: 'holiday', name: 'x' }])).toBeNull();
  });

  it('refuses unknown kinds and missing names', () => {
    expect(calendarDaysProblem([{ date: '2026-10-01', kind: 'rest', name: 'x' }])).toMatch(/类型未知/);
    expect(calendarDaysProblem([{ date: '2026-10-01', kind: 'holiday' }])).toMatch(/缺少名称/);
    expect(calendarDaysProblem([{ date: '2026-10-01', kind: 'holiday', name: '  ' }])).toMatch(/缺少名称/);
    expect(calendarDaysProblem([{ date: '2026-10-01', kind: 'holiday', name: '长'.repeat(51) }])).toMatch(/名称过长/);
  });

  it('refuses duplicate dates', () => {
    const days = [
      { date: '2026-10-01', kind: 'holiday', name: 'a' },
      { date: '2026-10-02', kind: 'holiday', name: 'b' },
      { date: '2026-10-01', kind: 'holiday', name: 'c' },
    ];
    expect(calendarDaysProblem(days)).toBe('日期重复：2026-10-01');
  });

  it('refuses a make-up working day on Mon–Fri', () => {
    expect(calendarDaysProblem([{ date: '2026-10-08', kind: 'workday', name: 'x' }])).toMatch(/工作日无需调休/);
    expect(calendarDaysProblem([{ date: '2026-10-11', kind: 'workday', name: 'x' }])).toBeNull(); // a Sunday
  });
});
