import { ScaledTime, SimClock } from './clock';

describe('SimClock', () => {
  let clock: SimClock;
  afterEach(() => clock.close());

  it('fires timers in due order when simulated time is advanced, and not before', () => {
    clock = new SimClock({ scale: 1 });
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 2_000);
    clock.setTimeout(() => fired.push('a'), 1_000);
    const cancelled = clock.setTimeout(() => fired.push('never'), 1_500);
    clock.setTimeout(() => fired.push('a2'), 1_000);
    cancelled.cancel();
    clock.advance(999);
    expect(fired).toEqual([]);
    clock.advance(1_001);
    expect(fired).toEqual(['a', 'a2', 'b']);
    expect(clock.pendingTimers()).toBe(0);
    expect(cancelled.active).toBe(false);
  });

  it('runs simulated time `scale` times faster than real time', () => {
    clock = new SimClock({ scale: 50, startEpochMs: 0 });
    expect(clock.toRealMs(30_000)).toBe(600);
    expect(clock.toSimMs(600)).toBe(30_000);
    clock.setScale(100);
    expect(clock.toRealMs(30_000)).toBe(300);
    expect(() => clock.setScale(0)).toThrow(/positive/);
  });

  it('formats occurred_at with microseconds, strictly increasing', () => {
    clock = new SimClock({ scale: 1 });
    const stamps = Array.from({ length: 50 }, () => clock.occurredAt());
    for (const s of stamps) expect(s).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(new Set(stamps).size).toBe(50);
    expect([...stamps].sort()).toEqual(stamps);
  });

  it('schedules nothing after close', () => {
    clock = new SimClock({ scale: 1 });
    clock.setTimeout(() => undefined, 10_000);
    clock.close();
    expect(clock.pendingTimers()).toBe(0);
    expect(clock.setTimeout(() => undefined, 1).active).toBe(false);
  });
});

describe('ScaledTime', () => {
  it('converts the product’s simulated waits to real delays with the same factor', () => {
    const time = ScaledTime.fromSnapshot({ scale: 100, simBaseMs: 1_000_000, realBaseMs: Date.now() });
    expect(time.realDelay(20_000)).toBe(200);
    expect(time.now()).toBeGreaterThanOrEqual(1_000_000);
  });
});
