import type { BusinessHoursConfig, Weekday } from './config';

export const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

export const isValidTimeZone = (timeZone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
};

const WEEKDAYS: Record<string, Weekday> = { Sun: 'sun', Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat' };

export interface LocalTime {
  date: string;
  day: Weekday;
  minutes: number;
}

// Building a DateTimeFormat costs far more than formatting with one: keep one per time zone.
const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    if (formatters.size >= 64) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
};

/** The wall-clock date, weekday and minute of the day of an instant in a time zone. */
export const localTimeAt = (instant: string, timeZone: string): LocalTime => {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return {
    date: `${part('year')}-${part('month')}-${part('day')}`,
    day: WEEKDAYS[part('weekday')],
    minutes: Number(part('hour')) * 60 + Number(part('minute')),
  };
};

export type OpeningCheck = { open: true; reason: string } | { open: false; reason: string };

export const checkBusinessHours = (hours: BusinessHoursConfig, instant: string): OpeningCheck => {
  const local = localTimeAt(instant, hours.timezone);
  const holiday = hours.holidays.find((h) => h.date === local.date);
  if (holiday) return { open: false, reason: `holiday: ${holiday.name} (${local.date})` };
  const range = hours.weekly.find((r) => r.day === local.day && minutesOf(r.open) <= local.minutes && local.minutes < minutesOf(r.close));
  if (range) return { open: true, reason: `open ${range.day} ${range.open}-${range.close} ${hours.timezone}` };
  const hh = String(Math.floor(local.minutes / 60)).padStart(2, '0');
  const mm = String(local.minutes % 60).padStart(2, '0');
  return { open: false, reason: `closed at ${local.day} ${hh}:${mm} ${hours.timezone}` };
};
