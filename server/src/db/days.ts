// Calendar days on the platform are China's (Asia/Shanghai, no daylight saving): a period given as
// dates `from`..`to` covers [from 00:00, to + 1 day 00:00) Beijing time, whatever the database
// session's time zone. Comparing a timestamptz with a bare `::date` would cut days at the session's
// midnight (UTC on most servers), so a report made at 07:59 Beijing time fell on the day before.
import { sql, type SQL } from 'drizzle-orm';

export const PLATFORM_TIME_ZONE = 'Asia/Shanghai';

/** The instant a calendar day (YYYY-MM-DD) starts in Beijing, `plusDays` later. */
export function dayStart(day: string, plusDays = 0): SQL {
  return sql`((${day}::date + ${plusDays}::int)::timestamp at time zone ${PLATFORM_TIME_ZONE})`;
}

/** Beijing time is UTC+8 all year (no daylight saving since 1991). */
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/**
 * The calendar day (YYYY-MM-DD) of an instant in Beijing: "today" for people on the platform. By the
 * fixed offset rather than Intl (a resident list asks once per person: Intl cost 3 µs a call).
 */
export function beijingDay(at: Date = new Date()): string {
  return new Date(at.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}
