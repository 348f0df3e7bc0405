import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { beijingDay } from './days.js';

describe('beijingDay', () => {
  it('turns the day at Beijing midnight (16:00 UTC), not at UTC midnight', () => {
    expect(beijingDay(new Date('2026-06-01T15:59:59.999Z'))).toBe('2026-06-01');
    expect(beijingDay(new Date('2026-06-01T16:00:00Z'))).toBe('2026-06-02');
    expect(beijingDay(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
    expect(beijingDay(new Date('2026-12-31T15:30:00+08:00'))).toBe('2026-12-31');
  });

  it('agrees with the time zone database for any instant from 1992 to 2100', () => {
    const tz = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
    fc.assert(
      fc.property(fc.date({ min: new Date('1992-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (d) => {
        expect(beijingDay(d)).toBe(tz.format(d));
      }),
      { numRuns: 2000 },
    );
  });
});
