import { describe, expect, it } from 'vitest';
import { beijingDay } from './days.js';

describe('beijingDay', () => {
  it('turns the day at Beijing midnight (16:00 UTC), not at UTC midnight', () => {
    expect(beijingDay(new Date('2026-06-01T15:59:59.999Z'))).toBe('2026-06-01');
    expect(beijingDay(new Date('2026-06-01T16:00:00Z'))).toBe('2026-06-02');
    expect(beijingDay(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
    expect(beijingDay(new Date('2026-12-31T15:30:00+08:00'))).toBe('2026-12-31');
  });
});
