interface Slot {
  position: bigint;
  open: number;
}

/**
 * Which delivered events have had all their work done. Work runs concurrently (calls in parallel), so the
 * checkpoint is the last position before the oldest event still being worked on: after a crash the
 * reactor resumes there and redoes, idempotently, whatever had not finished.
 */
export class Progress {
  private slots: Slot[] = [];
  private head = 0;
  private done: bigint;
  private openWork = 0;

  constructor(start: bigint) {
    this.done = start;
  }

  /** Registers a delivered event; returns a handle to attach its work to. */
  delivered(position: bigint): Slot {
    const slot = { position, open: 0 };
    this.slots.push(slot);
    return slot;
  }

  track(slot: Slot, work: Promise<unknown>): void {
    slot.open += 1;
    this.openWork += 1;
    void work.then(
      () => this.close(slot),
      () => this.close(slot),
    );
  }

  /** Work in flight, across all events. */
  get inFlight(): number {
    return this.openWork;
  }

  /** The position to resume after: every event up to it has been handled. */
  checkpoint(): bigint {
    while (this.head < this.slots.length && this.slots[this.head].open === 0) {
      this.done = this.slots[this.head].position;
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.slots.length) {
      this.slots = this.slots.slice(this.head);
      this.head = 0;
    }
    return this.done;
  }

  private close(slot: Slot): void {
    slot.open -= 1;
    this.openWork -= 1;
  }
}
