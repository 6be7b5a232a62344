import type { ReadModelStore } from '../infrastructure/readModels/readModelStore';
import type { Projection } from './projection';

/**
 * Blue/green: each build of a projection is a generation with its own physical collections, its own
 * checkpoint and its own single-writer lease. A pointer setting says which generation serves queries.
 */
export interface ActiveGeneration {
  generation: number;
  version: number;
}

const pointerKey = (projection: string): string => `projection:${projection}:active`;
const latestKey = (projection: string): string => `projection:${projection}:latest-generation`;
export const statusKey = (projection: string): string => `projection:${projection}:status`;

export const physicalCollection = (projection: string, generation: number, collection: string): string =>
  `${projection}_g${generation}_${collection}`;

/** The checkpoint of a generation; the lease that fences it has the same name. */
export const checkpointName = (projection: string, generation: number): string => `projection:${projection}:g${generation}`;

export const readActiveGeneration = async (store: ReadModelStore, projection: string): Promise<ActiveGeneration | null> => {
  const raw = await store.getSetting(pointerKey(projection));
  if (!raw) return null;
  const parsed = JSON.parse(raw) as ActiveGeneration;
  return { generation: parsed.generation, version: parsed.version };
};

export const activateGeneration = async (store: ReadModelStore, projection: string, active: ActiveGeneration): Promise<void> => {
  await store.putSetting(pointerKey(projection), JSON.stringify(active));
};

/** Reserves the next generation number (generations are never reused, so a crashed rebuild leaves no ambiguity). */
export const allocateGeneration = async (store: ReadModelStore, projection: string): Promise<number> => {
  const latest = Number((await store.getSetting(latestKey(projection))) ?? '0');
  const active = await readActiveGeneration(store, projection);
  const next = Math.max(latest, active?.generation ?? 0) + 1;
  await store.putSetting(latestKey(projection), String(next));
  return next;
};

export const ensureGenerationCollections = async (store: ReadModelStore, projection: Projection, generation: number): Promise<void> => {
  for (const spec of projection.collections) {
    await store.ensureCollection({ ...spec, name: physicalCollection(projection.name, generation, spec.name) });
  }
};

export const dropGeneration = async (store: ReadModelStore, projection: Projection, generation: number): Promise<void> => {
  for (const spec of projection.collections) {
    await store.dropCollection(physicalCollection(projection.name, generation, spec.name));
  }
  await store.deleteCheckpoint(checkpointName(projection.name, generation));
};

/** Where queries read a projection's collection: the active generation's physical collection. */
export const resolveCollection = async (store: ReadModelStore, projection: string, collection: string): Promise<string | null> => {
  const active = await readActiveGeneration(store, projection);
  return active ? physicalCollection(projection, active.generation, collection) : null;
};
