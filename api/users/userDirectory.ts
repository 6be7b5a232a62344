import { START, type EventStore, type RecordedEvent, type Subscription } from '../infrastructure/eventStore/eventStore';
import type { Logger } from '../core/logger';
import { evolveUser, initialUserState, userStreams, type ExistingUser, type UserEvent, type UserState } from './user';
import { upcastUserEvent, type ReadYourWrites } from './userService';

export type UserEventListener = (event: UserEvent, recorded: RecordedEvent) => void;

export interface UserDirectoryOptions {
  eventStore: EventStore;
  logger: Logger;
  /** How long a request waits for its own write to show up before going on without it. */
  readYourWritesTimeoutMs?: number;
}

const PAGE = 1000;

/**
 * Every user's state, in memory, folded from the `user-` streams and kept current by a subscription
 * to the event store. Each API node holds its own, so a revocation appended on one node reaches the
 * others as soon as their subscription sees it. It answers the per-request session check and the
 * user list without reading streams; writes still decide against the streams themselves.
 */
export class UserDirectory implements ReadYourWrites {
  private readonly store: EventStore;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly users = new Map<string, UserState>();
  private readonly listeners = new Set<UserEventListener>();
  private waiters: Array<{ position: bigint; resolve: () => void }> = [];
  private applied = -1n;
  private subscription?: Subscription;
  private loop?: Promise<void>;
  private closed = false;

  constructor(options: UserDirectoryOptions) {
    this.store = options.eventStore;
    this.log = options.logger.child({ component: 'userDirectory' });
    this.timeoutMs = options.readYourWritesTimeoutMs ?? 5000;
  }

  /** Reads every user event, then follows new ones. Resolves once the history is loaded. */
  async start(): Promise<void> {
    const filter = { streamPrefixes: [userStreams.prefixes.user] };
    let from: bigint | typeof START = START;
    for (;;) {
      const page = await this.store.readAll({ fromPosition: from, maxCount: PAGE, filter });
      for (const recorded of page) this.apply(recorded, false);
      if (page.length < PAGE) break;
      from = page[page.length - 1].position;
    }
    if (this.closed) return;
    const subscription = this.store.subscribeToAll({ fromPosition: this.applied >= 0n ? this.applied : START, filter });
    this.subscription = subscription;
    this.loop = (async () => {
      try {
        for await (const recorded of subscription) this.apply(recorded, true);
      } catch (error) {
        if (!this.closed) this.log.error({ err: error }, 'user subscription failed; sessions are checked against the streams until restart');
      }
    })();
    this.log.info({ users: this.users.size, position: String(this.applied) }, 'user directory loaded');
  }

  get(userId: string): ExistingUser | undefined {
    const state = this.users.get(userId);
    return state && state.status !== 'none' ? state : undefined;
  }

  list(): ExistingUser[] {
    return [...this.users.values()]
      .filter((s): s is ExistingUser => s.status !== 'none')
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  /** Called for each user event appended after start, in store order. */
  onEvent(listener: UserEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  waitFor(position: bigint): Promise<void> {
    if (this.applied >= position || this.closed || !this.subscription) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        this.log.warn({ position: String(position), applied: String(this.applied) }, 'user directory is behind; answering without read-your-writes');
        resolve();
      }, this.timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ position, resolve: done });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.subscription?.close();
    await this.loop;
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters = [];
  }

  private apply(recorded: RecordedEvent, live: boolean): void {
    if (recorded.position <= this.applied) return;
    const event = upcastUserEvent(recorded);
    if (event) {
      const userId = recorded.streamId.slice(userStreams.prefixes.user.length);
      this.users.set(userId, evolveUser(this.users.get(userId) ?? initialUserState(), event));
      if (live) {
        for (const listener of this.listeners) {
          try {
            listener(event, recorded);
          } catch (error) {
            this.log.error({ err: error, type: event.type }, 'user event listener failed');
          }
        }
      }
    }
    this.applied = recorded.position;
    if (this.waiters.length > 0) {
      const ready = this.waiters.filter((w) => w.position <= this.applied);
      this.waiters = this.waiters.filter((w) => w.position > this.applied);
      for (const waiter of ready) waiter.resolve();
    }
  }
}
