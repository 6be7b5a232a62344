import { CommandHandler, deterministicId, eventIdAt, fold, type Decider } from './decider';
import { IllegalStateError, WrongExpectedVersionError } from './errors';
import type { AppendOptions, AppendResult, EventData, EventStore, RecordedEvent } from '../infrastructure/eventStore/eventStore';

/** The smallest EventStore a command handler needs; `beforeAppend` lets a test slip a concurrent append in. */
const memoryStore = (beforeAppend?: (streamId: string, attempt: number) => void): EventStore & { streams: Map<string, RecordedEvent[]> } => {
  const streams = new Map<string, RecordedEvent[]>();
  let position = -1n;
  let appends = 0;
  const append = async (streamId: string, events: EventData[], options: AppendOptions = {}): Promise<AppendResult> => {
    if (events[0]?.id !== 'racer') beforeAppend?.(streamId, appends++);
    const stream = streams.get(streamId) ?? [];
    const current = stream.length === 0 ? 'no_stream' : BigInt(stream.length - 1);
    const expected = options.expectedRevision ?? 'any';
    const ok = expected === 'any' || (expected === 'no_stream' ? current === 'no_stream' : expected === 'stream_exists' ? current !== 'no_stream' : expected === current);
    if (!ok) throw new WrongExpectedVersionError(streamId, expected, current);
    for (const e of events) stream.push({ id: e.id, streamId, type: e.type, revision: BigInt(stream.length), position: ++position, data: e.data, metadata: e.metadata ?? {}, recordedAt: new Date(0) });
    streams.set(streamId, stream);
    return { nextExpectedRevision: BigInt(stream.length - 1), position };
  };
  return {
    streams,
    append,
    readStream: async (streamId) => [...(streams.get(streamId) ?? [])],
    streamRevision: async (streamId) => (streams.has(streamId) ? BigInt((streams.get(streamId) ?? []).length - 1) : 'no_stream'),
    readAll: async () => [...streams.values()].flat().sort((a, b) => (a.position < b.position ? -1 : 1)),
    headPosition: async () => position,
    subscribeToAll: () => {
      throw new Error('not needed');
    },
    close: async () => undefined,
  };
};

type Counted = { type: 'Incremented'; data: { by: number } };
type Increment = { type: 'Increment'; by: number; max: number };
const counter: Decider<number, Increment, Counted> = {
  initialState: () => 0,
  evolve: (state, event) => state + event.data.by,
  decide: (command, state) => {
    if (state + command.by > command.max) throw new IllegalStateError(`would exceed ${command.max}`);
    return [{ type: 'Incremented', data: { by: command.by } }];
  },
};
const handle = CommandHandler(counter);
const increment = (by: number, max = 100) => (state: number) => counter.decide({ type: 'Increment', by, max }, state);

describe('CommandHandler', () => {
  it('reads, folds, decides and appends with the revision it read; event ids derive from stream and revision', async () => {
    const store = memoryStore();
    await handle(store, 'counter-1', increment(2));
    const result = await handle(store, 'counter-1', increment(3), { metadata: { correlationId: 'c-1', causationId: 'cmd-2' } });
    expect(result).toMatchObject({ newState: 5, nextExpectedRevision: 1n });
    const events = store.streams.get('counter-1') ?? [];
    expect(events.map((e) => e.id)).toEqual([eventIdAt('counter-1', 0n, { type: 'Incremented', data: { by: 2 } }), eventIdAt('counter-1', 1n, { type: 'Incremented', data: { by: 3 } })]);
    expect(events[1].metadata).toEqual({ correlationId: 'c-1', causationId: 'cmd-2' });
  });

  it('appends nothing when the decision is empty', async () => {
    const store = memoryStore();
    const result = await handle(store, 'counter-1', () => []);
    expect(result).toEqual({ newEvents: [], newState: 0, nextExpectedRevision: 'no_stream' });
    expect(store.streams.size).toBe(0);
  });

  it('on a concurrent append, decides again against the new state', async () => {
    const store = memoryStore((streamId, attempt) => {
      if (attempt === 0) void store.append(streamId, [{ id: 'racer', type: 'Incremented', data: { by: 10 } }]);
    });
    const result = await handle(store, 'counter-1', increment(1));
    expect(result.newState).toBe(11);
    expect((store.streams.get('counter-1') ?? []).map((e) => (e.data as { by: number }).by)).toEqual([10, 1]);
  });

  it('a decision that no longer holds after the conflict throws the decider error', async () => {
    const store = memoryStore((streamId, attempt) => {
      if (attempt === 0) void store.append(streamId, [{ id: 'racer', type: 'Incremented', data: { by: 1 } }]);
    });
    await expect(handle(store, 'counter-1', increment(1, 1))).rejects.toBeInstanceOf(IllegalStateError);
  });

  it('gives up after the bounded number of retries', async () => {
    const store = memoryStore((streamId) => void store.append(streamId, [{ id: 'racer', type: 'Incremented', data: { by: 1 } }]));
    await expect(handle(store, 'counter-1', increment(1), { maxRetries: 2 })).rejects.toBeInstanceOf(WrongExpectedVersionError);
  });

  it('with a pinned revision, a stale caller gets the conflict instead of a retry', async () => {
    const store = memoryStore();
    await handle(store, 'counter-1', increment(1));
    await handle(store, 'counter-1', increment(1));
    await expect(handle(store, 'counter-1', increment(1), { expectedRevision: 0n })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(handle(store, 'counter-1', increment(1), { expectedRevision: 1n })).resolves.toMatchObject({ newState: 3 });
  });
});

describe('ids and folding', () => {
  it('derives the same UUID from the same parts, and different ones otherwise', () => {
    expect(deterministicId('a', 1)).toBe(deterministicId('a', 1));
    expect(deterministicId('a', 1)).not.toBe(deterministicId('a', 2));
    expect(deterministicId('ab', 'c')).not.toBe(deterministicId('a', 'bc'));
    expect(deterministicId('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives two different decisions for one revision different event ids, and a repeated decision the same ones', () => {
    const a = { type: 'Incremented', data: { by: 1 } };
    expect(eventIdAt('s', 0n, a)).toBe(eventIdAt('s', 0n, { type: 'Incremented', data: { by: 1 } }));
    expect(eventIdAt('s', 0n, a)).not.toBe(eventIdAt('s', 0n, { type: 'Incremented', data: { by: 2 } }));
    expect(eventIdAt('s', 0n, a)).not.toBe(eventIdAt('s', 1n, a));
  });

  it('folds events from the initial state', () => {
    expect(fold(counter, [{ type: 'Incremented', data: { by: 2 } }, { type: 'Incremented', data: { by: 5 } }])).toBe(7);
  });
});
