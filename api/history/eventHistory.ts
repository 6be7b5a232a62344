import { ValidationError } from '../core/errors';
import { END, START, type EventFilter, type EventStore, type RecordedEvent } from '../infrastructure/eventStore/eventStore';

export interface EventQuery {
  streamId?: string;
  streamPrefix?: string;
  types?: string[];
  from?: Date;
  to?: Date;
  /** Inclusive. */
  fromPosition?: bigint;
  /** Inclusive. */
  toPosition?: bigint;
  newestFirst?: boolean;
}

export interface EventPageResult {
  events: RecordedEvent[];
  /** The last position looked at: pass it as `after` to go on (exclusive). */
  endCursor: bigint | null;
  hasNextPage: boolean;
}

/** Events looked at per request at most: a narrow filter over a long history pages on instead of scanning it all at once. */
export const SCAN_LIMIT = 20_000;
const BATCH = 500;

export const parsePosition = (value: string | null | undefined, what: string): bigint | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  if (!/^[0-9]{1,20}$/.test(value)) throw new ValidationError(`${what} is a decimal event-store position`);
  return BigInt(value);
};

const storeFilter = (query: EventQuery): EventFilter | undefined => {
  const streamPrefixes = query.streamId !== undefined ? [query.streamId] : query.streamPrefix !== undefined ? [query.streamPrefix] : undefined;
  const eventTypePrefixes = query.types && query.types.length > 0 ? query.types : undefined;
  if (!streamPrefixes && !eventTypePrefixes) return undefined;
  return { ...(streamPrefixes ? { streamPrefixes } : {}), ...(eventTypePrefixes ? { eventTypePrefixes } : {}) };
};

/** The store filters by prefix; these are the exact conditions on top of it. */
const matches = (query: EventQuery, event: RecordedEvent): boolean =>
  (query.streamId === undefined || event.streamId === query.streamId) &&
  (query.streamPrefix === undefined || event.streamId.startsWith(query.streamPrefix)) &&
  (!query.types || query.types.length === 0 || query.types.includes(event.type)) &&
  (query.from === undefined || event.recordedAt >= query.from) &&
  (query.to === undefined || event.recordedAt < query.to);

/** Past the end of the range in the reading direction: nothing further can match. */
const beyond = (query: EventQuery, event: RecordedEvent): boolean =>
  query.newestFirst
    ? (query.fromPosition !== undefined && event.position < query.fromPosition) || (query.from !== undefined && event.recordedAt < query.from)
    : (query.toPosition !== undefined && event.position > query.toPosition) || (query.to !== undefined && event.recordedAt >= query.to);

/** Whether the rest of a batch (or the batches after it) may hold another match. */
const moreIn = (query: EventQuery, batch: readonly RecordedEvent[], from: number): boolean => {
  for (let i = from; i < batch.length; i++) {
    if (beyond(query, batch[i])) return false;
    if (matches(query, batch[i])) return true;
  }
  return batch.length === BATCH;
};

/**
 * One page of the raw history ($all order, or newest first), filtered by stream, type, time and position
 * range. `after` is the exclusive cursor of the previous page.
 */
export const readEventPage = async (eventStore: EventStore, query: EventQuery, first: number, after?: bigint): Promise<EventPageResult> => {
  if (query.streamId !== undefined && query.streamPrefix !== undefined) throw new ValidationError('Give streamId or streamPrefix, not both');
  const direction = query.newestFirst ? 'backwards' : 'forwards';
  let cursor: bigint | typeof START | typeof END;
  if (after !== undefined) cursor = after;
  else if (query.newestFirst) cursor = query.toPosition !== undefined ? query.toPosition + 1n : END;
  else cursor = query.fromPosition !== undefined && query.fromPosition > 0n ? query.fromPosition - 1n : START;
  const filter = storeFilter(query);
  const events: RecordedEvent[] = [];
  let scanned = 0;
  let lastSeen: bigint | null = null;
  for (;;) {
    const batch = await eventStore.readAll({ direction, fromPosition: cursor, maxCount: BATCH, ...(filter ? { filter } : {}) });
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i];
      if (beyond(query, event)) return { events, endCursor: lastSeen, hasNextPage: false };
      lastSeen = event.position;
      scanned++;
      if (matches(query, event)) {
        events.push(event);
        if (events.length === first) return { events, endCursor: lastSeen, hasNextPage: moreIn(query, batch, i + 1) };
      }
    }
    if (batch.length < BATCH) return { events, endCursor: lastSeen, hasNextPage: false };
    cursor = batch[batch.length - 1].position;
    if (scanned >= SCAN_LIMIT) return { events, endCursor: lastSeen, hasNextPage: true };
  }
};
