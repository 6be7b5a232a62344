import { randomUUID } from 'node:crypto';
import type { Decider, DomainEvent } from '../core/decider';
import { WrongExpectedVersionError } from '../core/errors';
import type { EventMetadata, EventStore, RecordedEvent } from '../infrastructure/eventStore/eventStore';

export interface DecisionResult<State, Evt> {
  newState: State;
  newEvents: Evt[];
  /** Global position of the last appended event; undefined when nothing was decided. */
  position?: bigint;
}

const MAX_RETRIES = 5;

/**
 * Reads the stream, folds it, decides, and appends with the revision read; on a concurrent append it
 * reads and decides again. Event ids are random, not derived from (stream, revision): with derived
 * ids the store would take the loser of a race for a retry of the winner's append and report
 * success for a decision it never wrote. These commands come from requests, which are not retried
 * with the same ids, so there is no retry to recognise.
 */
export const decideOnStream = async <State, Evt extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Pick<Decider<State, unknown, Evt>, 'evolve' | 'initialState'>,
  upcast: (recorded: RecordedEvent) => Evt | undefined,
  decide: (state: State) => Evt[],
  metadata: EventMetadata,
): Promise<DecisionResult<State, Evt>> => {
  for (let attempt = 0; ; attempt++) {
    const recorded = await store.readStream(streamId);
    let state = decider.initialState();
    for (const r of recorded) {
      const event = upcast(r);
      if (event !== undefined) state = decider.evolve(state, event);
    }
    const newEvents = decide(state);
    if (newEvents.length === 0) return { newState: state, newEvents };
    const expectedRevision = recorded.length === 0 ? ('no_stream' as const) : recorded[recorded.length - 1].revision;
    try {
      const result = await store.append(
        streamId,
        newEvents.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata })),
        { expectedRevision },
      );
      return { newState: newEvents.reduce<State>((s, e) => decider.evolve(s, e), state), newEvents, position: result.position };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError) || attempt >= MAX_RETRIES) throw error;
    }
  }
};
