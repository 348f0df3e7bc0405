// Working-day calendar for grid-governance deadlines (`003` L3P3: 事件上报跟踪、线下处置、绩效考核 — the
// closed loop is assessed on handling within time limits; `004` 5.2.4). Deadlines count working minutes
// inside the working periods of working days; a working day is Mon–Fri unless the calendar overrides the
// date with a public holiday or a make-up working day (调休). Pure: no I/O, no clock, no time-zone database
// (the local offset is fixed; Asia/Shanghai has had no DST since 1991). Tested in calendar.test.ts.

export type DayKind = 'holiday' | 'workday';

export interface CalendarDay {
  /** YYYY-MM-DD, local date. */
  date: string;
  kind: DayKind;
  name: string;
}

export interface WorkCalendar {
  /** Dates that differ from the default week (Mon–Fri work, Sat/Sun rest): holidays on weekdays/weekends and make-up working days (调休) on weekends. */
  overrides: ReadonlyMap<string, CalendarDay>;
  /** Working periods of a working day, minutes from local midnight, ascending, non-overlapping, e.g. [[510, 720], [810, 1050]] = 08:30–12:00, 13:30–17:30. */
  periods: ReadonlyArray<readonly [number, number]>;
  /** Local time offset from UTC in minutes (Asia/Shanghai = 480, no DST). */
  utcOffsetMinutes: number;
}

/** 08:30–12:00 and 13:30–17:30: 7.5 working hours a day. */
export const DEFAULT_PERIODS: ReadonlyArray<readonly [number, number]> = Object.freeze([
  Object.freeze([510, 720] as const),
  Object.freeze([810, 1050] as const),
]);

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const DAY_MINUTES = 1440;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a valid YYYY-MM-DD calendar date, or null. */
function parseDate(date: unknown): number | null {
  if (typeof date !== 'string') return null;
  const m = DATE_RE.exec(date);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear avoids that, and the round trip refuses 02-30.
  back.setUTCFullYear(y, mo - 1, d);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return Math.round(back.getTime() / DAY_MS);
}

/** YYYY-MM-DD of a day number (days since 1970-01-01). */
function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday. */
function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function isWeekend(day: number): boolean {
  const w = weekdayOf(day);
  return w === 0 || w === 6;
}

function periodsProblem(periods: ReadonlyArray<readonly [number, number]>): string | null {
  if (!Array.isArray(periods) || periods.length === 0) return 'a working day needs at least one working period';
  let prevEnd = 0;
  for (const p of periods) {
    if (!Array.isArray(p) || p.length !== 2) return 'each working period is a pair [start, end]';
    const [a, b] = p;
    if (!Number.isInteger(a) || !Number.isInteger(b)) return 'working periods are whole minutes from midnight';
    if (a < prevEnd || b <= a || b > DAY_MINUTES) {
      return `working periods must be ascending, non-overlapping, non-empty and within 0–${DAY_MINUTES}: [${a}, ${b}]`;
    }
    prevEnd = b;
  }
  return null;
}

/**
 * A calendar from a list of override days (a later entry for the same date replaces an earlier one).
 * Throws a RangeError on a bad date or kind, on empty or malformed periods (a calendar without working
 * time would make every deadline infinite) or on a bad offset.
 */
export function makeCalendar(
  days: readonly CalendarDay[],
  periods: ReadonlyArray<readonly [number, number]> = DEFAULT_PERIODS,
  utcOffsetMinutes = 480,
): WorkCalendar {
  const problem = periodsProblem(periods);
  if (problem) throw new RangeError(problem);
  if (!Number.isInteger(utcOffsetMinutes) || Math.abs(utcOffsetMinutes) > 18 * 60) {
    throw new RangeError(`bad UTC offset: ${utcOffsetMinutes}`);
  }
  const overrides = new Map<string, CalendarDay>();
  for (const d of days) {
    if (parseDate(d.date) === null) throw new RangeError(`bad calendar date: ${String(d.date)}`);
    if (d.kind !== 'holiday' && d.kind !== 'workday') throw new RangeError(`bad calendar day kind: ${String(d.kind)}`);
    overrides.set(d.date, Object.freeze({ date: d.date, kind: d.kind, name: d.name }));
  }
  const frozenPeriods = Object.freeze(periods.map(([a, b]) => Object.freeze([a, b] as const)));
  return Object.freeze({ overrides, periods: frozenPeriods, utcOffsetMinutes });
}

/** Derived, per-calendar data; calendars are treated as immutable (the cache notices a replaced map or a size change). */
interface Compiled {
  overrides: ReadonlyMap<string, CalendarDay>;
  size: number;
  periodsRef: ReadonlyArray<readonly [number, number]>;
  offsetMinutes: number;
  /** Periods in milliseconds from local midnight. */
  periods: ReadonlyArray<readonly [number, number]>;
  dayWorkMs: number;
  /** Day numbers of the first and last override (no override outside: the default week rules). */
  firstOverride: number;
  lastOverride: number;
  offsetMs: number;
}

const compiledCache = new WeakMap<WorkCalendar, Compiled>();

function compile(cal: WorkCalendar): Compiled {
  const hit = compiledCache.get(cal);
  if (
    hit &&
    hit.overrides === cal.overrides &&
    hit.size === cal.overrides.size &&
    hit.periodsRef === cal.periods &&
    hit.offsetMinutes === cal.utcOffsetMinutes
  ) {
    return hit;
  }
  const problem = periodsProblem(cal.periods);
  if (problem) throw new RangeError(problem);
  if (!Number.isFinite(cal.utcOffsetMinutes)) throw new RangeError(`bad UTC offset: ${cal.utcOffsetMinutes}`);
  let firstOverride = Infinity;
  let lastOverride = -Infinity;
  for (const key of cal.overrides.keys()) {
    const day = parseDate(key);
    if (day === null) continue; // a malformed key can never match a date
    if (day < firstOverride) firstOverride = day;
    if (day > lastOverride) lastOverride = day;
  }
  const periods = cal.periods.map(([a, b]) => [a * MINUTE_MS, b * MINUTE_MS] as const);
  const compiled: Compiled = {
    overrides: cal.overrides,
    size: cal.overrides.size,
    periodsRef: cal.periods,
    offsetMinutes: cal.utcOffsetMinutes,
    periods,
    dayWorkMs: periods.reduce((sum, [a, b]) => sum + (b - a), 0),
    firstOverride,
    lastOverride,
    offsetMs: cal.utcOffsetMinutes * MINUTE_MS,
  };
  compiledCache.set(cal, compiled);
  return compiled;
}

function isWorkingDayNumber(c: Compiled, day: number): boolean {
  if (day >= c.firstOverride && day <= c.lastOverride) {
    const o = c.overrides.get(formatDay(day));
    if (o) return o.kind === 'workday';
  }
  return !isWeekend(day);
}

/** Whether a local date (YYYY-MM-DD) is a working day. Throws a RangeError on a malformed date. */
export function isWorkingDay(cal: WorkCalendar, date: string): boolean {
  const day = parseDate(date);
  if (day === null) throw new RangeError(`bad date: ${date}`);
  return isWorkingDayNumber(compile(cal), day);
}

/** Any 7 consecutive days hold exactly 5 of Mon–Fri, so past the last override whole weeks can be skipped. */
function weekWorkMs(c: Compiled): number {
  return 5 * c.dayWorkMs;
}

function instantMs(d: Date, what: string): number {
  const t = d instanceof Date ? d.getTime() : NaN;
  if (!Number.isFinite(t)) throw new RangeError(`${what} is not a valid date`);
  return t;
}

/**
 * The instant at which `minutes` working minutes have elapsed after `start` (minutes >= 0; 0 returns start
 * unchanged). Fractional minutes are allowed; the arithmetic is in milliseconds and the result is rounded to
 * the nearest millisecond (the resolution of Date). A deadline that runs out exactly at the end of a working
 * period is that end (12:00, not 13:30). Cost: one step per calendar day up to the last override, then whole
 * weeks at a time.
 */
export function addWorkingMinutes(cal: WorkCalendar, start: Date, minutes: number): Date {
  const startMs = instantMs(start, 'start');
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`working minutes must be a finite number >= 0: ${minutes}`);
  if (minutes === 0) return new Date(startMs);
  const c = compile(cal);
  let remaining = minutes * MINUTE_MS;
  const local = startMs + c.offsetMs;
  let day = Math.floor(local / DAY_MS);
  let tod = local - day * DAY_MS;
  for (;;) {
    if (tod === 0 && (day > c.lastOverride || day + 7 <= c.firstOverride)) {
      // Keep at least a week of the amount for the day-by-day walk, which places the exact instant, and
      // never jump over an override.
      let weeks = Math.floor(remaining / weekWorkMs(c)) - 1;
      if (day < c.firstOverride) weeks = Math.min(weeks, Math.floor((c.firstOverride - day) / 7));
      if (weeks > 0) {
        remaining -= weeks * weekWorkMs(c);
        day += weeks * 7;
      }
    }
    if (isWorkingDayNumber(c, day)) {
      for (const [a, b] of c.periods) {
        const s = Math.max(a, tod);
        if (s >= b) continue;
        const avail = b - s;
        if (remaining <= avail) return new Date(Math.round(day * DAY_MS + s + remaining - c.offsetMs));
        remaining -= avail;
      }
    }
    day += 1;
    tod = 0;
  }
}

/** Working milliseconds of one day between local times `lo` and `hi` (ms from midnight). */
function dayWorkBetween(c: Compiled, day: number, lo: number, hi: number): number {
  if (!isWorkingDayNumber(c, day)) return 0;
  let sum = 0;
  for (const [a, b] of c.periods) {
    const s = Math.max(a, lo);
    const e = Math.min(b, hi);
    if (e > s) sum += e - s;
  }
  return sum;
}

/** Working minutes between two instants (0 if to <= from). Same cost bound as addWorkingMinutes. */
export function workingMinutesBetween(cal: WorkCalendar, from: Date, to: Date): number {
  const fromMs = instantMs(from, 'from');
  const toMs = instantMs(to, 'to');
  if (toMs <= fromMs) return 0;
  const c = compile(cal);
  const localFrom = fromMs + c.offsetMs;
  const localTo = toMs + c.offsetMs;
  const fromDay = Math.floor(localFrom / DAY_MS);
  const toDay = Math.floor(localTo / DAY_MS);
  const fromTod = localFrom - fromDay * DAY_MS;
  const toTod = localTo - toDay * DAY_MS;
  if (fromDay === toDay) return dayWorkBetween(c, fromDay, fromTod, toTod) / MINUTE_MS;
  let total = dayWorkBetween(c, fromDay, fromTod, DAY_MS);
  let day = fromDay + 1;
  while (day < toDay) {
    if ((day > c.lastOverride || day + 7 <= c.firstOverride) && toDay - day >= 7) {
      let weeks = Math.floor((toDay - day) / 7);
      if (day < c.firstOverride) weeks = Math.min(weeks, Math.floor((c.firstOverride - day) / 7));
      total += weeks * weekWorkMs(c);
      day += weeks * 7;
      continue;
    }
    total += dayWorkBetween(c, day, 0, DAY_MS);
    day += 1;
  }
  total += dayWorkBetween(c, toDay, 0, toTod);
  return total / MINUTE_MS;
}

// ---------------------------------------------------------------------------------------------------------
// China's public holidays (全国年节及纪念日放假办法, revised November 2024: 元旦 1, 春节 4 incl. 除夕, 清明 1,
// 劳动节 2, 端午 1, 中秋 1, 国庆 3 days), as arranged each year by the State Council General Office
// (国务院办公厅关于YYYY年部分节假日安排的通知). The platform stores the calendar in work_calendar_days and an
// administrator can edit any year; this table is the built-in default.

function range(from: string, to: string, kind: DayKind, name: string): CalendarDay[] {
  const a = parseDate(from);
  const b = parseDate(to);
  if (a === null || b === null || b < a) throw new RangeError(`bad range ${from}..${to}`);
  const out: CalendarDay[] = [];
  for (let d = a; d <= b; d++) out.push({ date: formatDay(d), kind, name });
  return out;
}

const holiday = (from: string, to: string, name: string) => range(from, to, 'holiday', name);
const workday = (date: string, name: string): CalendarDay => ({ date, kind: 'workday', name });

const PROVISIONAL = '（暂定）';

export const CHINA_HOLIDAYS: Readonly<Record<number, readonly CalendarDay[]>> = Object.freeze({
  // 国办发明电〔2024〕12号, 2024-11-12.
  2025: Object.freeze([
    ...holiday('2025-01-01', '2025-01-01', '元旦'),
    ...holiday('2025-01-28', '2025-02-04', '春节'),
    workday('2025-01-26', '春节调休上班'),
    workday('2025-02-08', '春节调休上班'),
    ...holiday('2025-04-04', '2025-04-06', '清明节'),
    ...holiday('2025-05-01', '2025-05-05', '劳动节'),
    workday('2025-04-27', '劳动节调休上班'),
    ...holiday('2025-05-31', '2025-06-02', '端午节'),
    ...holiday('2025-10-01', '2025-10-08', '国庆节、中秋节'),
    workday('2025-09-28', '国庆节调休上班'),
    workday('2025-10-11', '国庆节调休上班'),
  ]),
  // 国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04 (Xinhua).
  2026: Object.freeze([
    ...holiday('2026-01-01', '2026-01-03', '元旦'),
    workday('2026-01-04', '元旦调休上班'),
    ...holiday('2026-02-15', '2026-02-23', '春节'),
    workday('2026-02-14', '春节调休上班'),
    workday('2026-02-28', '春节调休上班'),
    ...holiday('2026-04-04', '2026-04-06', '清明节'),
    ...holiday('2026-05-01', '2026-05-05', '劳动节'),
    workday('2026-05-09', '劳动节调休上班'),
    ...holiday('2026-06-19', '2026-06-21', '端午节'),
    ...holiday('2026-09-25', '2026-09-27', '中秋节'),
    ...holiday('2026-10-01', '2026-10-07', '国庆节'),
    workday('2026-09-20', '国庆节调休上班'),
    workday('2026-10-10', '国庆节调休上班'),
  ]),
  // PROVISIONAL: the 2027 notice was not available when this was written. Derived from the 2027 lunar dates
  // (除夕 Fri Feb 5, 春节 Sat Feb 6, 清明 Mon Apr 5, 端午 Wed Jun 9, 中秋 Wed Sep 15) and the principles of the
  // 2025 notice: 春节 8 days from 除夕, 国庆 7 days from Oct 1, 劳动节 5 days, the others 3 days or just the day
  // itself when it falls on a Wednesday; the make-up days keep the weekday count of the statutory days and
  // follow the 2021 precedent (Oct 1 on a Friday). Every name carries "（暂定）"; an administrator confirms or
  // corrects the year in the platform once the State Council publishes it.
  2027: Object.freeze([
    ...holiday('2027-01-01', '2027-01-03', '元旦' + PROVISIONAL),
    ...holiday('2027-02-05', '2027-02-12', '春节' + PROVISIONAL),
    workday('2027-01-31', '春节调休上班' + PROVISIONAL),
    workday('2027-02-20', '春节调休上班' + PROVISIONAL),
    ...holiday('2027-04-03', '2027-04-05', '清明节' + PROVISIONAL),
    ...holiday('2027-05-01', '2027-05-05', '劳动节' + PROVISIONAL),
    workday('2027-05-08', '劳动节调休上班' + PROVISIONAL),
    ...holiday('2027-06-09', '2027-06-09', '端午节' + PROVISIONAL),
    ...holiday('2027-09-15', '2027-09-15', '中秋节' + PROVISIONAL),
    ...holiday('2027-10-01', '2027-10-07', '国庆节' + PROVISIONAL),
    workday('2027-09-26', '国庆节调休上班' + PROVISIONAL),
    workday('2027-10-09', '国庆节调休上班' + PROVISIONAL),
  ]),
});

/** CHINA_HOLIDAYS for all years, then `extra` (e.g. the administrator's edits) overriding by date. Asia/Shanghai, DEFAULT_PERIODS. */
export function chinaCalendar(extra: readonly CalendarDay[] = []): WorkCalendar {
  const years = Object.keys(CHINA_HOLIDAYS)
    .map(Number)
    .sort((a, b) => a - b);
  const days: CalendarDay[] = [];
  for (const y of years) days.push(...(CHINA_HOLIDAYS[y] ?? []));
  days.push(...extra);
  return makeCalendar(days, DEFAULT_PERIODS, 480);
}

const MAX_DAYS = 1000;
const MAX_NAME = 50;

/**
 * Problems with a calendar day list an administrator submits, in Chinese, or null: not a list, bad date,
 * unknown kind, missing or over-long name, duplicate date, a 'workday' on Mon–Fri ("工作日无需调休"). A
 * 'holiday' on a weekend is pointless for the arithmetic but allowed (it names the day).
 */
export function calendarDaysProblem(days: unknown): string | null {
  if (!Array.isArray(days)) return '日历须为日期列表';
  if (days.length > MAX_DAYS) return `日历条目过多（最多 ${MAX_DAYS} 条）`;
  const seen = new Set<string>();
  for (let i = 0; i < days.length; i++) {
    const n = i + 1;
    const item: unknown = days[i];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return `第 ${n} 条不是日期记录`;
    const { date, kind, name } = item as Record<string, unknown>;
    const day = parseDate(date);
    if (day === null) return `第 ${n} 条日期无效：${String(date)}（应为 YYYY-MM-DD）`;
    if (kind !== 'holiday' && kind !== 'workday')
      return `第 ${n} 条（${String(date)}）类型未知：${String(kind)}（应为 holiday 或 workday）`;
    if (typeof name !== 'string' || name.trim() === '') return `第 ${n} 条（${String(date)}）缺少名称`;
    if (name.length > MAX_NAME) return `第 ${n} 条（${String(date)}）名称过长（最多 ${MAX_NAME} 字）`;
    if (seen.has(date as string)) return `日期重复：${String(date)}`;
    seen.add(date as string);
    if (kind === 'workday' && !isWeekend(day)) return `${String(date)} 是周一至周五，工作日无需调休`;
  }
  return null;
}
