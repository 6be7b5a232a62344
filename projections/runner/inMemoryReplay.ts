import type { EventStore, RecordedEvent } from '../../api/infrastructure/eventStore/eventStore';
import { matchesFilter } from '../../api/infrastructure/eventStore/eventStore';
import type { ReadModelDocument } from '../infrastructure/readModels/readModelStore';
import type { Projection, ProjectionContext } from './projection';
import { ProjectionFailedError } from './projectionRunner';

const LATE_ARRIVAL_SLACK_MS = 10 * 60_000;

export type InMemoryCollections = Map<string, Map<string, ReadModelDocument>>;

export interface ReplayLimit {
  /** Replay events up to and including this position. */
  untilPosition?: bigint;
  /** Replay events whose domain time (data.occurredAt, else the commit time) is at or before this instant. */
  untilTime?: Date;
}

const eventTime = (event: RecordedEvent): number => {
  const occurredAt = (event.data as { occurredAt?: unknown } | null)?.occurredAt;
  const parsed = typeof occurredAt === 'string' ? Date.parse(occurredAt) : Number.NaN;
  return Number.isNaN(parsed) ? event.recordedAt.getTime() : parsed;
};

/** Applies one event to in-memory collections with the same at-most-once rule as the runner. */
export const applyInMemory = async (projection: Projection, collections: InMemoryCollections, event: RecordedEvent): Promise<void> => {
  if (!matchesFilter(projection.filter, event.streamId, event.type)) return;
  const collection = (name: string): Map<string, ReadModelDocument> => {
    let c = collections.get(name);
    if (!c) collections.set(name, (c = new Map()));
    return c;
  };
  const context: ProjectionContext = {
    event,
    get: async <T extends ReadModelDocument>(name: string, id: string) => (collection(name).get(id) as T | undefined) ?? null,
    update: async <T extends ReadModelDocument>(name: string, id: string, change: (current: T | null) => T | null) => {
      const current = (collection(name).get(id) as T | undefined) ?? null;
      if (current && current._position !== undefined && current._position >= event.position) return;
      const next = change(current);
      if (next === null) collection(name).delete(id);
      else collection(name).set(id, Object.assign(next, { _id: id, _position: event.position }));
    },
  };
  try {
    await projection.apply(context);
  } catch (error) {
    throw new ProjectionFailedError(projection.name, event, error);
  }
};

/**
 * Time travel: the documents a projection had at a past position or time, computed by replaying
 * the history up to it in memory (the live read models are not touched).
 */
export const replayInMemory = async (eventStore: EventStore, projection: Projection, limit: ReplayLimit = {}): Promise<InMemoryCollections> =>
  (await replayManyInMemory(eventStore, [projection], limit)).get(projection.name) ?? new Map();

/** Replays several projections in one read of the history; their documents by projection name. */
export const replayManyInMemory = async (eventStore: EventStore, projections: Projection[], limit: ReplayLimit = {}): Promise<Map<string, InMemoryCollections>> => {
  const all = new Map<string, InMemoryCollections>(projections.map((p) => [p.name, new Map(p.collections.map((c) => [c.name, new Map()]))]));
  let from: bigint | 'start' = 'start';
  const untilTime = limit.untilTime?.getTime();
  for (;;) {
    const page = await eventStore.readAll({ fromPosition: from, maxCount: 2000 });
    if (page.length === 0) return all;
    for (const event of page) {
      if (limit.untilPosition !== undefined && event.position > limit.untilPosition) return all;
      if (untilTime !== undefined) {
        // Domain time follows the log, give or take late webhooks: past this slack nothing earlier can still
        // follow. (Commit times would not do: an imported or generated history is committed long after.)
        const time = eventTime(event);
        if (time > untilTime + LATE_ARRIVAL_SLACK_MS) return all;
        if (time > untilTime) continue;
      }
      for (const projection of projections) await applyInMemory(projection, all.get(projection.name) ?? new Map(), event);
    }
    from = page[page.length - 1].position;
  }
};
