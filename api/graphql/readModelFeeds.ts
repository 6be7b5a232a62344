import type { Logger } from '../core/logger';
import type { ChangeEvent, ChangeFeed, ReadModelStore } from '../../projections/infrastructure/readModels/readModelStore';
import { physicalCollection, readActiveGeneration } from '../../projections/runner/generations';

/** A projection's logical collection, as queries name it (the physical one depends on the active generation). */
export interface CollectionRef {
  projection: string;
  collection: string;
}

export interface FeedListener {
  change(event: ChangeEvent): void;
  /**
   * The feed restarted on another generation (a blue/green switch) or after falling behind: changes
   * may have been missed, so views built from this collection should be read again.
   */
  resync(): void;
}

export interface ReadModelFeedsOptions {
  readModels: ReadModelStore;
  logger: Logger;
  /** How often the active generation is checked (a switch reopens the feed on the new collection). */
  generationCheckMs?: number;
  /** Pause before reopening a feed that failed. */
  retryMs?: number;
}

const refKey = (ref: CollectionRef): string => `${ref.projection}/${ref.collection}`;

/**
 * One change feed per read-model collection per process, fanned out to in-process listeners. It
 * follows the projection's active generation: when a rebuild switches the pointer, the feed on the
 * old physical collection is closed and one on the new collection is opened.
 */
class CollectionFeed {
  private readonly listeners = new Set<FeedListener>();
  private feed: ChangeFeed | null = null;
  private physical: string | null = null;
  private closed = false;
  private readyResolve!: () => void;
  /** Resolves once a feed is open on the active generation's collection. */
  readonly ready = new Promise<void>((resolve) => {
    this.readyResolve = resolve;
  });
  private isReady = false;
  private sleeper: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  private readonly loop: Promise<void>;

  constructor(
    private readonly ref: CollectionRef,
    private readonly options: Required<Omit<ReadModelFeedsOptions, 'logger'>> & { logger: Logger },
  ) {
    this.loop = this.run();
  }

  get open(): boolean {
    return this.isReady && !this.closed;
  }

  add(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await this.feed?.close().catch(() => undefined);
    await this.loop;
  }

  private async run(): Promise<void> {
    const { readModels, logger, generationCheckMs, retryMs } = this.options;
    let opened = false;
    while (!this.closed) {
      try {
        const active = await readActiveGeneration(readModels, this.ref.projection);
        if (!active) {
          await this.sleep(generationCheckMs);
          continue;
        }
        const physical = physicalCollection(this.ref.projection, active.generation, this.ref.collection);
        const switched = this.physical !== null && this.physical !== physical;
        this.physical = physical;
        const feed = readModels.watch(physical);
        this.feed = feed;
        await feed.ready();
        if (this.closed) break;
        if (!this.isReady) {
          this.isReady = true;
          this.readyResolve();
        }
        if (opened || switched) this.emitResync();
        opened = true;
        const watcher = setInterval(() => {
          readActiveGeneration(readModels, this.ref.projection).then(
            (current) => {
              if (current && physicalCollection(this.ref.projection, current.generation, this.ref.collection) !== physical) void feed.close();
            },
            () => undefined,
          );
        }, generationCheckMs);
        try {
          for await (const event of feed) this.emit(event);
        } finally {
          clearInterval(watcher);
          await feed.close().catch(() => undefined);
        }
      } catch (error) {
        if (this.closed) break;
        logger.warn({ err: error, projection: this.ref.projection, collection: this.ref.collection }, 'read-model change feed failed, reopening');
        await this.sleep(retryMs);
      }
    }
    this.feed = null;
  }

  private emit(event: ChangeEvent): void {
    for (const listener of this.listeners) {
      try {
        listener.change(event);
      } catch (error) {
        this.options.logger.error({ err: error, collection: event.collection, id: event.id }, 'change listener failed');
      }
    }
  }

  private emitResync(): void {
    for (const listener of this.listeners) {
      try {
        listener.resync();
      } catch (error) {
        this.options.logger.error({ err: error, projection: this.ref.projection }, 'resync listener failed');
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeper = null;
        resolve();
      }, ms);
      this.sleeper = { timer, resolve };
    });
  }

  private wake(): void {
    if (!this.sleeper) return;
    clearTimeout(this.sleeper.timer);
    this.sleeper.resolve();
    this.sleeper = null;
  }
}

/** The read-model change feeds of one API process, opened on first use and closed with the server. */
export class ReadModelFeeds {
  private readonly feeds = new Map<string, CollectionFeed>();
  private readonly options: Required<Omit<ReadModelFeedsOptions, 'logger'>> & { logger: Logger };
  private closed = false;

  constructor(options: ReadModelFeedsOptions) {
    this.options = { generationCheckMs: 500, retryMs: 250, ...options };
  }

  /** Listens to a collection's changes; opens its feed on first use. Returns the function that stops listening. */
  listen(ref: CollectionRef, listener: FeedListener): () => void {
    return this.feed(ref).add(listener);
  }

  /** Resolves once the collection's feed is open (every later write is delivered). */
  ready(ref: CollectionRef): Promise<void> {
    return this.feed(ref).ready;
  }

  isOpen(ref: CollectionRef): boolean {
    return this.feeds.get(refKey(ref))?.open ?? false;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.feeds.values()].map((f) => f.close()));
    this.feeds.clear();
  }

  private feed(ref: CollectionRef): CollectionFeed {
    if (this.closed) throw new Error('The read-model feeds are closed');
    const key = refKey(ref);
    let feed = this.feeds.get(key);
    if (!feed) {
      feed = new CollectionFeed(ref, this.options);
      this.feeds.set(key, feed);
    }
    return feed;
  }
}
