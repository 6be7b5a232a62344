/**
 * The event store port. Everything callstream knows is appended here first; every other store is
 * derived from it. Semantics follow EventStoreDB/KurrentDB so that the embedded SQLite adapter and
 * the EventStoreDB adapter are interchangeable (and proven so by test/contracts/eventStore).
 *
 * - Stream revisions start at 0. A stream that does not exist has no revision ('no_stream').
 * - The global position is a strictly increasing bigint across all streams ($all order).
 * - Positions given to readAll/subscribeToAll are EXCLUSIVE: you get events after them.
 */

export type ExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | bigint;

export const START = 'start' as const;
export const END = 'end' as const;

export interface EventMetadata {
  /** The call, agent or request the event belongs to. */
  correlationId?: string;
  /** The event or request that caused this event. */
  causationId?: string;
  /** Who did it: a user id, 'telnyx', 'reactor', 'system'. */
  actor?: string;
  /** The GraphQL or HTTP request id, when the event comes from a request. */
  requestId?: string;
  [key: string]: unknown;
}

/** An event to append. `id` is a UUID; give a deterministic one to make a retried append a no-op. */
export interface EventData<Type extends string = string, Data = unknown> {
  id: string;
  type: Type;
  data: Data;
  metadata?: EventMetadata;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> {
  id: string;
  streamId: string;
  type: Type;
  revision: bigint;
  position: bigint;
  data: Data;
  metadata: EventMetadata;
  /** When the store committed the event (store clock; domain time is in data.occurredAt). */
  recordedAt: Date;
}

export interface AppendResult {
  /** The revision of the last event now in the stream: pass it as the next expected revision. */
  nextExpectedRevision: bigint;
  /** The global position of the last event of this append. */
  position: bigint;
}

export interface AppendOptions {
  /** Defaults to 'any' (no check): decider writes must always pass an expectation. */
  expectedRevision?: ExpectedRevision;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  direction?: Direction;
  /** Inclusive. 'start' (default forwards) or 'end' (default backwards) or a revision. */
  fromRevision?: typeof START | typeof END | bigint;
  maxCount?: number;
  /**
   * Only ids, types, revisions, positions and times are needed: an adapter may leave `data` null and
   * `metadata` empty (the embedded one does, reading a fraction of the bytes); others return them.
   */
  headersOnly?: boolean;
}

/** How many events one readAll page holds when the caller does not say. */
export const DEFAULT_READ_ALL_MAX_COUNT = 1000;

export interface ReadAllOptions {
  direction?: Direction;
  /** Exclusive. 'start' (default forwards) or 'end' (default backwards) or a position. */
  fromPosition?: typeof START | typeof END | bigint;
  /** Events returned (after filtering); defaults to DEFAULT_READ_ALL_MAX_COUNT. */
  maxCount?: number;
  filter?: EventFilter;
}

/** Matches an event when its stream id starts with one of `streamPrefixes` (if given) AND its type starts with one of `eventTypePrefixes` (if given). */
export interface EventFilter {
  streamPrefixes?: string[];
  eventTypePrefixes?: string[];
}

export interface SubscribeOptions {
  /** Exclusive start: 'start' replays everything, a position resumes after it, 'end' only live events. */
  fromPosition?: typeof START | typeof END | bigint;
  filter?: EventFilter;
}

/**
 * A catch-up subscription: reads history from the position, then tails live appends, in $all order.
 * It is pulled with `for await` (backpressure: the adapter reads no further than the consumer asks).
 * Breaking out of the loop or calling close() ends it.
 */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  /** True once the subscription has delivered everything that was in the store when it caught up. */
  readonly isCaughtUp: boolean;
  close(): Promise<void>;
}

export interface EventStore {
  append(streamId: string, events: EventData[], options?: AppendOptions): Promise<AppendResult>;
  /** Reads a stream; a missing stream reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The current revision of a stream, or 'no_stream'. */
  streamRevision(streamId: string): Promise<bigint | 'no_stream'>;
  /** Reads one page of $all. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** The position of the last event in the store, or -1n when the store is empty. */
  headPosition(): Promise<bigint>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  close(): Promise<void>;
}

export const matchesFilter = (filter: EventFilter | undefined, streamId: string, type: string): boolean => {
  if (!filter) return true;
  if (filter.streamPrefixes && filter.streamPrefixes.length > 0 && !filter.streamPrefixes.some((p) => streamId.startsWith(p))) return false;
  if (filter.eventTypePrefixes && filter.eventTypePrefixes.length > 0 && !filter.eventTypePrefixes.some((p) => type.startsWith(p))) return false;
  return true;
};
