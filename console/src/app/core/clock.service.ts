import { Injectable, effect, inject, signal } from '@angular/core';
import { RuntimeConfigService } from './runtime-config';
import { ServerClock } from './server-clock';

/**
 * One ticking clock for every live counter on screen (waits, times in state, countdowns), so they
 * all move together once a second instead of each view running its own timer.
 */
@Injectable({ providedIn: 'root' })
export class ClockService {
  private readonly server = new ServerClock();
  private readonly tick = signal(Date.now());
  private readonly localTick = signal(Date.now());
  /** The server's now in ms, updated every second. */
  readonly now = this.tick.asReadonly();
  /** This browser's now in ms, updated with `now` (for times the browser itself measured). */
  readonly local = this.localTick.asReadonly();

  constructor() {
    const runtime = inject(RuntimeConfigService);
    effect(() => {
      const clock = runtime.config().clock;
      if (clock) this.server.sync(clock.now, clock.receivedAt, clock.scale);
    });
    this.align();
  }

  /** A server timestamp just received (keeps the clock from running behind the server's). */
  observe(serverTimeIso: string | null | undefined): void {
    this.server.observe(serverTimeIso, Date.now());
    this.tick.set(this.server.now(Date.now()));
  }

  /** The server's now, in ms, this instant. */
  current(): number {
    return this.server.now(Date.now());
  }

  private align(): void {
    // Tick just after each local second so all counters change at the same moment.
    setTimeout(() => {
      this.localTick.set(Date.now());
      this.tick.set(this.server.now(Date.now()));
      this.align();
    }, 1000 - (Date.now() % 1000) + 5);
  }
}
