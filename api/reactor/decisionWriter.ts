import { eventIdAt, type DomainEvent } from '../core/decider';
import { WrongExpectedVersionError } from '../core/errors';
import { START, type EventMetadata, type EventStore } from '../infrastructure/eventStore/eventStore';
import { KeyedQueue } from './keyedQueue';

/** How a stream's events fold into its state (the evolve half of a decider). */
export interface StreamFold<S, E> {
  evolve(state: S, event: E): S;
  initialState(): S;
}

/** An event of a stream as the writer saw it: read from the tail, or just appended by itself. */
export interface StreamEvent {
  revision: bigint;
  type: string;
  data: unknown;
}

export interface Decided<S, E> {
  events: E[];
  state: S;
  revision: bigint | 'no_stream';
  /** Global position of the last appended event (undefined when nothing was appended). */
  position?: bigint;
}

interface Entry {
  state: unknown;
  revision: bigint | 'no_stream';
  fold?: StreamFold<unknown, unknown>;
}

export interface DecisionWriterOptions {
  /** Streams whose folded state is kept between decisions. */
  capacity?: number;
  /** Re-decisions after a concurrency conflict. */
  maxRetries?: number;
  /** Every event of a stream the writer folds, in stream order: tails it read and events it appended. */
  onEvents?: (streamId: string, events: readonly StreamEvent[]) => void;
}

/**
 * The reactor's command handler: read → fold → decide → append with the revision read, like
 * `CommandHandler`, but it keeps each stream's folded state and reads only the events appended since
 * (by the webhook intake or the API), and runs one decision at a time per stream. A stale state costs
 * one conflict and one more tail read, never a wrong decision: the append carries the expected revision.
 */
export class DecisionWriter {
  private readonly queue = new KeyedQueue();
  private readonly cache = new Map<string, Entry>();
  private readonly capacity: number;
  private readonly maxRetries: number;
  private readonly onEvents: (streamId: string, events: readonly StreamEvent[]) => void;
  readonly counters = { decisions: 0, appends: 0, conflicts: 0, tailReads: 0, fullReads: 0 };

  constructor(
    private readonly store: EventStore,
    options: DecisionWriterOptions = {},
  ) {
    this.capacity = options.capacity ?? 20_000;
    this.maxRetries = options.maxRetries ?? 10;
    this.onEvents = options.onEvents ?? (() => undefined);
  }

  /** Decides on the stream's latest state and appends what was decided (nothing when the decision is empty). */
  handle<S, E extends DomainEvent>(fold: StreamFold<S, E>, streamId: string, decide: (state: S, revision: bigint | 'no_stream') => E[], metadata: EventMetadata): Promise<Decided<S, E>> {
    return this.queue.run(streamId, () => this.decideAndAppend(fold, streamId, (state, revision) => decide(state, revision).map((event) => ({ event, metadata }))));
  }

  /**
   * Several decisions on one stream in one append: each decided on the state the previous ones left, each
   * event with its own decision's metadata. Used for records that pile up (command outcomes), so they do
   * not queue one append each in front of the stream's next decision.
   */
  handleBatch<S, E extends DomainEvent>(
    fold: StreamFold<S, E>,
    streamId: string,
    items: ReadonlyArray<{ decide: (state: S) => E[]; metadata: EventMetadata }>,
  ): Promise<Decided<S, E>> {
    return this.queue.run(streamId, () =>
      this.decideAndAppend(fold, streamId, (state) => {
        const out: Array<{ event: E; metadata: EventMetadata }> = [];
        let current = state;
        for (const item of items) {
          let decided: E[] = [];
          try {
            decided = item.decide(current);
          } catch {
            // A refused item (e.g. the outcome of a call that is gone) does not sink the others.
            decided = [];
          }
          for (const event of decided) {
            out.push({ event, metadata: item.metadata });
            current = fold.evolve(current, event);
          }
        }
        return out;
      }),
    );
  }

  /** The stream's latest state, after any decision queued before this read. */
  read<S, E extends DomainEvent>(fold: StreamFold<S, E>, streamId: string): Promise<{ state: S; revision: bigint | 'no_stream' }> {
    return this.queue.run(streamId, async () => {
      const entry = await this.refresh(fold, streamId, this.entryOf(fold, streamId));
      this.remember(streamId, entry);
      return { state: entry.state as S, revision: entry.revision };
    });
  }

  /**
   * An event of a stream seen elsewhere (the reactor's subscription): folded into the kept state when it is
   * the very next revision, which saves the next decision on that stream from reading it again.
   */
  observe(streamId: string, revision: bigint, event: { type: string; data: unknown }): void {
    const entry = this.cache.get(streamId);
    if (!entry?.fold) return;
    const expected = entry.revision === 'no_stream' ? 0n : entry.revision + 1n;
    if (revision !== expected) return;
    this.cache.set(streamId, { state: entry.fold.evolve(entry.state, event), revision, fold: entry.fold });
  }

  forget(streamId: string): void {
    this.cache.delete(streamId);
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private entryOf<S, E>(fold: StreamFold<S, E>, streamId: string): Entry {
    return this.cache.get(streamId) ?? { state: fold.initialState(), revision: 'no_stream' };
  }

  private async decideAndAppend<S, E extends DomainEvent>(
    fold: StreamFold<S, E>,
    streamId: string,
    decideWithMetadata: (state: S, revision: bigint | 'no_stream') => Array<{ event: E; metadata: EventMetadata }>,
  ): Promise<Decided<S, E>> {
    this.counters.decisions += 1;
    const cached = this.cache.get(streamId);
    let entry = this.entryOf(fold, streamId);
    for (let attempt = 0; ; attempt++) {
      // A kept state is usually current (the reactor's subscription feeds it through observe()): decide on it
      // at once; the append's expected revision says when it was stale. A decision that appends nothing (or
      // refuses) proves nothing about staleness, so it is taken only on a state just read.
      const optimistic = attempt === 0 && cached !== undefined;
      if (!optimistic) {
        entry = await this.refresh(fold, streamId, entry);
        this.remember(streamId, entry);
      }
      const state = entry.state as S;
      let decided: Array<{ event: E; metadata: EventMetadata }>;
      try {
        decided = decideWithMetadata(state, entry.revision);
      } catch (error) {
        if (optimistic) continue;
        throw error;
      }
      const events = decided.map((d) => d.event);
      if (events.length === 0) {
        if (optimistic) continue;
        return { events, state, revision: entry.revision };
      }
      const first = entry.revision === 'no_stream' ? 0n : entry.revision + 1n;
      const data = decided.map(({ event, metadata }, i) => ({ id: eventIdAt(streamId, first + BigInt(i), event), type: event.type, data: event.data, metadata }));
      let result;
      try {
        result = await this.store.append(streamId, data, { expectedRevision: entry.revision });
      } catch (error) {
        if (error instanceof WrongExpectedVersionError && attempt < this.maxRetries) {
          if (!optimistic) this.counters.conflicts += 1;
          continue;
        }
        // Whether a failed append was written is unknown: read the stream again next time.
        this.cache.delete(streamId);
        throw error;
      }
      this.counters.appends += 1;
      const next: Entry = { state: events.reduce((s, e) => fold.evolve(s, e), state), revision: result.nextExpectedRevision, fold: fold as StreamFold<unknown, unknown> };
      this.remember(streamId, next);
      this.onEvents(
        streamId,
        events.map((event, i) => ({ revision: first + BigInt(i), type: event.type, data: event.data })),
      );
      return { events, state: next.state as S, revision: next.revision, position: result.position };
    }
  }

  private async refresh<S, E>(fold: StreamFold<S, E>, streamId: string, entry: Entry): Promise<Entry> {
    const from = entry.revision === 'no_stream' ? START : entry.revision + 1n;
    if (from === START) this.counters.fullReads += 1;
    else this.counters.tailReads += 1;
    const tail = await this.store.readStream(streamId, { fromRevision: from });
    if (tail.length === 0) return entry.fold ? entry : { ...entry, fold: fold as StreamFold<unknown, unknown> };
    let state = entry.state as S;
    for (const recorded of tail) state = fold.evolve(state, { type: recorded.type, data: recorded.data } as E);
    this.onEvents(streamId, tail);
    return { state, revision: tail[tail.length - 1].revision, fold: fold as StreamFold<unknown, unknown> };
  }

  private remember(streamId: string, entry: Entry): void {
    this.cache.delete(streamId);
    this.cache.set(streamId, entry);
    if (this.cache.size > this.capacity) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
  }
}
