import type {
  AnyBulkWriteOperation,
  ChangeStream,
  ChangeStreamDocument,
  ClientSession,
  Collection,
  Db,
  Document,
  MongoClientOptions,
  Filter as MongoFilter,
  Sort,
} from 'mongodb';
import {
  MongoClient,
  MongoClientClosedError,
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
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
  valueAtPath,
} from '../readModelRules';

export interface MongoReadModelStoreOptions {
  /** A MongoDB connection string; the server must be a replica set (a single node is enough). */
  url: string;
  /** Database name; defaults to the one in the URL, else `callstream`. */
  database?: string;
  /** Prefix of read-model collections (default `rm_`), keeping them apart from the store's own collections. */
  collectionPrefix?: string;
  clientOptions?: MongoClientOptions;
  logger?: Logger;
}

interface LeaseDocument {
  _id: string;
  owner: string;
  epoch: number;
  expiresAt: Date;
  fence?: number;
}
interface CheckpointDocument {
  _id: string;
  position: bigint;
  epoch: number;
  updatedAt: Date;
}
interface SettingDocument {
  _id: string;
  value: string;
}
type StoredDocument = Document & { _id: string };

const CHECKPOINTS = 'callstream_checkpoints';
const LEASES = 'callstream_leases';
const SETTINGS = 'callstream_settings';
// Set on a document in the same transaction just before it is deleted, so that the change feed
// can give the delete its event position (a MongoDB delete event carries only the _id).
const DELETING = '_deleting';

const NAMESPACE_EXISTS = 48;
const NAMESPACE_NOT_FOUND = 26;
const DUPLICATE_KEY = 11000;
// Server codes that mean "not reachable / not primary right now": retry later.
const UNAVAILABLE_CODES = new Set([6, 7, 50, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

const isDuplicateKey = (error: unknown): boolean => error instanceof MongoServerError && error.code === DUPLICATE_KEY;

export const mapMongoError = (error: unknown, what: string): unknown => {
  if (error instanceof CallstreamError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoClientClosedError ||
    error instanceof MongoServerClosedError ||
    error instanceof MongoOperationTimeoutError
  ) {
    return new UnavailableError(`MongoDB is unavailable (${what}): ${message}`, { cause: error });
  }
  if (error instanceof MongoServerError) {
    if (error.code === DUPLICATE_KEY) return new ValidationError(`${what} violates a unique index: ${message}`, { cause: error });
    if (typeof error.code === 'number' && UNAVAILABLE_CODES.has(error.code)) {
      return new UnavailableError(`MongoDB is unavailable (${what}): ${message}`, { cause: error });
    }
  }
  if (error instanceof MongoError && (error.hasErrorLabel('TransientTransactionError') || error.hasErrorLabel('RetryableWriteError'))) {
    return new UnavailableError(`MongoDB is unavailable (${what}): ${message}`, { cause: error });
  }
  return error;
};

const databaseFromUrl = (url: string): string | undefined => {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]+)/.exec(url);
  return match ? decodeURIComponent(match[1]) : undefined;
};

const toBigInt = (value: unknown): bigint => {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  if (value && typeof value === 'object' && 'toBigInt' in value && typeof value.toBigInt === 'function') return (value as { toBigInt(): bigint }).toBigInt();
  throw new IllegalStateError(`Expected an integer position, got ${String(value)}`);
};

const toReadModelDocument = (stored: Document): ReadModelDocument => {
  const { _id, _position, ...rest } = stored;
  return { _id: String(_id), ...rest, _position: toBigInt(_position) };
};

// ---------------------------------------------------------------------------------------------
// Query translation. Our Filter is MongoDB's own query language restricted to scalars, so the
// translation is direct; the embedded adapter reproduces these semantics in SQL.

const conditionQuery = (condition: Condition): Document => {
  const { path } = condition;
  switch (condition.op) {
    case 'eq':
      return { [path]: condition.value };
    case 'in':
      return { [path]: { $in: condition.values } };
    case 'ne':
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return { [path]: { [`$${condition.op}`]: condition.value } };
    default: {
      const exhaustive: never = condition;
      throw new ValidationError(`Unsupported condition ${JSON.stringify(exhaustive)}`);
    }
  }
};

export const mongoFilter = (filter: Filter): MongoFilter<StoredDocument> => {
  const clauses = parseFilter(filter).map(conditionQuery);
  if (clauses.length === 0) return {};
  return clauses.length === 1 ? clauses[0] : { $and: clauses };
};

/** "After the row whose sort values are `after`", matching MongoDB's order (null and missing first ascending). */
export const keysetFilter = (keys: SortSpec[], after: CursorValue[]): Document => {
  const disjuncts: Document[] = [];
  keys.forEach((key, index) => {
    const bound = after[index];
    let beyond: Document | null;
    if (key.direction === 'asc') beyond = bound === null ? { [key.field]: { $ne: null } } : { [key.field]: { $gt: bound } };
    else beyond = bound === null ? null : { $or: [{ [key.field]: { $lt: bound } }, { [key.field]: null }] };
    if (!beyond) return;
    const equalBefore = keys.slice(0, index).map((previous, previousIndex) => ({ [previous.field]: after[previousIndex] }));
    disjuncts.push(equalBefore.length === 0 ? beyond : { $and: [...equalBefore, beyond] });
  });
  return disjuncts.length === 0 ? { _id: { $exists: false } } : { $or: disjuncts };
};

const cursorValue = (doc: Document, field: string): CursorValue => {
  const value = valueAtPath(doc, field);
  if (value === null || ['string', 'number', 'boolean', 'bigint'].includes(typeof value)) return value as CursorValue;
  throw new ValidationError(`Cannot page on '${field}': document '${String(doc._id)}' holds a non-scalar value there`);
};

const indexName = (fields: string[], unique: boolean): string => `ix_${fields.join('_').replace(/\./g, '_')}${unique ? '_u' : ''}`;

/**
 * The production read-model store on MongoDB. A batch and its fenced checkpoint commit in one
 * multi-document transaction, and change feeds are change streams, so a replica set is required.
 */
export class MongoReadModelStore implements ReadModelStore {
  private readonly client: MongoClient;
  private readonly db: Db;
  private readonly prefix: string;
  private readonly logger: Logger;
  private readonly known = new Set<string>();
  private readonly feeds = new Set<MongoChangeFeed>();
  private initialising: Promise<void> | null = null;
  private closed = false;

  constructor(options: MongoReadModelStoreOptions) {
    this.prefix = options.collectionPrefix ?? 'rm_';
    const database = options.database ?? databaseFromUrl(options.url) ?? 'callstream';
    this.logger = (options.logger ?? createLogger('read-models')).child({ adapter: 'mongodb', database });
    try {
      this.client = new MongoClient(options.url, {
        appName: 'callstream',
        serverSelectionTimeoutMS: 10_000,
        ...options.clientOptions,
        // Positions are int64: read them back as bigint, never as a rounded number.
        useBigInt64: true,
      });
    } catch (error) {
      throw new ValidationError(`Invalid MONGODB_URL: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    this.db = this.client.db(database);
  }

  private get checkpoints(): Collection<CheckpointDocument> {
    return this.db.collection<CheckpointDocument>(CHECKPOINTS);
  }
  private get leases(): Collection<LeaseDocument> {
    return this.db.collection<LeaseDocument>(LEASES);
  }
  private get settings(): Collection<SettingDocument> {
    return this.db.collection<SettingDocument>(SETTINGS);
  }
  private collection(name: string): Collection<StoredDocument> {
    return this.db.collection<StoredDocument>(`${this.prefix}${name}`);
  }

  /** Connects once and checks that the server can run transactions and change streams. */
  private init(): Promise<void> {
    if (this.closed) return Promise.reject(new IllegalStateError('The read-model store is closed'));
    this.initialising ??= (async () => {
      await this.client.connect();
      const hello = await this.db.admin().command({ hello: 1 });
      if (typeof hello.setName !== 'string' && hello.msg !== 'isdbgrid') {
        throw new ValidationError(
          'MONGODB_URL points to a standalone MongoDB server, but the read-model store needs a replica set (transactions and change streams): ' +
            "start mongod with --replSet rs0 and run rs.initiate() once; a single-node replica set is enough (see docs/read-models.md)",
        );
      }
      this.logger.info({ replicaSet: hello.setName ?? 'mongos' }, 'read-model store connected');
    })().catch((error: unknown) => {
      this.initialising = null;
      throw mapMongoError(error, 'connecting');
    });
    return this.initialising;
  }

  private async op<R>(what: string, operation: () => Promise<R>): Promise<R> {
    await this.init();
    try {
      return await operation();
    } catch (error) {
      throw mapMongoError(error, what);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Collections

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    assertCollectionName(spec.name);
    for (const index of spec.indexes ?? []) {
      if (!Array.isArray(index.fields) || index.fields.length === 0) throw new ValidationError(`An index of '${spec.name}' has no fields`);
      index.fields.forEach(assertFieldPath);
    }
    await this.op(`creating collection '${spec.name}'`, async () => {
      await this.createIfMissing(spec.name);
      const indexes = (spec.indexes ?? []).map((index) => ({
        key: Object.fromEntries(index.fields.map((field) => [field, 1 as const])),
        name: indexName(index.fields, index.unique === true),
        unique: index.unique === true,
      }));
      if (indexes.length > 0) await this.collection(spec.name).createIndexes(indexes);
    });
  }

  private async createIfMissing(name: string): Promise<void> {
    if (this.known.has(name)) return;
    try {
      await this.db.createCollection(`${this.prefix}${name}`);
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === NAMESPACE_EXISTS)) throw error;
    }
    this.known.add(name);
  }

  async dropCollection(name: string): Promise<void> {
    assertCollectionName(name);
    await this.op(`dropping collection '${name}'`, async () => {
      this.known.delete(name);
      try {
        await this.collection(name).drop();
      } catch (error) {
        if (!(error instanceof MongoServerError && error.code === NAMESPACE_NOT_FOUND)) throw error;
      }
    });
  }

  async listCollections(): Promise<string[]> {
    return this.op('listing collections', async () => {
      const escaped = this.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const found = await this.db.listCollections({ name: { $regex: `^${escaped}` } }, { nameOnly: true }).toArray();
      return found.map((info) => info.name.slice(this.prefix.length)).sort();
    });
  }

  // ------------------------------------------------------------------------------------------
  // Queries

  async get<T extends ReadModelDocument = ReadModelDocument>(collection: string, id: string): Promise<T | null> {
    assertCollectionName(collection);
    return this.op(`reading '${collection}'`, async () => {
      const stored = await this.collection(collection).findOne({ _id: id });
      return stored ? (toReadModelDocument(stored) as T) : null;
    });
  }

  async find<T extends ReadModelDocument = ReadModelDocument>(collection: string, filter: Filter, options?: FindOptions): Promise<Page<T>> {
    assertCollectionName(collection);
    const { keys, limit, after } = findOptions(options);
    let query: Document = mongoFilter(filter);
    if (after) query = { $and: [query, keysetFilter(keys, after)] };
    const sort: Sort = Object.fromEntries(keys.map((key) => [key.field, key.direction === 'asc' ? 1 : -1]));
    return this.op(`querying '${collection}'`, async () => {
      const rows = await this.collection(collection)
        .find(query as MongoFilter<StoredDocument>)
        .sort(sort)
        .limit(limit + 1)
        .toArray();
      const items = rows.slice(0, limit).map((row) => toReadModelDocument(row) as T);
      if (rows.length <= limit) return { items };
      const last = rows[limit - 1];
      return { items, nextCursor: encodeCursor(keys, keys.map((key) => cursorValue(last, key.field))) };
    });
  }

  async count(collection: string, filter: Filter): Promise<number> {
    assertCollectionName(collection);
    const query = mongoFilter(filter);
    return this.op(`counting '${collection}'`, async () => Number(await this.collection(collection).countDocuments(query)));
  }

  // ------------------------------------------------------------------------------------------
  // Guarded writes + fenced checkpoint

  /** `options.feed` changes nothing here: MongoDB's change streams see every write (no log of our own to spare). */
  async write(ops: WriteOp[], checkpoint?: CheckpointWrite, _options?: WriteOptions): Promise<WriteResult> {
    const validated = validateOps(ops);
    if (checkpoint) validateCheckpoint(checkpoint);
    if (validated.length === 0 && !checkpoint) return { applied: [] };
    return this.op('writing read models', async () => {
      // Collections are created outside the transaction: creating one inside a transaction has
      // restrictions (read concern, sharding) that a batch should not depend on.
      for (const collection of new Set(validated.map((op) => op.collection))) await this.createIfMissing(collection);
      const session = this.client.startSession();
      try {
        let applied: boolean[] = [];
        await session.withTransaction(
          async () => {
            applied = await this.applyWrite(validated, checkpoint, session);
          },
          { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' }, readPreference: 'primary' },
        );
        return { applied };
      } catch (error) {
        if (error instanceof LeaseLostError) this.logger.warn({ checkpoint: checkpoint?.name, epoch: checkpoint?.epoch }, 'fenced checkpoint refused, batch rolled back');
        throw error;
      } finally {
        await session.endSession();
      }
    });
  }

  /** Runs inside the transaction; may run more than once when the driver retries a transient error. */
  private async applyWrite(ops: ValidatedOp[], checkpoint: CheckpointWrite | undefined, session: ClientSession): Promise<boolean[]> {
    if (checkpoint) {
      // A write (not just a read) on the lease document: a concurrent takeover then conflicts with
      // this transaction instead of slipping past a snapshot read.
      const fenced = await this.leases.updateOne({ _id: checkpoint.name, epoch: checkpoint.epoch }, { $inc: { fence: 1 } }, { session });
      if (fenced.matchedCount === 0) {
        const lease = await this.leases.findOne({ _id: checkpoint.name }, { session });
        throw new LeaseLostError(
          `Checkpoint '${checkpoint.name}' written with epoch ${checkpoint.epoch}, but the lease ${lease ? `is at epoch ${Number(lease.epoch)}` : 'is not held'}`,
        );
      }
    }

    const applied: boolean[] = new Array<boolean>(ops.length).fill(false);
    const byCollection = new Map<string, number[]>();
    ops.forEach((op, index) => byCollection.set(op.collection, [...(byCollection.get(op.collection) ?? []), index]));
    for (const [collection, indexes] of byCollection) {
      const target = this.collection(collection);
      const ids = [...new Set(indexes.map((index) => ops[index].id))];
      // Read the stored positions first and write only what the guard lets through: a guarded
      // upsert that loses would otherwise fail on the duplicate _id and abort the transaction.
      const stored = await target.find({ _id: { $in: ids } }, { session, projection: { _position: 1 } }).toArray();
      const positions = new Map<string, bigint>(stored.map((doc) => [doc._id, toBigInt(doc._position)]));
      const writes: AnyBulkWriteOperation<StoredDocument>[] = [];
      for (const index of indexes) {
        const op = ops[index];
        const current = positions.get(op.id);
        if (op.kind === 'upsert') {
          if (current !== undefined && current >= op.position) continue;
          positions.set(op.id, op.position);
          writes.push({ replaceOne: { filter: { _id: op.id }, replacement: { _id: op.id, ...op.body, _position: op.position }, upsert: true } });
        } else {
          if (current === undefined || current >= op.position) continue;
          positions.delete(op.id);
          writes.push({ updateOne: { filter: { _id: op.id }, update: { $set: { _position: op.position, [DELETING]: true } } } });
          writes.push({ deleteOne: { filter: { _id: op.id } } });
        }
        applied[index] = true;
      }
      if (writes.length > 0) await target.bulkWrite(writes, { session, ordered: true });
    }

    if (checkpoint) {
      await this.checkpoints.updateOne(
        { _id: checkpoint.name },
        { $set: { position: checkpoint.position, epoch: checkpoint.epoch, updatedAt: new Date() } },
        { upsert: true, session },
      );
    }
    return applied;
  }

  async getCheckpoint(name: string): Promise<Checkpoint | null> {
    return this.op(`reading checkpoint '${name}'`, async () => {
      const doc = await this.checkpoints.findOne({ _id: name });
      return doc ? { name: doc._id, position: toBigInt(doc.position), epoch: Number(doc.epoch), updatedAt: doc.updatedAt } : null;
    });
  }

  async deleteCheckpoint(name: string): Promise<void> {
    await this.op(`deleting checkpoint '${name}'`, async () => {
      await this.checkpoints.deleteOne({ _id: name });
    });
  }

  // ------------------------------------------------------------------------------------------
  // Leases: expiry is judged by the server's clock ($$NOW), the one clock all processes share.

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | null> {
    assertLeaseArgs(name, owner, ttlMs);
    return this.op(`acquiring lease '${name}'`, async () => {
      try {
        const doc = await this.leases.findOneAndUpdate(
          { _id: name, $or: [{ owner }, { $expr: { $lte: ['$expiresAt', '$$NOW'] } }] },
          [
            {
              $set: {
                epoch: { $cond: [{ $eq: ['$owner', { $literal: owner }] }, '$epoch', { $add: [{ $ifNull: ['$epoch', 0] }, 1] }] },
                owner: { $literal: owner },
                expiresAt: { $add: ['$$NOW', ttlMs] },
              },
            },
          ],
          { upsert: true, returnDocument: 'after' },
        );
        if (!doc) return null;
        this.logger.debug({ lease: name, owner, epoch: Number(doc.epoch) }, 'lease held');
        return { name, owner, epoch: Number(doc.epoch), expiresAt: doc.expiresAt };
      } catch (error) {
        // The filter did not match (another live owner) so the upsert tried to insert a second document.
        if (isDuplicateKey(error)) return null;
        throw error;
      }
    });
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<Lease> {
    assertLeaseArgs(lease.name, lease.owner, ttlMs);
    return this.op(`renewing lease '${lease.name}'`, async () => {
      const doc = await this.leases.findOneAndUpdate(
        { _id: lease.name, owner: lease.owner, epoch: lease.epoch },
        [{ $set: { expiresAt: { $add: ['$$NOW', ttlMs] } } }],
        { returnDocument: 'after' },
      );
      if (!doc) throw new LeaseLostError(`Lease '${lease.name}' (owner ${lease.owner}, epoch ${lease.epoch}) is no longer held`);
      return { ...lease, expiresAt: doc.expiresAt };
    });
  }

  async releaseLease(lease: Lease): Promise<void> {
    await this.op(`releasing lease '${lease.name}'`, async () => {
      // Keep the document (and its epoch): the next owner must get a higher epoch than any before it.
      await this.leases.updateOne({ _id: lease.name, owner: lease.owner, epoch: lease.epoch }, { $set: { expiresAt: new Date(0) } });
    });
  }

  // ------------------------------------------------------------------------------------------
  // Settings

  async getSetting(key: string): Promise<string | null> {
    return this.op(`reading setting '${key}'`, async () => (await this.settings.findOne({ _id: key }))?.value ?? null);
  }

  async putSetting(key: string, value: string): Promise<void> {
    if (typeof value !== 'string') throw new ValidationError(`Setting '${key}' must be a string`);
    await this.op(`writing setting '${key}'`, async () => {
      await this.settings.updateOne({ _id: key }, { $set: { value } }, { upsert: true });
    });
  }

  // ------------------------------------------------------------------------------------------
  // Change feed

  watch(collection: string): ChangeFeed {
    assertCollectionName(collection);
    if (this.closed) throw new IllegalStateError('The read-model store is closed');
    // A database-level stream filtered on the collection survives the collection being dropped
    // and recreated, which a collection-level stream does not (it is invalidated).
    const open = async (): Promise<StoredChangeStream> => {
      await this.init();
      return this.db.watch<StoredDocument>(
        [{ $match: { 'ns.coll': `${this.prefix}${collection}`, operationType: { $in: ['insert', 'replace', 'update', 'delete'] } } }],
        { fullDocument: 'updateLookup' },
      );
    };
    const feed = new MongoChangeFeed(collection, open, (closed) => this.feeds.delete(closed));
    this.feeds.add(feed);
    return feed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.feeds].map((feed) => feed.close()));
    await this.client.close();
  }
}

type StoredChangeStream = ChangeStream<StoredDocument, ChangeStreamDocument<StoredDocument>>;

class MongoChangeFeed implements ChangeFeed {
  private stream: StoredChangeStream | null = null;
  private readonly opening: Promise<void>;
  /** The first read, started while opening; later reads wait for it (a cursor serves one read at a time). */
  private firstRead: Promise<ChangeStreamDocument<StoredDocument> | null> | null = null;
  private readonly deletePositions = new Map<string, bigint>();
  private closed = false;
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    readonly collection: string,
    open: () => Promise<StoredChangeStream>,
    private readonly onClose: (feed: MongoChangeFeed) => void,
  ) {
    this.opening = (async () => {
      const stream = await open();
      this.stream = stream;
      // The stream's start is fixed by its first command (the aggregate), which only runs on the
      // first read: start that read now and be ready as soon as the aggregate has answered.
      await new Promise<void>((resolve, reject) => {
        stream.once('init', () => resolve());
        this.firstRead = stream.tryNext();
        this.firstRead.then(() => resolve(), reject);
      });
    })().catch((error: unknown) => {
      throw mapMongoError(error, `opening the change feed of '${collection}'`);
    });
    // Surfaced by ready()/next(); keep an unobserved failure from crashing the process.
    this.opening.catch(() => undefined);
  }

  async ready(): Promise<void> {
    await this.opening;
  }

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
    const result = this.pending.then(() => this.pull());
    this.pending = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    await this.opening.catch(() => undefined);
    await this.stream?.close();
  }

  private async pull(): Promise<IteratorResult<ChangeEvent>> {
    try {
      await this.opening;
      for (;;) {
        if (this.closed || !this.stream) return { value: undefined, done: true };
        const firstRead = this.firstRead;
        this.firstRead = null;
        const change = (firstRead ? await firstRead : null) ?? (await this.stream.next());
        if (this.closed) return { value: undefined, done: true };
        const event = this.toEvent(change);
        if (event) return { value: event, done: false };
      }
    } catch (error) {
      if (this.closed) return { value: undefined, done: true };
      throw mapMongoError(error, `reading the change feed of '${this.collection}'`);
    }
  }

  private toEvent(change: ChangeStreamDocument<StoredDocument>): ChangeEvent | null {
    switch (change.operationType) {
      case 'insert':
      case 'replace': {
        const doc = toReadModelDocument(change.fullDocument);
        return { collection: this.collection, op: 'upsert', id: doc._id, doc, position: doc._position ?? -1n };
      }
      case 'update': {
        const id = String(change.documentKey._id);
        const updated = change.updateDescription.updatedFields as Document | undefined;
        if (updated?.[DELETING] === true) {
          this.deletePositions.set(id, toBigInt(updated._position));
          return null;
        }
        if (!change.fullDocument) return null;
        const doc = toReadModelDocument(change.fullDocument);
        return { collection: this.collection, op: 'upsert', id, doc, position: doc._position ?? -1n };
      }
      case 'delete': {
        const id = String(change.documentKey._id);
        const position = this.deletePositions.get(id) ?? -1n;
        this.deletePositions.delete(id);
        return { collection: this.collection, op: 'delete', id, position };
      }
      default:
        return null;
    }
  }
}
