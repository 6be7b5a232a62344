import { Heap } from 'heap-js';
import type { ReactorClock } from './clock';

export interface Scheduled<T> {
  id: string;
  /** Epoch ms on the reactor's time line. */
  atMs: number;
  value: T;
}

/** Longest real wait between looks at the clock: a simulated clock can jump (advance) or change pace. */
const MAX_REAL_WAIT_MS = 1000;

/**
 * Deadlines on the reactor's clock, earliest first. One real timer is armed for the head; a jump of the
 * simulated clock is caught within a second. Entries are keyed: adding an id twice keeps one.
 */
export class Scheduler<T> {
  private readonly heap = new Heap<Scheduled<T>>((a, b) => a.atMs - b.atMs);
  private readonly live = new Map<string, Scheduled<T>>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly clock: ReactorClock,
    private readonly onDue: (entry: Scheduled<T>) => void,
  ) {}

  add(entry: Scheduled<T>): void {
    const existing = this.live.get(entry.id);
    if (existing && existing.atMs <= entry.atMs) return;
    this.live.set(entry.id, entry);
    this.heap.push(entry);
    if (this.running && this.heap.peek() === entry) this.arm();
  }

  remove(id: string): void {
    this.live.delete(id);
  }

  has(id: string): boolean {
    return this.live.has(id);
  }

  get size(): number {
    return this.live.size;
  }

  entries(): Array<Scheduled<T>> {
    return [...this.live.values()];
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.fire();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  clear(): void {
    this.heap.clear();
    this.live.clear();
  }

  private fire(): void {
    this.timer = undefined;
    if (!this.running) return;
    const now = this.clock.now();
    for (;;) {
      const head = this.heap.peek();
      if (!head) break;
      if (this.live.get(head.id) !== head) {
        this.heap.pop();
        continue;
      }
      if (head.atMs > now) break;
      this.heap.pop();
      this.live.delete(head.id);
      this.onDue(head);
    }
    this.arm();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running) return;
    let head = this.heap.peek();
    while (head && this.live.get(head.id) !== head) {
      this.heap.pop();
      head = this.heap.peek();
    }
    if (!head) return;
    const wait = Math.min(MAX_REAL_WAIT_MS, Math.max(0, Math.ceil(this.clock.realDelay(head.atMs - this.clock.now()))));
    this.timer = setTimeout(() => this.fire(), wait);
    this.timer.unref();
  }
}
