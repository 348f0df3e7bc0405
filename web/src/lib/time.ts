// Times are stored in UTC and always shown in China Standard Time, whatever the browser's zone.
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);

export const ZONE = 'Asia/Shanghai';

export function formatTime(t: string | Date | null | undefined, pattern = 'YYYY-MM-DD HH:mm:ss'): string {
  return t ? dayjs(t).tz(ZONE).format(pattern) : '—';
}

/** Today's calendar date in China Standard Time, as YYYY-MM-DD (for date-only fields such as 迁出日期). */
export function todayInZone(): string {
  return dayjs().tz(ZONE).format('YYYY-MM-DD');
}
