import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { CallstreamError, IllegalStateError, LeaseLostError, UnavailableError, ValidationError } from '../../../../api/core/errors';
import type { Logger } from '../../../../api/core/logger';
import { createLogger } from '../../../../api/core/logger';
import type {
  ChangeEvent,
  ChangeFeed,
  Checkpoint,
  CheckpointWrite,
  CollectionSpec,
  Filter,
  FindOptions,
  Lease,
  Page,
  ReadModelDocument,
  ReadModelStore,
  Scalar,
  SortSpec,
  WriteOp,
  WriteResult,
  WriteOptions,
} from '../readModelStore';
import type { Condition, CursorValue, ValidatedOp } from '../readModelRules';
import {
  assertCollectionName,
  assertFieldPath,
  assertLeaseArgs,
  encodeCursor,
  findOptions,
  parseFilter,
  validateCheckpoint,
  validateOps,
} from '../readModelRules';

export interface SqliteReadModelStoreOptions {
  /** Directory of `readmodels.db` (created if missing). */
  dataDir: string;
  fileName?: string;
  /** How long a statement waits for another process's write lock before failing as unavailable. */
  busyTimeoutMs?: number;
  /** How often an idle change feed looks for changes written by other processes. */
  changePollIntervalMs?: number;
  /** How many of the latest change-feed rows are kept; a feed further behind than this fails. */
  changeRetention?: number;
  /** Wall clock for lease expiry and checkpoint timestamps (injectable for tests). */
  clock?: () => number;
  logger?: Logger;
}

const TABLE_PREFIX = 'rm_';
const PRUNE_EVERY = 1_000;
const OPTIMIZE_EVERY = 10_000;
const FEED_BATCH = 256;
const STATEMENT_CACHE = 500;

type Row = Record<string, unknown>;
type Param = string | number | bigint | null;

const table = (collection: string): string => `"${TABLE_PREFIX}${collection}"`;

// The same text is used for the index expression and for queries, so SQLite's planner matches them.
const jsonPath = (path: string): string => `'$.${path}'`;
const valueExpr = (path: string): string => (path === '_id' ? 'id' : path === '_position' ? 'position' : `json_extract(doc, ${jsonPath(path)})`);
const typeExpr = (path: string): string => (path === '_id' ? `'text'` : path === '_position' ? `'integer'` : `json_type(doc, ${jsonPath(path)})`);

const TYPE_SETS = { string: `('text')`, number: `('integer','real')`, boolean: `('true','false')` } as const;

/** SQLite has no boolean: JSON true/false come out of json_extract as 1/0, which json_type tells apart from numbers. */
const bindable = (value: Exclude<Scalar, null>): Param => (typeof value === 'boolean' ? (value ? 1 : 0) : value);
const typeSet = (value: Exclude<Scalar, null>): string => TYPE_SETS[typeof value as 'string' | 'number' | 'boolean'];

/**
 * Translates one condition with MongoDB's meaning: comparisons only match values of the operand's
 * type, `null` equality matches a missing field too, and `$ne` matches documents without the field.
 */
const conditionSql = (condition: Condition, params: Param[]): string => {
  const value = valueExpr(condition.path);
  const type = typeExpr(condition.path);
  const equals = (operand: Exclude<Scalar, null>): string => {
    params.push(bindable(operand));
    return `(${value} = ? AND ${type} IN ${typeSet(operand)})`;
  };
  switch (condition.op) {
    case 'eq':
      return condition.value === null ? `${value} IS NULL` : equals(condition.value);
    case 'ne':
      return condition.value === null ? `${value} IS NOT NULL` : `NOT IFNULL(${equals(condition.value)}, 0)`;
    case 'in': {
      if (condition.values.length === 0) return '0';
      const parts: string[] = [];
      if (condition.values.includes(null)) parts.push(`${value} IS NULL`);
      for (const kind of ['string', 'number', 'boolean'] as const) {
        const operands = condition.values.filter((operand): operand is Exclude<Scalar, null> => typeof operand === kind);
        if (operands.length === 0) continue;
        params.push(...operands.map(bindable));
        parts.push(`(${value} IN (${operands.map(() => '?').join(', ')}) AND ${type} IN ${TYPE_SETS[kind]})`);
      }
      return `(${parts.join(' OR ')})`;
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (condition.value === null) return condition.op === 'gte' || condition.op === 'lte' ? `${value} IS NULL` : '0';
      const operator = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[condition.op];
      params.push(bindable(condition.value));
      return `(${value} ${operator} ? AND ${type} IN ${typeSet(condition.value)})`;
    }
    default: {
      const exhaustive: never = condition;
      throw new ValidationError(`Unsupported condition ${JSON.stringify(exhaustive)}`);
    }
  }
};

const whereSql = (filter: Filter, params: Param[]): string => {
  const parts = parseFilter(filter).map((condition) => conditionSql(condition, params));
  return parts.length === 0 ? '1' : parts.join(' AND ');
};

const cursorParam = (value: CursorValue): Param => (typeof value === 'boolean' ? (value ? 1 : 0) : value);

const nullable = (field: string): boolean => field !== '_id' && field !== '_position';

interface Segment {
  conditions: string[];
  params: Param[];
  /** The sort keys left to order by: keys held equal by the conditions are dropped, so an index on them serves the order. */
  keys: SortSpec[];
}

/**
 * The rows after a cursor, as a list of range queries that together give them in sort order: for
 * each sort key in turn, first the rows tied with the cursor on it (recursively, after it on the
 * next keys), then the rows strictly after it. Each query is a plain conjunction of equalities and
 * one range, which an index on the keys serves in order and LIMIT cuts short; a single OR over the
 * keys cannot drive an index, so a deep page would be collected and sorted in full. SQLite sorts
 * NULL (missing) first ascending and last descending, and so does this order.
 */
const keysetSegments = (keys: SortSpec[], after: CursorValue[], fixed: string[] = [], fixedParams: Param[] = []): Segment[] => {
  if (keys.length === 0) return [];
  const [key, ...rest] = keys;
  const bound = after[0];
  const expr = valueExpr(key.field);
  const tied = bound === null ? `${expr} IS NULL` : `${expr} = ?`;
  const tiedParams = bound === null ? [] : [cursorParam(bound)];
  const segments = keysetSegments(rest, after.slice(1), [...fixed, tied], [...fixedParams, ...tiedParams]);
  const beyond = (condition: string, params: Param[], order: SortSpec[]): Segment => ({ conditions: [...fixed, condition], params: [...fixedParams, ...params], keys: order });
  if (key.direction === 'asc') {
    segments.push(bound === null ? beyond(`${expr} IS NOT NULL`, [], keys) : beyond(`${expr} > ?`, [cursorParam(bound)], keys));
  } else if (bound !== null) {
    segments.push(beyond(`${expr} < ?`, [cursorParam(bound)], keys));
    if (nullable(key.field)) segments.push(beyond(`${expr} IS NULL`, [], rest));
  }
  return segments;
};

const indexName = (collection: string, fields: string[], unique: boolean): string => {
  const digest = createHash('sha1').update(`${collection}|${fields.join(',')}|${unique}`).digest('hex').slice(0, 8);
  return `"ix_${collection}_${fields.join('_').replace(/\./g, '_')}${unique ? '_u' : ''}_${digest}"`;
};

// Duck-typed rather than `instanceof`: the native module's SqliteError may come from another realm
// (a jest test file's context) than the code checking it.
const isSqliteError = (error: unknown): error is Error & { code: string } => {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && code.startsWith('SQLITE_') && typeof message === 'string';
};

const isNoSuchTable = (error: unknown): boolean => isSqliteError(error) && /no such table/i.test(error.message);

export const mapSqliteError = (error: unknown, what: string): unknown => {
  if (error instanceof CallstreamError || !isSqliteError(error)) return error;
  if (error.code.startsWith('SQLITE_BUSY') || error.code.startsWith('SQLITE_LOCKED')) {
    return new UnavailableError(`Read-model store is locked by another process (${what}): ${error.message}`, { cause: error });
  }
  if (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new ValidationError(`${what} violates a unique index: ${error.message}`, { cause: error });
  }
  if (error.code.startsWith('SQLITE_IOERR') || error.code === 'SQLITE_FULL' || error.code === 'SQLITE_CANTOPEN') {
    return new UnavailableError(`Read-model store cannot be written (${what}): ${error.message}`, { cause: error });
  }
  return error;
};

const toBigInt = (value: unknown): bigint => (typeof value === 'bigint' ? value : BigInt(value as number));

const toDocument = (id: string, position: unknown, json: string): ReadModelDocument => ({
  _id: id,
  ...(JSON.parse(json) as Record<string, unknown>),
  _position: toBigInt(position),
});

/**
 * The embedded read-model store: one SQLite file shared by the projection process (the writer) and
 * the API processes (readers and change-feed watchers). Each collection is a table of JSON documents
 * with expression indexes; checkpoints, leases, settings and the change feed live in the same file
 * so that a batch, its checkpoint and its change rows commit in one transaction.
 */
export class SqliteReadModelStore implements ReadModelStore {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly logger: Logger;
  private readonly clock: () => number;
  private readonly pollIntervalMs: number;
  private readonly retention: number;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly localWrites = new EventEmitter();
  private readonly feeds = new Set<SqliteChangeFeed>();
  private readonly writeTransaction: Database.Transaction<(ops: ValidatedOp[], checkpoint: CheckpointWrite | undefined, feed: boolean) => { applied: boolean[]; changes: number }>;
  // Starts full so that the first write after opening prunes what a previous writer left.
  private changesSincePrune = PRUNE_EVERY;
  private changesSinceOptimize = 0;
  private closed = false;

  constructor(options: SqliteReadModelStoreOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    this.file = join(options.dataDir, options.fileName ?? 'readmodels.db');
    this.logger = (options.logger ?? createLogger('read-models')).child({ adapter: 'sqlite', file: this.file });
    this.clock = options.clock ?? Date.now;
    this.pollIntervalMs = options.changePollIntervalMs ?? 25;
    this.retention = Math.max(options.changeRetention ?? 50_000, PRUNE_EVERY);
    this.localWrites.setMaxListeners(0);

    try {
      this.db = new Database(this.file, { timeout: options.busyTimeoutMs ?? 5_000 });
    } catch (error) {
      throw new UnavailableError(`Cannot open the read-model store at ${this.file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    this.db.defaultSafeIntegers(true);
    this.db.pragma('journal_mode = WAL');
    // Read models are rebuildable from the event store; a lost tail after power loss only means replay.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL, epoch INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, epoch INTEGER NOT NULL, expires_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        collection TEXT NOT NULL,
        op TEXT NOT NULL,
        id TEXT NOT NULL,
        position INTEGER NOT NULL,
        doc TEXT
      );
      CREATE INDEX IF NOT EXISTS changes_by_collection ON changes (collection, seq);
    `);
    // Index statistics let the planner pick the right expression index (without them it may pick
    // one that scans a whole filter match); approximate ANALYZE keeps refreshing them cheap.
    this.db.pragma('analysis_limit = 1000');
    this.db.pragma('optimize = 0x10002');
    this.writeTransaction = this.db.transaction((ops: ValidatedOp[], checkpoint: CheckpointWrite | undefined, feed: boolean) => this.applyWrite(ops, checkpoint, feed));
    this.logger.debug('read-model store opened');
  }

  // ------------------------------------------------------------------------------------------
  // Collections

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    this.assertOpen();
    assertCollectionName(spec.name);
    for (const index of spec.indexes ?? []) {
      if (!Array.isArray(index.fields) || index.fields.length === 0) throw new ValidationError(`An index of '${spec.name}' has no fields`);
      index.fields.forEach(assertFieldPath);
    }
    const create = this.db.transaction(() => {
      this.db.exec(this.createTableSql(spec.name));
      for (const index of spec.indexes ?? []) {
        const unique = index.unique === true;
        const columns = index.fields.map(valueExpr).join(', ');
        this.db.exec(`CREATE ${unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${indexName(spec.name, index.fields, unique)} ON ${table(spec.name)} (${columns})`);
      }
    });
    try {
      create.immediate();
    } catch (error) {
      throw mapSqliteError(error, `creating collection '${spec.name}'`);
    }
  }

  async dropCollection(name: string): Promise<void> {
    this.assertOpen();
    assertCollectionName(name);
    try {
      this.db.exec(`DROP TABLE IF EXISTS ${table(name)}`);
    } catch (error) {
      throw mapSqliteError(error, `dropping collection '${name}'`);
    }
    this.statements.clear();
  }

  async listCollections(): Promise<string[]> {
    this.assertOpen();
    const rows = this.stmt(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rm\\_%' ESCAPE '\\' ORDER BY name`).all() as Row[];
    return rows.map((row) => String(row.name).slice(TABLE_PREFIX.length));
  }

  // ------------------------------------------------------------------------------------------
  // Queries

  async get<T extends ReadModelDocument = ReadModelDocument>(collection: string, id: string): Promise<T | null> {
    this.assertOpen();
    assertCollectionName(collection);
    const row = this.readTable(() => this.stmt(`SELECT id, position, doc FROM ${table(collection)} WHERE id = ?`).get(id) as Row | undefined, undefined);
    return row ? (toDocument(String(row.id), row.position, String(row.doc)) as T) : null;
  }

  async find<T extends ReadModelDocument = ReadModelDocument>(collection: string, filter: Filter, options?: FindOptions): Promise<Page<T>> {
    this.assertOpen();
    assertCollectionName(collection);
    const { keys, limit, after } = findOptions(options);
    const filterParams: Param[] = [];
    const where = whereSql(filter, filterParams);
    const sortColumns = keys.map((key, index) => `${valueExpr(key.field)} AS k${index}`).join(', ');
    const rows: Row[] = [];
    const segments: Segment[] = after ? keysetSegments(keys, after) : [{ conditions: [], params: [], keys }];
    for (const segment of segments) {
      const wanted = limit + 1 - rows.length;
      if (wanted <= 0) break;
      const conditions = [`(${where})`, ...segment.conditions].join(' AND ');
      const orderBy = segment.keys.map((key) => `${valueExpr(key.field)} ${key.direction === 'asc' ? 'ASC' : 'DESC'}`).join(', ') || 'id';
      const sql = `SELECT id, position, doc, ${sortColumns} FROM ${table(collection)} WHERE ${conditions} ORDER BY ${orderBy} LIMIT ?`;
      rows.push(...this.readTable(() => this.stmt(sql).all(...filterParams, ...segment.params, wanted) as Row[], []));
    }
    const items = rows.slice(0, limit).map((row) => toDocument(String(row.id), row.position, String(row.doc)) as T);
    if (rows.length <= limit) return { items };
    const last = rows[limit - 1];
    return { items, nextCursor: encodeCursor(keys, keys.map((_key, index) => last[`k${index}`] as CursorValue)) };
  }

  async count(collection: string, filter: Filter): Promise<number> {
    this.assertOpen();
    assertCollectionName(collection);
    const params: Param[] = [];
    const where = whereSql(filter, params);
    const row = this.readTable(() => this.stmt(`SELECT COUNT(*) AS n FROM ${table(collection)} WHERE ${where}`).get(...params) as Row, { n: 0 });
    return Number(row.n);
  }

  // ------------------------------------------------------------------------------------------
  // Guarded writes + fenced checkpoint

  async write(ops: WriteOp[], checkpoint?: CheckpointWrite, options?: WriteOptions): Promise<WriteResult> {
    this.assertOpen();
    const validated = validateOps(ops);
    if (checkpoint) validateCheckpoint(checkpoint);
    if (validated.length === 0 && !checkpoint) return { applied: [] };
    const feed = options?.feed !== false;
    let result: { applied: boolean[]; changes: number };
    try {
      // IMMEDIATE takes the write lock up front, so a concurrent writer waits (busy_timeout) instead
      // of failing on a read-to-write lock upgrade.
      result = this.writeTransaction.immediate(validated, checkpoint, feed);
    } catch (error) {
      if (error instanceof LeaseLostError) this.logger.warn({ checkpoint: checkpoint?.name, epoch: checkpoint?.epoch }, 'fenced checkpoint refused, batch rolled back');
      throw mapSqliteError(error, 'writing read models');
    }
    if (result.changes > 0) {
      if (feed) this.localWrites.emit('write');
      this.changesSinceOptimize += result.changes;
      if (this.changesSinceOptimize >= OPTIMIZE_EVERY) this.optimize();
    }
    return { applied: result.applied };
  }

  /** Refreshes index statistics when tables grew enough for SQLite to think it worthwhile. */
  private optimize(): void {
    this.changesSinceOptimize = 0;
    try {
      this.db.pragma('optimize');
    } catch (error) {
      this.logger.warn({ err: error }, 'refreshing index statistics failed');
    }
  }

  private applyWrite(ops: ValidatedOp[], checkpoint: CheckpointWrite | undefined, feed: boolean): { applied: boolean[]; changes: number } {
    if (checkpoint) {
      const lease = this.stmt('SELECT epoch FROM leases WHERE name = ?').get(checkpoint.name) as Row | undefined;
      if (!lease || Number(lease.epoch) !== checkpoint.epoch) {
        throw new LeaseLostError(
          `Checkpoint '${checkpoint.name}' written with epoch ${checkpoint.epoch}, but the lease ${lease ? `is at epoch ${String(lease.epoch)}` : 'is not held'}`,
        );
      }
    }
    for (const collection of new Set(ops.map((op) => op.collection))) this.stmt(this.createTableSql(collection)).run();

    const recordChange = this.stmt('INSERT INTO changes (collection, op, id, position, doc) VALUES (?, ?, ?, ?, ?)');
    let changes = 0;
    const applied = ops.map((op) => {
      const done =
        op.kind === 'upsert'
          ? this.stmt(
              `INSERT INTO ${table(op.collection)} (id, position, doc) VALUES (?, ?, ?)
               ON CONFLICT (id) DO UPDATE SET position = excluded.position, doc = excluded.doc
               WHERE excluded.position > ${table(op.collection)}.position`,
            ).run(op.id, op.position, op.json).changes > 0
          : this.stmt(`DELETE FROM ${table(op.collection)} WHERE id = ? AND position < ?`).run(op.id, op.position).changes > 0;
      if (done) {
        if (feed) recordChange.run(op.collection, op.kind, op.id, op.position, op.kind === 'upsert' ? op.json : null);
        changes++;
      }
      return done;
    });

    if (checkpoint) {
      this.stmt(
        `INSERT INTO checkpoints (name, position, epoch, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET position = excluded.position, epoch = excluded.epoch, updated_at = excluded.updated_at`,
      ).run(checkpoint.name, checkpoint.position, checkpoint.epoch, this.clock());
    }
    if (changes > 0 && feed) {
      this.changesSincePrune += changes;
      if (this.changesSincePrune >= PRUNE_EVERY) {
        const pruned = this.stmt('DELETE FROM changes WHERE seq <= (SELECT MAX(seq) FROM changes) - ?').run(this.retention).changes;
        this.changesSincePrune = 0;
        if (pruned > 0) this.logger.debug({ pruned, retention: this.retention }, 'change feed pruned');
      }
    }
    return { applied, changes };
  }

  async getCheckpoint(name: string): Promise<Checkpoint | null> {
    this.assertOpen();
    const row = this.stmt('SELECT name, position, epoch, updated_at FROM checkpoints WHERE name = ?').get(name) as Row | undefined;
    if (!row) return null;
    return { name: String(row.name), position: toBigInt(row.position), epoch: Number(row.epoch), updatedAt: new Date(Number(row.updated_at)) };
  }

  async deleteCheckpoint(name: string): Promise<void> {
    this.assertOpen();
    this.run(() => this.stmt('DELETE FROM checkpoints WHERE name = ?').run(name), `deleting checkpoint '${name}'`);
  }

  // ------------------------------------------------------------------------------------------
  // Leases

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | null> {
    this.assertOpen();
    assertLeaseArgs(name, owner, ttlMs);
    const acquire = this.db.transaction((): Lease | null => {
      const now = this.clock();
      const expiresAt = now + ttlMs;
      const row = this.stmt('SELECT owner, epoch, expires_at FROM leases WHERE name = ?').get(name) as Row | undefined;
      if (!row) {
        this.stmt('INSERT INTO leases (name, owner, epoch, expires_at) VALUES (?, ?, 1, ?)').run(name, owner, expiresAt);
        return { name, owner, epoch: 1, expiresAt: new Date(expiresAt) };
      }
      const epoch = Number(row.epoch);
      if (row.owner === owner) {
        this.stmt('UPDATE leases SET expires_at = ? WHERE name = ?').run(expiresAt, name);
        return { name, owner, epoch, expiresAt: new Date(expiresAt) };
      }
      if (Number(row.expires_at) <= now) {
        this.stmt('UPDATE leases SET owner = ?, epoch = ?, expires_at = ? WHERE name = ?').run(owner, epoch + 1, expiresAt, name);
        return { name, owner, epoch: epoch + 1, expiresAt: new Date(expiresAt) };
      }
      return null;
    });
    const lease = this.run(() => acquire.immediate(), `acquiring lease '${name}'`);
    if (lease) this.logger.debug({ lease: name, owner, epoch: lease.epoch }, 'lease held');
    return lease;
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<Lease> {
    this.assertOpen();
    assertLeaseArgs(lease.name, lease.owner, ttlMs);
    const expiresAt = this.clock() + ttlMs;
    const { changes } = this.run(
      () => this.stmt('UPDATE leases SET expires_at = ? WHERE name = ? AND owner = ? AND epoch = ?').run(expiresAt, lease.name, lease.owner, lease.epoch),
      `renewing lease '${lease.name}'`,
    );
    if (changes === 0) throw new LeaseLostError(`Lease '${lease.name}' (owner ${lease.owner}, epoch ${lease.epoch}) is no longer held`);
    return { ...lease, expiresAt: new Date(expiresAt) };
  }

  async releaseLease(lease: Lease): Promise<void> {
    this.assertOpen();
    // Keep the row (and its epoch): the next owner must get a higher epoch than any before it.
    this.run(
      () => this.stmt('UPDATE leases SET expires_at = 0 WHERE name = ? AND owner = ? AND epoch = ?').run(lease.name, lease.owner, lease.epoch),
      `releasing lease '${lease.name}'`,
    );
  }

  // ------------------------------------------------------------------------------------------
  // Settings

  async getSetting(key: string): Promise<string | null> {
    this.assertOpen();
    const row = this.stmt('SELECT value FROM settings WHERE key = ?').get(key) as Row | undefined;
    return row ? String(row.value) : null;
  }

  async putSetting(key: string, value: string): Promise<void> {
    this.assertOpen();
    if (typeof value !== 'string') throw new ValidationError(`Setting '${key}' must be a string`);
    this.run(
      () => this.stmt('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value),
      `writing setting '${key}'`,
    );
  }

  // ------------------------------------------------------------------------------------------
  // Change feed

  watch(collection: string): ChangeFeed {
    this.assertOpen();
    assertCollectionName(collection);
    const start = toBigInt((this.stmt(`SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0) AS seq`).get() as Row).seq);
    const feed = new SqliteChangeFeed(collection, start, {
      read: (after) => this.readChanges(collection, after),
      oldest: () => {
        const row = this.stmt('SELECT MIN(seq) AS seq FROM changes').get() as Row;
        return row.seq === null ? null : toBigInt(row.seq);
      },
      onLocalWrite: (listener) => {
        this.localWrites.on('write', listener);
        return () => this.localWrites.off('write', listener);
      },
      pollIntervalMs: this.pollIntervalMs,
      onClose: (closed) => this.feeds.delete(closed),
      logger: this.logger,
    });
    this.feeds.add(feed);
    return feed;
  }

  private readChanges(collection: string, after: bigint): Array<{ seq: bigint; event: ChangeEvent }> {
    const rows = this.stmt('SELECT seq, op, id, position, doc FROM changes WHERE collection = ? AND seq > ? ORDER BY seq LIMIT ?').all(
      collection,
      after,
      FEED_BATCH,
    ) as Row[];
    return rows.map((row) => {
      const id = String(row.id);
      const position = toBigInt(row.position);
      const event: ChangeEvent =
        row.op === 'upsert'
          ? { collection, op: 'upsert', id, position, doc: toDocument(id, position, String(row.doc)) }
          : { collection, op: 'delete', id, position };
      return { seq: toBigInt(row.seq), event };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.feeds].map((feed) => feed.close()));
    this.closed = true;
    this.statements.clear();
    this.db.close();
    this.logger.debug('read-model store closed');
  }

  // ------------------------------------------------------------------------------------------

  private createTableSql(collection: string): string {
    return `CREATE TABLE IF NOT EXISTS ${table(collection)} (id TEXT PRIMARY KEY, position INTEGER NOT NULL, doc TEXT NOT NULL)`;
  }

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement) {
      // Refresh recency so the cache keeps the statements in use.
      this.statements.delete(sql);
    } else {
      statement = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE) this.statements.delete(this.statements.keys().next().value as string);
    }
    this.statements.set(sql, statement);
    return statement;
  }

  /** Runs a read on a collection table; a collection that does not exist reads as empty. */
  private readTable<R>(read: () => R, missing: R): R {
    try {
      return read();
    } catch (error) {
      if (isNoSuchTable(error)) return missing;
      throw mapSqliteError(error, 'reading read models');
    }
  }

  private run<R>(operation: () => R, what: string): R {
    try {
      return operation();
    } catch (error) {
      throw mapSqliteError(error, what);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new IllegalStateError('The read-model store is closed');
  }
}

interface FeedSource {
  read(after: bigint): Array<{ seq: bigint; event: ChangeEvent }>;
  oldest(): bigint | null;
  onLocalWrite(listener: () => void): () => void;
  pollIntervalMs: number;
  onClose(feed: SqliteChangeFeed): void;
  logger: Logger;
}

/**
 * Reads the `changes` table after the sequence number current when the feed was opened. It queries
 * only while the consumer is waiting for the next change: at once, then on every local write and
 * every poll interval (writes from other processes are only seen by polling).
 */
class SqliteChangeFeed implements ChangeFeed {
  private buffer: ChangeEvent[] = [];
  private closed = false;
  private wake: (() => void) | null = null;
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    readonly collection: string,
    private lastSeq: bigint,
    private readonly source: FeedSource,
  ) {}

  async ready(): Promise<void> {}

  [Symbol.asyncIterator](): AsyncIterator<ChangeEvent> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }

  next(): Promise<IteratorResult<ChangeEvent>> {
    // Calls are served one at a time so that events keep their order.
    const result = this.pending.then(() => this.pull());
    this.pending = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.buffer = [];
    this.wake?.();
    this.source.onClose(this);
  }

  private async pull(): Promise<IteratorResult<ChangeEvent>> {
    for (;;) {
      if (this.closed) return { value: undefined, done: true };
      const next = this.buffer.shift();
      if (next) return { value: next, done: false };
      this.fill();
      if (this.buffer.length === 0) await this.waitForWrites();
    }
  }

  private fill(): void {
    const oldest = this.source.oldest();
    if (oldest !== null && oldest > this.lastSeq + 1n) {
      this.source.logger.warn({ collection: this.collection, lastSeq: this.lastSeq.toString(), oldest: oldest.toString() }, 'change feed fell behind');
      void this.close();
      throw new UnavailableError(`The change feed of '${this.collection}' fell behind the retained changes: reopen it and re-read the collection`);
    }
    let rows: Array<{ seq: bigint; event: ChangeEvent }>;
    try {
      rows = this.source.read(this.lastSeq);
    } catch (error) {
      throw mapSqliteError(error, `reading the change feed of '${this.collection}'`);
    }
    for (const { seq, event } of rows) {
      this.lastSeq = seq;
      this.buffer.push(event);
    }
  }

  private waitForWrites(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        unsubscribe();
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, this.source.pollIntervalMs);
      const unsubscribe = this.source.onLocalWrite(done);
      this.wake = done;
    });
  }
}
