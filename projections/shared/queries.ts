import type { Filter, FindOptions, Page, ReadModelDocument, ReadModelStore } from '../infrastructure/readModels/readModelStore';
import { resolveCollection } from '../runner/generations';

/** Where a projection's collection is read now: the active generation's physical collection (null before the first build). */
export const activeCollection = (store: ReadModelStore, projection: string, collection: string): Promise<string | null> =>
  resolveCollection(store, projection, collection);

export const getDocument = async <T extends ReadModelDocument>(store: ReadModelStore, projection: string, collection: string, id: string): Promise<T | null> => {
  const physical = await activeCollection(store, projection, collection);
  return physical ? store.get<T>(physical, id) : null;
};

export const findDocuments = async <T extends ReadModelDocument>(
  store: ReadModelStore,
  projection: string,
  collection: string,
  filter: Filter,
  options?: FindOptions,
): Promise<Page<T>> => {
  const physical = await activeCollection(store, projection, collection);
  return physical ? store.find<T>(physical, filter, options) : { items: [] };
};

/** Every matching document, page after page: for the small collections (queues, agents). */
export const findAllDocuments = async <T extends ReadModelDocument>(
  store: ReadModelStore,
  projection: string,
  collection: string,
  filter: Filter,
  sort: FindOptions['sort'],
): Promise<T[]> => {
  const physical = await activeCollection(store, projection, collection);
  if (!physical) return [];
  const all: T[] = [];
  let after: string | undefined;
  do {
    const page: Page<T> = await store.find<T>(physical, filter, { sort, limit: 1000, ...(after ? { after } : {}) });
    all.push(...page.items);
    after = page.nextCursor;
  } while (after);
  return all;
};

/** Page size asked by a caller, within the store's limits. */
export const pageSize = (limit: number | undefined, fallback = 50): number => Math.min(1000, Math.max(1, Math.floor(limit ?? fallback)));
