/**
 * Rules shared by every read-model adapter: what a valid collection name, field path, document,
 * filter, sort and page size are, and the cursor envelope. Keeping them in one place is what makes
 * the adapters answer the same query the same way.
 */
import { ValidationError } from '../../../api/core/errors';
import type { CheckpointWrite, Filter, FindOptions, ReadModelDocument, Scalar, SortSpec, WriteOp } from './readModelStore';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// Collection names end up quoted in SQL identifiers and in MongoDB namespaces: a strict whitelist
// keeps both safe. Hyphens are allowed because projection names use them.
const COLLECTION_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;
// Field paths are inlined into SQLite JSON paths (so that expression indexes match the queries):
// segments start with a letter or underscore, which also rules out MongoDB's numeric array-index
// segments, whose meaning the embedded adapter does not share.
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,15}$/;

export const assertCollectionName = (name: string): void => {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name) || name.includes('..') || name.endsWith('.')) {
    throw new ValidationError(`Invalid collection name ${JSON.stringify(name)}: use letters, digits, '_', '-' and single dots (at most 100 characters)`);
  }
};

export const assertFieldPath = (path: string): void => {
  if (typeof path !== 'string' || !FIELD_PATH.test(path)) {
    throw new ValidationError(`Invalid field path ${JSON.stringify(path)}: use dot-separated names of letters, digits and '_'`);
  }
};

export const assertPosition = (position: unknown, what: string): bigint => {
  if (typeof position !== 'bigint' || position < INT64_MIN || position > INT64_MAX) {
    throw new ValidationError(`${what} must be a 64-bit bigint, got ${typeof position === 'bigint' ? position.toString() : typeof position}`);
  }
  return position;
};

const assertId = (id: unknown): string => {
  if (typeof id !== 'string' || id.length === 0) throw new ValidationError(`A read-model document needs a non-empty string _id, got ${JSON.stringify(id)}`);
  return id;
};

/** A document body as JSON would carry it (no `_id`, no `_position`). */
export type JsonObject = Record<string, unknown>;

/** The body of a document without `_id`/`_position`, normalised through JSON so that every adapter stores the same value. */
export const documentBody = (doc: ReadModelDocument): { id: string; json: string; body: JsonObject } => {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ValidationError('A read-model document must be an object');
  const id = assertId(doc._id);
  const { _id: _ignoredId, _position: _ignoredPosition, ...rest } = doc;
  let json: string;
  try {
    json = JSON.stringify(rest);
  } catch (error) {
    throw new ValidationError(`Document '${id}' is not JSON-serialisable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { id, json, body: JSON.parse(json) as JsonObject };
};

export interface ValidatedUpsert {
  kind: 'upsert';
  collection: string;
  id: string;
  position: bigint;
  json: string;
  body: JsonObject;
}
export interface ValidatedDelete {
  kind: 'delete';
  collection: string;
  id: string;
  position: bigint;
}
export type ValidatedOp = ValidatedUpsert | ValidatedDelete;

export const validateOps = (ops: WriteOp[]): ValidatedOp[] => {
  if (!Array.isArray(ops)) throw new ValidationError('write() takes an array of operations');
  return ops.map((op, index) => {
    assertCollectionName(op.collection);
    const position = assertPosition(op.position, `Operation ${index} position`);
    if (op.kind === 'upsert') {
      const { id, json, body } = documentBody(op.doc);
      return { kind: 'upsert', collection: op.collection, id, position, json, body };
    }
    if (op.kind === 'delete') return { kind: 'delete', collection: op.collection, id: assertId(op.id), position };
    throw new ValidationError(`Operation ${index} has an unknown kind ${JSON.stringify((op as { kind?: unknown }).kind)}`);
  });
};

export const validateCheckpoint = (checkpoint: CheckpointWrite): CheckpointWrite => {
  if (typeof checkpoint.name !== 'string' || checkpoint.name.length === 0) throw new ValidationError('A checkpoint needs a non-empty name');
  assertPosition(checkpoint.position, `Checkpoint '${checkpoint.name}' position`);
  if (!Number.isSafeInteger(checkpoint.epoch)) throw new ValidationError(`Checkpoint '${checkpoint.name}' epoch must be an integer`);
  return checkpoint;
};

export const assertLeaseArgs = (name: string, owner: string, ttlMs: number): void => {
  if (typeof name !== 'string' || name.length === 0) throw new ValidationError('A lease needs a non-empty name');
  if (typeof owner !== 'string' || owner.length === 0) throw new ValidationError('A lease needs a non-empty owner');
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new ValidationError(`Lease ttlMs must be a positive integer, got ${ttlMs}`);
};

// ---------------------------------------------------------------------------------------------
// Filters

export type Comparison = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';
export type Condition = { path: string; op: Comparison; value: Scalar } | { path: string; op: 'in'; values: Scalar[] };

const OPERATORS: Record<string, Comparison | 'in'> = { $gt: 'gt', $gte: 'gte', $lt: 'lt', $lte: 'lte', $ne: 'ne', $in: 'in' };

const isScalar = (value: unknown): value is Scalar =>
  value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

const assertScalar = (path: string, value: unknown): Scalar => {
  if (!isScalar(value)) throw new ValidationError(`Filter on '${path}' compares with ${JSON.stringify(value) ?? String(value)}: only strings, finite numbers, booleans and null are allowed`);
  return value;
};

/** Flattens a Filter into conditions that are all ANDed. */
export const parseFilter = (filter: Filter): Condition[] => {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) throw new ValidationError('A filter must be an object');
  const conditions: Condition[] = [];
  for (const [path, criterion] of Object.entries(filter)) {
    assertFieldPath(path);
    if (typeof criterion === 'object' && criterion !== null && !Array.isArray(criterion)) {
      const entries = Object.entries(criterion);
      if (entries.length === 0) throw new ValidationError(`Filter on '${path}' has an empty operator object`);
      for (const [key, operand] of entries) {
        const op = OPERATORS[key];
        if (!op) throw new ValidationError(`Filter on '${path}' uses an unknown operator ${JSON.stringify(key)}`);
        if (op === 'in') {
          if (!Array.isArray(operand)) throw new ValidationError(`Filter on '${path}': $in takes an array`);
          conditions.push({ path, op, values: operand.map((value) => assertScalar(path, value)) });
        } else {
          conditions.push({ path, op, value: assertScalar(path, operand) });
        }
      }
    } else {
      conditions.push({ path, op: 'eq', value: assertScalar(path, criterion) });
    }
  }
  return conditions;
};

// ---------------------------------------------------------------------------------------------
// Sorting, paging and cursors

/** The sort keys of a query, always ending with `_id` ascending so that every row has a unique place. */
export const sortKeys = (sort: SortSpec[] | undefined): SortSpec[] => {
  const keys: SortSpec[] = [];
  for (const spec of sort ?? []) {
    assertFieldPath(spec.field);
    if (spec.direction !== 'asc' && spec.direction !== 'desc') throw new ValidationError(`Sort on '${spec.field}' needs direction 'asc' or 'desc'`);
    if (keys.some((key) => key.field === spec.field)) throw new ValidationError(`Sort names '${spec.field}' twice`);
    keys.push({ field: spec.field, direction: spec.direction });
    if (spec.field === '_id') return keys;
  }
  keys.push({ field: '_id', direction: 'asc' });
  return keys;
};

/** Default 100; values above the maximum are capped at 1000. */
export const pageSize = (limit: number | undefined): number => {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new ValidationError(`limit must be a positive integer, got ${limit}`);
  return Math.min(limit, MAX_PAGE_SIZE);
};

export type CursorValue = string | number | boolean | bigint | null;

const sortSignature = (keys: SortSpec[]): string => keys.map((key) => `${key.field}:${key.direction}`).join(',');

/**
 * Cursor: base64url of JSON `{ s: "<field>:<dir>,…", k: [value per sort key…] }`, the last value being
 * the `_id`. bigints travel as `{ "$big": "<decimal>" }`. The sort signature makes a cursor unusable
 * with a different sort.
 */
export const encodeCursor = (keys: SortSpec[], values: CursorValue[]): string =>
  Buffer.from(
    JSON.stringify({ s: sortSignature(keys), k: values }, (_key, value: unknown) => (typeof value === 'bigint' ? { $big: value.toString() } : value)),
    'utf8',
  ).toString('base64url');

export const decodeCursor = (keys: SortSpec[], cursor: string): CursorValue[] => {
  const invalid = (): ValidationError => new ValidationError('Invalid or foreign cursor: pass the nextCursor of a previous page of the same query');
  if (typeof cursor !== 'string' || cursor.length === 0) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'), (_key, value: unknown) => {
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        const big = (value as Record<string, unknown>).$big;
        if (typeof big === 'string' && Object.keys(value).length === 1) return BigInt(big);
      }
      return value;
    });
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const { s, k } = parsed as { s?: unknown; k?: unknown };
  if (s !== sortSignature(keys) || !Array.isArray(k) || k.length !== keys.length) throw invalid();
  for (const value of k) {
    if (!(value === null || ['string', 'number', 'boolean', 'bigint'].includes(typeof value))) throw invalid();
  }
  if (typeof k[k.length - 1] !== 'string') throw invalid();
  return k as CursorValue[];
};

/** Reads a dotted path from a JSON object; missing reads as null (as both adapters sort it). */
export const valueAtPath = (doc: Record<string, unknown>, path: string): unknown => {
  let current: unknown = doc;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return null;
    current = (current as Record<string, unknown>)[segment];
  }
  return current === undefined ? null : current;
};

export const findOptions = (options: FindOptions | undefined): { keys: SortSpec[]; limit: number; after: CursorValue[] | null } => {
  const keys = sortKeys(options?.sort);
  return { keys, limit: pageSize(options?.limit), after: options?.after === undefined ? null : decodeCursor(keys, options.after) };
};
