/**
 * The read-model store port: named collections of JSON documents built by projections, queried by
 * the GraphQL API. Implemented by the embedded adapter (SQLite) and the MongoDB adapter, and proven
 * interchangeable by test/contracts/readModels.
 *
 * Every document carries `_position`: the global event-store position of the last event applied to
 * it. Writes are GUARDED: a write applies only when the stored `_position` is below the write's
 * position, so a duplicate or replayed event changes nothing (and the write reports it did not apply).
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ReadModelDocument {
  _id: string;
  /** Position of the last event applied (set by the store on write; strings/numbers in storage, bigint here). */
  _position?: bigint;
  [field: string]: unknown;
}

/** Field paths use dots for nesting ('caller.number'). */
export interface IndexSpec {
  fields: string[];
  unique?: boolean;
}

export interface CollectionSpec {
  name: string;
  indexes?: IndexSpec[];
}

/**
 * A query over top-level or dotted fields. Equality by value, or one operator object per field:
 * { $gt, $gte, $lt, $lte, $ne, $in }. Values are strings, numbers, booleans or null.
 */
export type Scalar = string | number | boolean | null;
export interface FieldCondition {
  $gt?: Scalar;
  $gte?: Scalar;
  $lt?: Scalar;
  $lte?: Scalar;
  $ne?: Scalar;
  $in?: Scalar[];
}
export type Filter = Record<string, Scalar | FieldCondition>;

export interface SortSpec {
  field: string;
  direction: 'asc' | 'desc';
}

export interface FindOptions {
  /** Sort keys; `_id` ascending is always appended as the final tie-breaker so cursors are stable. */
  sort?: SortSpec[];
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  after?: string;
}

export interface Page<T> {
  items: T[];
  /** Present when more items may follow. */
  nextCursor?: string;
}

export type WriteOp =
  | { kind: 'upsert'; collection: string; doc: ReadModelDocument; position: bigint }
  | { kind: 'delete'; collection: string; id: string; position: bigint };

export interface WriteResult {
  /** One flag per op, in order: true when the op applied, false when the guard skipped it. */
  applied: boolean[];
}

/** The single-writer lease of a projection (or of the reactor). `epoch` increases on each new owner. */
export interface Lease {
  name: string;
  owner: string;
  epoch: number;
  expiresAt: Date;
}

export interface Checkpoint {
  /** e.g. 'queue@2' (projection name @ version). */
  name: string;
  /** Exclusive resume position; -1n when nothing was processed. */
  position: bigint;
  epoch: number;
  updatedAt: Date;
}

/** The checkpoint write that travels with a batch. Fenced: it fails (LeaseLostError) unless `epoch` is the lease's current epoch. */
export interface CheckpointWrite {
  name: string;
  position: bigint;
  epoch: number;
}

export interface ChangeEvent {
  collection: string;
  op: 'upsert' | 'delete';
  id: string;
  /** The new document for upserts. */
  doc?: ReadModelDocument;
  position: bigint;
}

export interface ChangeFeed extends AsyncIterable<ChangeEvent> {
  /**
   * Resolves once the feed is open on the store: every change committed after that is delivered.
   * (A MongoDB change stream opens asynchronously; the embedded feed is ready at once.)
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface WriteOptions {
  /**
   * false: a store that keeps its own change log (the embedded one) leaves these writes out of it — for a
   * generation being built, which no feed follows until it is switched to (feeds then resynchronise).
   * Default true.
   */
  feed?: boolean;
}

export interface ReadModelStore {
  /** Creates the collection and its indexes if missing (idempotent). */
  ensureCollection(spec: CollectionSpec): Promise<void>;
  dropCollection(name: string): Promise<void>;
  listCollections(): Promise<string[]>;

  get<T extends ReadModelDocument = ReadModelDocument>(collection: string, id: string): Promise<T | null>;
  find<T extends ReadModelDocument = ReadModelDocument>(collection: string, filter: Filter, options?: FindOptions): Promise<Page<T>>;
  count(collection: string, filter: Filter): Promise<number>;

  /**
   * Applies guarded writes and, when given, the fenced checkpoint, all or nothing.
   * Throws LeaseLostError (and applies nothing) when the checkpoint's epoch is not the lease's current epoch.
   */
  write(ops: WriteOp[], checkpoint?: CheckpointWrite, options?: WriteOptions): Promise<WriteResult>;

  getCheckpoint(name: string): Promise<Checkpoint | null>;
  deleteCheckpoint(name: string): Promise<void>;

  /** Takes the lease if it is free, expired or already ours; returns null when another owner holds it. */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | null>;
  /** Extends our lease; throws LeaseLostError when it is no longer ours. */
  renewLease(lease: Lease, ttlMs: number): Promise<Lease>;
  releaseLease(lease: Lease): Promise<void>;

  /** Small named values (e.g. which version of a projection is active), not guarded. */
  getSetting(key: string): Promise<string | null>;
  putSetting(key: string, value: string): Promise<void>;

  /** Changes to one collection made after the feed was opened, in write order. */
  watch(collection: string): ChangeFeed;

  close(): Promise<void>;
}
