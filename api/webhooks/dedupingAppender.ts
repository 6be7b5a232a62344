import { WrongExpectedVersionError } from '../core/errors';
import type { EventData, EventStore, ExpectedRevision, RecordedEvent } from '../infrastructure/eventStore/eventStore';

/**
 * Appends events to a stream at most once per dedupe key, where the set of keys already written
 * lives in the stream itself: read the stream, skip keys already there, append with the revision
 * read as the expected revision, and on a conflict read what was added meanwhile and try again.
 *
 * Two things keep this cheap on the hot path:
 * - an LRU cache of (stream → revision, keys). A cached entry is only trusted through the expected
 *   revision of the next append, so a stale entry costs one conflict and one incremental read;
 * - per-stream queues: concurrent submissions for one stream inside this process never race each
 *   other into conflicts; whatever piles up while an append is in flight goes out as one append.
 *
 * An outcome resolves only after the append carrying its event resolved, and a duplicate found in
 * the same batch resolves with that batch, so nothing is acknowledged before it is durable.
 */

export interface DedupeSubmission {
  dedupeKey: string;
  event: EventData;
}

export type DedupeOutcome =
  | { status: 'appended'; revision: bigint; /** Position of the last event of the append that carried it. */ position: bigint }
  | { status: 'duplicate' };

export interface DedupingAppenderOptions {
  eventStore: EventStore;
  /** The dedupe key a recorded event carries, if any. */
  dedupeKeyOf: (event: RecordedEvent) => string | undefined;
  /** `dedupeKeyOf` reads only ids and types: streams are read without event data where the store can. */
  keysFromHeaders?: boolean;
  /** Streams whose keys are kept in memory. */
  cacheStreams?: number;
  /** Appends tried per batch before giving up with the last conflict. */
  maxAttempts?: number;
  maxBatch?: number;
}

export interface DedupingAppenderCounters {
  conflicts: number;
  streamReads: number;
  cacheHits: number;
  cacheMisses: number;
  appends: number;
}

interface StreamState {
  revision: bigint | 'no_stream';
  /** Keys known durable in the stream. */
  keys: Set<string>;
  /** An append failed without telling whether it wrote: the revision must be read again. */
  uncertain?: boolean;
}

interface Pending {
  submission: DedupeSubmission;
  resolve: (outcome: DedupeOutcome) => void;
  reject: (error: unknown) => void;
}

export class DedupingAppender {
  private readonly store: EventStore;
  private readonly dedupeKeyOf: (event: RecordedEvent) => string | undefined;
  private readonly headersOnly: boolean;
  private readonly cacheStreams: number;
  private readonly maxAttempts: number;
  private readonly maxBatch: number;
  private readonly cache = new Map<string, StreamState>();
  private readonly queues = new Map<string, Pending[]>();
  readonly counters: DedupingAppenderCounters = { conflicts: 0, streamReads: 0, cacheHits: 0, cacheMisses: 0, appends: 0 };

  constructor(options: DedupingAppenderOptions) {
    this.store = options.eventStore;
    this.dedupeKeyOf = options.dedupeKeyOf;
    this.headersOnly = options.keysFromHeaders ?? false;
    this.cacheStreams = options.cacheStreams ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.maxBatch = options.maxBatch ?? 64;
  }

  submit(streamId: string, submission: DedupeSubmission): Promise<DedupeOutcome> {
    return new Promise<DedupeOutcome>((resolve, reject) => {
      const pending: Pending = { submission, resolve, reject };
      const queue = this.queues.get(streamId);
      if (queue) {
        queue.push(pending);
        return;
      }
      this.queues.set(streamId, [pending]);
      void this.drain(streamId);
    });
  }

  /** Forgets every cached stream (the next append to each reads it again). */
  clearCache(): void {
    this.cache.clear();
  }

  get cachedStreams(): number {
    return this.cache.size;
  }

  private async drain(streamId: string): Promise<void> {
    const queue = this.queues.get(streamId);
    if (!queue) return;
    while (queue.length > 0) {
      await this.writeBatch(streamId, queue.splice(0, this.maxBatch));
    }
    this.queues.delete(streamId);
  }

  /** Settles every pending submission of the batch; never throws. */
  private async writeBatch(streamId: string, batch: Pending[]): Promise<void> {
    let known: StreamState | undefined;
    for (let attempt = 1; ; attempt += 1) {
      let state: StreamState;
      try {
        state = await this.stateOf(streamId, known);
      } catch (error) {
        // The store cannot be read: what is known durable is still answered as a duplicate.
        const durable = this.cache.get(streamId);
        if (durable) durable.uncertain = true;
        for (const pending of batch) {
          if (durable?.keys.has(pending.submission.dedupeKey)) pending.resolve({ status: 'duplicate' });
          else pending.reject(error);
        }
        return;
      }

      const fresh: Pending[] = [];
      const duplicates: Pending[] = [];
      const batchKeys = new Set<string>();
      for (const pending of batch) {
        const key = pending.submission.dedupeKey;
        if (state.keys.has(key) || batchKeys.has(key)) {
          duplicates.push(pending);
        } else {
          batchKeys.add(key);
          fresh.push(pending);
        }
      }
      if (fresh.length === 0) {
        for (const pending of duplicates) pending.resolve({ status: 'duplicate' });
        return;
      }

      try {
        const expectedRevision: ExpectedRevision = state.revision;
        const result = await this.store.append(
          streamId,
          fresh.map((pending) => pending.submission.event),
          { expectedRevision },
        );
        this.counters.appends += 1;
        for (const key of batchKeys) state.keys.add(key);
        state.revision = result.nextExpectedRevision;
        state.uncertain = false;
        this.remember(streamId, state);
        const first = result.nextExpectedRevision - BigInt(fresh.length - 1);
        fresh.forEach((pending, index) => pending.resolve({ status: 'appended', revision: first + BigInt(index), position: result.position }));
        for (const pending of duplicates) pending.resolve({ status: 'duplicate' });
        return;
      } catch (error) {
        if (error instanceof WrongExpectedVersionError && attempt < this.maxAttempts) {
          this.counters.conflicts += 1;
          known = state;
          continue;
        }
        // Whether a failed append wrote anything is unknown to us: the next append reads what is
        // really there. The keys known before it stay known, so their redeliveries are duplicates.
        state.uncertain = true;
        this.remember(streamId, state);
        for (const pending of fresh) pending.reject(error);
        for (const pending of duplicates) pending.resolve({ status: 'duplicate' });
        return;
      }
    }
  }

  /** The cached state, or the stream read in full; `stale` is a state a conflict proved out of date. */
  private async stateOf(streamId: string, stale?: StreamState): Promise<StreamState> {
    if (stale) {
      if (stale.revision !== 'no_stream') {
        const newer = await this.read(streamId, stale.revision + 1n);
        if (newer.length > 0) {
          this.absorb(stale, newer);
          return stale;
        }
      }
      return this.readWhole(streamId);
    }
    const cached = this.cache.get(streamId);
    if (cached?.uncertain) {
      this.counters.cacheMisses += 1;
      const read = await this.readWhole(streamId);
      for (const key of cached.keys) read.keys.add(key);
      return read;
    }
    if (cached) {
      this.counters.cacheHits += 1;
      // Refresh its place in the LRU order.
      this.cache.delete(streamId);
      this.cache.set(streamId, cached);
      return cached;
    }
    this.counters.cacheMisses += 1;
    return this.readWhole(streamId);
  }

  private async readWhole(streamId: string): Promise<StreamState> {
    const state: StreamState = { revision: 'no_stream', keys: new Set() };
    this.absorb(state, await this.read(streamId));
    return state;
  }

  private read(streamId: string, fromRevision?: bigint): Promise<RecordedEvent[]> {
    this.counters.streamReads += 1;
    return this.store.readStream(streamId, { ...(fromRevision === undefined ? {} : { fromRevision }), ...(this.headersOnly ? { headersOnly: true } : {}) });
  }

  private absorb(state: StreamState, events: readonly RecordedEvent[]): void {
    for (const event of events) {
      const key = this.dedupeKeyOf(event);
      if (key !== undefined) state.keys.add(key);
      state.revision = event.revision;
    }
  }

  private remember(streamId: string, state: StreamState): void {
    this.cache.delete(streamId);
    this.cache.set(streamId, state);
    while (this.cache.size > this.cacheStreams) {
      const oldest = this.cache.keys().next();
      if (oldest.done) break;
      this.cache.delete(oldest.value);
    }
  }
}
