import type { ReactorClock } from './clock';
import { Scheduler } from './scheduler';

describe('the scheduler', () => {
  it('fires deadlines in time order on a scaled clock, at once when already past, each id once', async () => {
    let now = 1_000_000;
    // Simulated time at 1000× real time: a 5 s deadline waits 5 real milliseconds.
    const clock: ReactorClock = { now: () => now, realDelay: (ms) => ms / 1000, observe: () => undefined };
    const fired: string[] = [];
    const scheduler = new Scheduler<string>(clock, (entry) => fired.push(entry.value));
    scheduler.add({ id: 'b', atMs: now + 5000, value: 'b' });
    scheduler.add({ id: 'a', atMs: now - 1, value: 'a' });
    scheduler.add({ id: 'c', atMs: now + 10_000, value: 'c' });
    scheduler.add({ id: 'c', atMs: now + 10_000, value: 'c-again' });
    scheduler.remove('b');
    scheduler.start();
    expect(fired).toEqual(['a']);
    now += 20_000;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fired).toEqual(['a', 'c']);
    scheduler.stop();
  });
});
