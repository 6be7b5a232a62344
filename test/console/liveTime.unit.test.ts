import { countdown, liveWaitSeconds, remainingEstimate, statusChoices, statusLine, waitTone } from '../../console/src/app/agent/desk-logic';
import { ServerClock } from '../../console/src/app/core/server-clock';

const at = (iso: string) => Date.parse(iso);

describe('the status timer', () => {
  it('shows the state with its time in state', () => {
    expect(statusLine('AVAILABLE', '2026-03-04T10:00:00Z', null, at('2026-03-04T10:12:04Z'))).toBe('Available · 12:04');
    expect(statusLine('BREAK', '2026-03-04T10:00:00Z', 'Lunch', at('2026-03-04T10:03:10Z'))).toBe('On break (Lunch) · 3:10');
    expect(statusLine('OFFLINE', null, null, at('2026-03-04T10:00:00Z'))).toBe('Offline');
  });

  it('offers only the statuses that change something', () => {
    expect(statusChoices('OFFLINE')).toEqual(['AVAILABLE', 'BREAK']);
    expect(statusChoices('AVAILABLE')).toEqual(['BREAK', 'OFFLINE']);
    expect(statusChoices('ON_CALL')).toContain('BREAK');
  });
});

describe('waits ticking between server updates', () => {
  const call = { enqueuedAt: '2026-03-04T10:00:00Z', waitedSeconds: 40 };

  it('counts from the original enqueue time as the clock advances', () => {
    expect(liveWaitSeconds(call, '2026-03-04T10:00:40Z', at('2026-03-04T10:00:41Z'))).toBe(41);
    expect(liveWaitSeconds(call, '2026-03-04T10:00:40Z', at('2026-03-04T10:01:10Z'))).toBe(70);
  });

  it('never shows less than the server counted', () => {
    expect(liveWaitSeconds(call, '2026-03-04T10:00:40Z', at('2026-03-04T10:00:20Z'))).toBe(40);
  });

  it('falls back to the server count plus the time since its snapshot', () => {
    expect(liveWaitSeconds({ enqueuedAt: null, waitedSeconds: 40 }, '2026-03-04T10:00:40Z', at('2026-03-04T10:00:45Z'))).toBe(45);
  });

  it('counts an estimate down and holds it at zero', () => {
    expect(remainingEstimate(120, '2026-03-04T10:00:00Z', at('2026-03-04T10:00:30Z'))).toBe(90);
    expect(remainingEstimate(20, '2026-03-04T10:00:00Z', at('2026-03-04T10:05:00Z'))).toBe(0);
  });

  it('marks waits against the service-level threshold', () => {
    expect(waitTone(5, 20)).toBe('ok');
    expect(waitTone(15, 20)).toBe('warn');
    expect(waitTone(20, 20)).toBe('late');
  });
});

describe('the server clock', () => {
  it('runs on the local clock until a server time shows it is ahead', () => {
    const clock = new ServerClock();
    expect(clock.now(1_000)).toBe(1_000);
    clock.observe(new Date(6_000).toISOString(), 2_000);
    expect(clock.now(3_000)).toBe(7_000);
    clock.observe(new Date(1_000).toISOString(), 3_000);
    expect(clock.now(3_000)).toBe(7_000);
  });

  it('follows a server running faster than real time once synchronised', () => {
    const clock = new ServerClock();
    clock.sync(new Date(100_000).toISOString(), 10_000, 4);
    expect(clock.now(11_000)).toBe(104_000);
    clock.observe(new Date(110_000).toISOString(), 11_000);
    expect(clock.now(12_000)).toBe(114_000);
  });
});

describe('the wrap-up countdown', () => {
  it('counts down to the deadline with the fraction used', () => {
    const c = countdown('2026-03-04T10:00:00Z', '2026-03-04T10:00:20Z', at('2026-03-04T10:00:05Z'));
    expect(c).toEqual({ secondsLeft: 15, fraction: 0.25, text: '0:15', overdue: false });
  });

  it('is overdue at the deadline', () => {
    expect(countdown('2026-03-04T10:00:00Z', '2026-03-04T10:00:20Z', at('2026-03-04T10:00:25Z'))).toMatchObject({ secondsLeft: 0, fraction: 1, overdue: true });
    expect(countdown(null, null, 0)).toBeNull();
  });
});
