import type { SimClock, TimerHandle } from '../clock';

/** The timers one simulated party owns, so it can drop them all when its call ends. */
export class TimerBag {
  private readonly handles = new Set<TimerHandle>();

  constructor(private readonly clock: SimClock) {}

  after(simMs: number, fn: () => void): TimerHandle {
    const handle = this.clock.setTimeout(() => {
      this.handles.delete(handle);
      fn();
    }, simMs);
    this.handles.add(handle);
    return handle;
  }

  cancel(handle: TimerHandle | undefined): void {
    if (!handle) return;
    handle.cancel();
    this.handles.delete(handle);
  }

  clear(): void {
    for (const h of this.handles) h.cancel();
    this.handles.clear();
  }

  get size(): number {
    return this.handles.size;
  }
}

/** Says each line in turn, one every `everyMs`, while `alive()` holds. */
export function speakLines(bag: TimerBag, lines: readonly string[], everyMs: number, say: (line: string) => boolean): void {
  let index = 0;
  const next = (): void => {
    if (index >= lines.length) return;
    const line = lines[index++]!;
    say(line);
    bag.after(Math.max(1, everyMs), next);
  };
  if (lines.length > 0) bag.after(Math.max(1, everyMs), next);
}
