import { randomBytes, randomUUID } from 'node:crypto';
import { ValidationError, WrongExpectedVersionError } from '../../api/core/errors';
import { END, type EventData, type EventStore, type ExpectedRevision, type RecordedEvent, type Subscription } from '../../api/infrastructure/eventStore/eventStore';

/**
 * The event store contract: every adapter of the port must pass it. Stream names are unique per run
 * and per test, and every $all read is filtered on them, so the suite also runs on a shared server.
 */
export interface EventStoreContractOptions {
  /** Opens a store; each test opens its own and the suite closes it. */
  open: () => Promise<EventStore>;
}

const runId = randomBytes(4).toString('hex');
let testCounter = 0;

export const event = (type: string, data: Record<string, unknown> = {}, metadata?: EventData['metadata']): EventData => ({ id: randomUUID(), type, data, metadata });

export const events = (count: number, type = 'Happened'): EventData[] => Array.from({ length: count }, (_, n) => event(type, { n }));

const expectWrongExpectedVersion = async (promise: Promise<unknown>, streamId: string, expected: ExpectedRevision, actual: bigint | 'no_stream'): Promise<void> => {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WrongExpectedVersionError);
  expect(error).toMatchObject({ code: 'CONCURRENCY', streamId, expected, actual });
};

/** Pulls `count` events from a subscription without ending it; fails rather than hangs. */
export const pull = async (subscription: Subscription, count: number, timeoutMs = 10_000): Promise<RecordedEvent[]> => {
  const iterator = subscription[Symbol.asyncIterator]();
  const out: RecordedEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`subscription delivered ${out.length} of ${count} events`)), timeoutMs);
  });
  try {
    while (out.length < count) {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done) throw new Error(`subscription ended after ${out.length} of ${count} events`);
      out.push(next.value);
    }
    return out;
  } finally {
    clearTimeout(timer);
  }
};

export const eventStoreContract = (adapterName: string, options: EventStoreContractOptions): void => {
  describe(`event store contract: ${adapterName}`, () => {
    let store: EventStore;
    let prefix: string;
    const stream = (name: string): string => `${prefix}${name}`;
    const ours = (): { streamPrefixes: string[] } => ({ streamPrefixes: [prefix] });

    beforeEach(async () => {
      testCounter += 1;
      prefix = `cs${runId}t${testCounter}-`;
      store = await options.open();
    });

    afterEach(async () => {
      await store.close();
    });

    describe('append and revisions', () => {
      it('numbers the events of a new stream from revision 0 and returns the last revision', async () => {
        const id = stream('call');
        const result = await store.append(id, events(3), { expectedRevision: 'no_stream' });

        expect(result.nextExpectedRevision).toBe(2n);
        const read = await store.readStream(id);
        expect(read.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
        expect(result.position).toBe(read[2].position);
        expect(await store.streamRevision(id)).toBe(2n);
      });

      it('records id, type, data, metadata and the commit time as given', async () => {
        const id = stream('call');
        const written = event('CallAnswered', { callId: 'c-1', nested: { list: [1, 'two', null, true] }, text: 'Grüße 👋' }, { correlationId: 'c-1', causationId: 'w-9', actor: 'telnyx' });
        await store.append(id, [written]);

        const [read] = await store.readStream(id);
        expect(read).toMatchObject({ id: written.id, streamId: id, type: 'CallAnswered', revision: 0n, data: written.data, metadata: written.metadata });
        expect(read.recordedAt).toBeInstanceOf(Date);
        expect(Number.isNaN(read.recordedAt.getTime())).toBe(false);
      });

      it("accepts 'no_stream' on a new stream and rejects it on an existing one", async () => {
        const id = stream('call');
        await expect(store.append(id, events(1), { expectedRevision: 'no_stream' })).resolves.toMatchObject({ nextExpectedRevision: 0n });
        await expectWrongExpectedVersion(store.append(id, events(1), { expectedRevision: 'no_stream' }), id, 'no_stream', 0n);
      });

      it("accepts 'any' on a new and on an existing stream, and defaults to it", async () => {
        const id = stream('call');
        await expect(store.append(id, events(1), { expectedRevision: 'any' })).resolves.toMatchObject({ nextExpectedRevision: 0n });
        await expect(store.append(id, events(2), { expectedRevision: 'any' })).resolves.toMatchObject({ nextExpectedRevision: 2n });
        await expect(store.append(id, events(1))).resolves.toMatchObject({ nextExpectedRevision: 3n });
      });

      it("rejects 'stream_exists' on a new stream and accepts it on an existing one", async () => {
        const id = stream('call');
        await expectWrongExpectedVersion(store.append(id, events(1), { expectedRevision: 'stream_exists' }), id, 'stream_exists', 'no_stream');
        expect(await store.readStream(id)).toEqual([]);
        await store.append(id, events(1));
        await expect(store.append(id, events(1), { expectedRevision: 'stream_exists' })).resolves.toMatchObject({ nextExpectedRevision: 1n });
      });

      it('accepts the exact current revision and rejects any other, naming expected and actual', async () => {
        const id = stream('call');
        await store.append(id, events(2));
        await expect(store.append(id, events(1), { expectedRevision: 1n })).resolves.toMatchObject({ nextExpectedRevision: 2n });
        await expectWrongExpectedVersion(store.append(id, events(1), { expectedRevision: 1n }), id, 1n, 2n);
        await expectWrongExpectedVersion(store.append(id, events(1), { expectedRevision: 5n }), id, 5n, 2n);
        await expectWrongExpectedVersion(store.append(stream('absent'), events(1), { expectedRevision: 0n }), stream('absent'), 0n, 'no_stream');
      });

      it('writes all the events of an append or none of them', async () => {
        const id = stream('call');
        const first = await store.append(id, events(3), { expectedRevision: 'no_stream' });
        await expectWrongExpectedVersion(store.append(id, events(4), { expectedRevision: 0n }), id, 0n, 2n);

        const read = await store.readStream(id);
        expect(read).toHaveLength(3);
        const positions = read.map((e) => e.position);
        expect(positions[0] < positions[1] && positions[1] < positions[2]).toBe(true);
        expect(first.position).toBe(positions[2]);
      });

      it('gives every event a global position that strictly increases across streams', async () => {
        const before = await store.headPosition();
        const streams = [stream('a'), stream('b'), stream('c')];
        const appended: string[] = [];
        for (let round = 0; round < 4; round++) {
          for (const id of streams) {
            const batch = events(round % 2 === 0 ? 1 : 2);
            await store.append(id, batch);
            appended.push(...batch.map((e) => e.id));
          }
        }

        const all = await store.readAll({ fromPosition: before, filter: ours(), maxCount: 100 });
        expect(all.map((e) => e.id)).toEqual(appended);
        for (let i = 1; i < all.length; i++) expect(all[i].position > all[i - 1].position).toBe(true);
        expect(all[0].position > before).toBe(true);
        expect((await store.headPosition()) >= all[all.length - 1].position).toBe(true);
      });

      it('rejects an append without events, with an id that is not a UUID, or with the same id twice', async () => {
        const id = stream('call');
        await expect(store.append(id, [])).rejects.toBeInstanceOf(ValidationError);
        await expect(store.append(id, [{ id: 'not-a-uuid', type: 'Happened', data: {} }])).rejects.toBeInstanceOf(ValidationError);
        const twice = event('Happened');
        await expect(store.append(id, [twice, twice])).rejects.toBeInstanceOf(ValidationError);
        expect(await store.readStream(id)).toEqual([]);
      });
    });

    describe('concurrent appenders', () => {
      it('lets exactly one of many appenders with the same expected revision win, per revision', async () => {
        const id = stream('agent');
        const contenders = 16;
        for (let revision = 0; revision < 5; revision++) {
          const expected: ExpectedRevision = revision === 0 ? 'no_stream' : BigInt(revision - 1);
          const outcomes = await Promise.allSettled(Array.from({ length: contenders }, () => store.append(id, events(1), { expectedRevision: expected })));

          const won = outcomes.filter((o) => o.status === 'fulfilled');
          const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
          expect(won).toHaveLength(1);
          expect(won[0]).toMatchObject({ value: { nextExpectedRevision: BigInt(revision) } });
          expect(lost).toHaveLength(contenders - 1);
          for (const loss of lost) expect(loss.reason).toBeInstanceOf(WrongExpectedVersionError);
        }
        expect((await store.readStream(id)).map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
      });

      it('loses no write when appenders re-read and retry on conflict', async () => {
        const id = stream('queue');
        const writers = 8;
        const perWriter = 5;
        const writer = async (w: number): Promise<void> => {
          for (let n = 0; n < perWriter; n++) {
            for (;;) {
              const revision = await store.streamRevision(id);
              try {
                await store.append(id, [event('Enqueued', { w, n })], { expectedRevision: revision });
                break;
              } catch (err) {
                if (!(err instanceof WrongExpectedVersionError)) throw err;
              }
            }
          }
        };
        await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));

        const read = await store.readStream(id);
        expect(read.map((e) => e.revision)).toEqual(Array.from({ length: writers * perWriter }, (_, i) => BigInt(i)));
        for (let w = 0; w < writers; w++) {
          expect(read.filter((e) => (e.data as { w: number }).w === w).map((e) => (e.data as { n: number }).n)).toEqual([0, 1, 2, 3, 4]);
        }
      });
    });

    describe('idempotent retries', () => {
      it('treats the retry of an append with the same ids and expectation as done, returning the original result', async () => {
        const id = stream('call');
        const batch = events(2);
        const first = await store.append(id, batch, { expectedRevision: 'no_stream' });
        const retry = await store.append(id, batch, { expectedRevision: 'no_stream' });
        expect(retry).toEqual(first);

        const next = events(1);
        const second = await store.append(id, next, { expectedRevision: 1n });
        await store.append(id, next, { expectedRevision: 1n });
        await expect(store.append(id, next, { expectedRevision: 1n })).resolves.toEqual(second);

        expect((await store.readStream(id)).map((e) => e.id)).toEqual([...batch, ...next].map((e) => e.id));
      });

      it("treats the retry of an 'any' append with the same ids as done", async () => {
        const id = stream('call');
        await store.append(id, events(1));
        const batch = events(2);
        const first = await store.append(id, batch);
        await expect(store.append(id, batch)).resolves.toEqual(first);
        expect(await store.readStream(id)).toHaveLength(3);
      });

      it('writes an id reused in another stream, or after other events with the current revision expected, again', async () => {
        const id = stream('call');
        const other = stream('other');
        const batch = events(1);
        await store.append(id, batch, { expectedRevision: 'no_stream' });
        await store.append(other, batch, { expectedRevision: 'no_stream' });
        expect((await store.readStream(other)).map((e) => e.id)).toEqual([batch[0].id]);

        await store.append(id, events(1), { expectedRevision: 0n });
        await expect(store.append(id, batch, { expectedRevision: 1n })).resolves.toMatchObject({ nextExpectedRevision: 2n });
        expect((await store.readStream(id)).map((e) => e.id)).toEqual([batch[0].id, expect.any(String), batch[0].id]);
      });

      it('treats a late retry as done when its events are where its expectation put them', async () => {
        const id = stream('call');
        const batch = events(1);
        const first = await store.append(id, batch, { expectedRevision: 'no_stream' });
        await store.append(id, events(1), { expectedRevision: 0n });
        await expect(store.append(id, batch, { expectedRevision: 'no_stream' })).resolves.toEqual(first);
        expect(await store.readStream(id)).toHaveLength(2);
      });

      it('rejects the same ids with an exact revision that does not lead to them', async () => {
        const id = stream('call');
        const batch = events(1);
        await store.append(id, batch, { expectedRevision: 'no_stream' });
        await store.append(id, events(1), { expectedRevision: 0n });
        await expectWrongExpectedVersion(store.append(id, batch, { expectedRevision: 0n }), id, 0n, 1n);
        expect(await store.readStream(id)).toHaveLength(2);
      });
    });

    describe('reading a stream', () => {
      const fill = async (id: string): Promise<void> => {
        await store.append(id, events(5), { expectedRevision: 'no_stream' });
      };
      const revisions = (read: RecordedEvent[]): bigint[] => read.map((e) => e.revision);

      it('reads forwards from the start, from a revision and up to a count', async () => {
        const id = stream('call');
        await fill(id);
        expect(revisions(await store.readStream(id))).toEqual([0n, 1n, 2n, 3n, 4n]);
        expect(revisions(await store.readStream(id, { fromRevision: 2n }))).toEqual([2n, 3n, 4n]);
        expect(revisions(await store.readStream(id, { fromRevision: 1n, maxCount: 2 }))).toEqual([1n, 2n]);
        expect(revisions(await store.readStream(id, { fromRevision: 9n }))).toEqual([]);
      });

      it('reads the same events with headers only, data left out or given whole', async () => {
        const id = stream('call');
        await fill(id);
        const full = await store.readStream(id, { fromRevision: 1n });
        const headers = await store.readStream(id, { fromRevision: 1n, headersOnly: true });
        const header = (e: RecordedEvent) => ({ id: e.id, type: e.type, revision: e.revision, position: e.position, streamId: e.streamId, recordedAt: e.recordedAt.getTime() });
        expect(headers.map(header)).toEqual(full.map(header));
        headers.forEach((e, i) => expect(e.data === null || JSON.stringify(e.data) === JSON.stringify(full[i].data)).toBe(true));
      });

      it('reads backwards from the end or from a revision', async () => {
        const id = stream('call');
        await fill(id);
        expect(revisions(await store.readStream(id, { direction: 'backwards' }))).toEqual([4n, 3n, 2n, 1n, 0n]);
        expect(revisions(await store.readStream(id, { direction: 'backwards', fromRevision: END, maxCount: 1 }))).toEqual([4n]);
        expect(revisions(await store.readStream(id, { direction: 'backwards', fromRevision: 2n }))).toEqual([2n, 1n, 0n]);
        expect(revisions(await store.readStream(id, { direction: 'backwards', fromRevision: 3n, maxCount: 2 }))).toEqual([3n, 2n]);
      });

      it('reads a missing stream as empty, with no revision', async () => {
        expect(await store.readStream(stream('never'))).toEqual([]);
        expect(await store.readStream(stream('never'), { direction: 'backwards' })).toEqual([]);
        expect(await store.streamRevision(stream('never'))).toBe('no_stream');
      });
    });

    describe('reading $all', () => {
      it('pages forwards from an exclusive position', async () => {
        const before = await store.headPosition();
        for (let i = 0; i < 5; i++) await store.append(stream(`s${i}`), events(2));
        const all = await store.readAll({ fromPosition: before, filter: ours(), maxCount: 100 });
        expect(all).toHaveLength(10);

        const pages: RecordedEvent[][] = [];
        let cursor = before;
        for (;;) {
          const page = await store.readAll({ fromPosition: cursor, maxCount: 3, filter: ours() });
          if (page.length === 0) break;
          pages.push(page);
          cursor = page[page.length - 1].position;
        }
        expect(pages.map((p) => p.length)).toEqual([3, 3, 3, 1]);
        expect(pages.flat().map((e) => e.id)).toEqual(all.map((e) => e.id));

        const afterThird = await store.readAll({ fromPosition: all[2].position, filter: ours(), maxCount: 100 });
        expect(afterThird.map((e) => e.id)).toEqual(all.slice(3).map((e) => e.id));
        expect(await store.readAll({ fromPosition: all[9].position, filter: ours() })).toEqual([]);
      });

      it('reads backwards from the end and from an exclusive position', async () => {
        const before = await store.headPosition();
        await store.append(stream('a'), events(4));
        const forwards = await store.readAll({ fromPosition: before, filter: ours() });

        const backwards = await store.readAll({ direction: 'backwards', maxCount: 3, filter: ours() });
        expect(backwards.map((e) => e.id)).toEqual(forwards.slice(1).reverse().map((e) => e.id));
        const beforeLast = await store.readAll({ direction: 'backwards', fromPosition: forwards[3].position, maxCount: 10, filter: ours() });
        expect(beforeLast.map((e) => e.id)).toEqual(forwards.slice(0, 3).reverse().map((e) => e.id));
      });

      it('filters by stream prefix and by event type prefix', async () => {
        const before = await store.headPosition();
        await store.append(stream('call-1'), [event('CallStarted'), event('CallEnded')]);
        await store.append(stream('agent-1'), [event('AgentLoggedIn'), event('CallAssigned')]);

        const calls = await store.readAll({ fromPosition: before, filter: { streamPrefixes: [stream('call-')] } });
        expect(calls.map((e) => e.type)).toEqual(['CallStarted', 'CallEnded']);
        const callTypes = await store.readAll({ fromPosition: before, filter: { streamPrefixes: [prefix], eventTypePrefixes: ['Call'] } });
        expect(callTypes.map((e) => e.type)).toEqual(['CallStarted', 'CallEnded', 'CallAssigned']);
        const both = await store.readAll({ fromPosition: before, filter: { streamPrefixes: [stream('agent-')], eventTypePrefixes: ['Call'] } });
        expect(both.map((e) => e.type)).toEqual(['CallAssigned']);
      });
    });

    describe('catch-up subscription to $all', () => {
      it('delivers history after an exclusive position, then later appends live', async () => {
        const id = stream('call');
        await store.append(id, events(5));
        const history = await store.readStream(id);
        const subscription = store.subscribeToAll({ fromPosition: history[1].position, filter: ours() });
        try {
          const caughtUp = await pull(subscription, 3);
          expect(caughtUp.map((e) => e.id)).toEqual(history.slice(2).map((e) => e.id));

          const live = events(2);
          const pending = pull(subscription, 2);
          await store.append(id, live);
          expect((await pending).map((e) => e.id)).toEqual(live.map((e) => e.id));
          expect(subscription.isCaughtUp).toBe(true);
        } finally {
          await subscription.close();
        }
      });

      it('delivers in $all order across streams, from the start', async () => {
        const before = await store.headPosition();
        await store.append(stream('a'), events(2));
        await store.append(stream('b'), events(1));
        await store.append(stream('a'), events(1));
        const expected = await store.readAll({ fromPosition: before, filter: ours() });

        const subscription = store.subscribeToAll({ filter: ours() });
        try {
          const delivered = await pull(subscription, 4);
          expect(delivered.map((e) => e.id)).toEqual(expected.map((e) => e.id));
          expect(delivered.map((e) => e.position)).toEqual(expected.map((e) => e.position));
        } finally {
          await subscription.close();
        }
      });

      it('filters by stream prefix and event type prefix', async () => {
        const subscription = store.subscribeToAll({ fromPosition: await store.headPosition(), filter: { streamPrefixes: [stream('call-')], eventTypePrefixes: ['Call'] } });
        try {
          const pending = pull(subscription, 2);
          await store.append(stream('agent-1'), [event('CallAssigned')]);
          await store.append(stream('call-1'), [event('WebhookReceived'), event('CallStarted')]);
          await store.append(stream('call-2'), [event('CallEnded')]);
          expect((await pending).map((e) => [e.streamId, e.type])).toEqual([
            [stream('call-1'), 'CallStarted'],
            [stream('call-2'), 'CallEnded'],
          ]);
        } finally {
          await subscription.close();
        }
      });

      it("from 'end' delivers only what is appended after it", async () => {
        await store.append(stream('old'), events(3));
        const subscription = store.subscribeToAll({ fromPosition: END, filter: ours() });
        try {
          const live = event('Happened');
          const pending = pull(subscription, 1);
          await store.append(stream('new'), [live]);
          expect((await pending)[0].id).toBe(live.id);
        } finally {
          await subscription.close();
        }
      });

      it('ends the iteration on close() and on break', async () => {
        await store.append(stream('a'), events(3));
        const closed = store.subscribeToAll({ filter: ours() });
        const iterator = closed[Symbol.asyncIterator]();
        expect((await iterator.next()).done).toBe(false);
        await pull(closed, 2);
        const waiting = iterator.next();
        await closed.close();
        expect((await waiting).done).toBe(true);

        const broken = store.subscribeToAll({ filter: ours() });
        let seen = 0;
        for await (const _event of broken) {
          seen += 1;
          if (seen === 2) break;
        }
        expect(seen).toBe(2);
        expect((await broken[Symbol.asyncIterator]().next()).done).toBe(true);
      });
    });
  });
};
