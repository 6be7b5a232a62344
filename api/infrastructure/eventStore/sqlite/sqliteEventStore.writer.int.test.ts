import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { UnavailableError, WrongExpectedVersionError } from '../../../core/errors';
import type { EventData } from '../eventStore';
import { SqliteEventStore } from './sqliteEventStore';

const silent = pino({ level: 'silent' });
const events = (count: number): EventData[] => Array.from({ length: count }, (_, n) => ({ id: randomUUID(), type: 'Happened', data: { n } }));
const nextTick = (): Promise<void> => new Promise((resolveTick) => setImmediate(resolveTick));

/** Holds the file's write lock from another connection, as another process would. */
const lockHolder = (dir: string): { release: () => void; close: () => void } => {
  const holder = new Database(join(dir, 'events.db'));
  holder.exec('BEGIN IMMEDIATE');
  let held = true;
  return {
    release: () => {
      if (held) holder.exec('ROLLBACK');
      held = false;
    },
    close: () => {
      if (held) holder.exec('ROLLBACK');
      held = false;
      holder.close();
    },
  };
};

describe('SQLite event store writer thread', () => {
  const dirs: string[] = [];
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callstream-writer-'));
    dirs.push(dir);
    // A long busy timeout: the writer waits for a lock held by the test rather than failing.
    store = new SqliteEventStore({ dataDir: dir, logger: silent, busyTimeoutMs: 20_000 });
  });
  afterEach(async () => {
    await store.close();
  });
  afterAll(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('commits many concurrent appends in few transactions while the event loop keeps ticking', async () => {
    const writers = 16;
    const perWriter = 40;
    let pending = 0;
    let ticks = 0;
    let ticksWhilePending = 0;
    const timer = setInterval(() => {
      ticks += 1;
      if (pending > 0) ticksWhilePending += 1;
    }, 1);
    const before = { ...store.metrics };
    try {
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let n = 0; n < perWriter; n++) {
            pending += 1;
            try {
              await store.append(`call-${w}`, events(1), { expectedRevision: n === 0 ? 'no_stream' : BigInt(n - 1) });
            } finally {
              pending -= 1;
            }
          }
        }),
      );
    } finally {
      clearInterval(timer);
    }

    const appends = store.metrics.appends - before.appends;
    const commits = store.metrics.commits - before.commits;
    expect(appends).toBe(writers * perWriter);
    expect(store.metrics.events - before.events).toBe(writers * perWriter);
    expect(commits * 4).toBeLessThanOrEqual(appends);
    expect(store.metrics.largestBatch).toBeGreaterThan(1);
    expect(ticks).toBeGreaterThan(0);
    expect(ticksWhilePending).toBeGreaterThan(0);
    for (let w = 0; w < writers; w++) expect(await store.streamRevision(`call-${w}`)).toBe(BigInt(perWriter - 1));
  });

  it('serves reads and timers while a batch waits for the write lock, and sends what queued meanwhile as the next batch', async () => {
    await store.append('call-0', events(1));
    const lock = lockHolder(dir);
    try {
      const before = { ...store.metrics };
      const first = store.append('call-0', events(1), { expectedRevision: 0n });
      await nextTick();
      // The first batch is now on the writer, stuck behind the lock; these queue up, one per tick.
      const queued: Array<Promise<unknown>> = [];
      for (let i = 0; i < 50; i++) {
        queued.push(store.append(`queued-${i}`, events(2), { expectedRevision: 'no_stream' }));
        await nextTick();
      }
      queued.push(store.append('call-0', events(1), { expectedRevision: 0n }));

      // A synchronous write would block this thread until the lock is released; here the thread runs
      // on, reads, and releases the lock itself after a few timer ticks.
      expect(await store.streamRevision('call-0')).toBe(0n);
      let ticks = 0;
      await new Promise<void>((released) => {
        const timer = setInterval(() => {
          ticks += 1;
          if (ticks === 5) {
            clearInterval(timer);
            lock.release();
            released();
          }
        }, 1);
      });

      await expect(first).resolves.toMatchObject({ nextExpectedRevision: 1n });
      const outcomes = await Promise.allSettled(queued);
      expect(outcomes.slice(0, 50).every((o) => o.status === 'fulfilled')).toBe(true);
      const last = outcomes[50] as PromiseRejectedResult;
      expect(last.reason).toBeInstanceOf(WrongExpectedVersionError);
      expect(last.reason).toMatchObject({ streamId: 'call-0', expected: 0n, actual: 1n });
      expect(store.metrics.commits - before.commits).toBe(2);
      expect(store.metrics.appends - before.appends).toBe(52);
      expect(store.metrics.events - before.events).toBe(101);
      expect(store.metrics.largestBatch).toBe(51);
    } finally {
      lock.close();
    }
  });

  it('holds a batch to maxBatchAppends and sends the rest next', async () => {
    const small = new SqliteEventStore({ dataDir: dir, logger: silent, maxBatchAppends: 4 });
    try {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => small.append(`call-${i}`, events(1))));
      expect(small.metrics).toEqual({ commits: 3, appends: 10, events: 10, largestBatch: 4 });
      expect(results.map((r) => r.position)).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i + 1)));
    } finally {
      await small.close();
    }
  });

  it('fails the appends in flight and queued when the writer dies, and starts a new writer for the next append', async () => {
    await store.append('call-1', events(1));
    const lock = lockHolder(dir);
    let inFlight: Promise<unknown>;
    let queued: Promise<unknown>;
    try {
      inFlight = store.append('call-1', events(1), { expectedRevision: 0n });
      await nextTick();
      queued = store.append('call-2', events(1));
      const terminated = store.terminateWriter();
      expect(terminated).toBeDefined();
      // The writer is blocked in SQLite's busy wait; it stops once it gets back to JavaScript.
      lock.release();
      await terminated;
    } finally {
      lock.close();
    }
    await expect(inFlight).rejects.toBeInstanceOf(UnavailableError);
    await expect(queued).rejects.toBeInstanceOf(UnavailableError);

    const recovered = await store.append('call-3', events(2), { expectedRevision: 'no_stream' });
    expect(recovered.nextExpectedRevision).toBe(1n);
    expect((await store.readStream('call-3')).map((e) => e.position)).toEqual([recovered.position - 1n, recovered.position]);

    // A writer that dies while idle is replaced just the same.
    await store.terminateWriter();
    await expect(store.append('call-3', events(1), { expectedRevision: 1n })).resolves.toMatchObject({ nextExpectedRevision: 2n });
  });

  it('lets close() wait for the batch in flight and the queued appends, and rejects appends made after it', async () => {
    const lock = lockHolder(dir);
    let closing: Promise<void>;
    const inFlight = store.append('call-1', events(1), { expectedRevision: 'no_stream' });
    try {
      await nextTick();
      const queued = store.append('call-1', events(1), { expectedRevision: 0n });
      closing = store.close();
      const late = store.append('call-2', events(1));
      await expect(late).rejects.toBeInstanceOf(UnavailableError);
      await expect(late).rejects.toThrow('Event store is closed');
      lock.release();
      await expect(inFlight).resolves.toMatchObject({ nextExpectedRevision: 0n });
      await expect(queued).resolves.toMatchObject({ nextExpectedRevision: 1n });
      await closing;
    } finally {
      lock.close();
    }
    await expect(store.append('call-1', events(1))).rejects.toThrow('Event store is closed');
    expect(store.close()).toBe(closing);
    expect(store.terminateWriter()).toBeUndefined();

    const reopened = new SqliteEventStore({ dataDir: dir, logger: silent });
    try {
      expect(await reopened.streamRevision('call-1')).toBe(1n);
      expect(await reopened.streamRevision('call-2')).toBe('no_stream');
    } finally {
      await reopened.close();
    }
  });

  it('keeps a process alive while an append is pending, and not once the writer is idle', async () => {
    const adapter = join(__dirname, 'sqliteEventStore.ts');
    const register = join(__dirname, '../../../../test/durability/register.js');
    const script = `
      const { SqliteEventStore } = require(${JSON.stringify(adapter)});
      const store = new SqliteEventStore({ dataDir: ${JSON.stringify(join(dir, 'child'))} });
      store.append('call-1', [{ id: require('node:crypto').randomUUID(), type: 'Happened', data: {} }]).then((r) => process.stdout.write('appended ' + r.position));`;
    // Never closed: the process must still exit once the append has settled.
    const output = await new Promise<string>((resolveRun, reject) =>
      execFile(process.execPath, ['--require', register, '-e', script], { timeout: 20_000 }, (err, out) => (err ? reject(err) : resolveRun(out))),
    );
    expect(output).toBe('appended 1');
  });
});
