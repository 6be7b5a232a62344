import type { Logger } from '../core/logger';
import { AGENT_COLLECTIONS, AGENT_IDLE_TIME_PROJECTION } from '../../projections/agent-idle-time/agentIdleTimeProjection';
import type { AgentView } from '../../projections/agent-idle-time/agentView';
import { agentViews } from '../../projections/agent-idle-time/queries';
import { CALL_HISTORY_COLLECTIONS, CALL_HISTORY_PROJECTION } from '../../projections/call-history/callHistoryProjection';
import type { CallHistoryDoc } from '../../projections/call-history/callHistoryView';
import type { ChangeEvent, ReadModelStore } from '../../projections/infrastructure/readModels/readModelStore';
import { queueViews } from '../../projections/queue/queries';
import { QUEUE_COLLECTIONS, QUEUE_PROJECTION } from '../../projections/queue/queueProjection';
import type { QueueViewDoc } from '../../projections/queue/queueView';
import { Agent } from '../agents/graphql/agentTypes';
import { Call } from '../calls/graphql/callTypes';
import { Queue } from '../queues/queueTypes';
import { readWallboard } from '../queues/wallboardTypes';
import type { CallstreamPubSub, CallstreamTopics, Topic } from './pubSub';
import { TOPICS } from './pubSub';
import type { CollectionRef, FeedListener, ReadModelFeeds } from './readModelFeeds';

export const COLLECTIONS = {
  queues: { projection: QUEUE_PROJECTION, collection: QUEUE_COLLECTIONS.queues },
  agents: { projection: AGENT_IDLE_TIME_PROJECTION, collection: AGENT_COLLECTIONS.agents },
  calls: { projection: CALL_HISTORY_PROJECTION, collection: CALL_HISTORY_COLLECTIONS.calls },
} as const satisfies Record<string, CollectionRef>;

type CollectionName = keyof typeof COLLECTIONS;

/** The collections whose change feed each topic is published from. */
const FEEDS_OF: Record<Exclude<Topic, 'SESSION_EVENTS'>, CollectionName[]> = {
  QUEUE_CHANGED: ['queues'],
  AGENT_CHANGED: ['agents'],
  CALL_CHANGED: ['calls'],
  DESK_CHANGED: ['agents', 'calls'],
  WALLBOARD_CHANGED: ['queues', 'agents'],
};

export type LiveTopic = keyof typeof FEEDS_OF;

/** What a newer push replaces while the older one waits: the same view, or for the other topics any older push. */
const CONFLATE_BY: { [K in LiveTopic]: (payload: TopicPayload<K>) => string } = {
  QUEUE_CHANGED: (change) => change.id,
  AGENT_CHANGED: (change) => change.id,
  CALL_CHANGED: () => '',
  DESK_CHANGED: () => '',
  WALLBOARD_CHANGED: () => '',
};

/** The payload of a topic (the last element of its tuple). */
export type TopicPayload<K extends Topic> = CallstreamTopics[K] extends [infer P] ? P : CallstreamTopics[K] extends [string, infer P] ? P : never;

export interface LiveViewsOptions {
  feeds: ReadModelFeeds;
  pubSub: CallstreamPubSub;
  readModels: ReadModelStore;
  logger: Logger;
  clock: () => Date;
  /** Changes within this window are coalesced into one wallboard push. */
  wallboardDelayMs?: number;
}

/** Agents whose desk shows this call: on it now, ringing for it, or having been on it (recent calls). */
const deskAgentsOf = (doc: CallHistoryDoc): string[] => {
  const agents = new Set<string>(doc.agentIds);
  for (const c of doc.connections) agents.add(c.agentId);
  for (const offer of doc.offers) for (const a of offer.agents) if (a.outcome === 'ringing') agents.add(a.agentId);
  return [...agents];
};

/**
 * Turns read-model changes into subscription pushes. Each change feed (api/graphql/readModelFeeds.ts)
 * is opened when the first subscription needing it starts; a change is mapped to its GraphQL view once
 * and published only to topics somebody listens to. Because the feed reports committed writes, the data
 * a push announces is already queryable.
 */
export class LiveViews {
  private readonly listening = new Map<CollectionName, () => void>();
  private readonly subscribers = new Map<string, number>();
  private wallboardTimer: NodeJS.Timeout | null = null;
  private wallboardPosition = -1n;
  private wallboardRead: Promise<void> | null = null;
  private closed = false;
  private readonly wallboardDelayMs: number;

  constructor(private readonly options: LiveViewsOptions) {
    this.wallboardDelayMs = options.wallboardDelayMs ?? 100;
  }

  /**
   * Subscribes to a topic (keyed by `id` for a keyed topic), opening the feeds it needs. `filter` drops
   * payloads the subscriber may not see. The count of subscribers is kept for `waitForSubscribers`.
   *
   * Pushes are conflated: while a subscriber has not taken a push yet, a newer version of the same view
   * (the same queue or agent; for the other topics, any newer push) replaces it. Views carry their whole
   * state, so a subscriber that falls behind skips versions instead of queueing them without bound.
   */
  subscribe<K extends LiveTopic>(topic: K, id?: string, filter?: (payload: TopicPayload<K>) => boolean): AsyncIterableIterator<TopicPayload<K>> {
    for (const name of FEEDS_OF[topic]) this.listen(name);
    const subscribe = this.options.pubSub.subscribe as unknown as (topic: string, id?: string) => AsyncIterable<TopicPayload<K>>;
    const source = (id === undefined ? subscribe(topic) : subscribe(topic, id))[Symbol.asyncIterator]();
    const keys = id === undefined ? [topic] : [topic, `${topic}:${id}`];
    const conflationKey = CONFLATE_BY[topic] as (payload: TopicPayload<K>) => string;
    const buffered = new Map<string, TopicPayload<K>>();
    const waiting: { wake: (() => void) | null } = { wake: null };
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      for (const key of keys) this.subscribers.set(key, (this.subscribers.get(key) ?? 1) - 1);
      waiting.wake?.();
    };
    // The first next() attaches the pubSub listener: from here on, publishes reach this subscriber.
    let step = source.next();
    for (const key of keys) this.subscribers.set(key, (this.subscribers.get(key) ?? 0) + 1);
    // Takes every push off the pubSub at once, whatever the pace of the subscriber's socket.
    void (async () => {
      try {
        for (;;) {
          const result = await step;
          if (result.done || released) break;
          if (!filter || filter(result.value)) {
            buffered.set(conflationKey(result.value), result.value);
            waiting.wake?.();
          }
          step = source.next();
        }
      } catch (error) {
        this.options.logger.warn({ err: error, topic }, 'subscription source failed');
      }
      release();
    })();
    const done = (): IteratorReturnResult<undefined> => ({ done: true, value: undefined });
    const iterator: AsyncIterableIterator<TopicPayload<K>> = {
      next: async () => {
        for (;;) {
          const first = buffered.entries().next();
          if (!first.done) {
            buffered.delete(first.value[0]);
            return { done: false, value: first.value[1] };
          }
          if (released) return done();
          await new Promise<void>((resolve) => {
            waiting.wake = resolve;
          });
          waiting.wake = null;
        }
      },
      return: async () => {
        release();
        buffered.clear();
        await source.return?.();
        return done();
      },
      throw: async (error?: unknown) => {
        release();
        buffered.clear();
        await source.return?.();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return iterator;
  }

  /** Subscribers registered on a topic (or on one key of it: `QUEUE_CHANGED`, `CALL_CHANGED:<callId>`). */
  subscriberCount(key: string): number {
    return this.subscribers.get(key) ?? 0;
  }

  /** Resolves once `count` subscribers are registered on the key and the feeds of its topic are open. */
  async waitForSubscribers(key: string, count = 1, timeoutMs = 10_000): Promise<void> {
    const topic = key.split(':')[0] as LiveTopic;
    const deadline = Date.now() + timeoutMs;
    while (this.subscriberCount(key) < count) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${count} subscribers on ${key} (have ${this.subscriberCount(key)})`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all((FEEDS_OF[topic] ?? []).map((name) => this.options.feeds.ready(COLLECTIONS[name])));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.wallboardTimer) clearTimeout(this.wallboardTimer);
    this.wallboardTimer = null;
    for (const stop of this.listening.values()) stop();
    this.listening.clear();
    await this.wallboardRead;
  }

  private listen(name: CollectionName): void {
    if (this.listening.has(name) || this.closed) return;
    const listener = this.listenerFor(name);
    this.listening.set(name, this.options.feeds.listen(COLLECTIONS[name], listener));
  }

  private has(key: string): boolean {
    return (this.subscribers.get(key) ?? 0) > 0;
  }

  private listenerFor(name: CollectionName): FeedListener {
    switch (name) {
      case 'queues':
        return {
          change: (event) => this.onQueue(event),
          resync: () => void this.republish(name),
        };
      case 'agents':
        return {
          change: (event) => this.onAgent(event),
          resync: () => void this.republish(name),
        };
      case 'calls':
        return {
          change: (event) => this.onCall(event),
          resync: () => undefined,
        };
      default: {
        const _exhaustive: never = name;
        throw new Error(`No listener for ${String(_exhaustive)}`);
      }
    }
  }

  private onQueue(event: ChangeEvent): void {
    if (event.op !== 'upsert' || !event.doc) return;
    if (this.has(TOPICS.QUEUE_CHANGED)) {
      this.options.pubSub.publish(TOPICS.QUEUE_CHANGED, { id: event.id, position: event.position, view: Queue.from(event.doc as QueueViewDoc) });
    }
    this.scheduleWallboard(event.position);
  }

  private onAgent(event: ChangeEvent): void {
    if (event.op !== 'upsert' || !event.doc) return;
    const doc = event.doc as AgentView;
    if (this.has(TOPICS.AGENT_CHANGED)) {
      this.options.pubSub.publish(TOPICS.AGENT_CHANGED, { id: event.id, position: event.position, view: Agent.from(doc, this.options.clock()) });
    }
    if (this.has(`${TOPICS.DESK_CHANGED}:${doc.agentId}`)) {
      this.options.pubSub.publish(TOPICS.DESK_CHANGED, doc.agentId, { agentId: doc.agentId, position: event.position, cause: 'agent' });
    }
    this.scheduleWallboard(event.position);
  }

  private onCall(event: ChangeEvent): void {
    if (event.op !== 'upsert' || !event.doc) return;
    const doc = event.doc as CallHistoryDoc;
    if (this.has(`${TOPICS.CALL_CHANGED}:${doc.callId}`)) {
      this.options.pubSub.publish(TOPICS.CALL_CHANGED, doc.callId, { id: event.id, position: event.position, view: Call.from(doc) });
    }
    if (this.has(TOPICS.DESK_CHANGED)) {
      for (const agentId of deskAgentsOf(doc)) {
        if (this.has(`${TOPICS.DESK_CHANGED}:${agentId}`)) this.options.pubSub.publish(TOPICS.DESK_CHANGED, agentId, { agentId, position: event.position, cause: 'call' });
      }
    }
  }

  /** After a feed restart, changes may have been missed: push every document of the collection again. */
  private async republish(name: 'queues' | 'agents'): Promise<void> {
    const { readModels, logger, clock } = this.options;
    try {
      if (name === 'queues') {
        for (const doc of await queueViews(readModels)) this.onQueue({ collection: name, op: 'upsert', id: doc._id, doc, position: doc._position ?? -1n });
      } else {
        for (const doc of await agentViews(readModels)) this.onAgent({ collection: name, op: 'upsert', id: doc._id, doc, position: doc._position ?? -1n });
      }
    } catch (error) {
      logger.warn({ err: error, collection: name, at: clock().toISOString() }, 'could not push the views again after a feed restart');
    }
  }

  private scheduleWallboard(position: bigint): void {
    if (!this.has(TOPICS.WALLBOARD_CHANGED) || this.closed) return;
    if (position > this.wallboardPosition) this.wallboardPosition = position;
    if (this.wallboardTimer) return;
    this.wallboardTimer = setTimeout(() => {
      this.wallboardTimer = null;
      const position = this.wallboardPosition;
      const read = readWallboard(this.options.readModels, this.options.clock()).then(
        (wallboard) => {
          if (!this.closed) this.options.pubSub.publish(TOPICS.WALLBOARD_CHANGED, { position, wallboard });
        },
        (error: unknown) => this.options.logger.warn({ err: error }, 'could not read the wallboard'),
      );
      this.wallboardRead = read;
    }, this.wallboardDelayMs);
  }
}
