import { performance } from 'node:perf_hooks';

/**
 * The reactor's "now". Against Telnyx it is the wall clock; against the simulator it is the simulated
 * clock, which runs `scale` times faster: timers set at simulated instants wait `simMs / scale` real ms,
 * and commands are decided at simulated times comparable with the webhooks' `occurred_at`.
 */
export interface ReactorClock {
  /** Epoch milliseconds on the telephony time line (simulated or real). */
  now(): number;
  /** Real milliseconds that `simMs` of that time line take. */
  realDelay(simMs: number): number;
  /** A webhook says the time line is at least at `iso`: a clock that only estimates it moves forward. */
  observe(iso: string): void;
}

export const nowIso = (clock: ReactorClock): string => new Date(clock.now()).toISOString();

/** Telnyx: real time. Webhook timestamps come from Telnyx's clocks and are not trusted to move ours. */
export const systemClock = (): ReactorClock => ({
  now: () => Date.now(),
  realDelay: (ms) => ms,
  observe: () => undefined,
});

export interface ClockAnchor {
  /** Simulated epoch ms at the real instant `realBaseMs`. */
  simBaseMs: number;
  realBaseMs: number;
}

/**
 * A simulator in another process: simulated now = simBase + (real now − realBase) × scale. The anchor
 * comes from the simulator's `GET /sim/clock` when reachable; without it the clock starts at the wall
 * clock and is pulled forward by every later `occurred_at` it observes, so it is never behind what it
 * has seen (a jump made with the simulator's clock advance is followed the same way).
 */
export const scaledClock = (scale: number, anchor?: ClockAnchor): ReactorClock => {
  if (!(scale > 0)) throw new RangeError(`time scale must be positive, got ${scale}`);
  const realAtStart = Date.now();
  const perfAtStart = performance.now();
  const simAtStart = anchor ? anchor.simBaseMs + (realAtStart - anchor.realBaseMs) * scale : realAtStart;
  let offset = 0;
  const now = (): number => simAtStart + (performance.now() - perfAtStart) * scale + offset;
  return {
    now,
    realDelay: (ms) => ms / scale,
    observe: (iso) => {
      const seen = Date.parse(iso);
      const current = now();
      if (Number.isFinite(seen) && seen > current) offset += seen - current;
    },
  };
};

/** The simulator in this process: its own clock, exactly (advance() and setScale() included). */
export const inProcessSimulatorClock = (simClock: { now(): number; toRealMs(simMs: number): number }): ReactorClock => ({
  now: () => simClock.now(),
  realDelay: (ms) => simClock.toRealMs(ms),
  observe: () => undefined,
});
