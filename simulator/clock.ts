import { Heap } from 'heap-js';
import { performance } from 'node:perf_hooks';

/**
 * The simulator's single clock. Simulated time runs `scale` times faster than real time and starts
 * equal to the wall clock when the clock is created:
 *
 *   simNow = simEpochAtStart + (realNow - realAtStart) * scale   (+ any advance())
 *
 * Every simulated duration (ring time, patience, talk time, prompt length, gather timeouts, the
 * 60 s command_id window, the 10 min recording URL lifetime) is expressed in simulated
 * milliseconds and scheduled through this clock. Transport timings (HTTP timeouts, webhook
 * retry back-off, injected network delays) are real milliseconds and do not go through it.
 */
export interface TimerHandle {
  cancel(): void;
  readonly active: boolean;
}

interface Timer {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
  fired: boolean;
}

export interface ClockSnapshot {
  scale: number;
  nowMs: number;
  now: string;
  realNowMs: number;
  /** Simulated and real epoch milliseconds of the last rebase: simNow = simBaseMs + (realNow - realBaseMs) * scale. */
  simBaseMs: number;
  realBaseMs: number;
  pendingTimers: number;
}

export class SimClock {
  private scaleFactor: number;
  private realBase: number;
  private realBaseEpoch: number;
  private simBase: number;
  /** Earliest due first; timers due at the same instant fire in the order they were set. */
  private readonly heap = new Heap<Timer>((a, b) => a.due - b.due || a.seq - b.seq);
  private live = 0;
  private seq = 0;
  private realTimer: NodeJS.Timeout | undefined;
  private realTimerDue = Number.POSITIVE_INFINITY;
  private lastMicros = 0;
  private closed = false;
  private readonly onError: (err: unknown) => void;

  constructor(options: { scale: number; startEpochMs?: number; onError?: (err: unknown) => void }) {
    assertScale(options.scale);
    this.scaleFactor = options.scale;
    this.realBase = performance.now();
    this.realBaseEpoch = Date.now();
    this.simBase = options.startEpochMs ?? this.realBaseEpoch;
    this.onError = options.onError ?? (() => undefined);
  }

  get scale(): number {
    return this.scaleFactor;
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    return this.simBase + (performance.now() - this.realBase) * this.scaleFactor;
  }

  nowDate(): Date {
    return new Date(this.now());
  }

  /** Real milliseconds that a simulated duration takes. */
  toRealMs(simMs: number): number {
    return simMs / this.scaleFactor;
  }

  toSimMs(realMs: number): number {
    return realMs * this.scaleFactor;
  }

  setScale(scale: number): void {
    assertScale(scale);
    this.rebase();
    this.scaleFactor = scale;
    this.arm();
  }

  /** Jumps simulated time forward; timers that become due fire at once, in order. */
  advance(simMs: number): void {
    if (!(simMs >= 0)) throw new RangeError('advance() takes a non-negative number of milliseconds');
    this.simBase += simMs;
    this.fire();
  }

  setTimeout(fn: () => void, simDelayMs: number): TimerHandle {
    if (this.closed) return { cancel: () => undefined, active: false };
    const timer: Timer = { due: this.now() + Math.max(0, simDelayMs), seq: this.seq++, fn, cancelled: false, fired: false };
    this.heap.push(timer);
    this.live++;
    if (timer.due < this.realTimerDue) this.arm();
    return {
      cancel: () => {
        if (timer.cancelled || timer.fired) return;
        timer.cancelled = true;
        this.live--;
        if (this.live === 0) this.disarm();
      },
      get active() {
        return !timer.cancelled && !timer.fired;
      },
    };
  }

  sleep(simMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, simMs));
  }

  /** ISO-8601 with microseconds (Telnyx style), strictly increasing across calls. */
  occurredAt(): string {
    let micros = Math.floor(this.now() * 1000);
    if (micros <= this.lastMicros) micros = this.lastMicros + 1;
    this.lastMicros = micros;
    return formatMicros(micros);
  }

  iso(ms: number = this.now()): string {
    return formatMicros(Math.floor(ms * 1000));
  }

  pendingTimers(): number {
    return this.live;
  }

  snapshot(): ClockSnapshot {
    this.rebase();
    const nowMs = this.now();
    return {
      scale: this.scaleFactor,
      nowMs,
      now: this.iso(nowMs),
      realNowMs: Date.now(),
      simBaseMs: this.simBase,
      realBaseMs: this.realBaseEpoch,
      pendingTimers: this.live,
    };
  }

  /** Cancels every pending timer; the clock schedules nothing afterwards. */
  close(): void {
    this.closed = true;
    this.cancelAll();
  }

  cancelAll(): void {
    for (const t of this.heap.toArray()) t.cancelled = true;
    this.heap.clear();
    this.live = 0;
    this.disarm();
  }

  private rebase(): void {
    const realNow = performance.now();
    this.simBase += (realNow - this.realBase) * this.scaleFactor;
    this.realBaseEpoch += realNow - this.realBase;
    this.realBase = realNow;
  }

  private arm(): void {
    this.disarm();
    this.dropCancelledHead();
    const head = this.heap.peek();
    if (!head || this.closed) return;
    const delay = Math.max(0, Math.ceil((head.due - this.now()) / this.scaleFactor));
    this.realTimerDue = head.due;
    this.realTimer = setTimeout(() => {
      this.realTimer = undefined;
      this.realTimerDue = Number.POSITIVE_INFINITY;
      this.fire();
    }, delay);
  }

  private disarm(): void {
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
    this.realTimerDue = Number.POSITIVE_INFINITY;
  }

  private fire(): void {
    for (;;) {
      this.dropCancelledHead();
      const head = this.heap.peek();
      if (!head || head.due > this.now()) break;
      this.heap.pop();
      head.fired = true;
      this.live--;
      try {
        head.fn();
      } catch (err) {
        this.onError(err);
      }
    }
    this.arm();
  }

  private dropCancelledHead(): void {
    while (this.heap.peek()?.cancelled) this.heap.pop();
  }
}

function assertScale(scale: number): void {
  if (!Number.isFinite(scale) || scale <= 0) throw new RangeError(`time scale must be a positive number, got ${String(scale)}`);
}

function formatMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const frac = String(micros % 1000).padStart(3, '0');
  return new Date(ms).toISOString().replace('Z', `${frac}Z`);
}

/**
 * What the product must do to live on the simulator's time line: divide its own real-time
 * waits by the same factor and derive "now" the same way. Constructed from GET /sim/clock.
 */
export class ScaledTime {
  constructor(
    readonly scale: number,
    private readonly simBaseMs: number = Date.now(),
    private readonly realBaseMs: number = Date.now(),
  ) {
    assertScale(scale);
  }

  static fromSnapshot(s: Pick<ClockSnapshot, 'scale' | 'simBaseMs' | 'realBaseMs'>): ScaledTime {
    return new ScaledTime(s.scale, s.simBaseMs, s.realBaseMs);
  }

  now(): number {
    return this.simBaseMs + (Date.now() - this.realBaseMs) * this.scale;
  }

  /** Real milliseconds to wait for a simulated duration (e.g. an offer timeout of 20 000 → 200 at scale 100). */
  realDelay(simMs: number): number {
    return simMs / this.scale;
  }
}
