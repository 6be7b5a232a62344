import {
  ANY,
  BACKWARDS,
  END as ESDB_END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START as ESDB_START,
  STREAM_EXISTS,
  ErrorType,
  eventTypeFilter,
  excludeSystemEvents,
  isCommandError,
  jsonEvent,
  streamNameFilter,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type Filter,
  type JSONType,
  type ReadPosition,
  type ReadRevision,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { CallstreamError, UnavailableError, ValidationError, WrongExpectedVersionError } from '../../../core/errors';
import { rootLogger, type Logger } from '../../../core/logger';
import {
  DEFAULT_READ_ALL_MAX_COUNT,
  END,
  START,
  matchesFilter,
  type AppendOptions,
  type AppendResult,
  type EventData,
  type EventFilter,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../eventStore';
import { stringifyJson, validateAppend } from '../serialization';

/**
 * The production event store on EventStoreDB/KurrentDB (`@eventstore/db-client`).
 *
 * - Our position is the event's `commit` position; `{commit, prepare}` is rebuilt from it (they are
 *   equal for events written over gRPC).
 * - System events (types starting with '$') are never returned by readAll, headPosition or
 *   subscribeToAll.
 * - Driver errors are mapped here: WrongExpectedVersion → ours; gRPC UNAVAILABLE (14) / DEADLINE_EXCEEDED
 *   (4), which a down server raises as plain errors, and the client's unavailable, deadline, timeout,
 *   not-leader and cancelled errors → UnavailableError.
 * - Event ids make the retry of the same append a no-op; an id reused elsewhere is written again (or
 *   fails the expected-revision check). The embedded store does the same.
 */

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;
const UNAVAILABLE_TYPES = new Set<string>([ErrorType.UNAVAILABLE, ErrorType.DEADLINE_EXCEEDED, ErrorType.TIMEOUT, ErrorType.NOT_LEADER, ErrorType.CANCELLED]);

const toPosition = (position: bigint): { commit: bigint; prepare: bigint } => ({ commit: position, prepare: position });

const isSystemType = (type: string): boolean => type.startsWith('$');

export const mapEventStoreDbError = (err: unknown, streamId?: string): unknown => {
  if (err instanceof CallstreamError) return err;
  if (!(err instanceof Error)) return err;
  if (isCommandError(err)) {
    if (err.type === ErrorType.WRONG_EXPECTED_VERSION) {
      return new WrongExpectedVersionError(err.streamName ?? streamId ?? '', err.expectedVersion, err.actualVersion);
    }
    if (UNAVAILABLE_TYPES.has(err.type)) return new UnavailableError(`EventStoreDB unavailable (${err.type}): ${err.message}`, { cause: err });
  }
  const code = (err as { code?: unknown }).code;
  if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED) return new UnavailableError(`EventStoreDB unavailable: ${err.message}`, { cause: err });
  return err;
};

const isStreamNotFound = (err: unknown): boolean => err instanceof Error && isCommandError(err) && err.type === ErrorType.STREAM_NOT_FOUND;

const toExpected = (expected: ExpectedRevision): AppendExpectedRevision => {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return expected;
  }
};

const toRecorded = (resolved: ResolvedEvent): RecordedEvent | undefined => {
  const event = resolved.event;
  if (!event) return undefined;
  const position = event.position?.commit ?? resolved.commitPosition ?? -1n;
  const metadata = event.metadata;
  return {
    id: event.id,
    streamId: event.streamId,
    type: event.type,
    revision: event.revision,
    position,
    data: event.data as unknown,
    metadata: metadata !== null && typeof metadata === 'object' && !(metadata instanceof Uint8Array) && !Array.isArray(metadata) ? (metadata as EventMetadata) : {},
    recordedAt: event.created,
  };
};

/** One server-side filter (the server takes one), completed on our side by matchesFilter. */
const toServerFilter = (filter: EventFilter | undefined): Filter => {
  if (filter?.streamPrefixes && filter.streamPrefixes.length > 0) return streamNameFilter({ prefixes: filter.streamPrefixes });
  if (filter?.eventTypePrefixes && filter.eventTypePrefixes.length > 0) return eventTypeFilter({ prefixes: filter.eventTypePrefixes });
  return excludeSystemEvents();
};

const checkMaxCount = (maxCount: number | undefined): void => {
  if (maxCount !== undefined && (!Number.isInteger(maxCount) || maxCount < 0)) throw new ValidationError(`maxCount must be a non-negative integer, got ${maxCount}`);
};

export interface EventStoreDbEventStoreOptions {
  connectionString: string;
  logger?: Logger;
}

export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly log: Logger;
  private readonly subscriptions = new Set<EventStoreDbSubscription>();

  constructor(options: EventStoreDbEventStoreOptions) {
    this.client = EventStoreDBClient.connectionString(options.connectionString);
    this.log = (options.logger ?? rootLogger).child({ component: 'eventStore', adapter: 'eventstoredb' });
  }

  async append(streamId: string, events: EventData[], options: AppendOptions = {}): Promise<AppendResult> {
    validateAppend(streamId, events);
    const expected = options.expectedRevision ?? 'any';
    // Round-trip through our serializer so a stray bigint is written as a string, as the embedded store does.
    const toJson = (value: unknown): JSONType => JSON.parse(stringifyJson(value)) as JSONType;
    const payload = events.map((e) => jsonEvent({ id: e.id, type: e.type, data: toJson(e.data), metadata: toJson(e.metadata ?? {}) }));
    try {
      const result = await this.client.appendToStream(streamId, payload, { expectedRevision: toExpected(expected) });
      const position = result.position?.commit ?? (await this.positionOf(streamId, result.nextExpectedRevision));
      return { nextExpectedRevision: result.nextExpectedRevision, position };
    } catch (err) {
      throw mapEventStoreDbError(err, streamId);
    }
  }

  /** The server may answer an idempotent retry without a position: look the original one up. */
  private async positionOf(streamId: string, revision: bigint): Promise<bigint> {
    const [event] = await this.readStream(streamId, { fromRevision: revision, maxCount: 1 });
    return event?.position ?? -1n;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    checkMaxCount(options.maxCount);
    if (options.maxCount === 0) return [];
    const direction = options.direction ?? 'forwards';
    const from = options.fromRevision ?? (direction === 'forwards' ? START : END);
    const fromRevision: ReadRevision = from === START ? ESDB_START : from === END ? ESDB_END : from;
    const out: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, { direction: direction === 'forwards' ? FORWARDS : BACKWARDS, fromRevision, maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER });
      for await (const resolved of read) {
        const event = toRecorded(resolved);
        if (event) out.push(event);
      }
    } catch (err) {
      if (isStreamNotFound(err)) return [];
      throw mapEventStoreDbError(err, streamId);
    }
    return out;
  }

  async streamRevision(streamId: string): Promise<bigint | 'no_stream'> {
    const [last] = await this.readStream(streamId, { direction: 'backwards', fromRevision: END, maxCount: 1 });
    return last ? last.revision : 'no_stream';
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    checkMaxCount(options.maxCount);
    const maxCount = options.maxCount ?? DEFAULT_READ_ALL_MAX_COUNT;
    if (maxCount === 0) return [];
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    const from = options.fromPosition ?? (forwards ? START : END);
    const fromPosition: ReadPosition = from === START ? ESDB_START : from === END ? ESDB_END : toPosition(from);
    const out: RecordedEvent[] = [];
    try {
      // The server reads $all inclusively from a position; ours is exclusive, and the filter and the
      // system-event exclusion are applied here, so read lazily until the page is full.
      const read = this.client.readAll({ direction: forwards ? FORWARDS : BACKWARDS, fromPosition });
      for await (const resolved of read) {
        const event = toRecorded(resolved);
        if (!event || isSystemType(event.type)) continue;
        if (typeof from === 'bigint' && (forwards ? event.position <= from : event.position >= from)) continue;
        if (!matchesFilter(options.filter, event.streamId, event.type)) continue;
        out.push(event);
        if (out.length === maxCount) break;
      }
    } catch (err) {
      throw mapEventStoreDbError(err);
    }
    return out;
  }

  async headPosition(): Promise<bigint> {
    const [last] = await this.readAll({ direction: 'backwards', fromPosition: END, maxCount: 1 });
    return last ? last.position : -1n;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const from = options.fromPosition ?? START;
    const fromPosition: ReadPosition = from === START ? ESDB_START : from === END ? ESDB_END : toPosition(from);
    const stream = this.client.subscribeToAll({ fromPosition, filter: toServerFilter(options.filter) });
    const subscription = new EventStoreDbSubscription(stream, options.filter, () => this.subscriptions.delete(subscription));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    for (const subscription of [...this.subscriptions]) await subscription.close();
    await this.client.dispose();
    this.log.debug('event store client disposed');
  }
}

class EventStoreDbSubscription implements Subscription {
  private caughtUp = false;
  private closed = false;
  private readonly iterator: AsyncGenerator<RecordedEvent, void, undefined>;

  constructor(
    private readonly stream: AllStreamSubscription,
    private readonly filter: EventFilter | undefined,
    private readonly onClose: () => void,
  ) {
    stream.on('caughtUp', () => {
      this.caughtUp = true;
    });
    stream.on('fellBehind', () => {
      this.caughtUp = false;
    });
    this.iterator = this.run();
  }

  get isCaughtUp(): boolean {
    return this.caughtUp;
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this.iterator;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    try {
      await this.stream.unsubscribe();
    } catch (err) {
      throw mapEventStoreDbError(err);
    }
  }

  private async *run(): AsyncGenerator<RecordedEvent, void, undefined> {
    try {
      for await (const resolved of this.stream) {
        if (this.closed) return;
        const event = toRecorded(resolved);
        if (!event || isSystemType(event.type) || !matchesFilter(this.filter, event.streamId, event.type)) continue;
        yield event;
      }
    } catch (err) {
      if (this.closed) return;
      throw mapEventStoreDbError(err);
    } finally {
      if (!this.closed) await this.close();
    }
  }
}
