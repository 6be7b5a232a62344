import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CenterSimulation, type PlannedAppend, type SimulationOptions } from '../../../bench/projections/centerSimulation';
import type { EventStore, RecordedEvent } from '../../../api/infrastructure/eventStore/eventStore';
import { SqliteEventStore } from '../../../api/infrastructure/eventStore/sqlite/sqliteEventStore';
import { SqliteReadModelStore } from '../../../projections/infrastructure/readModels/embedded/sqliteReadModelStore';
import type { ReadModelDocument, ReadModelStore } from '../../../projections/infrastructure/readModels/readModelStore';
import type { Projection } from '../../../projections/runner/projection';
import { applyInMemory, type InMemoryCollections } from '../../../projections/runner/inMemoryReplay';
import { resolveCollection } from '../../../projections/runner/generations';

/** Runs a simulation and returns its appends in order. */
export const simulate = (options: Omit<SimulationOptions, 'sink'>): PlannedAppend[] => {
  const appends: PlannedAppend[] = [];
  new CenterSimulation({ ...options, sink: (append) => appends.push(append) }).run();
  return appends;
};

/** The appends as the store would record them: positions from 1, revisions from 0 per stream. */
export const recordAppends = (appends: PlannedAppend[], recordedAt = new Date('2026-03-02T00:00:00.000Z')): RecordedEvent[] => {
  const events: RecordedEvent[] = [];
  let position = 0n;
  for (const append of appends) {
    let revision = append.expectedRevision === 'no_stream' ? -1n : append.expectedRevision;
    for (const e of append.events) {
      revision += 1n;
      position += 1n;
      events.push({ id: e.id, streamId: append.streamId, type: e.type, revision, position, data: e.data, metadata: e.metadata ?? {}, recordedAt });
    }
  }
  return events;
};

/** A hand-built recorded event (position and revision given by the caller). */
export const recorded = (streamId: string, position: number, revision: number, event: { type: string; data: unknown }): RecordedEvent => ({
  id: `event-${position}`,
  streamId,
  type: event.type,
  revision: BigInt(revision),
  position: BigInt(position),
  data: event.data,
  metadata: {},
  recordedAt: new Date('2026-03-02T00:00:00.000Z'),
});

/** Applies the events in memory with the runner's rules; `times` delivers each event that many times in a row. */
export const projectInMemory = async (projection: Projection, events: RecordedEvent[], times = 1): Promise<InMemoryCollections> => {
  const collections: InMemoryCollections = new Map(projection.collections.map((c) => [c.name, new Map()]));
  for (const event of events) for (let i = 0; i < times; i++) await applyInMemory(projection, collections, event);
  return collections;
};

/** Documents of one in-memory collection, by id, as JSON would carry them (the position removed). */
export const memoryDocs = <T extends ReadModelDocument>(collections: InMemoryCollections, collection: string): Map<string, T> => {
  const out = new Map<string, T>();
  for (const [id, doc] of [...(collections.get(collection) ?? new Map<string, ReadModelDocument>())].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const { _position, ...rest } = doc;
    out.set(id, JSON.parse(JSON.stringify(rest)) as T);
  }
  return out;
};

/** Every document of a projection's collection in its active generation, without positions, by id. */
export const storedDocs = async <T extends ReadModelDocument>(readModels: ReadModelStore, projection: string, collection: string): Promise<Map<string, T>> => {
  const physical = await resolveCollection(readModels, projection, collection);
  const out = new Map<string, T>();
  if (!physical) return out;
  let after: string | undefined;
  do {
    const page = await readModels.find<T>(physical, {}, { limit: 1000, ...(after ? { after } : {}) });
    for (const doc of page.items) {
      const { _position, ...rest } = doc;
      out.set(doc._id, rest as T);
    }
    after = page.nextCursor;
  } while (after);
  return out;
};

export interface Stores {
  dir: string;
  events: SqliteEventStore;
  readModels: SqliteReadModelStore;
}

export const openStores = (): Stores => {
  const dir = mkdtempSync(join(tmpdir(), 'callstream-projections-'));
  return { dir, events: new SqliteEventStore({ dataDir: dir }), readModels: new SqliteReadModelStore({ dataDir: dir }) };
};

export const closeStores = async (stores: Stores): Promise<void> => {
  await stores.events.close();
  await stores.readModels.close();
  rmSync(stores.dir, { recursive: true, force: true });
};

/** Appends in order, as the product does (each with its expected revision), many in flight so the store groups them. */
export const appendAll = async (store: EventStore, appends: PlannedAppend[]): Promise<void> => {
  const chunk = 512;
  for (let i = 0; i < appends.length; i += chunk) {
    await Promise.all(appends.slice(i, i + chunk).map((a) => store.append(a.streamId, a.events, { expectedRevision: a.expectedRevision })));
  }
};
