import { CONFIG_STREAM_PREFIX, emptyConfiguration, evolveConfiguration, isConfigEvent, type ContactCenterConfig } from '../config/config';
import { UnavailableError } from '../core/errors';
import type { Logger } from '../core/logger';
import { START, type EventStore, type Subscription } from '../infrastructure/eventStore/eventStore';

/**
 * The configuration folded from the `config-*` streams and kept current by a filtered subscription, for
 * processes that decide call and agent commands without running the reactor (the API).
 */
export class ConfigurationView {
  private config: ContactCenterConfig = emptyConfiguration();
  private subscription: Subscription | null = null;
  private loop: Promise<void> | null = null;
  private caughtUp: Promise<void>;
  private markCaughtUp: () => void = () => undefined;
  private stopped = false;
  /** Position of the last configuration event folded in. */
  position = -1n;

  constructor(
    private readonly eventStore: EventStore,
    private readonly logger?: Logger,
  ) {
    this.caughtUp = new Promise((resolve) => {
      this.markCaughtUp = resolve;
    });
  }

  current(): ContactCenterConfig {
    return this.config;
  }

  /** Starts following the configuration; resolves once what is stored now has been folded. */
  async start(): Promise<void> {
    if (!this.loop) {
      const head = await this.eventStore.headPosition();
      if (head < 0n) this.markCaughtUp();
      const subscription = this.eventStore.subscribeToAll({ fromPosition: START, filter: { streamPrefixes: [CONFIG_STREAM_PREFIX] } });
      this.subscription = subscription;
      this.loop = (async () => {
        for await (const event of subscription) {
          if (isConfigEvent(event)) this.config = evolveConfiguration(this.config, event);
          this.position = event.position;
          if (event.position >= head) this.markCaughtUp();
          if (subscription.isCaughtUp) this.markCaughtUp();
        }
      })().catch((error: unknown) => this.logger?.error({ err: error }, 'configuration view stopped'));
      void this.pollCaughtUp(subscription, head);
    }
    await this.caughtUp;
  }

  /** Resolves once the configuration event at `position` has been folded in (read-your-writes after an admin change). */
  async waitFor(position: bigint, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.position < position) {
      if (Date.now() > deadline || this.stopped) throw new UnavailableError(`The configuration did not reach position ${position} in time`);
      await new Promise((resolve) => setTimeout(resolve, 5).unref());
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    await this.loop;
    this.markCaughtUp();
  }

  /** A filtered subscription may have nothing to deliver past the last config event: catch up by its own flag. */
  private async pollCaughtUp(subscription: Subscription, head: bigint): Promise<void> {
    while (!subscription.isCaughtUp && head >= 0n && !this.stopped) {
      await new Promise((resolve) => setTimeout(resolve, 5).unref());
    }
    this.markCaughtUp();
  }
}
