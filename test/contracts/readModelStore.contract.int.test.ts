import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { MongoClient } from 'mongodb';
import { UnavailableError, ValidationError } from '../../api/core/errors';
import { createReadModelStore } from '../../projections/infrastructure/readModels';
import { SqliteReadModelStore, mapSqliteError } from '../../projections/infrastructure/readModels/embedded/sqliteReadModelStore';
import { MongoReadModelStore } from '../../projections/infrastructure/readModels/mongodb/mongoReadModelStore';
import type { ChangeEvent, WriteOp } from '../../projections/infrastructure/readModels/readModelStore';
import { readModelStoreContract } from './readModelStoreContract';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'callstream-readmodels-'));

readModelStoreContract('embedded (SQLite)', async () => {
  const dataDir = tempDir();
  return {
    open: () => new SqliteReadModelStore({ dataDir, changePollIntervalMs: 10 }),
    dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
});

const mongoUrl = process.env.MONGODB_URL;
if (mongoUrl) {
  const runId = `${process.pid}_${randomUUID().slice(0, 8)}`;
  let counter = 0;
  readModelStoreContract('MongoDB', async () => {
    const database = `callstream_contract_${runId}_${counter++}`;
    return {
      open: () => new MongoReadModelStore({ url: mongoUrl, database }),
      dispose: async () => {
        const client = new MongoClient(mongoUrl);
        try {
          await client.db(database).dropDatabase();
        } finally {
          await client.close();
        }
      },
    };
  });
} else {
  describe.skip('ReadModelStore contract: MongoDB (set MONGODB_URL to a replica set to run)', () => {
    it('runs against MongoDB', () => undefined);
  });
}

describe('embedded read-model store specifics', () => {
  let dataDir: string;
  const stores: SqliteReadModelStore[] = [];
  const open = (options: Partial<ConstructorParameters<typeof SqliteReadModelStore>[0]> = {}): SqliteReadModelStore => {
    const store = new SqliteReadModelStore({ dataDir, changePollIntervalMs: 10, ...options });
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    dataDir = tempDir();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps one file, readmodels.db, in WAL mode', async () => {
    const store = open();
    await store.write([{ kind: 'upsert', collection: 'calls', doc: { _id: 'c1' }, position: 1n }]);
    expect(store.file).toBe(join(dataDir, 'readmodels.db'));
    const db = new Database(store.file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('answers indexed queries from real expression indexes', async () => {
    const store = open();
    await store.ensureCollection({ name: 'calls', indexes: [{ fields: ['status'] }, { fields: ['caller.number'], unique: true }] });
    const db = new Database(store.file, { readonly: true });
    try {
      const indexes = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'rm_calls'`).all() as Array<{ name: string; sql: string | null }>;
      expect(indexes.map((index) => index.sql).filter(Boolean)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^CREATE INDEX .*json_extract\(doc, '\$\.status'\)/), expect.stringMatching(/^CREATE UNIQUE INDEX .*'\$\.caller\.number'/)]),
      );
      const plan = db
        .prepare(`EXPLAIN QUERY PLAN SELECT id FROM rm_calls WHERE (json_extract(doc, '$.status') = ? AND json_type(doc, '$.status') IN ('text'))`)
        .all('queued') as Array<{ detail: string }>;
      expect(plan.map((row) => row.detail).join(' ')).toMatch(/USING INDEX ix_calls_status/);
    } finally {
      db.close();
    }
  });

  it('prunes the change feed and fails a feed that fell behind the retained rows', async () => {
    const store = open({ changeRetention: 1000 });
    const feed = store.watch('calls');
    const ops = (from: number, count: number): WriteOp[] =>
      Array.from({ length: count }, (_, i) => ({ kind: 'upsert', collection: 'calls', doc: { _id: `c${from + i}` }, position: BigInt(from + i) }));
    await store.write(ops(1, 1500));
    await store.write(ops(1501, 1500));
    const db = new Database(store.file, { readonly: true });
    try {
      expect((db.prepare('SELECT COUNT(*) AS n FROM changes').get() as { n: number }).n).toBeLessThanOrEqual(2500);
    } finally {
      db.close();
    }
    await expect(feed[Symbol.asyncIterator]().next()).rejects.toThrow(UnavailableError);
  });

  it('leaves writes with feed: false out of the change log (a generation being built), and still applies them', async () => {
    const store = open();
    const feed = store.watch('calls')[Symbol.asyncIterator]();
    const next = feed.next();
    await store.write([{ kind: 'upsert', collection: 'calls', doc: { _id: 'built' }, position: 1n }], undefined, { feed: false });
    await store.write([{ kind: 'upsert', collection: 'calls', doc: { _id: 'live' }, position: 2n }]);
    expect((await next).value?.id).toBe('live');
    expect(await store.get('calls', 'built')).toMatchObject({ _id: 'built' });
    const db = new Database(store.file, { readonly: true });
    try {
      expect(db.prepare('SELECT id FROM changes').all()).toEqual([{ id: 'live' }]);
    } finally {
      db.close();
    }
  });

  it('wakes a local watcher on write and a watcher in another instance by polling', async () => {
    const writer = open();
    const reader = open({ changePollIntervalMs: 5 });
    const local = writer.watch('calls')[Symbol.asyncIterator]();
    const remote = reader.watch('calls')[Symbol.asyncIterator]();
    const pending: Array<Promise<IteratorResult<ChangeEvent>>> = [local.next(), remote.next()];
    await writer.write([{ kind: 'upsert', collection: 'calls', doc: { _id: 'c1' }, position: 1n }]);
    const [mine, theirs] = await Promise.all(pending);
    expect(mine.value?.id).toBe('c1');
    expect(theirs.value?.id).toBe('c1');
  });

  it('delivers to a watcher the changes another process writes', async () => {
    const reader = open();
    const feed = reader.watch('calls');
    await feed.ready();
    const iterator = feed[Symbol.asyncIterator]();
    const received = Promise.all([iterator.next(), iterator.next(), iterator.next()]);
    // A separate Node process that loads the store from source (via @swc/core) and writes.
    const writer = `
      const { readFileSync } = require('node:fs');
      const swc = require('@swc/core');
      require.extensions['.ts'] = (module, file) => module._compile(swc.transformSync(readFileSync(file, 'utf8'), {
        filename: file, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' },
      }).code, file);
      const { SqliteReadModelStore } = require(${JSON.stringify(require.resolve('../../projections/infrastructure/readModels/embedded/sqliteReadModelStore'))});
      (async () => {
        const store = new SqliteReadModelStore({ dataDir: process.env.READ_MODELS_DIR });
        await store.write([{ kind: 'upsert', collection: 'calls', doc: { _id: 'c1', status: 'queued' }, position: 1n }]);
        await store.write([{ kind: 'upsert', collection: 'agents', doc: { _id: 'a1' }, position: 2n }, { kind: 'delete', collection: 'calls', id: 'c1', position: 3n }]);
        await store.write([{ kind: 'upsert', collection: 'calls', doc: { _id: 'c2', status: 'talking' }, position: 4n }]);
        await store.close();
      })().catch((error) => { console.error(error); process.exit(1); });
    `;
    await promisify(execFile)(process.execPath, ['-e', writer], { cwd: join(__dirname, '..', '..'), env: { ...process.env, READ_MODELS_DIR: dataDir } });
    const events = (await received).map((result) => result.value as ChangeEvent);
    expect(events.map((event) => `${event.op} ${event.id}@${event.position}`)).toEqual(['upsert c1@1', 'delete c1@3', 'upsert c2@4']);
    expect(events[2].doc).toEqual({ _id: 'c2', status: 'talking', _position: 4n });
  });

  it('judges lease expiry by the injected clock', async () => {
    let now = 1_000_000;
    const store = open({ clock: () => now });
    const a = await store.acquireLease('queue@1', 'runner-a', 10_000);
    expect(a?.expiresAt.getTime()).toBe(1_010_000);
    now += 9_999;
    expect(await store.acquireLease('queue@1', 'runner-b', 10_000)).toBeNull();
    now += 1;
    expect(await store.acquireLease('queue@1', 'runner-b', 10_000)).toMatchObject({ owner: 'runner-b', epoch: 2 });
  });

  it('maps SQLite errors created in another realm (the native module keeps the classes of the first context that loaded it)', () => {
    const foreign: unknown = runInNewContext(`Object.assign(new Error('UNIQUE constraint failed: rm_calls.x'), { code: 'SQLITE_CONSTRAINT_UNIQUE' })`);
    expect(foreign instanceof Error).toBe(false);
    expect(mapSqliteError(foreign, 'writing')).toBeInstanceOf(ValidationError);
    const busy: unknown = runInNewContext(`Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })`);
    expect(mapSqliteError(busy, 'writing')).toBeInstanceOf(UnavailableError);
  });

  it('refuses to work once closed', async () => {
    const store = open();
    await store.close();
    await expect(store.get('calls', 'c1')).rejects.toThrow('closed');
  });
});

describe('createReadModelStore', () => {
  it('opens the embedded store under CALLSTREAM_DATA_DIR when MONGODB_URL is not set', async () => {
    const dataDir = tempDir();
    try {
      const store = createReadModelStore({ CALLSTREAM_DATA_DIR: dataDir, MONGODB_URL: '' });
      expect(store).toBeInstanceOf(SqliteReadModelStore);
      expect((store as SqliteReadModelStore).file).toBe(join(dataDir, 'readmodels.db'));
      await store.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('selects MongoDB when MONGODB_URL is set, connecting only on first use', async () => {
    const store = createReadModelStore({ MONGODB_URL: 'mongodb://127.0.0.1:9/callstream?serverSelectionTimeoutMS=200' });
    expect(store).toBeInstanceOf(MongoReadModelStore);
    await store.close();
  });

  it('names the variable that is wrong', () => {
    expect(() => createReadModelStore({ MONGODB_URL: 'postgres://localhost' })).toThrow(ValidationError);
    expect(() => createReadModelStore({ MONGODB_URL: 'postgres://localhost' })).toThrow(/MONGODB_URL/);
    expect(() => createReadModelStore({ CALLSTREAM_READMODELS_POLL_MS: '-1' })).toThrow(/CALLSTREAM_READMODELS_POLL_MS/);
  });
});

describe('MongoDB read-model store without a server', () => {
  it('reports an unreachable server as unavailable, and a failed change feed the same way', async () => {
    const store = new MongoReadModelStore({ url: 'mongodb://127.0.0.1:9/callstream', clientOptions: { serverSelectionTimeoutMS: 200 } });
    try {
      await expect(store.get('calls', 'c1')).rejects.toThrow(UnavailableError);
      await expect(store.write([{ kind: 'upsert', collection: 'calls', doc: { _id: 'c1' }, position: 1n }])).rejects.toThrow(UnavailableError);
      const feed = store.watch('calls');
      await expect(feed.ready()).rejects.toThrow(UnavailableError);
      await feed.close();
    } finally {
      await store.close();
    }
  });
});
