import { isDeepStrictEqual } from 'node:util';
import type { EventStore, RecordedEvent } from '../../../api/infrastructure/eventStore/eventStore';
import type { ReadModelDocument, ReadModelStore } from '../../../projections/infrastructure/readModels/readModelStore';
import { replayManyInMemory } from '../../../projections/runner/inMemoryReplay';
import { checkpointName, readActiveGeneration, statusKey } from '../../../projections/runner/generations';
import { allProjections } from '../../../projections/registry';
import type { Simulator } from '../../../simulator';
import { memoryDocs, storedDocs } from '../../projections/support/harness';

/** Every webhook the simulator emitted, by id, recorded as it is emitted (before any delivery). */
export const recordEmittedWebhooks = (sim: Simulator): { ids: Set<string>; stop: () => void } => {
  const ids = new Set<string>();
  const stop = sim.control.onEvent((event) => {
    ids.add(event.id);
  });
  return { ids, stop: () => void stop() };
};

export interface WebhookLedger {
  emitted: number;
  stored: number;
  /** Emitted but not in the store. */
  missing: string[];
  /** Stored more than once. */
  storedTwice: string[];
}

/** Compares what the simulator emitted with the TelnyxWebhookReceived events in the store. */
export const webhookLedger = (emitted: ReadonlySet<string>, events: readonly RecordedEvent[]): WebhookLedger => {
  const counts = new Map<string, number>();
  for (const event of events) {
    if (event.type !== 'TelnyxWebhookReceived') continue;
    const id = (event.data as { webhookId: string }).webhookId;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return {
    emitted: emitted.size,
    stored: counts.size,
    missing: [...emitted].filter((id) => !counts.has(id)),
    storedTwice: [...counts].filter(([, n]) => n > 1).map(([id]) => id),
  };
};

/** Each projection's generation, checkpoint and status against the store's head, for a failure message. */
export const projectionLag = async (eventStore: EventStore, readModels: ReadModelStore): Promise<string> => {
  const head = await eventStore.headPosition();
  const lines: string[] = [`head ${head}`];
  for (const projection of allProjections) {
    const active = await readActiveGeneration(readModels, projection.name);
    const checkpoint = active && (await readModels.getCheckpoint(checkpointName(projection.name, active.generation)));
    const status = await readModels.getSetting(statusKey(projection.name));
    lines.push(`${projection.name}: generation ${active?.generation ?? '-'} checkpoint ${checkpoint?.position ?? '-'} status ${status ?? '-'}`);
  }
  const tail = await eventStore.readAll({ fromPosition: 'end', direction: 'backwards', maxCount: 5 });
  lines.push(...tail.map((e) => `  ${e.position} ${e.streamId} ${e.type}`));
  return lines.join('\n');
};

/** Waits until every projection's active generation has a checkpoint at the store's head. */
export const projectionsCaughtUp = async (eventStore: EventStore, readModels: ReadModelStore): Promise<boolean> => {
  const head = await eventStore.headPosition();
  for (const projection of allProjections) {
    const active = await readActiveGeneration(readModels, projection.name);
    const checkpoint = active && (await readModels.getCheckpoint(checkpointName(projection.name, active.generation)));
    if (!checkpoint || checkpoint.position < head) return false;
  }
  return true;
};

const plain = (docs: Map<string, ReadModelDocument>): Record<string, unknown> => JSON.parse(JSON.stringify(Object.fromEntries(docs))) as Record<string, unknown>;

export interface RebuildComparison {
  documents: number;
  /** `projection.collection: id` of every document that differs from (or is missing in) a fresh replay. */
  differences: string[];
}

/** The live read models against a fresh replay of the whole history in memory. */
export const compareWithRebuild = async (eventStore: EventStore, readModels: ReadModelStore): Promise<RebuildComparison> => {
  const replayed = await replayManyInMemory(eventStore, allProjections);
  const differences: string[] = [];
  let documents = 0;
  for (const projection of allProjections) {
    for (const collection of projection.collections) {
      const live = plain(await storedDocs(readModels, projection.name, collection.name));
      const fresh = plain(memoryDocs(replayed.get(projection.name)!, collection.name));
      documents += Object.keys(fresh).length;
      for (const id of new Set([...Object.keys(live), ...Object.keys(fresh)])) {
        if (!isDeepStrictEqual(live[id], fresh[id])) differences.push(`${projection.name}.${collection.name}: ${id}`);
      }
    }
  }
  return { documents, differences };
};
