import { performance } from 'node:perf_hooks';
import { UnavailableError, WrongExpectedVersionError } from '../core/errors';
import type {
  AppendOptions,
  AppendResult,
  EventData,
  EventStore,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../infrastructure/eventStore/eventStore';
import type { AppendOutcome, CallstreamMetrics } from './metrics';

const outcomeOf = (error: unknown): AppendOutcome => {
  if (error instanceof WrongExpectedVersionError) return 'wrong_expected_version';
  if (error instanceof UnavailableError) return 'unavailable';
  return 'error';
};

/** The event store port, timing every append (callstream_event_store_append_duration_seconds by outcome). */
export class InstrumentedEventStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    private readonly metrics: CallstreamMetrics,
  ) {}

  async append(streamId: string, events: EventData[], options?: AppendOptions): Promise<AppendResult> {
    const started = performance.now();
    try {
      const result = await this.inner.append(streamId, events, options);
      this.metrics.observeAppend('ok', (performance.now() - started) / 1000, events.length);
      return result;
    } catch (error) {
      this.metrics.observeAppend(outcomeOf(error), (performance.now() - started) / 1000, events.length);
      throw error;
    }
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.inner.readStream(streamId, options);
  }

  streamRevision(streamId: string): Promise<bigint | 'no_stream'> {
    return this.inner.streamRevision(streamId);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.inner.readAll(options);
  }

  headPosition(): Promise<bigint> {
    return this.inner.headPosition();
  }

  subscribeToAll(options?: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll(options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
