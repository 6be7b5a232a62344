import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../../api/infrastructure/eventStore/sqlite/sqliteEventStore';
import { SqliteReadModelStore } from '../../projections/infrastructure/readModels/embedded/sqliteReadModelStore';
import type { EventStore } from '../../api/infrastructure/eventStore/eventStore';
import type { ReadModelDocument, ReadModelStore } from '../../projections/infrastructure/readModels/readModelStore';
import { defineProjection, type Projection } from '../../projections/runner/projection';
import { ProjectionFailedError, ProjectionRunner } from '../../projections/runner/projectionRunner';
import { physicalCollection, readActiveGeneration, resolveCollection } from '../../projections/runner/generations';
import { replayInMemory } from '../../projections/runner/inMemoryReplay';

interface StreamCount extends ReadModelDocument {
  count: number;
  lastType: string;
}

const counting = (version = 1, failOn?: string): Projection =>
  defineProjection({
    name: 'counting',
    version,
    collections: [{ name: 'streams', indexes: [{ fields: ['count'] }] }, { name: 'totals' }],
    filter: { streamPrefixes: ['thing-'] },
    async apply({ event, update }) {
      if (event.type === failOn) throw new Error('cannot handle this event');
      await update<StreamCount>('streams', event.streamId, (doc) => ({ _id: event.streamId, count: (doc?.count ?? 0) + 1, lastType: event.type }));
      await update<StreamCount>('totals', 'all', (doc) => ({ _id: 'all', count: (doc?.count ?? 0) + 1, lastType: event.type }));
    },
  });

const waitFor = async (check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`Timed out waiting for ${what}`);
};

const appendThings = async (store: EventStore, streams: number, perStream: number, type = 'ThingHappened'): Promise<void> => {
  for (let i = 0; i < perStream; i++) {
    await Promise.all(
      Array.from({ length: streams }, (_, s) => store.append(`thing-${s}`, [{ id: randomUUID(), type, data: { i } }])),
    );
  }
};

const total = async (readModels: ReadModelStore): Promise<number> => {
  const collection = await resolveCollection(readModels, 'counting', 'totals');
  if (!collection) return 0;
  return (await readModels.get<StreamCount>(collection, 'all'))?.count ?? 0;
};

describe('projection runner on the embedded stores', () => {
  let dir: string;
  let events: SqliteEventStore;
  let readModels: SqliteReadModelStore;
  const runners: ProjectionRunner[] = [];
  const runner = (projection: Projection, options: Partial<ConstructorParameters<typeof ProjectionRunner>[1]> = {}): ProjectionRunner => {
    const r = new ProjectionRunner(projection, { eventStore: events, readModels, leaseTtlMs: 300, ...options });
    runners.push(r);
    return r;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callstream-runner-'));
    events = new SqliteEventStore({ dataDir: dir });
    readModels = new SqliteReadModelStore({ dataDir: dir });
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await events.close();
    await readModels.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds documents live, in order, and resumes after a restart without applying anything twice', async () => {
    await appendThings(events, 5, 20);
    await events.append('other-1', [{ id: randomUUID(), type: 'Ignored', data: {} }]);
    const first = runner(counting());
    void first.start();
    await waitFor(async () => (await total(readModels)) === 100, '100 events projected');
    await first.stop();

    await appendThings(events, 5, 4);
    const second = runner(counting());
    void second.start();
    await waitFor(async () => (await total(readModels)) === 120, '120 events projected');
    const collection = (await resolveCollection(readModels, 'counting', 'streams'))!;
    const page = await readModels.find<StreamCount>(collection, {}, { sort: [{ field: 'count', direction: 'desc' }] });
    expect(page.items.map((d) => [d._id, d.count])).toEqual([0, 1, 2, 3, 4].map((s) => [`thing-${s}`, 24]));
  });

  it('lets only one process run a projection: the second stands by and takes over when the first stops', async () => {
    await appendThings(events, 2, 10);
    const a = runner(counting(), { owner: 'a' });
    const b = runner(counting(), { owner: 'b' });
    void a.start();
    await waitFor(async () => (await total(readModels)) === 20, 'first owner caught up');
    void b.start();
    await appendThings(events, 2, 5);
    await waitFor(async () => (await total(readModels)) === 30, 'new events projected once');
    await a.stop();
    await appendThings(events, 2, 5);
    await waitFor(async () => (await total(readModels)) === 40, 'standby took over');
    const status = JSON.parse((await readModels.getSetting('projection:counting:status'))!) as { owner: string };
    expect(status.owner).toBe('b');
  });

  it('stops loudly on an event that throws, naming its position, and never skips it', async () => {
    await appendThings(events, 1, 3);
    await events.append('thing-0', [{ id: randomUUID(), type: 'Poison', data: {} }]);
    await appendThings(events, 1, 3);
    const poisonPosition = (await events.readStream('thing-0')).find((e) => e.type === 'Poison')!.position;
    const r = runner(counting(1, 'Poison'), { batchSize: 2 });
    const error = await r.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectionFailedError);
    expect((error as ProjectionFailedError).event.position).toBe(poisonPosition);
    expect((error as Error).message).toContain(`position ${poisonPosition}`);
    expect(await total(readModels)).toBeLessThan(4);
    const status = JSON.parse((await readModels.getSetting('projection:counting:status'))!) as { state: string };
    expect(status.state).toBe('failed');
  });

  it('rebuilds blue/green while the live runner serves, switches, and the documents equal the live ones', async () => {
    await appendThings(events, 4, 25);
    const live = runner(counting());
    void live.start();
    await waitFor(async () => (await total(readModels)) === 100, 'live caught up');
    const before = await readActiveGeneration(readModels, 'counting');

    const rebuilder = runner(counting(), { batchSize: 7 });
    const generation = await rebuilder.rebuild();
    expect(generation).toBeGreaterThan(before!.generation);
    expect((await readActiveGeneration(readModels, 'counting'))!.generation).toBe(generation);

    // The live runner moves to the new generation and keeps it current.
    await appendThings(events, 4, 1);
    await waitFor(async () => (await total(readModels)) === 104, 'new generation kept current');
    await waitFor(
      async () => !(await readModels.listCollections()).includes(physicalCollection('counting', before!.generation, 'streams')),
      'old generation dropped',
    );
    const rebuilt = await readModels.find<StreamCount>((await resolveCollection(readModels, 'counting', 'streams'))!, {});
    const replayed = await replayInMemory(events, counting());
    expect(rebuilt.items.map(({ _id, count, lastType }) => ({ _id, count, lastType }))).toEqual(
      [...replayed.get('streams')!.values()].map(({ _id, count, lastType }) => ({ _id, count, lastType })).sort((x, y) => x._id.localeCompare(y._id)),
    );
  });

  it('rebuilds automatically when the projection version changes', async () => {
    await appendThings(events, 3, 10);
    const v1 = runner(counting(1));
    void v1.start();
    await waitFor(async () => (await total(readModels)) === 30, 'v1 caught up');
    await v1.stop();
    const v2 = runner(counting(2));
    void v2.start();
    await waitFor(async () => (await readActiveGeneration(readModels, 'counting'))?.version === 2, 'v2 active');
    expect(await total(readModels)).toBe(30);
  });

  it('replays in memory up to a past position (time travel) without touching the read models', async () => {
    await appendThings(events, 2, 5);
    const middle = await events.headPosition();
    await appendThings(events, 2, 5);
    const past = await replayInMemory(events, counting(), { untilPosition: middle });
    expect(past.get('totals')!.get('all')!.count).toBe(10);
    expect(await readModels.listCollections()).toEqual([]);
  });
});
