import { uuidV5, uuidV5Namespace } from './nameBasedUuid';
import { IllegalStateError, WrongExpectedVersionError } from './errors';
import type { EventData, EventMetadata, EventStore, ExpectedRevision, RecordedEvent } from '../infrastructure/eventStore/eventStore';

////////////////////////////////////////// Messages

/** Time and identity of a command. Deciders read the clock and ids only from here. */
export interface CommandMetadata {
  /** ISO-8601 instant the command is decided at (the injected clock, or a webhook's occurred_at). */
  now: string;
  /** Unique id of this command; repeated deliveries of one command carry the same id. */
  commandId: string;
  /** Who asked: an agent or supervisor id, 'reactor', 'system', 'telnyx'. */
  actor?: string;
  correlationId?: string;
  causationId?: string;
  requestId?: string;
}

export interface Command<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
  readonly metadata: CommandMetadata;
}

export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

export interface Decider<State, Cmd, Evt> {
  decide(command: Cmd, state: State): Evt[];
  evolve(state: State, event: Evt): State;
  initialState(): State;
}

export const fold = <State, Evt>(decider: Pick<Decider<State, unknown, Evt>, 'evolve' | 'initialState'>, events: readonly Evt[]): State =>
  events.reduce<State>((state, event) => decider.evolve(state, event), decider.initialState());

////////////////////////////////////////// Deterministic ids

const CALLSTREAM_NAMESPACE = uuidV5Namespace('1b671a64-40d5-491e-99b0-da01ff1f3341');

/** A UUID (v5) derived from its parts: the same parts always give the same id. */
export const deterministicId = (...parts: ReadonlyArray<string | number | bigint>): string =>
  uuidV5(parts.map((part) => String(part)).join('\u001f'), CALLSTREAM_NAMESPACE);

/**
 * The id of an event decided for `revision` of `streamId`. It includes the event itself: the stores treat an
 * append whose ids are already at that revision as a repeat (EventStoreDB's idempotent append), so a retried
 * decision is a no-op while a different decision racing for the same revision gets the concurrency error.
 */
export const eventIdAt = (streamId: string, revision: bigint, event: DomainEvent): string =>
  deterministicId('event', streamId, revision, event.type, JSON.stringify(event.data));

////////////////////////////////////////// Command handling

export interface HandleOptions {
  /**
   * Pin the revision the caller decided against (an API client's ETag). Without it the handler reads the
   * stream, decides, and retries on a conflict.
   */
  expectedRevision?: ExpectedRevision;
  /** Metadata merged into every appended event. */
  metadata?: EventMetadata;
  /** Retries after a WrongExpectedVersionError; ignored when `expectedRevision` is pinned. */
  maxRetries?: number;
}

export interface HandleResult<State, Evt> {
  newEvents: Evt[];
  newState: State;
  /** The stream's revision after the append (or as read, when nothing was appended); 'no_stream' for an empty stream. */
  nextExpectedRevision: bigint | 'no_stream';
  /** Global position of the last appended event; undefined when nothing was appended. */
  position?: bigint;
}

export type DecideFunction<State, Evt> = (state: State, revision: bigint | 'no_stream') => Evt[];

/** Turns recorded events into the decider's event type; return undefined to skip an event the decider does not know. */
export type EventUpcaster<Evt> = (recorded: RecordedEvent) => Evt | undefined;

export const DEFAULT_MAX_RETRIES = 5;

const toEventData = <Evt extends DomainEvent>(streamId: string, first: bigint, events: readonly Evt[], metadata: EventMetadata | undefined): EventData[] =>
  events.map((event, index) => ({
    id: eventIdAt(streamId, first + BigInt(index), event),
    type: event.type,
    data: event.data,
    ...(metadata ? { metadata } : {}),
  }));


/**
 * Emmett-style command handler: read the stream, fold it, decide, append with the revision that was read.
 * On a concurrent append it re-reads and decides again (a bounded number of times), so a decision is
 * always taken against the latest state; a decider that finds the state changed throws or returns [].
 */
export const CommandHandler =
  <State, Evt extends DomainEvent>(decider: Pick<Decider<State, unknown, Evt>, 'evolve' | 'initialState'>, upcast: EventUpcaster<Evt> = (recorded) => ({ type: recorded.type, data: recorded.data }) as unknown as Evt) =>
  async (store: EventStore, streamId: string, decide: DecideFunction<State, Evt>, options: HandleOptions = {}): Promise<HandleResult<State, Evt>> => {
    const pinned = options.expectedRevision;
    const maxRetries = pinned === undefined ? (options.maxRetries ?? DEFAULT_MAX_RETRIES) : 0;
    for (let attempt = 0; ; attempt++) {
      const recorded = await store.readStream(streamId);
      let state = decider.initialState();
      for (const r of recorded) {
        const event = upcast(r);
        if (event !== undefined) state = decider.evolve(state, event);
      }
      const current: bigint | 'no_stream' = recorded.length === 0 ? 'no_stream' : recorded[recorded.length - 1].revision;
      if (pinned !== undefined && typeof pinned === 'bigint' && current !== pinned) {
        throw new WrongExpectedVersionError(streamId, pinned, current);
      }
      const newEvents = decide(state, current);
      if (newEvents.length === 0) return { newEvents, newState: state, nextExpectedRevision: current };
      const first = current === 'no_stream' ? 0n : current + 1n;
      try {
        const result = await store.append(streamId, toEventData(streamId, first, newEvents, options.metadata), {
          expectedRevision: pinned ?? current,
        });
        const newState = newEvents.reduce<State>((s, e) => decider.evolve(s, e), state);
        return { newEvents, newState, nextExpectedRevision: result.nextExpectedRevision, position: result.position };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        if (attempt >= maxRetries) throw error;
      }
    }
  };

/** Narrows an unknown discriminant in an exhaustive switch: the compiler proves it unreachable. */
export const assertNever = (value: never, what = 'value'): never => {
  throw new IllegalStateError(`Unexpected ${what}: ${JSON.stringify(value)}`);
};
