/**
 * The contract every ReadModelStore adapter must meet. Each adapter's spec calls
 * `readModelStoreContract` with a way to make an empty location (a data directory, a database);
 * `open()` on a location gives a new store instance, as another process would open it.
 */
import fc from 'fast-check';
import { LeaseLostError, ValidationError } from '../../api/core/errors';
import type {
  ChangeEvent,
  ChangeFeed,
  Filter,
  Lease,
  ReadModelDocument,
  ReadModelStore,
  Scalar,
  SortSpec,
  WriteOp,
} from '../../projections/infrastructure/readModels/readModelStore';

export interface StoreLocation {
  open(): Promise<ReadModelStore> | ReadModelStore;
  dispose(): Promise<void>;
}

export interface ContractOptions {
  /** A lease TTL short enough to wait out in a test. */
  shortTtlMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const upsert = (collection: string, doc: ReadModelDocument, position: bigint): WriteOp => ({ kind: 'upsert', collection, doc, position });
const remove = (collection: string, id: string, position: bigint): WriteOp => ({ kind: 'delete', collection, id, position });

const take = async (feed: ChangeFeed, count: number): Promise<ChangeEvent[]> => {
  const iterator = feed[Symbol.asyncIterator]();
  const events: ChangeEvent[] = [];
  while (events.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    events.push(next.value);
  }
  return events;
};

const summary = (events: ChangeEvent[]): string[] => events.map((event) => `${event.op} ${event.collection}/${event.id}@${event.position}`);

/** Waits for a lease to expire and takes it; gives up after a generous deadline. */
const takeOver = async (store: ReadModelStore, name: string, owner: string, ttlMs: number): Promise<Lease> => {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const lease = await store.acquireLease(name, owner, ttlMs);
    if (lease) return lease;
    if (Date.now() > deadline) throw new Error(`Lease '${name}' never expired`);
    await sleep(20);
  }
};

// ---------------------------------------------------------------------------------------------
// A reference model of the query semantics (MongoDB's, restricted to scalars), to check results.

type Fixture = ReadModelDocument & {
  status: string;
  priority: number;
  vip: boolean;
  agent?: string | null;
  waitMs: number;
  caller: { number: string; country: string };
};

const read = (doc: Record<string, unknown>, path: string): unknown => {
  let current: unknown = doc;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
};

const sameType = (a: unknown, b: unknown): boolean => typeof a === typeof b;

const matches = (doc: Record<string, unknown>, filter: Filter): boolean =>
  Object.entries(filter).every(([path, criterion]) => {
    const value = read(doc, path);
    const equals = (operand: Scalar): boolean => (operand === null ? value === null || value === undefined : value === operand);
    if (criterion === null || typeof criterion !== 'object') return equals(criterion);
    return Object.entries(criterion).every(([op, operand]) => {
      if (op === '$ne') return !equals(operand as Scalar);
      if (op === '$in') return (operand as Scalar[]).some(equals);
      if (operand === null) return op === '$gte' || op === '$lte' ? equals(null) : false;
      if (value === undefined || value === null || !sameType(value, operand)) return false;
      const [a, b] = [value as string | number | boolean, operand as string | number | boolean];
      if (op === '$gt') return a > b;
      if (op === '$gte') return a >= b;
      if (op === '$lt') return a < b;
      return a <= b;
    });
  });

const compareValues = (a: unknown, b: unknown): number => {
  const aMissing = a === undefined || a === null;
  const bMissing = b === undefined || b === null;
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? -1 : 1;
  if (a === b) return 0;
  return (a as string | number | bigint) < (b as string | number | bigint) ? -1 : 1;
};

const expectedOrder = (docs: Fixture[], filter: Filter, sort: SortSpec[]): string[] =>
  docs
    .filter((doc) => matches(doc, filter))
    .sort((x, y) => {
      for (const { field, direction } of sort) {
        const order = compareValues(read(x, field), read(y, field));
        if (order !== 0) return direction === 'asc' ? order : -order;
      }
      return x._id < y._id ? -1 : x._id > y._id ? 1 : 0;
    })
    .map((doc) => doc._id);

const statuses = ['queued', 'ringing', 'talking'];
const fixtures = (): Fixture[] =>
  Array.from({ length: 37 }, (_, i) => {
    const doc: Fixture = {
      _id: `call-${String(i).padStart(3, '0')}`,
      status: statuses[i % 3],
      priority: (i * 7) % 5,
      vip: i % 4 === 0,
      waitMs: i % 6 === 0 ? 1500.5 : i * 100,
      caller: { number: `+1555${String(1000 + ((i * 13) % 37)).padStart(4, '0')}`, country: i % 2 === 0 ? 'US' : 'FR' },
    };
    if (i % 5 === 1) doc.agent = null;
    else if (i % 5 !== 2) doc.agent = `agent-${i % 4}`;
    return doc;
  });

export const readModelStoreContract = (adapter: string, makeLocation: () => Promise<StoreLocation>, options: ContractOptions = {}): void => {
  const shortTtlMs = options.shortTtlMs ?? 150;

  describe(`ReadModelStore contract: ${adapter}`, () => {
    let location: StoreLocation;
    let store: ReadModelStore;
    let opened: ReadModelStore[];

    const open = async (): Promise<ReadModelStore> => {
      const instance = await location.open();
      opened.push(instance);
      return instance;
    };

    beforeEach(async () => {
      opened = [];
      location = await makeLocation();
      store = await open();
    });

    afterEach(async () => {
      for (const instance of opened) await instance.close();
      await location.dispose();
    });

    describe('collections', () => {
      it('creates, lists and drops collections idempotently', async () => {
        const spec = { name: 'queue_g1_entries', indexes: [{ fields: ['status'] }, { fields: ['caller.number'], unique: true }, { fields: ['status', 'priority'] }] };
        await store.ensureCollection(spec);
        await store.ensureCollection(spec);
        await store.ensureCollection({ name: 'agents-view.v2' });
        expect(await store.listCollections()).toEqual(['agents-view.v2', 'queue_g1_entries']);

        await store.dropCollection('queue_g1_entries');
        await store.dropCollection('queue_g1_entries');
        await store.dropCollection('never_created');
        expect(await store.listCollections()).toEqual(['agents-view.v2']);
      });

      it('reads a missing collection as empty', async () => {
        expect(await store.get('missing', 'x')).toBeNull();
        expect(await store.find('missing', {})).toEqual({ items: [] });
        expect(await store.count('missing', { status: 'queued' })).toBe(0);
      });

      it('drops the documents with the collection', async () => {
        await store.write([upsert('calls', { _id: 'c1', status: 'queued' }, 1n)]);
        await store.dropCollection('calls');
        await store.ensureCollection({ name: 'calls' });
        expect(await store.get('calls', 'c1')).toBeNull();
      });

      it('rejects collection names and field paths that could escape their quoting', async () => {
        for (const name of ['', 'a b', 'calls;DROP', 'x"y', "x'y", 'a/b', '$cmd', 'a..b', 'é']) {
          await expect(store.ensureCollection({ name })).rejects.toThrow(ValidationError);
          await expect(store.get(name, 'x')).rejects.toThrow(ValidationError);
        }
        for (const field of ["status') --", 'a-b', '1abc', 'a.0', 'a..b', '$where', 'a[0]']) {
          await expect(store.ensureCollection({ name: 'calls', indexes: [{ fields: [field] }] })).rejects.toThrow(ValidationError);
          await expect(store.find('calls', { [field]: 1 })).rejects.toThrow(ValidationError);
          await expect(store.find('calls', {}, { sort: [{ field, direction: 'asc' }] })).rejects.toThrow(ValidationError);
        }
      });
    });

    describe('documents', () => {
      it('round-trips documents exactly, with _position as a bigint', async () => {
        const doc = {
          _id: 'call:1/α',
          text: 'héllo "world" \\ 😀',
          empty: '',
          int: 42,
          negative: -7,
          float: 3.141592653589793,
          big: 9007199254740991,
          tiny: 1e-12,
          yes: true,
          no: false,
          nothing: null,
          list: [1, 'two', { three: 3 }, [4], null],
          nested: { deeper: { deepest: 'x', values: [] }, emptyObject: {} },
        };
        const position = 2n ** 62n + 5n;
        expect((await store.write([upsert('calls', doc, position)])).applied).toEqual([true]);
        const stored = await store.get('calls', 'call:1/α');
        expect(stored).toEqual({ ...doc, _position: position });
        expect(typeof stored?._position).toBe('bigint');
        expect(await store.get('calls', 'other')).toBeNull();
      });

      it('sets _position from the write, not from the document', async () => {
        await store.write([upsert('calls', { _id: 'c1', _position: 999n, status: 'queued' }, 7n)]);
        expect((await store.get('calls', 'c1'))?._position).toBe(7n);
      });

      it('stores documents as JSON would carry them', async () => {
        await store.write([upsert('calls', { _id: 'c1', at: new Date('2026-01-02T03:04:05.000Z'), gone: undefined }, 1n)]);
        expect(await store.get('calls', 'c1')).toEqual({ _id: 'c1', at: '2026-01-02T03:04:05.000Z', _position: 1n });
      });

      it('rejects invalid operations and applies nothing of their batch', async () => {
        await expect(store.write([upsert('calls', { _id: 'ok', n: 1 }, 1n), upsert('calls', { _id: '' }, 2n)])).rejects.toThrow(ValidationError);
        await expect(store.write([upsert('calls', { _id: 'ok', n: 1 }, 1n), upsert('calls', { _id: 'b', n: 5n }, 2n)])).rejects.toThrow(ValidationError);
        await expect(store.write([{ kind: 'upsert', collection: 'calls', doc: { _id: 'ok' }, position: 1 as unknown as bigint }])).rejects.toThrow(ValidationError);
        expect(await store.get('calls', 'ok')).toBeNull();
      });
    });

    describe('find', () => {
      let docs: Fixture[];

      beforeEach(async () => {
        docs = fixtures();
        await store.ensureCollection({
          name: 'calls',
          indexes: [{ fields: ['status'] }, { fields: ['priority'] }, { fields: ['caller.number'], unique: true }, { fields: ['status', 'priority'] }],
        });
        const result = await store.write(docs.map((doc, i) => upsert('calls', doc, BigInt(i + 1))));
        expect(result.applied.every(Boolean)).toBe(true);
        docs.forEach((doc, i) => (doc._position = BigInt(i + 1)));
      });

      const ids = async (filter: Filter, sort: SortSpec[] = []): Promise<string[]> =>
        (await store.find('calls', filter, { sort, limit: 1000 })).items.map((doc) => doc._id);

      const filters: Array<[string, Filter]> = [
        ['string equality', { status: 'ringing' }],
        ['number equality', { priority: 3 }],
        ['boolean equality', { vip: true }],
        ['false equality', { vip: false }],
        ['nested path', { 'caller.country': 'FR' }],
        ['_id', { _id: 'call-004' }],
        ['null matches missing and null', { agent: null }],
        ['$gt number', { priority: { $gt: 2 } }],
        ['$gte number', { priority: { $gte: 2 } }],
        ['$lt float', { waitMs: { $lt: 1500.5 } }],
        ['$lte float', { waitMs: { $lte: 1500.5 } }],
        ['string range', { 'caller.number': { $gte: '+15551010', $lt: '+15551020' } }],
        ['$ne string includes missing', { agent: { $ne: 'agent-1' } }],
        ['$ne null', { agent: { $ne: null } }],
        ['$ne boolean', { vip: { $ne: true } }],
        ['$in strings', { status: { $in: ['queued', 'talking'] } }],
        ['$in mixed with null', { agent: { $in: ['agent-0', null] } }],
        ['$in numbers', { priority: { $in: [0, 4] } }],
        ['$in empty', { status: { $in: [] } }],
        ['$gte null', { agent: { $gte: null } }],
        ['$gt null', { agent: { $gt: null } }],
        ['several fields', { status: 'queued', priority: { $gte: 1, $lte: 3 }, vip: false }],
        ['numbers never compare with strings', { priority: { $gt: 'a' } }],
        ['strings never compare with numbers', { status: { $gt: 0 } }],
        ['a number does not equal a boolean', { vip: 1 }],
        ['no such field', { missingField: 'x' }],
        ['empty filter', {}],
      ];

      it.each(filters)('filters by %s', async (_name, filter) => {
        const expected = expectedOrder(docs, filter, []);
        expect(await ids(filter)).toEqual(expected);
        expect(await store.count('calls', filter)).toBe(expected.length);
      });

      it('finds something for most filters (the fixture is not degenerate)', () => {
        const nonEmpty = filters.filter(([, filter]) => expectedOrder(docs, filter, []).length > 0);
        expect(nonEmpty.length).toBeGreaterThanOrEqual(20);
      });

      it('rejects malformed filters', async () => {
        await expect(store.find('calls', { status: { $regex: 'x' } as unknown as Filter[string] })).rejects.toThrow(ValidationError);
        await expect(store.find('calls', { status: {} })).rejects.toThrow(ValidationError);
        await expect(store.find('calls', { status: ['a'] as unknown as Filter[string] })).rejects.toThrow(ValidationError);
        await expect(store.find('calls', { priority: { $in: 3 as unknown as Scalar[] } })).rejects.toThrow(ValidationError);
      });

      const sorts: SortSpec[][] = [
        [{ field: 'priority', direction: 'asc' }],
        [{ field: 'priority', direction: 'desc' }],
        [
          { field: 'status', direction: 'asc' },
          { field: 'priority', direction: 'desc' },
        ],
        [
          { field: 'agent', direction: 'desc' },
          { field: 'waitMs', direction: 'asc' },
        ],
        [
          { field: 'agent', direction: 'asc' },
          { field: 'caller.number', direction: 'desc' },
        ],
        [
          { field: 'vip', direction: 'desc' },
          { field: 'priority', direction: 'asc' },
        ],
        [{ field: '_id', direction: 'desc' }],
        [{ field: '_position', direction: 'desc' }],
      ];

      it.each(sorts.map((sort) => [sort.map((key) => `${key.field} ${key.direction}`).join(', '), sort] as const))('sorts by %s, then _id', async (_name, sort) => {
        expect(await ids({}, sort)).toEqual(expectedOrder(docs, {}, sort));
      });

      it.each(sorts.map((sort) => [sort.map((key) => `${key.field} ${key.direction}`).join(', '), sort] as const))(
        'pages by cursor over every document exactly once (sort %s)',
        async (_name, sort) => {
          for (const filter of [{}, { status: { $ne: 'talking' } }] as Filter[]) {
            const seen: string[] = [];
            let after: string | undefined;
            let pages = 0;
            do {
              const page = await store.find('calls', filter, { sort, limit: 4, after });
              expect(page.items.length).toBeLessThanOrEqual(4);
              seen.push(...page.items.map((doc) => doc._id));
              after = page.nextCursor;
              pages++;
            } while (after && pages < 100);
            expect(seen).toEqual(expectedOrder(docs, filter, sort));
          }
        },
      );

      it('gives no cursor when the page holds the rest', async () => {
        const page = await store.find('calls', { status: 'queued' }, { limit: 13 });
        expect(page.items).toHaveLength(13);
        expect(page.nextCursor).toBeUndefined();
      });

      it('refuses a cursor from another sort, and garbage', async () => {
        const page = await store.find('calls', {}, { sort: [{ field: 'priority', direction: 'asc' }], limit: 3 });
        expect(page.nextCursor).toBeDefined();
        await expect(store.find('calls', {}, { sort: [{ field: 'priority', direction: 'desc' }], after: page.nextCursor })).rejects.toThrow(ValidationError);
        await expect(store.find('calls', {}, { after: 'not-a-cursor' })).rejects.toThrow(ValidationError);
        await expect(store.find('calls', {}, { limit: 0 })).rejects.toThrow(ValidationError);
      });

      it('enforces the unique index', async () => {
        const taken = docs[0].caller.number;
        await expect(store.write([upsert('calls', { _id: 'new-1', caller: { number: '+10000000' } }, 100n), upsert('calls', { _id: 'dup', caller: { number: taken } }, 101n)])).rejects.toThrow(
          ValidationError,
        );
        expect(await store.get('calls', 'new-1')).toBeNull();
      });
    });

    it('pages random documents in the same order as the reference, whatever the sort and page size', async () => {
      // Each field holds one scalar type (plus null or missing), from a small domain so that ties abound.
      const kinds = ['number', 'string', 'boolean'] as const;
      const value = (kind: (typeof kinds)[number]): fc.Arbitrary<unknown> =>
        fc.oneof(
          { weight: 4, arbitrary: kind === 'number' ? fc.integer({ min: -3, max: 3 }).map((n) => n / 2) : kind === 'string' ? fc.constantFrom('', 'a', 'b', 'B', 'ab') : fc.boolean() },
          { weight: 1, arbitrary: fc.constant(null) },
          { weight: 1, arbitrary: fc.constant(undefined) },
        );
      const scenario = fc
        .record({ x: fc.constantFrom(...kinds), y: fc.constantFrom(...kinds) })
        .chain((types) =>
          fc.record({
            docs: fc.array(fc.record({ x: value(types.x), y: value(types.y) }), { maxLength: 40 }),
            sort: fc.subarray(['x', 'y'] as const, { minLength: 0 }).chain((fields) =>
              fc.tuple(...fields.map((field) => fc.constantFrom('asc', 'desc').map((direction) => ({ field, direction }) as SortSpec))),
            ),
            pageSize: fc.integer({ min: 1, max: 7 }),
          }),
        );
      let run = 0;
      await fc.assert(
        fc.asyncProperty(scenario, async ({ docs, sort, pageSize }) => {
          const collection = `random_${run++}`;
          await store.ensureCollection({ name: collection, indexes: [{ fields: ['x'] }, { fields: ['x', 'y'] }] });
          const stored = docs.map((fields, i) => {
            const doc: Record<string, unknown> = { _id: `d${String(i).padStart(2, '0')}` };
            for (const [key, field] of Object.entries(fields)) if (field !== undefined) doc[key] = field;
            return doc as Fixture;
          });
          await store.write(stored.map((doc, i) => upsert(collection, doc, BigInt(i + 1))));
          const seen: string[] = [];
          let after: string | undefined;
          do {
            const page = await store.find(collection, {}, { sort, limit: pageSize, after });
            seen.push(...page.items.map((doc) => doc._id));
            after = page.nextCursor;
          } while (after && seen.length <= stored.length);
          expect(seen).toEqual(expectedOrder(stored, {}, sort));
          await store.dropCollection(collection);
        }),
        { numRuns: 40 },
      );
    });

    it('pages 100 documents by default and at most 1000', async () => {
      const ops = Array.from({ length: 1005 }, (_, i) => upsert('bulk', { _id: `d${String(i).padStart(4, '0')}`, n: i }, BigInt(i + 1)));
      await store.write(ops);
      const first = await store.find('bulk', {});
      expect(first.items).toHaveLength(100);
      expect(first.items[0]._id).toBe('d0000');
      expect(first.nextCursor).toBeDefined();
      const capped = await store.find('bulk', {}, { limit: 5000 });
      expect(capped.items).toHaveLength(1000);
      const rest = await store.find('bulk', {}, { limit: 5000, after: capped.nextCursor });
      expect(rest.items.map((doc) => doc._id)).toEqual(['d1000', 'd1001', 'd1002', 'd1003', 'd1004']);
      expect(rest.nextCursor).toBeUndefined();
      expect(await store.count('bulk', { n: { $gte: 1000 } })).toBe(5);
    });

    describe('guarded writes', () => {
      it('skips a duplicate (same position) and a stale (lower position) upsert, and reports it', async () => {
        expect((await store.write([upsert('calls', { _id: 'c1', status: 'queued' }, 10n)])).applied).toEqual([true]);
        expect((await store.write([upsert('calls', { _id: 'c1', status: 'duplicate' }, 10n)])).applied).toEqual([false]);
        expect((await store.write([upsert('calls', { _id: 'c1', status: 'stale' }, 9n)])).applied).toEqual([false]);
        expect(await store.get('calls', 'c1')).toEqual({ _id: 'c1', status: 'queued', _position: 10n });
        expect((await store.write([upsert('calls', { _id: 'c1', status: 'talking' }, 11n)])).applied).toEqual([true]);
        expect(await store.get('calls', 'c1')).toEqual({ _id: 'c1', status: 'talking', _position: 11n });
      });

      it('skips a duplicate and a stale delete, and applies a newer one', async () => {
        await store.write([upsert('calls', { _id: 'c1', status: 'queued' }, 10n)]);
        expect((await store.write([remove('calls', 'c1', 9n), remove('calls', 'c1', 10n)])).applied).toEqual([false, false]);
        expect(await store.get('calls', 'c1')).toEqual({ _id: 'c1', status: 'queued', _position: 10n });
        expect((await store.write([remove('calls', 'c1', 12n)])).applied).toEqual([true]);
        expect(await store.get('calls', 'c1')).toBeNull();
        expect((await store.write([remove('calls', 'c1', 13n)])).applied).toEqual([false]);
      });

      it('guards each operation of a batch against the ones before it', async () => {
        const result = await store.write([
          upsert('calls', { _id: 'c1', v: 1 }, 20n),
          upsert('calls', { _id: 'c1', v: 2 }, 19n),
          upsert('calls', { _id: 'c2', v: 1 }, 19n),
          remove('calls', 'c1', 21n),
          remove('calls', 'c1', 22n),
          upsert('calls', { _id: 'c1', v: 3 }, 23n),
          upsert('agents', { _id: 'c1', v: 9 }, 5n),
        ]);
        expect(result.applied).toEqual([true, false, true, true, false, true, true]);
        expect(await store.get('calls', 'c1')).toEqual({ _id: 'c1', v: 3, _position: 23n });
        expect(await store.get('calls', 'c2')).toEqual({ _id: 'c2', v: 1, _position: 19n });
        expect(await store.get('agents', 'c1')).toEqual({ _id: 'c1', v: 9, _position: 5n });
      });

      it('creates the collection on first write', async () => {
        await store.write([upsert('fresh', { _id: 'x' }, 1n)]);
        expect(await store.listCollections()).toContain('fresh');
        expect(await store.write([])).toEqual({ applied: [] });
      });
    });

    describe('atomic batch + fenced checkpoint', () => {
      it('persists the documents and the checkpoint together', async () => {
        const lease = await store.acquireLease('queue@1', 'runner-a', 60_000);
        expect(lease).not.toBeNull();
        const result = await store.write([upsert('calls', { _id: 'c1', status: 'queued' }, 41n), upsert('calls', { _id: 'c2', status: 'queued' }, 42n)], {
          name: 'queue@1',
          position: 42n,
          epoch: lease!.epoch,
        });
        expect(result.applied).toEqual([true, true]);
        const checkpoint = await store.getCheckpoint('queue@1');
        expect(checkpoint).toMatchObject({ name: 'queue@1', position: 42n, epoch: lease!.epoch });
        expect(checkpoint?.updatedAt).toBeInstanceOf(Date);
        expect(await store.count('calls', {})).toBe(2);

        await store.write([], { name: 'queue@1', position: 50n, epoch: lease!.epoch });
        expect((await store.getCheckpoint('queue@1'))?.position).toBe(50n);
        await store.write([], { name: 'queue@1', position: -1n, epoch: lease!.epoch });
        expect((await store.getCheckpoint('queue@1'))?.position).toBe(-1n);
      });

      it('rolls back the whole batch when the checkpoint epoch is stale', async () => {
        const old = await store.acquireLease('queue@1', 'runner-a', shortTtlMs);
        await store.write([upsert('calls', { _id: 'c1', status: 'queued' }, 1n)], { name: 'queue@1', position: 1n, epoch: old!.epoch });
        const current = await takeOver(store, 'queue@1', 'runner-b', 60_000);
        expect(current.epoch).toBeGreaterThan(old!.epoch);

        await expect(
          store.write([upsert('calls', { _id: 'c1', status: 'talking' }, 2n), upsert('calls', { _id: 'c2', status: 'queued' }, 3n), remove('calls', 'c1', 4n)], {
            name: 'queue@1',
            position: 4n,
            epoch: old!.epoch,
          }),
        ).rejects.toThrow(LeaseLostError);
        expect(await store.get('calls', 'c1')).toEqual({ _id: 'c1', status: 'queued', _position: 1n });
        expect(await store.get('calls', 'c2')).toBeNull();
        expect(await store.getCheckpoint('queue@1')).toMatchObject({ position: 1n, epoch: old!.epoch });
      });

      it('refuses a checkpoint without a lease, or with an epoch the lease never had', async () => {
        await expect(store.write([upsert('calls', { _id: 'c1' }, 1n)], { name: 'nobody@1', position: 1n, epoch: 1 })).rejects.toThrow(LeaseLostError);
        const lease = await store.acquireLease('queue@1', 'runner-a', 60_000);
        await expect(store.write([upsert('calls', { _id: 'c1' }, 1n)], { name: 'queue@1', position: 1n, epoch: lease!.epoch + 1 })).rejects.toThrow(LeaseLostError);
        expect(await store.get('calls', 'c1')).toBeNull();
        expect(await store.getCheckpoint('nobody@1')).toBeNull();
        expect(await store.getCheckpoint('queue@1')).toBeNull();
      });

      it('deletes a checkpoint', async () => {
        const lease = await store.acquireLease('queue@1', 'runner-a', 60_000);
        await store.write([], { name: 'queue@1', position: 9n, epoch: lease!.epoch });
        await store.deleteCheckpoint('queue@1');
        await store.deleteCheckpoint('queue@1');
        expect(await store.getCheckpoint('queue@1')).toBeNull();
      });
    });

    describe('leases', () => {
      it('refuses a second owner while the lease is live, and lets the owner re-acquire', async () => {
        const a = await store.acquireLease('queue@1', 'runner-a', 60_000);
        expect(a).toMatchObject({ name: 'queue@1', owner: 'runner-a', epoch: 1 });
        expect(a!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 30_000);
        expect(await store.acquireLease('queue@1', 'runner-b', 60_000)).toBeNull();
        const again = await store.acquireLease('queue@1', 'runner-a', 60_000);
        expect(again?.epoch).toBe(a!.epoch);
        const other = await store.acquireLease('agents@1', 'runner-b', 60_000);
        expect(other).toMatchObject({ owner: 'runner-b', epoch: 1 });
      });

      it('passes to a new owner with a higher epoch after expiry; the old owner can then neither renew nor checkpoint', async () => {
        const a = await store.acquireLease('queue@1', 'runner-a', shortTtlMs);
        const b = await takeOver(store, 'queue@1', 'runner-b', 60_000);
        expect(b).toMatchObject({ owner: 'runner-b', epoch: a!.epoch + 1 });

        await expect(store.renewLease(a!, 60_000)).rejects.toThrow(LeaseLostError);
        await expect(store.write([upsert('calls', { _id: 'c1' }, 1n)], { name: 'queue@1', position: 1n, epoch: a!.epoch })).rejects.toThrow(LeaseLostError);
        expect(await store.acquireLease('queue@1', 'runner-a', 60_000)).toBeNull();

        const renewed = await store.renewLease(b, 120_000);
        expect(renewed).toMatchObject({ owner: 'runner-b', epoch: b.epoch });
        expect(renewed.expiresAt.getTime()).toBeGreaterThan(b.expiresAt.getTime());
        await store.write([upsert('calls', { _id: 'c1' }, 1n)], { name: 'queue@1', position: 1n, epoch: b.epoch });
        expect((await store.getCheckpoint('queue@1'))?.epoch).toBe(b.epoch);
      });

      it('releases a lease so that another owner takes it at once, with a higher epoch', async () => {
        const a = await store.acquireLease('queue@1', 'runner-a', 60_000);
        await store.releaseLease(a!);
        const b = await store.acquireLease('queue@1', 'runner-b', 60_000);
        expect(b).toMatchObject({ owner: 'runner-b', epoch: a!.epoch + 1 });
        // A release by a former owner does not free the lease.
        await store.releaseLease(a!);
        expect(await store.acquireLease('queue@1', 'runner-c', 60_000)).toBeNull();
      });

      it('rejects invalid lease arguments', async () => {
        await expect(store.acquireLease('', 'runner-a', 1000)).rejects.toThrow(ValidationError);
        await expect(store.acquireLease('queue@1', '', 1000)).rejects.toThrow(ValidationError);
        await expect(store.acquireLease('queue@1', 'runner-a', 0)).rejects.toThrow(ValidationError);
      });
    });

    describe('settings', () => {
      it('stores small named values, visible to other instances', async () => {
        expect(await store.getSetting('projection:queue:active')).toBeNull();
        await store.putSetting('projection:queue:active', '{"generation":1}');
        await store.putSetting('projection:queue:active', '{"generation":2}');
        await store.putSetting('empty', '');
        expect(await store.getSetting('projection:queue:active')).toBe('{"generation":2}');
        expect(await store.getSetting('empty')).toBe('');
        const other = await open();
        expect(await other.getSetting('projection:queue:active')).toBe('{"generation":2}');
      });
    });

    describe('change feed', () => {
      it('delivers applied upserts and deletes of its collection only, in write order', async () => {
        const calls = store.watch('calls');
        const agents = store.watch('agents');
        await Promise.all([calls.ready(), agents.ready()]);

        await store.write([upsert('calls', { _id: 'c1', status: 'queued' }, 1n), upsert('agents', { _id: 'a1', state: 'idle' }, 2n), upsert('calls', { _id: 'c2', status: 'queued' }, 3n)]);
        await store.write([upsert('calls', { _id: 'c1', status: 'talking' }, 4n), remove('calls', 'c2', 5n)]);
        // Skipped by the guard: no change.
        await store.write([upsert('calls', { _id: 'c1', status: 'stale' }, 3n), remove('calls', 'c2', 6n), remove('calls', 'c1', 2n)]);
        await store.write([upsert('calls', { _id: 'c9', status: 'last' }, 10n)]);

        const events = await take(calls, 5);
        expect(summary(events)).toEqual(['upsert calls/c1@1', 'upsert calls/c2@3', 'upsert calls/c1@4', 'delete calls/c2@5', 'upsert calls/c9@10']);
        expect(events[0].doc).toEqual({ _id: 'c1', status: 'queued', _position: 1n });
        expect(events[2].doc).toEqual({ _id: 'c1', status: 'talking', _position: 4n });
        expect(events[3].doc).toBeUndefined();
        expect(summary(await take(agents, 1))).toEqual(['upsert agents/a1@2']);
        await calls.close();
        await agents.close();
      });

      it('starts after what was written before it was opened', async () => {
        await store.write([upsert('calls', { _id: 'before', status: 'queued' }, 1n)]);
        const feed = store.watch('calls');
        await feed.ready();
        await store.write([upsert('calls', { _id: 'after', status: 'queued' }, 2n)]);
        expect(summary(await take(feed, 1))).toEqual(['upsert calls/after@2']);
        await feed.close();
      });

      it('delivers to a watcher in another store instance (another process)', async () => {
        const reader = await open();
        const feed = reader.watch('calls');
        await feed.ready();
        const waiting = take(feed, 3);
        await store.write([upsert('calls', { _id: 'c1', status: 'queued' }, 1n)]);
        await store.write([upsert('calls', { _id: 'c1', status: 'talking' }, 2n), remove('calls', 'c1', 3n)]);
        const events = await waiting;
        expect(summary(events)).toEqual(['upsert calls/c1@1', 'upsert calls/c1@2', 'delete calls/c1@3']);
        expect(events[1].doc).toEqual({ _id: 'c1', status: 'talking', _position: 2n });
        await feed.close();
      });

      it('keeps delivering when the collection is dropped and recreated', async () => {
        const feed = store.watch('calls');
        await feed.ready();
        await store.write([upsert('calls', { _id: 'c1' }, 1n)]);
        await store.dropCollection('calls');
        await store.write([upsert('calls', { _id: 'c2' }, 2n)]);
        expect(summary(await take(feed, 2))).toEqual(['upsert calls/c1@1', 'upsert calls/c2@2']);
        await feed.close();
      });

      it('ends a waiting iteration on close, and when the loop breaks', async () => {
        const feed = store.watch('calls');
        await feed.ready();
        const iterator = feed[Symbol.asyncIterator]();
        const waiting = iterator.next();
        await feed.close();
        expect(await waiting).toEqual({ value: undefined, done: true });
        expect(await iterator.next()).toEqual({ value: undefined, done: true });

        const looped = store.watch('calls');
        await looped.ready();
        await store.write([upsert('calls', { _id: 'c1' }, 1n), upsert('calls', { _id: 'c2' }, 2n)]);
        const seen: string[] = [];
        for await (const event of looped) {
          seen.push(event.id);
          break;
        }
        expect(seen).toEqual(['c1']);
        expect(await looped[Symbol.asyncIterator]().next()).toEqual({ value: undefined, done: true });
      });

      it('ends open feeds when the store closes', async () => {
        const other = await open();
        const feed = other.watch('calls');
        await feed.ready();
        const waiting = feed[Symbol.asyncIterator]().next();
        await other.close();
        expect(await waiting).toEqual({ value: undefined, done: true });
      });
    });

    it('keeps everything across reopening', async () => {
      await store.ensureCollection({ name: 'calls', indexes: [{ fields: ['status'] }] });
      const lease = await store.acquireLease('queue@1', 'runner-a', 60_000);
      await store.write([upsert('calls', { _id: 'c1', status: 'queued', nested: { n: 1.5 } }, 7n), upsert('calls', { _id: 'c2', status: 'talking' }, 8n)], {
        name: 'queue@1',
        position: 8n,
        epoch: lease!.epoch,
      });
      await store.putSetting('k', 'v');
      await store.close();

      const reopened = await open();
      expect(await reopened.listCollections()).toEqual(['calls']);
      expect(await reopened.get('calls', 'c1')).toEqual({ _id: 'c1', status: 'queued', nested: { n: 1.5 }, _position: 7n });
      expect((await reopened.find('calls', { status: 'talking' })).items.map((doc) => doc._id)).toEqual(['c2']);
      expect(await reopened.getCheckpoint('queue@1')).toMatchObject({ position: 8n, epoch: lease!.epoch });
      expect(await reopened.getSetting('k')).toBe('v');
      expect(await reopened.acquireLease('queue@1', 'runner-b', 60_000)).toBeNull();
      expect((await reopened.write([upsert('calls', { _id: 'c1', status: 'stale' }, 7n)])).applied).toEqual([false]);
    });
  });
};
