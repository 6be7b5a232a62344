/** Telnyx-managed FIFO queues: who waits, in order, and the wait times of those who left. */
export interface QueueRecord {
  id: string;
  name: string;
  maxSize: number;
  createdAt: number;
  updatedAt: number;
  /** call_control_ids, head first. */
  members: string[];
  totalWaitMs: number;
  departures: number;
}

export class QueueStore {
  private readonly queues = new Map<string, QueueRecord>();

  constructor(private readonly newId: () => string) {}

  get(name: string): QueueRecord | undefined {
    return this.queues.get(name);
  }

  list(): QueueRecord[] {
    return [...this.queues.values()];
  }

  ensure(name: string, maxSize: number | undefined, now: number): QueueRecord {
    let q = this.queues.get(name);
    if (!q) {
      q = { id: this.newId(), name, maxSize: maxSize ?? 100, createdAt: now, updatedAt: now, members: [], totalWaitMs: 0, departures: 0 };
      this.queues.set(name, q);
    }
    return q;
  }

  /** 1-based position, or 0 when not queued. */
  position(name: string, callControlId: string): number {
    const q = this.queues.get(name);
    return q ? q.members.indexOf(callControlId) + 1 : 0;
  }

  add(q: QueueRecord, callControlId: string, now: number): number {
    q.members.push(callControlId);
    q.updatedAt = now;
    return q.members.length;
  }

  remove(name: string, callControlId: string, waitedMs: number, now: number): number {
    const q = this.queues.get(name);
    if (!q) return 0;
    const index = q.members.indexOf(callControlId);
    if (index < 0) return 0;
    q.members.splice(index, 1);
    q.totalWaitMs += waitedMs;
    q.departures++;
    q.updatedAt = now;
    return index + 1;
  }

  averageWaitSecs(name: string): number {
    const q = this.queues.get(name);
    if (!q || q.departures === 0) return 0;
    return Math.round(q.totalWaitMs / q.departures / 1000);
  }

  clear(): void {
    this.queues.clear();
  }
}
