import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
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
 * The embedded event store: one SQLite file, `<dataDir>/events.db`.
 *
 * - The global position is the table's INTEGER PRIMARY KEY (rowid), so it starts at 1 and only grows:
 *   rows are never deleted. Position 0n therefore means the same as START.
 * - SQLite admits one writer at a time across processes and allocates the rowid inside the write
 *   transaction, so commit order is position order: a reader never sees a gap that fills in later.
 *   That is what makes polling `position > checkpoint` a correct catch-up for other processes.
 * - WAL with synchronous=FULL: a commit returns only after the WAL is fsynced.
 * - Checkpoints (copying the WAL back into the database file) run on a worker thread with its own
 *   connection, so the event loop never stalls on one; the writer's own autocheckpoint stays as a
 *   rarely reached bound on the WAL.
 * - Group commit: appends issued in the same tick are queued and written by one transaction (one
 *   fsync). Each append is checked on its own, before any of its rows is written, against the stream
 *   as left by the earlier appends of the batch, so a rejected append writes nothing and fails alone.
 * - Event ids make a retried append a no-op, with EventStoreDB's semantics and no more: when the ids
 *   are exactly the events of the stream where the append's expectation would have put them (after
 *   revision E for an exact E, from 0 for 'no_stream', at the tail of the stream for 'any' and
 *   'stream_exists'), nothing is written and the original result is returned. An id reused in another
 *   stream, or elsewhere in the stream, is written again: ids are not a unique key (a global id index
 *   would also cost a random B-tree page per event). Dedupe by stream name or by decider state.
 *   Ids are stored lowercase.
 */

export interface SqliteEventStoreOptions {
  dataDir: string;
  fileName?: string;
  /** How often an idle subscription looks for appends made by other processes. */
  pollIntervalMs?: number;
  /** How long a write waits for another process's write lock before failing as unavailable. */
  busyTimeoutMs?: number;
  /** Rows a subscription reads at a time, only when its consumer has drained the previous page. */
  subscriptionPageSize?: number;
  /** Appends one group commit holds at most; more wait for the next one. */
  maxBatchAppends?: number;
  /** How often the worker thread checkpoints the WAL; 0 leaves checkpoints to the writer's commits. */
  checkpointIntervalMs?: number;
  logger?: Logger;
}

/** Counters that show group commit at work (commits = write transactions = WAL fsyncs). */
export interface SqliteEventStoreMetrics {
  commits: number;
  /** Appends settled by those commits, successful or rejected by their own check. */
  appends: number;
  /** Events written. */
  events: number;
  largestBatch: number;
}

export const DEFAULT_POLL_INTERVAL_MS = 25;
export const DEFAULT_SUBSCRIPTION_PAGE_SIZE = 500;
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 50;

const MAX_INT64 = 9223372036854775807n;
const NO_REVISION = -1n;

type Row = [position: bigint, streamId: string, revision: bigint, eventId: string, type: string, data: string, metadata: string, recordedAt: bigint];
type IdRow = [eventId: string, position: bigint];

interface SerializedEvent {
  id: string;
  type: string;
  data: string;
  metadata: string;
}

interface PendingAppend {
  streamId: string;
  expected: ExpectedRevision;
  events: SerializedEvent[];
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

type Outcome = { result: AppendResult } | { error: CallstreamError };

const COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, recorded_at';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY,
  stream_id   TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  event_id    TEXT    NOT NULL,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_stream_revision ON events (stream_id, revision);
`;

const toRecorded = (row: Row): RecordedEvent => ({
  id: row[3],
  streamId: row[1],
  type: row[4],
  revision: row[2],
  position: row[0],
  data: JSON.parse(row[5]) as unknown,
  metadata: JSON.parse(row[6]) as RecordedEvent['metadata'],
  recordedAt: new Date(Number(row[7])),
});

const expectationMet = (expected: ExpectedRevision, current: bigint): boolean => {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === NO_REVISION;
    case 'stream_exists':
      return current !== NO_REVISION;
    default:
      return current === expected;
  }
};

/**
 * Where the events of an earlier, identical append would be if this append is its retry: right after
 * the expected revision, or at the tail of the stream when no revision was expected. Undefined when a
 * retry is impossible (the stream is too short, or the expectation is met and the append is new).
 */
const retryFirstRevision = (expected: ExpectedRevision, current: bigint, count: number): bigint | undefined => {
  const n = BigInt(count);
  const first = expected === 'any' || expected === 'stream_exists' ? current - n + 1n : expected === 'no_stream' ? 0n : expected + 1n;
  if (first < 0n || first + n - 1n > current) return undefined;
  if ((expected === 'no_stream' || typeof expected === 'bigint') && expectationMet(expected, current)) return undefined;
  return first;
};

const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL|NOMEM)/;

const mapSqliteError = (err: unknown): unknown => {
  if (err instanceof CallstreamError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && SQLITE_UNAVAILABLE.test(code)) return new UnavailableError(`Event store unavailable (${code}): ${message}`, { cause: err });
  if (err instanceof TypeError && /connection is not open/.test(message)) return new UnavailableError('Event store is closed', { cause: err });
  return err;
};

const checkMaxCount = (maxCount: number | undefined): void => {
  if (maxCount !== undefined && (!Number.isInteger(maxCount) || maxCount < 0)) throw new ValidationError(`maxCount must be a non-negative integer, got ${maxCount}`);
};

// Plain JavaScript, evaluated in the worker: it must load without the TypeScript toolchain.
const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    if (!/^SQLITE_(BUSY|LOCKED)/.test(String(err && err.code))) parentPort.postMessage(String(err && err.message));
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

interface Checkpointer {
  stop(): Promise<void>;
}

const startCheckpointer = (file: string, intervalMs: number, log: Logger): Checkpointer => {
  const worker = new Worker(CHECKPOINTER_SOURCE, { eval: true, workerData: { driver: require.resolve('better-sqlite3'), file, intervalMs } });
  worker.on('message', (message: unknown) => log.warn({ error: message }, 'WAL checkpoint failed'));
  worker.on('error', (err) => log.error({ err }, 'WAL checkpointer stopped'));
  const exited = new Promise<void>((resolveExit) => worker.once('exit', () => resolveExit()));
  // After the listeners: adding a 'message' listener references the worker again.
  worker.unref();
  return {
    async stop() {
      // Unreferenced so that it never keeps a process alive, but a close() must see it finish.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
};

// Stores opened on the same file in this process wake each other's subscriptions at once; other
// processes are noticed by polling.
const openStores = new Map<string, Set<SqliteEventStore>>();

export class SqliteEventStore implements EventStore {
  readonly file: string;
  readonly metrics: SqliteEventStoreMetrics = { commits: 0, appends: 0, events: 0, largestBatch: 0 };

  private readonly db: Database.Database;
  private readonly log: Logger;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly maxBatchAppends: number;

  private queue: PendingAppend[] = [];
  private flushHandle: NodeJS.Immediate | undefined;
  private closed = false;

  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly waiting = new Set<SqliteSubscription>();
  private pollTimer: NodeJS.Timeout | undefined;
  private checkpointIntervalMs: number;
  // Started by the first write: a store that only reads never grows the WAL.
  private checkpointer: Checkpointer | undefined;

  private readonly insertStmt: Database.Statement<[string, bigint, string, string, string, string, number]>;
  private readonly currentRevisionStmt: Database.Statement<[string], bigint>;
  private readonly idsStmt: Database.Statement<[string, bigint, number], IdRow>;
  private readonly streamForwardStmt: Database.Statement<[string, bigint, number], Row>;
  private readonly streamBackwardStmt: Database.Statement<[string, bigint, number], Row>;
  private readonly allForwardStmt: Database.Statement<[bigint, number], Row>;
  private readonly allBackwardStmt: Database.Statement<[bigint, number], Row>;
  private readonly headStmt: Database.Statement<[], bigint | null>;
  private readonly writeBatch: Database.Transaction<(batch: PendingAppend[], outcomes: Outcome[]) => void>;

  constructor(options: SqliteEventStoreOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.pageSize = options.subscriptionPageSize ?? DEFAULT_SUBSCRIPTION_PAGE_SIZE;
    this.maxBatchAppends = options.maxBatchAppends ?? 1024;
    mkdirSync(options.dataDir, { recursive: true });
    this.file = resolve(join(options.dataDir, options.fileName ?? 'events.db'));
    this.log = (options.logger ?? rootLogger).child({ component: 'eventStore', adapter: 'sqlite', file: this.file });

    try {
      this.db = new Database(this.file);
      this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      // A checkpoint inside a commit stalls the event loop; the checkpointer thread normally gets there
      // first, this only bounds the WAL (about 40 MB) if it falls behind.
      this.db.pragma('wal_autocheckpoint = 10000');
      this.db.exec(SCHEMA);
    } catch (err) {
      throw mapSqliteError(err);
    }
    this.db.defaultSafeIntegers(true);

    this.insertStmt = this.db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.currentRevisionStmt = this.db.prepare<[string], bigint>('SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1').pluck();
    this.idsStmt = this.db.prepare<[string, bigint, number], IdRow>('SELECT event_id, position FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?').raw();
    this.streamForwardStmt = this.db.prepare<[string, bigint, number], Row>(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`).raw();
    this.streamBackwardStmt = this.db.prepare<[string, bigint, number], Row>(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`).raw();
    this.allForwardStmt = this.db.prepare<[bigint, number], Row>(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw();
    this.allBackwardStmt = this.db.prepare<[bigint, number], Row>(`SELECT ${COLUMNS} FROM events WHERE position < ? ORDER BY position DESC LIMIT ?`).raw();
    this.headStmt = this.db.prepare<[], bigint | null>('SELECT max(position) FROM events').pluck();
    this.writeBatch = this.db.transaction((batch: PendingAppend[], outcomes: Outcome[]) => this.writeAppends(batch, outcomes));

    let peers = openStores.get(this.file);
    if (!peers) openStores.set(this.file, (peers = new Set()));
    peers.add(this);
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
    this.log.debug('event store opened');
  }

  // ---------------------------------------------------------------- append (group commit)

  append(streamId: string, events: EventData[], options: AppendOptions = {}): Promise<AppendResult> {
    try {
      if (this.closed) throw new UnavailableError('Event store is closed');
      validateAppend(streamId, events);
      const expected = options.expectedRevision ?? 'any';
      if (typeof expected === 'bigint' && expected < 0n) throw new ValidationError(`Expected revision must be >= 0, got ${expected}`);
      const serialized = events.map((e) => ({ id: e.id.toLowerCase(), type: e.type, data: stringifyJson(e.data), metadata: stringifyJson(e.metadata ?? {}) }));
      return new Promise<AppendResult>((resolvePromise, rejectPromise) => {
        this.queue.push({ streamId, expected, events: serialized, resolve: resolvePromise, reject: rejectPromise });
        this.flushHandle ??= setImmediate(() => this.flush());
      });
    } catch (err) {
      return Promise.reject(mapSqliteError(err));
    }
  }

  private flush(): void {
    this.flushHandle = undefined;
    const batch = this.queue.length <= this.maxBatchAppends ? this.queue : this.queue.slice(0, this.maxBatchAppends);
    this.queue = batch === this.queue ? [] : this.queue.slice(this.maxBatchAppends);
    if (this.queue.length > 0) this.flushHandle = setImmediate(() => this.flush());
    if (batch.length === 0) return;

    const outcomes: Outcome[] = new Array<Outcome>(batch.length);
    const eventsBefore = this.metrics.events;
    try {
      // IMMEDIATE takes the write lock up front, so a batch never fails half way on lock upgrade.
      this.writeBatch.immediate(batch, outcomes);
    } catch (err) {
      this.metrics.events = eventsBefore;
      const mapped = mapSqliteError(err);
      this.log.warn({ err: mapped, appends: batch.length }, 'group commit failed');
      for (const pending of batch) pending.reject(mapped);
      return;
    }
    this.metrics.commits += 1;
    if (!this.checkpointer && this.checkpointIntervalMs > 0) this.startCheckpointer();
    this.metrics.appends += batch.length;
    if (batch.length > this.metrics.largestBatch) this.metrics.largestBatch = batch.length;
    if (this.metrics.events !== eventsBefore) {
      for (const peer of openStores.get(this.file) ?? []) peer.wakeAll();
    }
    for (let i = 0; i < batch.length; i++) {
      const outcome = outcomes[i];
      if ('result' in outcome) batch[i].resolve(outcome.result);
      else batch[i].reject(outcome.error);
    }
  }

  private startCheckpointer(): void {
    try {
      this.checkpointer = startCheckpointer(this.file, this.checkpointIntervalMs, this.log);
    } catch (err) {
      // The writer's autocheckpoint still bounds the WAL; the commits just made must still settle.
      this.checkpointIntervalMs = 0;
      this.log.error({ err }, 'could not start the WAL checkpointer');
    }
  }

  private writeAppends(batch: PendingAppend[], outcomes: Outcome[]): void {
    const recordedAt = Date.now();
    const revisions = new Map<string, bigint>();
    for (let i = 0; i < batch.length; i++) {
      try {
        outcomes[i] = { result: this.writeAppend(batch[i], revisions, recordedAt) };
      } catch (err) {
        // Only the append's own checks are settled per append; anything else aborts the batch.
        if (err instanceof CallstreamError) outcomes[i] = { error: err };
        else throw err;
      }
    }
  }

  private writeAppend({ streamId, expected, events }: PendingAppend, revisions: Map<string, bigint>, recordedAt: number): AppendResult {
    let current = revisions.get(streamId);
    if (current === undefined) current = this.currentRevisionStmt.get(streamId) ?? NO_REVISION;

    const retryFrom = retryFirstRevision(expected, current, events.length);
    if (retryFrom !== undefined) {
      const recorded = this.idsStmt.all(streamId, retryFrom, events.length);
      if (recorded.length === events.length && recorded.every((row, i) => row[0] === events[i].id)) {
        return { nextExpectedRevision: retryFrom + BigInt(events.length) - 1n, position: recorded[recorded.length - 1][1] };
      }
    }
    if (!expectationMet(expected, current)) throw new WrongExpectedVersionError(streamId, expected, current === NO_REVISION ? 'no_stream' : current);

    let position = 0n;
    for (const event of events) {
      current += 1n;
      position = this.insertStmt.run(streamId, current, event.id, event.type, event.data, event.metadata, recordedAt).lastInsertRowid as bigint;
    }
    revisions.set(streamId, current);
    this.metrics.events += events.length;
    return { nextExpectedRevision: current, position };
  }

  // ---------------------------------------------------------------- reads

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    checkMaxCount(options.maxCount);
    const direction = options.direction ?? 'forwards';
    const limit = options.maxCount ?? -1;
    if (limit === 0) return [];
    const from = options.fromRevision ?? (direction === 'forwards' ? START : END);
    const rows = this.guard(() => {
      if (direction === 'forwards') return from === END ? [] : this.streamForwardStmt.all(streamId, from === START ? 0n : from, limit);
      return from === START ? this.streamForwardStmt.all(streamId, 0n, 1) : this.streamBackwardStmt.all(streamId, from === END ? MAX_INT64 : from, limit);
    });
    return rows.map(toRecorded);
  }

  async streamRevision(streamId: string): Promise<bigint | 'no_stream'> {
    return this.guard(() => this.currentRevisionStmt.get(streamId)) ?? 'no_stream';
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    checkMaxCount(options.maxCount);
    const maxCount = options.maxCount ?? DEFAULT_READ_ALL_MAX_COUNT;
    if (maxCount === 0) return [];
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    const from = options.fromPosition ?? (forwards ? START : END);
    if ((forwards && from === END) || (!forwards && from === START)) return [];
    let cursor = from === START ? 0n : from === END ? MAX_INT64 : from;
    const out: RecordedEvent[] = [];
    const filter = options.filter;
    const chunk = filter ? Math.max(maxCount, this.pageSize) : maxCount;
    for (;;) {
      const rows = this.guard(() => (forwards ? this.allForwardStmt : this.allBackwardStmt).all(cursor, chunk));
      for (const row of rows) {
        cursor = row[0];
        if (matchesFilter(filter, row[1], row[4])) {
          out.push(toRecorded(row));
          if (out.length === maxCount) return out;
        }
      }
      if (rows.length < chunk) return out;
    }
  }

  async headPosition(): Promise<bigint> {
    return this.head();
  }

  // ---------------------------------------------------------------- subscriptions

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    if (this.closed) throw new UnavailableError('Event store is closed');
    const from = options.fromPosition ?? START;
    const position = from === START ? 0n : from === END ? this.head() : from;
    const subscription = new SqliteSubscription(this, position, options.filter, this.pageSize);
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** @internal */
  readAfter(position: bigint, count: number): Row[] | undefined {
    if (this.closed) return undefined;
    return this.guard(() => this.allForwardStmt.all(position, count));
  }

  /** @internal Parks a caught-up subscription until an append may have given it something to read. */
  park(subscription: SqliteSubscription): void {
    this.waiting.add(subscription);
    this.pollTimer ??= setInterval(() => this.poll(), this.pollIntervalMs);
  }

  /** @internal */
  forget(subscription: SqliteSubscription): void {
    this.subscriptions.delete(subscription);
    this.unpark(subscription);
  }

  private unpark(subscription: SqliteSubscription): void {
    this.waiting.delete(subscription);
    if (this.waiting.size === 0 && this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
  }

  private poll(): void {
    if (this.closed) return;
    let head: bigint;
    try {
      head = this.head();
    } catch (err) {
      // The waiting subscriptions read again and surface the error to their consumers.
      this.log.warn({ err }, 'polling the event store head failed');
      head = MAX_INT64;
    }
    for (const subscription of [...this.waiting]) {
      if (subscription.scannedPosition < head) {
        this.unpark(subscription);
        subscription.wake();
      }
    }
  }

  private wakeAll(): void {
    for (const subscription of [...this.waiting]) {
      this.unpark(subscription);
      subscription.wake();
    }
  }

  private head(): bigint {
    return this.guard(() => this.headStmt.get()) ?? -1n;
  }

  private guard<T>(read: () => T): T {
    if (this.closed) throw new UnavailableError('Event store is closed');
    try {
      return read();
    } catch (err) {
      throw mapSqliteError(err);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.flushHandle) clearImmediate(this.flushHandle);
    while (this.queue.length > 0) this.flush();
    if (this.flushHandle) clearImmediate(this.flushHandle);
    this.flushHandle = undefined;
    this.closed = true;
    for (const subscription of [...this.subscriptions]) await subscription.close();
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    openStores.get(this.file)?.delete(this);
    if (openStores.get(this.file)?.size === 0) openStores.delete(this.file);
    this.db.close();
    await this.checkpointer?.stop();
    this.log.debug('event store closed');
  }
}

class SqliteSubscription implements Subscription {
  /** The last position read from the log, matching the filter or not. */
  scannedPosition: bigint;
  private caughtUp = false;
  private closed = false;
  private resume: (() => void) | undefined;
  private readonly iterator: AsyncGenerator<RecordedEvent, void, undefined>;

  constructor(
    private readonly store: SqliteEventStore,
    position: bigint,
    private readonly filter: EventFilter | undefined,
    private readonly pageSize: number,
  ) {
    this.scannedPosition = position;
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
    this.store.forget(this);
    this.wake();
  }

  wake(): void {
    const resume = this.resume;
    this.resume = undefined;
    resume?.();
  }

  private async *run(): AsyncGenerator<RecordedEvent, void, undefined> {
    try {
      while (!this.closed) {
        const rows = this.store.readAfter(this.scannedPosition, this.pageSize);
        if (rows === undefined) return;
        for (const row of rows) {
          this.scannedPosition = row[0];
          if (matchesFilter(this.filter, row[1], row[4])) {
            yield toRecorded(row);
            if (this.closed) return;
          }
        }
        if (rows.length < this.pageSize) {
          this.caughtUp = true;
          await new Promise<void>((resolvePromise) => {
            this.resume = resolvePromise;
            this.store.park(this);
          });
        }
      }
    } finally {
      this.closed = true;
      this.store.forget(this);
    }
  }
}
