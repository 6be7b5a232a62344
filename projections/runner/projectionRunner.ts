import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { EventFilter, EventStore, RecordedEvent, Subscription } from '../../api/infrastructure/eventStore/eventStore';
import { matchesFilter } from '../../api/infrastructure/eventStore/eventStore';
import { CallstreamError, LeaseLostError } from '../../api/core/errors';
import type { Logger } from '../../api/core/logger';
import { createLogger } from '../../api/core/logger';
import type { Lease, ReadModelDocument, ReadModelStore, WriteOp } from '../infrastructure/readModels/readModelStore';
import type { Projection, ProjectionContext } from './projection';
import { batches } from './batches';
import {
  activateGeneration,
  allocateGeneration,
  checkpointName,
  dropGeneration,
  ensureGenerationCollections,
  physicalCollection,
  readActiveGeneration,
  statusKey,
} from './generations';

/** A projection threw on an event: the runner stops there and never skips it. */
export class ProjectionFailedError extends CallstreamError {
  constructor(
    readonly projection: string,
    readonly event: Pick<RecordedEvent, 'position' | 'streamId' | 'revision' | 'type' | 'id'>,
    cause: unknown,
  ) {
    super(
      'PROJECTION_FAILED',
      `Projection '${projection}' failed on event ${event.id} (${event.type}) at position ${event.position} (stream ${event.streamId}@${event.revision}): ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
  }
}

export interface Progress {
  projection: string;
  generation: number;
  position: bigint;
  head: bigint;
  processed: number;
}

export interface RunnerOptions {
  eventStore: EventStore;
  readModels: ReadModelStore;
  logger?: Logger;
  /** Identifies this process in leases. */
  owner?: string;
  batchSize?: number;
  /** How long a partial batch waits for more events before it is written. */
  flushMs?: number;
  leaseTtlMs?: number;
  /** Documents kept in memory between batches (safe: the lease makes this process the only writer). */
  cacheSize?: number;
  /** Longest wait before live processing resumes after an unavailable store. */
  maxRetryDelayMs?: number;
  onProgress?: (progress: Progress) => void;
}

type CachedDoc = ReadModelDocument | null;

/**
 * Runs one generation of one projection: holds its lease, consumes $all from its checkpoint in
 * batches, and writes each batch's documents together with the checkpoint, fenced by the lease epoch.
 */
class GenerationWorker {
  private readonly cache = new Map<string, CachedDoc>();
  private subscription: Subscription | null = null;
  private stopped = false;
  private renewTimer: NodeJS.Timeout | undefined;
  private leaseError: Error | null = null;
  processed = 0;
  position = -1n;

  constructor(
    private readonly projection: Projection,
    private readonly generation: number,
    private lease: Lease,
    private readonly options: ResolvedOptions,
    /** Called after each batch written. */
    private readonly onBatch?: () => void,
    /** A new generation not switched to yet (a rebuild), rather than the active one. */
    private readonly building = false,
  ) {}

  private get name(): string {
    return checkpointName(this.projection.name, this.generation);
  }

  /** Processes events until `until` (inclusive) is reached, the worker is stopped, or the lease is lost. */
  async run(until?: () => Promise<bigint | null>, shouldStop?: () => Promise<boolean>): Promise<void> {
    const { eventStore, readModels, batchSize, flushMs } = this.options;
    this.holdLease();
    try {
      const checkpoint = await readModels.getCheckpoint(this.name);
      this.position = checkpoint?.position ?? -1n;
      const target = until ? await until() : null;
      if (target !== null && this.position >= target) return;
      this.subscription = eventStore.subscribeToAll({ fromPosition: this.position < 0n ? 'start' : this.position });
      for await (const batch of batches(this.subscription, batchSize, flushMs)) {
        if (this.stopped) break;
        await this.applyBatch(batch, this.lease.epoch);
        if (this.leaseError) throw this.leaseError;
        if (target !== null && this.position >= target) break;
        if (shouldStop && (await shouldStop())) break;
      }
    } finally {
      this.releaseLeaseTimer();
      await this.subscription?.close();
    }
    if (this.leaseError) throw this.leaseError;
  }

  /** Keeps the lease renewed until `releaseLeaseTimer`; a lost lease stops the worker. */
  holdLease(): void {
    const { readModels, leaseTtlMs } = this.options;
    clearInterval(this.renewTimer);
    this.renewTimer = setInterval(() => {
      readModels.renewLease(this.lease, leaseTtlMs).then(
        (renewed) => {
          this.lease = renewed;
        },
        (error: unknown) => {
          this.leaseError = error instanceof Error ? error : new Error(String(error));
          void this.stop();
        },
      );
    }, Math.max(50, Math.floor(leaseTtlMs / 3)));
    this.renewTimer.unref();
  }

  releaseLeaseTimer(): void {
    clearInterval(this.renewTimer);
  }

  /** Applies events read by someone else (a shared read of $all), with the lease held by `holdLease`. */
  async applyEvents(events: RecordedEvent[]): Promise<void> {
    if (this.leaseError) throw this.leaseError;
    await this.applyBatch(events, this.lease.epoch);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
  }

  private async applyBatch(events: RecordedEvent[], epoch: number): Promise<void> {
    const { readModels } = this.options;
    const pending = new Map<string, { collection: string; id: string; doc: CachedDoc; position: bigint }>();
    const projection = this.projection;
    const generation = this.generation;
    const cache = this.cache;
    const key = (collection: string, id: string): string => `${collection}\u0000${id}`;

    // A read the store failed: the projection threw because of the store, not because of the event.
    let storeError: unknown;
    const load = async (collection: string, id: string): Promise<CachedDoc> => {
      const k = key(collection, id);
      const staged = pending.get(k);
      if (staged) return staged.doc;
      if (cache.has(k)) return cache.get(k) ?? null;
      let doc: CachedDoc;
      try {
        doc = await readModels.get(physicalCollection(projection.name, generation, collection), id);
      } catch (error) {
        storeError ??= error;
        throw error;
      }
      cache.set(k, doc);
      return doc;
    };

    for (const event of events) {
      if (!matchesFilter(projection.filter, event.streamId, event.type)) continue;
      const context: ProjectionContext = {
        event,
        get: async <T extends ReadModelDocument>(collection: string, id: string) => (await load(collection, id)) as T | null,
        update: async <T extends ReadModelDocument>(collection: string, id: string, change: (current: T | null) => T | null) => {
          const current = (await load(collection, id)) as T | null;
          if (current && current._position !== undefined && current._position >= event.position) return;
          const next = change(current);
          if (next === null && current === null) return;
          // The returned document is the runner's from here on (it may be `current`, changed in place).
          const doc = next === null ? null : Object.assign(next, { _id: id, _position: event.position });
          pending.set(key(collection, id), { collection, id, doc, position: event.position });
        },
      };
      try {
        await projection.apply(context);
      } catch (error) {
        this.cache.clear();
        if (storeError !== undefined) throw storeError;
        throw new ProjectionFailedError(projection.name, event, error);
      }
    }

    const last = events[events.length - 1];
    const ops: WriteOp[] = [];
    for (const { collection, id, doc, position } of pending.values()) {
      const physical = physicalCollection(projection.name, generation, collection);
      ops.push(doc === null ? { kind: 'delete', collection: physical, id, position } : { kind: 'upsert', collection: physical, doc, position });
    }
    try {
      // A generation being built is followed by no feed until it is switched to: its writes stay out of the change log.
      await readModels.write(ops, { name: this.name, position: last.position, epoch }, { feed: !this.building });
    } catch (error) {
      this.cache.clear();
      throw error;
    }
    // Least recently written first out: the documents still changing (calls in progress) stay cached.
    for (const [k, { doc }] of pending) {
      cache.delete(k);
      cache.set(k, doc);
    }
    while (cache.size > this.options.cacheSize) {
      const oldest = cache.keys().next().value as string;
      cache.delete(oldest);
    }
    this.processed += events.length;
    this.position = last.position;
    this.onBatch?.();
  }
}

const defaults = {
  batchSize: 1000,
  flushMs: 5,
  leaseTtlMs: 10_000,
  cacheSize: 10_000,
  maxRetryDelayMs: 5_000,
};

type ResolvedOptions = Required<Omit<RunnerOptions, 'onProgress' | 'logger'>> & Pick<RunnerOptions, 'onProgress'> & { logger: Logger };

const resolveOptions = (options: RunnerOptions, loggerName: string): ResolvedOptions => ({
  ...defaults,
  owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
  ...options,
  logger: options.logger ?? createLogger(loggerName),
});

/** Drops a generation that no longer serves, unless its live owner still holds the lease (it drops it on switch). */
const retireGeneration = async (options: ResolvedOptions, projection: Projection, generation: number): Promise<void> => {
  const { readModels, owner, leaseTtlMs } = options;
  const lease = await readModels.acquireLease(checkpointName(projection.name, generation), owner, leaseTtlMs);
  if (!lease) return;
  try {
    await dropGeneration(readModels, projection, generation);
  } finally {
    await readModels.releaseLease(lease).catch(() => undefined);
  }
};

/** An event filter that lets through everything any of the projections wants (undefined: everything). */
export const unionFilter = (projections: Projection[]): EventFilter | undefined => {
  const filters = projections.map((p) => p.filter);
  if (filters.length === 0 || filters.some((f) => !f)) return undefined;
  const union = (lists: Array<string[] | undefined>): string[] | undefined =>
    lists.some((l) => !l || l.length === 0) ? undefined : [...new Set(lists.flatMap((l) => l ?? []))].sort();
  const streamPrefixes = union(filters.map((f) => f?.streamPrefixes));
  const eventTypePrefixes = union(filters.map((f) => f?.eventTypePrefixes));
  if (!streamPrefixes && !eventTypePrefixes) return undefined;
  return { ...(streamPrefixes ? { streamPrefixes } : {}), ...(eventTypePrefixes ? { eventTypePrefixes } : {}) };
};

export interface RebuildResult {
  projection: string;
  generation: number;
  processed: number;
}

/**
 * Rebuilds several projections blue/green from ONE read of $all: each gets a new generation with its own
 * lease and checkpoint, every batch read is applied to each of them in turn, and each switches once all
 * have caught up with the head. Reading and decoding the history once is what makes `rebuild all` cheap.
 */
export const rebuildAll = async (projections: Projection[], runnerOptions: RunnerOptions): Promise<RebuildResult[]> => {
  const options = resolveOptions(runnerOptions, 'projections:rebuild');
  const { readModels, eventStore, owner, leaseTtlMs, logger, batchSize, flushMs } = options;
  const builds: Array<{ projection: Projection; generation: number; lease: Lease; worker: GenerationWorker }> = [];
  try {
    for (const projection of projections) {
      const generation = await allocateGeneration(readModels, projection.name);
      await ensureGenerationCollections(readModels, projection, generation);
      const lease = await readModels.acquireLease(checkpointName(projection.name, generation), owner, leaseTtlMs);
      if (!lease) throw new LeaseLostError(`Generation ${generation} of '${projection.name}' is already being built`);
      const worker = new GenerationWorker(projection, generation, lease, options, undefined, true);
      worker.holdLease();
      builds.push({ projection, generation, lease, worker });
      logger.info({ projection: projection.name, generation }, 'rebuild started');
    }
    // Only what some projection needs is read and decoded (the store filters before parsing), up to the
    // last such event: the others would only advance the checkpoints.
    const filter = unionFilter(projections);
    const lastWanted = async (): Promise<bigint> =>
      filter ? ((await eventStore.readAll({ direction: 'backwards', fromPosition: 'end', maxCount: 1, filter }))[0]?.position ?? -1n) : eventStore.headPosition();
    let position = -1n;
    let processed = 0;
    for (;;) {
      const head = await lastWanted();
      if (position >= head) break;
      const subscription = eventStore.subscribeToAll({ fromPosition: position < 0n ? 'start' : position, ...(filter ? { filter } : {}) });
      try {
        for await (const batch of batches(subscription, batchSize, flushMs)) {
          for (const { worker } of builds) await worker.applyEvents(batch);
          position = batch[batch.length - 1].position;
          processed += batch.length;
          for (const { projection, generation } of builds) options.onProgress?.({ projection: projection.name, generation, position, head, processed });
          if (position >= head) break;
        }
      } finally {
        await subscription.close();
      }
    }
    const results: RebuildResult[] = [];
    for (const { projection, generation, worker } of builds) {
      const previous = await readActiveGeneration(readModels, projection.name);
      await activateGeneration(readModels, projection.name, { generation, version: projection.version });
      logger.info({ projection: projection.name, generation, previous: previous?.generation, processed: worker.processed }, 'rebuild switched');
      if (previous) await retireGeneration(options, projection, previous.generation);
      results.push({ projection: projection.name, generation, processed: worker.processed });
    }
    return results;
  } finally {
    for (const { worker, lease } of builds) {
      worker.releaseLeaseTimer();
      await readModels.releaseLease(lease).catch(() => undefined);
    }
  }
};

/**
 * Keeps one projection's active generation up to date (live mode) and performs blue/green rebuilds:
 * a new generation is built from position 0 into new collections while the old one serves, and the
 * pointer is switched once the new one has caught up.
 */
export class ProjectionRunner {
  private readonly options: ResolvedOptions;
  private worker: GenerationWorker | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;

  constructor(
    readonly projection: Projection,
    options: RunnerOptions,
  ) {
    this.options = resolveOptions(options, `projection:${projection.name}`);
  }

  /** Starts live processing in the background; the returned promise settles when it stops (rejects on a failed event). */
  start(): Promise<void> {
    this.loop ??= this.live();
    return this.loop;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.worker?.stop();
    await this.loop?.catch(() => undefined);
  }

  /** Builds a new generation from the start, then makes it the active one. Returns the new generation. */
  async rebuild(): Promise<number> {
    const { readModels, eventStore, leaseTtlMs, owner, logger } = this.options;
    const generation = await allocateGeneration(readModels, this.projection.name);
    await ensureGenerationCollections(readModels, this.projection, generation);
    const lease = await readModels.acquireLease(checkpointName(this.projection.name, generation), owner, leaseTtlMs);
    if (!lease) throw new LeaseLostError(`Generation ${generation} of '${this.projection.name}' is already being built`);
    logger.info({ projection: this.projection.name, generation }, 'rebuild started');
    const worker = new GenerationWorker(this.projection, generation, lease, this.options, undefined, true);
    this.worker = worker;
    const progress = this.progressReporter(worker, generation);
    try {
      // Catch up to the head as it moves, so the switch happens with the new generation current.
      for (;;) {
        const head = await eventStore.headPosition();
        await worker.run(async () => head, async () => {
          progress(head);
          return this.stopped;
        });
        progress(head);
        if (this.stopped) throw new Error(`Rebuild of '${this.projection.name}' was stopped`);
        const newHead = await eventStore.headPosition();
        if (worker.position >= newHead) break;
      }
      const previous = await readActiveGeneration(readModels, this.projection.name);
      await activateGeneration(readModels, this.projection.name, { generation, version: this.projection.version });
      logger.info({ projection: this.projection.name, generation, previous: previous?.generation, processed: worker.processed }, 'rebuild switched');
      if (previous) await this.retireGeneration(previous.generation);
      return generation;
    } finally {
      await readModels.releaseLease(lease).catch(() => undefined);
      this.worker = null;
    }
  }

  private progressReporter(worker: GenerationWorker, generation: number): (head: bigint) => void {
    return (head) =>
      this.options.onProgress?.({ projection: this.projection.name, generation, position: worker.position, head, processed: worker.processed });
  }

  private async retireGeneration(generation: number): Promise<void> {
    await retireGeneration(this.options, this.projection, generation);
  }

  /**
   * Live mode. An event the projection throws on stops the runner there (it never skips one). Anything
   * else — the event store or the read-model store unreachable, a lease that could not be renewed —
   * interrupts the current pass: it waits (backing off up to `maxRetryDelayMs`) and resumes from the
   * checkpoint, so an outage of either store delays the read models but never stops them.
   */
  private async live(): Promise<void> {
    const { readModels, logger } = this.options;
    const name = this.projection.name;
    let failures = 0;
    while (!this.stopped) {
      try {
        await this.livePass(() => {
          failures = 0;
        });
      } catch (error) {
        if (error instanceof ProjectionFailedError) {
          await readModels.putSetting(statusKey(name), JSON.stringify({ state: 'failed', owner: this.options.owner, error: error.message })).catch(() => undefined);
          logger.error({ err: error, projection: name }, 'projection stopped on a failing event');
          throw error;
        }
        if (this.stopped) break;
        failures += 1;
        this.interruptions += 1;
        const waitMs = Math.min(this.options.maxRetryDelayMs, 100 * 2 ** Math.min(failures - 1, 10));
        logger.warn({ err: error, projection: name, attempt: failures, retryInMs: waitMs }, 'projection interrupted; resuming from its checkpoint');
        await readModels
          .putSetting(statusKey(name), JSON.stringify({ state: 'retrying', owner: this.options.owner, attempt: failures, error: error instanceof Error ? error.message : String(error) }))
          .catch(() => undefined);
        await delay(waitMs, () => this.stopped);
      }
    }
  }

  /** Times live processing was interrupted by an unavailable store or a lost lease and resumed. */
  interruptions = 0;

  /** One lease of the active generation: runs it until stopped, switched or interrupted. */
  private async livePass(onProgress: () => void): Promise<void> {
    const { readModels, owner, leaseTtlMs, logger } = this.options;
    const name = this.projection.name;
    let active = await readActiveGeneration(readModels, name);
    if (!active) {
      const generation = await allocateGeneration(readModels, name);
      await ensureGenerationCollections(readModels, this.projection, generation);
      active = { generation, version: this.projection.version };
      await activateGeneration(readModels, name, active);
    } else if (active.version !== this.projection.version) {
      // The code moved on: rebuild blue/green while the old generation keeps serving queries.
      logger.info({ projection: name, from: active.version, to: this.projection.version }, 'projection version changed, rebuilding');
      await this.rebuild();
      return;
    }
    const lease = await readModels.acquireLease(checkpointName(name, active.generation), owner, leaseTtlMs);
    if (!lease) {
      // Another process is the writer: stand by and try again later.
      onProgress();
      await delay(Math.max(50, leaseTtlMs / 2), () => this.stopped);
      return;
    }
    const generation = active.generation;
    const worker = new GenerationWorker(this.projection, generation, lease, this.options, onProgress);
    this.worker = worker;
    // A rebuild elsewhere may switch the pointer while the tail is idle: watch for it.
    const watcher = setInterval(() => {
      readActiveGeneration(readModels, name).then(
        (current) => {
          if (current?.generation !== generation) void worker.stop();
        },
        () => undefined,
      );
    }, 500);
    watcher.unref();
    try {
      await readModels.putSetting(statusKey(name), JSON.stringify({ state: 'running', generation, owner }));
      await worker.run();
    } catch (error) {
      if (error instanceof LeaseLostError) {
        logger.warn({ projection: name, generation }, 'lease lost, standing by');
        return;
      }
      throw error;
    } finally {
      clearInterval(watcher);
      this.worker = null;
    }
    const current = await readActiveGeneration(readModels, name);
    if (current && current.generation !== generation) {
      // Switched to a rebuilt generation: this one no longer serves.
      await dropGeneration(readModels, this.projection, generation);
    }
    await readModels.releaseLease(lease).catch(() => undefined);
  }
}

const delay = (ms: number, cancelled: () => boolean): Promise<void> =>
  new Promise((resolve) => {
    const started = Date.now();
    const tick = (): void => {
      if (cancelled() || Date.now() - started >= ms) resolve();
      else setTimeout(tick, Math.min(50, ms)).unref();
    };
    tick();
  });
