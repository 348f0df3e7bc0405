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

const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: PLATFORM_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day (YYYY-MM-DD) of an instant in Beijing: "today" for people on the platform. */
export function beijingDay(at: Date = new Date()): string {
  return dayFormat.format(at);
}
