/**
 * Time arithmetic of the read models. Every instant comes from event data (ISO strings, UTC), never
 * from the wall clock, so a rebuild computes the same documents.
 */

export const INTERVAL_MINUTES = 15;
export const INTERVAL_MS = INTERVAL_MINUTES * 60_000;

export const toMs = (iso: string): number => Date.parse(iso);
export const toIso = (ms: number): string => new Date(ms).toISOString();

/** Start of the 15-minute interval holding `ms`. Every IANA offset is a multiple of 15 minutes, so these are local interval starts too. */
export const intervalStartMs = (ms: number): number => Math.floor(ms / INTERVAL_MS) * INTERVAL_MS;

/** Whole seconds from `fromMs` to `toMs`, never negative (events may arrive with earlier times than the last one seen). */
export const secondsFrom = (fromMs: number, toMsValue: number): number => Math.max(0, Math.round((toMsValue - fromMs) / 1000));

export const laterIso = (a: string | null, b: string): string => (a === null || b > a ? b : a);

const formatters = new Map<string, Intl.DateTimeFormat>();

const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      formatter = formatterFor('UTC');
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
};

// Formatting a date in a time zone costs microseconds; intervals repeat, so their dates are remembered.
const dateByInterval = new Map<string, string>();
const DATE_CACHE_LIMIT = 200_000;

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export const localDate = (ms: number, timeZone: string): string => {
  const key = `${timeZone}|${intervalStartMs(ms)}`;
  const cached = dateByInterval.get(key);
  if (cached !== undefined) return cached;
  const parts = formatterFor(timeZone).formatToParts(new Date(intervalStartMs(ms)));
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  const date = `${part('year')}-${part('month')}-${part('day')}`;
  if (dateByInterval.size >= DATE_CACHE_LIMIT) dateByInterval.clear();
  dateByInterval.set(key, date);
  return date;
};

export const round = (value: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
};
