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
 * - Two threads, two connections. Writes run on a writer worker thread that the store starts on its
 *   first append and that owns the write connection, so the event loop never waits for a write lock or
 *   a WAL fsync. Everything else (stream and $all reads, the head, subscriptions, polling) runs on the
 *   event loop's own connection: WAL gives it a consistent snapshot per statement, and the writer
 *   answers only after its commit, so a read issued once an append has resolved sees that append.
 *   The writer is unreferenced while idle and referenced while a batch is in flight, so it never keeps
 *   a process alive on its own but a pending append does. If it dies, the appends in flight and queued
 *   fail as unavailable (they may or may not have been written: retry them, event ids make that safe)
 *   and the next append starts a new one.
 * - Group commit: appends issued in the same tick are queued and sent to the writer as one batch, which
 *   it writes in one BEGIN IMMEDIATE transaction (one fsync). While a batch is in flight, later appends
 *   queue up and leave as the next batch when it returns, so batches grow with the load. Appends are
 *   validated and serialized (event data as JSON text) before they are queued; the writer gets plain
 *   arrays and answers with plain arrays, which this thread turns back into results and errors.
 * - Each append is checked on its own by the writer, before any of its rows is written, against the
 *   stream as left by the earlier appends of the batch, so a rejected append writes nothing and fails
 *   alone. A failure of the batch itself (a lock held too long, an I/O error) fails all its appends.
 * - Checkpoints (copying the WAL back into the database file) run on another worker thread with its
 *   own connection, so the writer rarely stalls on one either; the writer's own autocheckpoint stays as
 *   a rarely reached bound on the WAL.
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

type Row = [position: bigint, streamId: string, revision: bigint, eventId: string, type: string, data: string, metadata: string, recordedAt: bigint];

/**
 * One append as the writer gets it: the stream, the expectation, and the events flattened as
 * id, type, data, metadata, id, type, … (data and metadata already JSON text).
 */
type AppendMessage = [streamId: string, expected: ExpectedRevision, events: string[]];

interface PendingAppend {
  message: AppendMessage;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/** What the writer says of one append: its result, or the revision that failed its expectation. */
type Outcome = [nextExpectedRevision: bigint, position: bigint] | [rejected: null, actual: bigint | 'no_stream'];

interface WriterFailure {
  name: string;
  message: string;
  code?: string;
}

/** The writer's answer to a batch: one outcome per append and the events written, or why it failed. */
type WriterReply = { outcomes: Outcome[]; events: number } | { error: WriterFailure };

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

const CURRENT_REVISION_SQL = 'SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1';

/** The statements the writer prepares. */
const WRITER_SQL = {
  insert: 'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  currentRevision: CURRENT_REVISION_SQL,
  ids: 'SELECT event_id, position FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?',
};

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

const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL|NOMEM)/;

const mapSqliteError = (err: unknown): unknown => {
  if (err instanceof CallstreamError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && SQLITE_UNAVAILABLE.test(code)) return new UnavailableError(`Event store unavailable (${code}): ${message}`, { cause: err });
  if (err instanceof TypeError && /connection is not open/.test(message)) return new UnavailableError('Event store is closed', { cause: err });
  return err;
};

/** The writer's error as it was on its thread: a SqliteError keeps its class and code. */
const rebuildWriterError = ({ name, message, code }: WriterFailure): Error => {
  if (name === 'SqliteError' && code !== undefined) return new Database.SqliteError(message, code);
  const err = name === 'TypeError' ? new TypeError(message) : name === 'RangeError' ? new RangeError(message) : new Error(message);
  if (name && err.name !== name) err.name = name;
  if (code !== undefined) Object.assign(err, { code });
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

// Plain JavaScript too. It gets batches of AppendMessage and answers each with a WriterReply. The
// connection is opened by the first batch, so a failure to open fails that batch and the next retries.
const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const NO_REVISION = -1n;
let db, insert, currentRevision, ids, writeBatch;

const expectationMet = (expected, current) =>
  expected === 'any' ? true : expected === 'no_stream' ? current === NO_REVISION : expected === 'stream_exists' ? current !== NO_REVISION : current === expected;

// Where the events of an earlier, identical append would be if this append is its retry: right after
// the expected revision, or at the tail of the stream when no revision was expected. Undefined when a
// retry is impossible (the stream is too short, or the expectation is met and the append is new).
const retryFirstRevision = (expected, current, count) => {
  const n = BigInt(count);
  const first = expected === 'any' || expected === 'stream_exists' ? current - n + 1n : expected === 'no_stream' ? 0n : expected + 1n;
  if (first < 0n || first + n - 1n > current) return undefined;
  if ((expected === 'no_stream' || typeof expected === 'bigint') && expectationMet(expected, current)) return undefined;
  return first;
};

const writeAppends = (batch, outcomes) => {
  const recordedAt = Date.now();
  const revisions = new Map();
  let written = 0;
  for (const [streamId, expected, events] of batch) {
    const count = events.length / 4;
    let current = revisions.get(streamId);
    if (current === undefined) current = currentRevision.get(streamId) ?? NO_REVISION;
    const retryFrom = retryFirstRevision(expected, current, count);
    if (retryFrom !== undefined) {
      const rows = ids.all(streamId, retryFrom, count);
      if (rows.length === count && rows.every((row, i) => row[0] === events[i * 4])) {
        outcomes.push([retryFrom + BigInt(count) - 1n, rows[count - 1][1]]);
        continue;
      }
    }
    if (!expectationMet(expected, current)) {
      outcomes.push([null, current === NO_REVISION ? 'no_stream' : current]);
      continue;
    }
    let position = 0n;
    for (let i = 0; i < events.length; i += 4) {
      current += 1n;
      position = insert.run(streamId, current, events[i], events[i + 1], events[i + 2], events[i + 3], recordedAt).lastInsertRowid;
    }
    revisions.set(streamId, current);
    written += count;
    outcomes.push([current, position]);
  }
  return written;
};

const open = () => {
  const connection = new Database(workerData.file, { fileMustExist: true });
  try {
    for (const pragma of workerData.pragmas) connection.pragma(pragma);
    connection.defaultSafeIntegers(true);
    insert = connection.prepare(workerData.sql.insert);
    currentRevision = connection.prepare(workerData.sql.currentRevision).pluck();
    ids = connection.prepare(workerData.sql.ids).raw();
    writeBatch = connection.transaction(writeAppends);
  } catch (err) {
    connection.close();
    throw err;
  }
  db = connection;
};

parentPort.on('message', (batch) => {
  if (batch === 'stop') {
    if (db) db.close();
    parentPort.close();
    return;
  }
  let reply;
  try {
    if (!db) open();
    const outcomes = [];
    // IMMEDIATE takes the write lock up front, so a batch never fails half way on lock upgrade.
    const events = writeBatch.immediate(batch, outcomes);
    reply = { outcomes, events };
  } catch (err) {
    const code = err && err.code;
    reply = { error: { name: String((err && err.name) || 'Error'), message: String(err && err.message !== undefined ? err.message : err), code: typeof code === 'string' ? code : undefined } };
  }
  parentPort.postMessage(reply);
});
`;

interface Writer {
  worker: Worker;
  exited: Promise<void>;
}

// Stores opened on the same file in this process wake each other's subscriptions at once; other
// processes are noticed by polling.
const openStores = new Map<string, Set<SqliteEventStore>>();

export class SqliteEventStore implements EventStore {
  readonly file: string;
  readonly metrics: SqliteEventStoreMetrics = { commits: 0, appends: 0, events: 0, largestBatch: 0 };

  /** The event loop's connection: reads only, once the schema is there. */
  private readonly db: Database.Database;
  private readonly log: Logger;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly maxBatchAppends: number;
  private readonly pragmas: string[];

  private queue: PendingAppend[] = [];
  private flushHandle: NodeJS.Immediate | undefined;
  // Started by the first append; replaced by the next append after it dies.
  private writer: Writer | undefined;
  private inFlight: PendingAppend[] | undefined;
  private drainWaiters: Array<() => void> = [];
  private closing = false;
  private closed = false;
  private closeDone: Promise<void> | undefined;

  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly waiting = new Set<SqliteSubscription>();
  private pollTimer: NodeJS.Timeout | undefined;
  private checkpointIntervalMs: number;
  // Started by the first write: a store that only reads never grows the WAL.
  private checkpointer: Checkpointer | undefined;

  private readonly currentRevisionStmt: Database.Statement<[string], bigint>;
  private readonly streamForwardStmt: Database.Statement<[string, bigint, number], Row>;
  private readonly streamHeadersStmt: Database.Statement<[string, bigint, number], Row>;
  private readonly streamBackwardStmt: Database.Statement<[string, bigint, number], Row>;
  private readonly allForwardStmt: Database.Statement<[bigint, number], Row>;
  private readonly allBackwardStmt: Database.Statement<[bigint, number], Row>;
  private readonly headStmt: Database.Statement<[], bigint | null>;

  constructor(options: SqliteEventStoreOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.pageSize = options.subscriptionPageSize ?? DEFAULT_SUBSCRIPTION_PAGE_SIZE;
    this.maxBatchAppends = options.maxBatchAppends ?? 1024;
    mkdirSync(options.dataDir, { recursive: true });
    this.file = resolve(join(options.dataDir, options.fileName ?? 'events.db'));
    this.log = (options.logger ?? rootLogger).child({ component: 'eventStore', adapter: 'sqlite', file: this.file });
    this.pragmas = [
      `busy_timeout = ${options.busyTimeoutMs ?? 5000}`,
      'journal_mode = WAL',
      'synchronous = FULL',
      // A checkpoint inside a commit stalls the writer; the checkpointer thread normally gets there
      // first, this only bounds the WAL (about 40 MB) if it falls behind.
      'wal_autocheckpoint = 10000',
    ];

    try {
      this.db = new Database(this.file);
      for (const pragma of this.pragmas) this.db.pragma(pragma);
      this.db.exec(SCHEMA);
    } catch (err) {
      throw mapSqliteError(err);
    }
    this.db.defaultSafeIntegers(true);

    this.currentRevisionStmt = this.db.prepare<[string], bigint>(CURRENT_REVISION_SQL).pluck();
    this.streamForwardStmt = this.db.prepare<[string, bigint, number], Row>(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`).raw();
    this.streamHeadersStmt = this.db
      .prepare<[string, bigint, number], Row>(`SELECT position, stream_id, revision, event_id, type, 'null', '{}', recorded_at FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`)
      .raw();
    this.streamBackwardStmt = this.db.prepare<[string, bigint, number], Row>(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`).raw();
    this.allForwardStmt = this.db.prepare<[bigint, number], Row>(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw();
    this.allBackwardStmt = this.db.prepare<[bigint, number], Row>(`SELECT ${COLUMNS} FROM events WHERE position < ? ORDER BY position DESC LIMIT ?`).raw();
    this.headStmt = this.db.prepare<[], bigint | null>('SELECT max(position) FROM events').pluck();

    let peers = openStores.get(this.file);
    if (!peers) openStores.set(this.file, (peers = new Set()));
    peers.add(this);
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
    this.log.debug('event store opened');
  }

  // ---------------------------------------------------------------- append (group commit)

  append(streamId: string, events: EventData[], options: AppendOptions = {}): Promise<AppendResult> {
    try {
      if (this.closing) throw new UnavailableError('Event store is closed');
      validateAppend(streamId, events);
      const expected = options.expectedRevision ?? 'any';
      if (typeof expected === 'bigint' && expected < 0n) throw new ValidationError(`Expected revision must be >= 0, got ${expected}`);
      const flat = new Array<string>(events.length * 4);
      for (let i = 0; i < events.length; i++) {
        const e = events[i];
        flat[i * 4] = e.id.toLowerCase();
        flat[i * 4 + 1] = e.type;
        flat[i * 4 + 2] = stringifyJson(e.data);
        flat[i * 4 + 3] = stringifyJson(e.metadata ?? {});
      }
      return new Promise<AppendResult>((resolvePromise, rejectPromise) => {
        this.queue.push({ message: [streamId, expected, flat], resolve: resolvePromise, reject: rejectPromise });
        // With a batch in flight, its return sends the queue on.
        if (!this.inFlight) this.flushHandle ??= setImmediate(() => this.flush());
      });
    } catch (err) {
      return Promise.reject(mapSqliteError(err));
    }
  }

  /** Sends the queued appends (up to maxBatchAppends) to the writer as one batch. */
  private flush(): void {
    this.flushHandle = undefined;
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue.length <= this.maxBatchAppends ? this.queue : this.queue.slice(0, this.maxBatchAppends);
    this.queue = batch === this.queue ? [] : this.queue.slice(this.maxBatchAppends);
    try {
      this.writer ??= this.startWriter();
      this.writer.worker.postMessage(batch.map((pending) => pending.message));
    } catch (err) {
      const error = new UnavailableError('Event store writer could not start', { cause: err });
      this.log.error({ err }, 'could not start the event store writer');
      for (const pending of batch) pending.reject(error);
      this.batchDone();
      return;
    }
    this.inFlight = batch;
    // A pending append keeps the process alive, as a synchronous write would have.
    this.writer.worker.ref();
  }

  private startWriter(): Writer {
    const worker = new Worker(WRITER_SOURCE, { eval: true, workerData: { driver: require.resolve('better-sqlite3'), file: this.file, pragmas: this.pragmas, sql: WRITER_SQL } });
    const writer: Writer = { worker, exited: new Promise<void>((resolveExit) => worker.once('exit', () => resolveExit())) };
    worker.on('message', (reply: WriterReply) => this.settle(writer, reply));
    worker.on('error', (err) => this.writerStopped(writer, err));
    worker.on('exit', (code) => this.writerStopped(writer, new Error(`The event store writer exited with code ${code}`)));
    // After the listeners, which would reference it again. flush() references it for each batch.
    worker.unref();
    return writer;
  }

  private settle(writer: Writer, reply: WriterReply): void {
    const batch = this.inFlight;
    if (writer !== this.writer || !batch) return;
    this.inFlight = undefined;
    if ('error' in reply) {
      const mapped = mapSqliteError(rebuildWriterError(reply.error));
      this.log.warn({ err: mapped, appends: batch.length }, 'group commit failed');
      for (const pending of batch) pending.reject(mapped);
      this.batchDone();
      return;
    }
    this.metrics.commits += 1;
    if (!this.checkpointer && this.checkpointIntervalMs > 0) this.startCheckpointer();
    this.metrics.appends += batch.length;
    this.metrics.events += reply.events;
    if (batch.length > this.metrics.largestBatch) this.metrics.largestBatch = batch.length;
    if (reply.events > 0) {
      for (const peer of openStores.get(this.file) ?? []) peer.wakeAll();
    }
    for (let i = 0; i < batch.length; i++) {
      const outcome = reply.outcomes[i];
      if (outcome[0] !== null) {
        batch[i].resolve({ nextExpectedRevision: outcome[0], position: outcome[1] as bigint });
      } else {
        const [streamId, expected] = batch[i].message;
        batch[i].reject(new WrongExpectedVersionError(streamId, expected, outcome[1]));
      }
    }
    this.batchDone();
  }

  /** The writer died: what it had and what waited for it fail as unavailable; the next append starts another. */
  private writerStopped(writer: Writer, err: unknown): void {
    if (writer !== this.writer) return;
    this.writer = undefined;
    this.log.error({ err }, 'event store writer stopped');
    const error = new UnavailableError('Event store writer stopped', { cause: err });
    const lost = [...(this.inFlight ?? []), ...this.queue];
    this.inFlight = undefined;
    this.queue = [];
    if (this.flushHandle) clearImmediate(this.flushHandle);
    this.flushHandle = undefined;
    for (const pending of lost) pending.reject(error);
    this.batchDone();
  }

  private batchDone(): void {
    if (this.queue.length > 0) {
      this.flushHandle ??= setImmediate(() => this.flush());
      return;
    }
    this.writer?.worker.unref();
    for (const waiter of this.drainWaiters.splice(0)) waiter();
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

  /** @internal Test hook: terminates the writer thread as a crash would. */
  terminateWriter(): Promise<number> | undefined {
    return this.writer?.worker.terminate();
  }


  // ---------------------------------------------------------------- reads

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    checkMaxCount(options.maxCount);
    const direction = options.direction ?? 'forwards';
    const limit = options.maxCount ?? -1;
    if (limit === 0) return [];
    const from = options.fromRevision ?? (direction === 'forwards' ? START : END);
    const rows = this.guard(() => {
      if (direction === 'forwards') return from === END ? [] : (options.headersOnly ? this.streamHeadersStmt : this.streamForwardStmt).all(streamId, from === START ? 0n : from, limit);
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
    if (this.closing) throw new UnavailableError('Event store is closed');
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

  close(): Promise<void> {
    this.closeDone ??= this.shutdown();
    return this.closeDone;
  }

  private async shutdown(): Promise<void> {
    // Appends already queued or in flight settle; later ones fail.
    this.closing = true;
    if (this.inFlight || this.queue.length > 0) await new Promise<void>((resolveDrained) => this.drainWaiters.push(resolveDrained));
    this.closed = true;
    for (const subscription of [...this.subscriptions]) await subscription.close();
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    openStores.get(this.file)?.delete(this);
    if (openStores.get(this.file)?.size === 0) openStores.delete(this.file);
    const writer = this.writer;
    this.writer = undefined;
    if (writer) {
      // Referenced so that a process awaiting close() runs to its end.
      writer.worker.ref();
      writer.worker.postMessage('stop');
      await writer.exited;
    }
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
