import { formatApproxDuration, formatDuration, formatPercent, fromLocalInput, secondsSince, secondsUntil, toLocalInput } from '../../console/src/app/core/time';

describe('console time arithmetic', () => {
  const now = Date.parse('2026-03-04T10:00:00.000Z');

  it('counts whole seconds since a time and never below zero', () => {
    expect(secondsSince('2026-03-04T09:58:29.400Z', now)).toBe(90);
    expect(secondsSince('2026-03-04T10:00:05.000Z', now)).toBe(0);
    expect(secondsSince(null, now)).toBeNull();
    expect(secondsSince('not a date', now)).toBeNull();
  });

  it('counts whole seconds until a time, rounding up so a countdown shows 1 until it ends', () => {
    expect(secondsUntil('2026-03-04T10:00:00.200Z', now)).toBe(1);
    expect(secondsUntil('2026-03-04T10:00:15.000Z', now)).toBe(15);
    expect(secondsUntil('2026-03-04T09:59:00.000Z', now)).toBe(0);
  });

  it('formats durations as clock times', () => {
    expect(formatDuration(7)).toBe('0:07');
    expect(formatDuration(754)).toBe('12:34');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(-4)).toBe('0:00');
    expect(formatDuration(null)).toBe('–');
  });

  it('formats estimates without false precision', () => {
    expect(formatApproxDuration(45)).toBe('45 s');
    expect(formatApproxDuration(170)).toBe('3 min');
    expect(formatApproxDuration(3900)).toBe('1 h 05 min');
  });

  it('formats ratios and percentages', () => {
    expect(formatPercent(0.8)).toBe('80%');
    expect(formatPercent(0.05)).toBe('5.0%');
    expect(formatPercent(92)).toBe('92%');
    expect(formatPercent(null)).toBe('–');
  });

  it('round-trips a datetime-local value', () => {
    const ms = new Date(2026, 2, 4, 14, 5).getTime();
    expect(fromLocalInput(toLocalInput(ms))).toBe(new Date(ms).toISOString());
    expect(fromLocalInput('')).toBeNull();
  });
});
