/**
 * The desk's live arithmetic: time in status, waits that tick between server updates, the wrap-up
 * countdown. Pure functions of the server's data and the server's now, tested without Angular.
 */
import { formatApproxDuration, formatDuration, parseTime, secondsSince, secondsUntil } from '../core/time';

export type AgentStatusValue = 'AVAILABLE' | 'BREAK' | 'OFFLINE';
export type AgentStateValue = 'OFFLINE' | 'AVAILABLE' | 'BREAK' | 'RESERVED' | 'RINGING' | 'ON_CALL' | 'WRAP_UP';

export const STATE_LABELS: Record<AgentStateValue, string> = {
  OFFLINE: 'Offline',
  AVAILABLE: 'Available',
  BREAK: 'On break',
  RESERVED: 'Reserved',
  RINGING: 'Ringing',
  ON_CALL: 'On a call',
  WRAP_UP: 'Wrap-up',
};

/** CSS class of a state (styles.css: .state-Available…). */
export const STATE_CLASS: Record<AgentStateValue, string> = {
  OFFLINE: 'state-Offline',
  AVAILABLE: 'state-Available',
  BREAK: 'state-Break',
  RESERVED: 'state-Reserved',
  RINGING: 'state-Ringing',
  ON_CALL: 'state-OnCall',
  WRAP_UP: 'state-WrapUp',
};

export const BREAK_REASONS = ['Lunch', 'Coffee', 'Meeting', 'Training', 'Coaching', 'Personal', 'System issue'] as const;

/** "Available · 12:04", "On break (Lunch) · 3:10" — the status line's text. */
export const statusLine = (state: AgentStateValue, since: string | null, breakReason: string | null, nowMs: number): string => {
  const label = state === 'BREAK' && breakReason ? `${STATE_LABELS[state]} (${breakReason})` : STATE_LABELS[state];
  const seconds = secondsSince(since, nowMs);
  return seconds === null ? label : `${label} · ${formatDuration(seconds)}`;
};

/** Seconds a call has waited: from its original enqueue time, else from the server's count at its `asOf`. */
export const liveWaitSeconds = (call: { enqueuedAt: string | null; waitedSeconds: number }, asOf: string | null, nowMs: number): number => {
  const fromEnqueue = secondsSince(call.enqueuedAt, nowMs);
  if (fromEnqueue !== null) return Math.max(fromEnqueue, call.waitedSeconds);
  const at = parseTime(asOf);
  return call.waitedSeconds + (at === null ? 0 : Math.max(0, Math.floor((nowMs - at) / 1000)));
};

/**
 * What is left of an estimated wait given at `asOf`: the estimate counts down as time passes and
 * stays at zero once passed (the next server update brings a new one).
 */
export const remainingEstimate = (estimatedWaitSeconds: number, asOf: string | null, nowMs: number): number => {
  const at = parseTime(asOf);
  const elapsed = at === null ? 0 : Math.max(0, (nowMs - at) / 1000);
  return Math.max(0, Math.round(estimatedWaitSeconds - elapsed));
};

export const formatEstimate = (seconds: number): string => (seconds <= 0 ? 'any moment' : `~${formatApproxDuration(seconds)}`);

/** A wait that has passed the queue's service-level threshold is shown as late. */
export const waitTone = (waitSeconds: number, thresholdSeconds: number | null): 'ok' | 'warn' | 'late' => {
  const threshold = thresholdSeconds ?? 30;
  if (waitSeconds >= threshold) return 'late';
  if (waitSeconds >= threshold * 0.66) return 'warn';
  return 'ok';
};

export interface Countdown {
  secondsLeft: number;
  /** 0..1 of the time used, for a progress bar. */
  fraction: number;
  text: string;
  overdue: boolean;
}

/** The wrap-up countdown from `since` to `until`. */
export const countdown = (since: string | null, until: string | null, nowMs: number): Countdown | null => {
  const end = parseTime(until);
  if (end === null) return null;
  const start = parseTime(since) ?? end;
  const left = secondsUntil(until, nowMs) ?? 0;
  const total = Math.max(1, (end - start) / 1000);
  const used = Math.min(1, Math.max(0, 1 - left / total));
  return { secondsLeft: left, fraction: used, text: formatDuration(left), overdue: nowMs >= end };
};

/** The statuses an agent may choose now (the server refuses the rest; hiding them avoids the round trip). */
export const statusChoices = (state: AgentStateValue): AgentStatusValue[] => {
  // On a call or ringing the agent can still choose what happens after it (e.g. Break once this call ends).
  if (state === 'OFFLINE') return ['AVAILABLE', 'BREAK'];
  if (state === 'AVAILABLE') return ['BREAK', 'OFFLINE'];
  if (state === 'BREAK') return ['AVAILABLE', 'BREAK', 'OFFLINE'];
  return ['AVAILABLE', 'BREAK', 'OFFLINE'];
};

/** Language codes as people read them. */
export const languageName = (code: string | null | undefined): string | null => {
  if (!code) return null;
  const names: Record<string, string> = { en: 'English', es: 'Spanish', fr: 'French', de: 'German', pt: 'Portuguese', it: 'Italian', nl: 'Dutch' };
  return names[code.toLowerCase()] ?? code.toUpperCase();
};
