import type { Decider } from '../../api/core/decider';

/**
 * given(events).when(command).then(expectedEvents) for pure deciders (after Emmett's DeciderSpecification).
 * `then` compares with jest's toEqual; `thenMatches` takes a predicate or a partial shape per event; `thenThrows`
 * checks the error class and, optionally, a predicate on it.
 */
export interface DeciderSpecification<State, Cmd, Evt> {
  (givenEvents?: Evt | readonly Evt[]): {
    when(command: Cmd): Then<State, Evt>;
  };
}

export interface Then<State, Evt> {
  /** Asserts the decided events equal `expected` exactly (order included); returns them. */
  then(expected: readonly Evt[]): Evt[];
  /** Asserts nothing was decided (the command is a no-op in this state). */
  thenNothingHappens(): void;
  /** Runs an assertion over the decided events and the state after them; returns the events. */
  thenMatches(assertion: (events: Evt[], stateAfter: State) => void): Evt[];
  thenThrows<E extends Error>(errorType: new (...args: never[]) => E, check?: (error: E) => boolean): E;
}

export const DeciderSpecification = {
  for<State, Cmd, Evt>(decider: Decider<State, Cmd, Evt>): DeciderSpecification<State, Cmd, Evt> {
    return (givenEvents) => {
      const history: readonly Evt[] = givenEvents === undefined ? [] : Array.isArray(givenEvents) ? (givenEvents as readonly Evt[]) : [givenEvents as Evt];
      const stateBefore = (): State => history.reduce<State>((s, e) => decider.evolve(s, e), decider.initialState());
      return {
        when(command: Cmd): Then<State, Evt> {
          const run = (): Evt[] => decider.decide(command, stateBefore());
          return {
            then(expected) {
              const events = run();
              expect(events).toEqual(expected);
              return events;
            },
            thenNothingHappens() {
              expect(run()).toEqual([]);
            },
            thenMatches(assertion) {
              const before = stateBefore();
              const events = decider.decide(command, before);
              const after = events.reduce<State>((s, e) => decider.evolve(s, e), before);
              assertion(events, after);
              return events;
            },
            thenThrows(errorType, check) {
              let caught: unknown;
              try {
                run();
              } catch (error) {
                caught = error;
              }
              expect(caught).toBeInstanceOf(errorType);
              const error = caught as InstanceType<typeof errorType>;
              if (check) expect(check(error)).toBe(true);
              return error;
            },
          };
        },
      };
    };
  },
};
