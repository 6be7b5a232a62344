import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DeadlineExceededError as EsdbDeadlineExceededError, StreamNotFoundError as EsdbStreamNotFoundError, WrongExpectedVersionError as EsdbWrongExpectedVersionError } from '@eventstore/db-client';
import { UnavailableError, ValidationError, WrongExpectedVersionError } from '../../api/core/errors';
import { createEventStore } from '../../api/infrastructure/eventStore';
import { EventStoreDbEventStore, mapEventStoreDbError } from '../../api/infrastructure/eventStore/eventstoredb/eventStoreDbEventStore';
import { SqliteEventStore } from '../../api/infrastructure/eventStore/sqlite/sqliteEventStore';
import { event, events, eventStoreContract, pull } from './eventStoreContract';

const tempDirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'callstream-es-'));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

eventStoreContract('SQLite (embedded)', {
  open: async () => new SqliteEventStore({ dataDir: tempDir() }),
});

const eventStoreUrl = process.env.EVENTSTORE_URL;
(eventStoreUrl ? describe : describe.skip)('EventStoreDB (EVENTSTORE_URL)', () => {
  eventStoreContract('EventStoreDB', {
    open: async () => new EventStoreDbEventStore({ connectionString: eventStoreUrl ?? '' }),
  });
});

describe('SQLite event store specifics', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = tempDir();
    store = new SqliteEventStore({ dataDir: dir });
  });
  afterEach(async () => {
    await store.close();
  });

  it('keeps everything in <dataDir>/events.db and positions start at 1', async () => {
    expect(store.file).toBe(join(dir, 'events.db'));
    const result = await store.append('call-1', events(1));
    expect(result.position).toBe(1n);
    expect(await store.headPosition()).toBe(1n);
  });

  it('reads an empty store as head -1 and an empty $all', async () => {
    expect(await store.headPosition()).toBe(-1n);
    expect(await store.readAll()).toEqual([]);
  });

  it('commits the appends issued in one tick in one transaction', async () => {
    const before = { ...store.metrics };
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => store.append(`call-${i}`, events(2), { expectedRevision: 'no_stream' })));

    expect(store.metrics.commits - before.commits).toBe(1);
    expect(store.metrics.appends - before.appends).toBe(100);
    expect(store.metrics.events - before.events).toBe(200);
    expect(store.metrics.largestBatch).toBe(100);
    expect(new Set(results.map((r) => r.position)).size).toBe(100);
  });

  it('checks each append of a group commit on its own, after the earlier ones of the batch', async () => {
    const before = store.metrics.commits;
    const outcomes = await Promise.allSettled([
      store.append('call-1', events(1), { expectedRevision: 'no_stream' }),
      store.append('call-1', events(2), { expectedRevision: 0n }),
      store.append('call-1', events(3), { expectedRevision: 'no_stream' }),
      store.append('call-2', events(1), { expectedRevision: 'no_stream' }),
      store.append('call-1', events(1), { expectedRevision: 2n }),
    ]);

    expect(store.metrics.commits - before).toBe(1);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ expected: 'no_stream', actual: 2n });
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
    expect((await store.readStream('call-1')).map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n]);
    expect(await store.streamRevision('call-2')).toBe(0n);
  });

  it('treats a retry queued in the same batch as its original as done', async () => {
    const batch = events(2);
    const [first, retry] = await Promise.all([store.append('call-1', batch, { expectedRevision: 'no_stream' }), store.append('call-1', batch, { expectedRevision: 'no_stream' })]);
    expect(retry).toEqual(first);
    expect(await store.readStream('call-1')).toHaveLength(2);
  });

  it("treats an 'any' or 'stream_exists' append as a retry only when its ids are the tail of the stream", async () => {
    const batch = events(2);
    const first = await store.append('call-1', batch);
    await expect(store.append('call-1', batch, { expectedRevision: 'stream_exists' })).resolves.toEqual(first);
    await store.append('call-1', events(1));
    await expect(store.append('call-1', batch)).resolves.toMatchObject({ nextExpectedRevision: 4n });
    expect((await store.readStream('call-1')).map((e) => e.id)).toEqual([batch[0].id, batch[1].id, expect.any(String), batch[0].id, batch[1].id]);
  });

  it('keeps everything when the file is reopened, and goes on from there', async () => {
    await store.append('call-1', events(3), { expectedRevision: 'no_stream' });
    await store.append('agent-1', events(2), { expectedRevision: 'no_stream' });
    const before = await store.readAll();
    await store.close();

    store = new SqliteEventStore({ dataDir: dir });
    expect(await store.readAll()).toEqual(before);
    expect(await store.streamRevision('call-1')).toBe(2n);
    const next = await store.append('call-1', events(1), { expectedRevision: 2n });
    expect(next).toEqual({ nextExpectedRevision: 3n, position: before[before.length - 1].position + 1n });
  });

  it('shares the file between two stores: one winner per revision, live delivery across them', async () => {
    const other = new SqliteEventStore({ dataDir: dir, pollIntervalMs: 5 });
    try {
      const subscription = other.subscribeToAll();
      const pending = pull(subscription, 2);
      const outcomes = await Promise.allSettled([
        store.append('call-1', events(1), { expectedRevision: 'no_stream' }),
        other.append('call-1', events(1), { expectedRevision: 'no_stream' }),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      await store.append('call-2', events(1));
      expect((await pending).map((e) => e.streamId)).toEqual(['call-1', 'call-2']);
      await subscription.close();
    } finally {
      await other.close();
    }
  });

  it('writes a stray bigint in event data as its decimal string', async () => {
    await store.append('call-1', [{ ...event('Happened'), data: { big: 12345678901234567890n } }]);
    const [read] = await store.readStream('call-1');
    expect(read.data).toEqual({ big: '12345678901234567890' });
  });

  it('rejects a negative expected revision', async () => {
    await expect(store.append('call-1', events(1), { expectedRevision: -1n })).rejects.toBeInstanceOf(ValidationError);
  });

  it('reports a write lock held too long by another process as unavailable', async () => {
    const blocked = new SqliteEventStore({ dataDir: dir, busyTimeoutMs: 20 });
    const holder = new Database(join(dir, 'events.db'));
    try {
      holder.exec('BEGIN IMMEDIATE');
      await expect(blocked.append('call-1', events(1))).rejects.toBeInstanceOf(UnavailableError);
      holder.exec('ROLLBACK');
      await expect(blocked.append('call-1', events(1))).resolves.toMatchObject({ nextExpectedRevision: 0n });
    } finally {
      holder.close();
      await blocked.close();
    }
  });

  it('settles appends queued before close, then reports itself unavailable and ends its subscriptions', async () => {
    const queued = store.append('call-1', events(1));
    const subscription = store.subscribeToAll();
    const iterator = subscription[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    const waiting = iterator.next();
    await store.close();

    await expect(queued).resolves.toMatchObject({ nextExpectedRevision: 0n });
    expect((await waiting).done).toBe(true);
    await expect(store.append('call-1', events(1))).rejects.toBeInstanceOf(UnavailableError);
    await expect(store.readStream('call-1')).rejects.toBeInstanceOf(UnavailableError);
    expect(() => store.subscribeToAll()).toThrow(UnavailableError);
  });
});

describe('createEventStore', () => {
  it('opens the embedded store under CALLSTREAM_DATA_DIR when EVENTSTORE_URL is not set', async () => {
    const dir = tempDir();
    const store = createEventStore({ CALLSTREAM_DATA_DIR: dir, EVENTSTORE_URL: '' });
    try {
      expect(store).toBeInstanceOf(SqliteEventStore);
      expect((store as SqliteEventStore).file).toBe(join(dir, 'events.db'));
    } finally {
      await store.close();
    }
  });

  it('opens EventStoreDB when EVENTSTORE_URL is set', async () => {
    const store = createEventStore({ EVENTSTORE_URL: 'esdb://127.0.0.1:2113?tls=false' });
    try {
      expect(store).toBeInstanceOf(EventStoreDbEventStore);
    } finally {
      await store.close();
    }
  });

  it('names the variable that is wrong', () => {
    expect(() => createEventStore({ EVENTSTORE_URL: 'http://localhost:2113' })).toThrow(/EVENTSTORE_URL/);
    expect(() => createEventStore({ CALLSTREAM_EVENTSTORE_POLL_MS: 'soon' })).toThrow(/CALLSTREAM_EVENTSTORE_POLL_MS/);
  });
});

describe('EventStoreDB adapter error mapping (no server needed)', () => {
  const closedPort = (): Promise<number> =>
    new Promise((resolvePort) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 1));
      });
    });

  it('reports a server that cannot be reached as unavailable, on every operation', async () => {
    const store = new EventStoreDbEventStore({ connectionString: `esdb://127.0.0.1:${await closedPort()}?tls=false` });
    try {
      await expect(store.append('call-1', events(1), { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(UnavailableError);
      await expect(store.readStream('call-1')).rejects.toBeInstanceOf(UnavailableError);
      await expect(store.readAll()).rejects.toBeInstanceOf(UnavailableError);
      await expect(store.headPosition()).rejects.toBeInstanceOf(UnavailableError);
      await expect(pull(store.subscribeToAll(), 1)).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      await store.close();
    }
  });

  it('maps the client errors to ours', () => {
    const wrong = new EsdbWrongExpectedVersionError(undefined, { streamName: 'call-1', expected: 3n, current: 5n });
    expect(mapEventStoreDbError(wrong)).toMatchObject({ code: 'CONCURRENCY', streamId: 'call-1', expected: 3n, actual: 5n });
    expect(mapEventStoreDbError(new EsdbWrongExpectedVersionError(undefined, { streamName: 'call-1', expected: 'no_stream', current: 0n }))).toBeInstanceOf(WrongExpectedVersionError);
    expect(mapEventStoreDbError(new EsdbDeadlineExceededError())).toBeInstanceOf(UnavailableError);
    expect(mapEventStoreDbError(Object.assign(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'), { code: 4 }))).toBeInstanceOf(UnavailableError);
    expect(mapEventStoreDbError(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }))).toBeInstanceOf(UnavailableError);
    const notFound = new EsdbStreamNotFoundError(undefined, 'call-1');
    expect(mapEventStoreDbError(notFound)).toBe(notFound);
  });
});
