/**
 * Time arithmetic and formatting for the console. Pure: no DOM, no Angular, so the root jest suite
 * tests it directly.
 */

/** Milliseconds of an ISO timestamp, or null when absent or unparsable. */
export const parseTime = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
};

/** Whole seconds from `sinceIso` to `nowMs`, never negative; null without a start. */
export const secondsSince = (sinceIso: string | null | undefined, nowMs: number): number | null => {
  const since = parseTime(sinceIso);
  if (since === null) return null;
  return Math.max(0, Math.floor((nowMs - since) / 1000));
};

/** Whole seconds from `nowMs` until `untilIso`, never negative; null without an end. */
export const secondsUntil = (untilIso: string | null | undefined, nowMs: number): number | null => {
  const until = parseTime(untilIso);
  if (until === null) return null;
  return Math.max(0, Math.ceil((until - nowMs) / 1000));
};

const pad = (n: number): string => String(n).padStart(2, '0');

/** 0:07, 12:34, 1:02:03 — the clock format agents read at a glance. */
export const formatDuration = (seconds: number | null | undefined): string => {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
};

/** 45 s, 3 min, 1 h 05 min — for estimates, where seconds precision would be false precision. */
export const formatApproxDuration = (seconds: number | null | undefined): string => {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return `${total} s`;
  if (total < 3600) return `${Math.round(total / 60)} min`;
  const h = Math.floor(total / 3600);
  return `${h} h ${pad(Math.round((total % 3600) / 60))} min`;
};

/** A percentage from a 0..1 ratio (or already a percentage above 1), one decimal when under 10. */
export const formatPercent = (value: number | null | undefined): string => {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const pct = value <= 1 ? value * 100 : value;
  return `${pct < 10 && pct > 0 ? pct.toFixed(1) : Math.round(pct)}%`;
};

/** HH:MM:SS in the browser's zone, from an ISO time. */
export const formatClock = (iso: string | null | undefined): string => {
  const ms = parseTime(iso);
  if (ms === null) return '–';
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};

/** 2026-03-04 14:05 in the browser's zone, from an ISO time. */
export const formatDateTime = (iso: string | null | undefined): string => {
  const ms = parseTime(iso);
  if (ms === null) return '–';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/** The value of an `<input type="datetime-local">` for a time in the browser's zone. */
export const toLocalInput = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};

/** An `<input type="datetime-local">` value (browser zone) as an ISO instant; null when empty or invalid. */
export const fromLocalInput = (value: string): string | null => {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
};
