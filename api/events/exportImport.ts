import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import type { EventFilter, EventStore, RecordedEvent } from '../infrastructure/eventStore/eventStore';
import { matchesFilter } from '../infrastructure/eventStore/eventStore';
import { ValidationError } from '../core/errors';

/** One line of an export: a recorded event with bigints as decimal strings. */
export interface ExportedEvent {
  id: string;
  streamId: string;
  type: string;
  revision: string;
  position: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recordedAt: string;
}

export interface ExportFilter extends EventFilter {
  /** Exact stream ids (in addition to prefixes). */
  streams?: string[];
  types?: string[];
  fromTime?: Date;
  toTime?: Date;
  /** Inclusive position range. */
  fromPosition?: bigint;
  toPosition?: bigint;
}

export const toExported = (e: RecordedEvent): ExportedEvent => ({
  id: e.id,
  streamId: e.streamId,
  type: e.type,
  revision: e.revision.toString(),
  position: e.position.toString(),
  data: e.data,
  metadata: e.metadata,
  recordedAt: e.recordedAt.toISOString(),
});

const matches = (f: ExportFilter, e: RecordedEvent): boolean => {
  if (f.streams && f.streams.length > 0 && !f.streams.includes(e.streamId)) return false;
  if (f.types && f.types.length > 0 && !f.types.includes(e.type)) return false;
  if ((f.streamPrefixes?.length ?? 0) > 0 || (f.eventTypePrefixes?.length ?? 0) > 0) {
    if (!matchesFilter(f, e.streamId, e.type)) return false;
  }
  if (f.fromTime && e.recordedAt < f.fromTime) return false;
  if (f.toTime && e.recordedAt > f.toTime) return false;
  return true;
};

export interface RunStats {
  scanned: number;
  written: number;
  seconds: number;
}

/** Streams the matching events of $all, in order, to an NDJSON file. */
export const exportEvents = async (
  store: EventStore,
  file: string,
  filter: ExportFilter = {},
  onProgress?: (scanned: number, written: number, head: bigint, position: bigint) => void,
): Promise<RunStats> => {
  const started = Date.now();
  const out = createWriteStream(file, { encoding: 'utf8' });
  const head = await store.headPosition();
  let from: bigint | 'start' = filter.fromPosition !== undefined && filter.fromPosition > 0n ? filter.fromPosition - 1n : 'start';
  let scanned = 0;
  let written = 0;
  try {
    outer: for (;;) {
      const page = await store.readAll({ fromPosition: from, maxCount: 1000 });
      if (page.length === 0) break;
      for (const event of page) {
        if (filter.toPosition !== undefined && event.position > filter.toPosition) break outer;
        scanned++;
        if (!matches(filter, event)) continue;
        if (!out.write(`${JSON.stringify(toExported(event))}\n`)) await once(out, 'drain');
        written++;
      }
      from = page[page.length - 1].position;
      onProgress?.(scanned, written, head, from);
    }
  } finally {
    out.end();
    await once(out, 'finish');
  }
  return { scanned, written, seconds: (Date.now() - started) / 1000 };
};

/**
 * Imports an export into an EMPTY store, keeping every stream's revisions and the global order.
 * Appends are pipelined (many in flight, in file order) so the store can group-commit them.
 */
export const importEvents = async (store: EventStore, file: string, onProgress?: (imported: number) => void): Promise<RunStats> => {
  const started = Date.now();
  if ((await store.headPosition()) >= 0n) throw new ValidationError('Import needs an empty event store');
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  const inFlight = new Set<Promise<unknown>>();
  const nextRevision = new Map<string, bigint>();
  let imported = 0;
  let lineNo = 0;
  let failure: unknown = null;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    if (failure) break;
    let event: ExportedEvent;
    try {
      event = JSON.parse(line) as ExportedEvent;
    } catch (error) {
      throw new ValidationError(`Line ${lineNo} is not JSON`, { cause: error });
    }
    const revision = BigInt(event.revision);
    const expected = nextRevision.get(event.streamId) ?? 0n;
    if (revision !== expected) throw new ValidationError(`Line ${lineNo}: stream ${event.streamId} jumps to revision ${revision} (expected ${expected})`);
    nextRevision.set(event.streamId, revision + 1n);
    const append = store
      .append(event.streamId, [{ id: event.id, type: event.type, data: event.data, metadata: event.metadata }], {
        expectedRevision: revision === 0n ? 'no_stream' : revision - 1n,
      })
      .then(() => {
        imported++;
        if (imported % 1000 === 0) onProgress?.(imported);
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(append));
    inFlight.add(append);
    if (inFlight.size >= 512) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  onProgress?.(imported);
  return { scanned: lineNo, written: imported, seconds: (Date.now() - started) / 1000 };
};
