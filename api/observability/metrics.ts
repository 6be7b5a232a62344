import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '../core/logger';
import type { WebhookIntakeStats } from '../webhooks/webhookIntake';

/** One projection's progress, as `ProjectionDaemon.lag()` reports it. */
export interface ProjectionProgress {
  projection: string;
  position: bigint;
  head: bigint;
  lag: bigint;
}

export interface QueueSize {
  queue: string;
  /** Calls waiting in the queue now. */
  waiting: number;
}

export interface AgentStateCount {
  /** e.g. 'available', 'busy', 'wrap_up', 'offline'. */
  state: string;
  count: number;
}

export interface ReactorProgress {
  reactor: string;
  position: bigint;
  /** Head minus position; null when the head could not be read. */
  lag: bigint | null;
}

export type ProjectionLagSource = () => Promise<readonly ProjectionProgress[]>;
export type HeadPositionSource = () => Promise<bigint>;
export type QueueSizeSource = () => Promise<readonly QueueSize[]>;
export type AgentStateSource = () => Promise<readonly AgentStateCount[]>;
export type WebhookStatsSource = () => WebhookIntakeStats;

/** What a port decorator reports a failed Telnyx call as. */
export type TelnyxErrorKind = 'leg_gone' | 'not_found' | 'unavailable' | 'refused' | 'internal';

/** What an append ended with. */
export type AppendOutcome = 'ok' | 'wrong_expected_version' | 'unavailable' | 'error';

export const METRIC_NAMES = {
  webhookRequestDuration: 'callstream_webhook_request_duration_seconds',
  webhooks: 'callstream_webhooks_total',
  appendDuration: 'callstream_event_store_append_duration_seconds',
  appendedEvents: 'callstream_event_store_appended_events_total',
  headPosition: 'callstream_event_store_head_position',
  projectionLag: 'callstream_projection_lag_positions',
  projectionPosition: 'callstream_projection_checkpoint_position',
  reactorPosition: 'callstream_reactor_position',
  reactorLag: 'callstream_reactor_lag_positions',
  queueWaiting: 'callstream_queue_waiting_calls',
  agents: 'callstream_agents',
  telnyxRequests: 'callstream_telnyx_requests_total',
  telnyxErrors: 'callstream_telnyx_command_errors_total',
  rateLimited: 'callstream_http_rate_limited_total',
  sourceErrors: 'callstream_metrics_source_errors_total',
} as const;

const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const noRows = async (): Promise<readonly never[]> => [];

/**
 * The Prometheus metrics of one callstream process, on a registry of its own (several apps can share
 * a process in tests). Counters and histograms are fed by the instrumented ports and routes; gauges
 * are read at scrape time from sources the composition root plugs in. A source that fails leaves its
 * gauge empty for that scrape and counts in callstream_metrics_source_errors_total.
 */
export class CallstreamMetrics {
  readonly registry = new Registry();

  private projectionLagSource: ProjectionLagSource = noRows;
  private headSource: HeadPositionSource | null = null;
  private queueSizeSource: QueueSizeSource = noRows;
  private agentStateSource: AgentStateSource = noRows;
  private webhookStatsSource: WebhookStatsSource | null = null;
  private readonly reactorPositions = new Map<string, bigint>();
  private readonly inFlight = new Map<string, Promise<readonly unknown[]>>();

  private readonly webhookDuration: Histogram<'status'>;
  private readonly appendDuration: Histogram<'outcome'>;
  private readonly appendedEvents: Counter;
  private readonly telnyxRequests: Counter<'action'>;
  private readonly telnyxErrors: Counter<'action' | 'kind'>;
  private readonly rateLimited: Counter<'route'>;
  private readonly sourceErrors: Counter<'source'>;

  constructor(private readonly logger: Logger) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    this.webhookDuration = new Histogram({
      name: METRIC_NAMES.webhookRequestDuration,
      help: 'Telnyx webhook requests by HTTP status, from the first byte to the answer (verify, dedupe, append)',
      labelNames: ['status'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.appendDuration = new Histogram({
      name: METRIC_NAMES.appendDuration,
      help: 'Event store appends by outcome',
      labelNames: ['outcome'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.appendedEvents = new Counter({ name: METRIC_NAMES.appendedEvents, help: 'Events written by successful appends', registers });
    this.telnyxRequests = new Counter({ name: METRIC_NAMES.telnyxRequests, help: 'Telnyx API calls by action', labelNames: ['action'], registers });
    this.telnyxErrors = new Counter({
      name: METRIC_NAMES.telnyxErrors,
      help: 'Failed Telnyx API calls by action and kind (leg_gone, not_found, unavailable, refused, internal)',
      labelNames: ['action', 'kind'],
      registers,
    });
    this.rateLimited = new Counter({ name: METRIC_NAMES.rateLimited, help: 'Requests refused with 429 by route', labelNames: ['route'], registers });
    this.sourceErrors = new Counter({ name: METRIC_NAMES.sourceErrors, help: 'Scrapes where a gauge source failed', labelNames: ['source'], registers });

    // collect() runs with the metric as `this`; these arrows reach the sources of this instance.
    const webhookStats = (): WebhookIntakeStats | undefined => this.webhookStatsSource?.();
    const head = (): Promise<readonly bigint[]> => this.read('head', async () => (this.headSource ? [await this.headSource()] : []));
    const projections = (): Promise<readonly ProjectionProgress[]> => this.read('projections', () => this.projectionLagSource());
    const reactors = (): Promise<readonly ReactorProgress[]> => this.reactorProgress();
    const queues = (): Promise<readonly QueueSize[]> => this.read('queues', () => this.queueSizeSource());
    const agents = (): Promise<readonly AgentStateCount[]> => this.read('agents', () => this.agentStateSource());
    new Counter({
      name: METRIC_NAMES.webhooks,
      help: 'Telnyx webhooks by intake outcome (appended, duplicate, rejected with a reason, store_error, internal_error)',
      labelNames: ['outcome', 'reason'],
      registers,
      collect() {
        const stats = webhookStats();
        this.reset();
        if (!stats) return;
        this.inc({ outcome: 'appended', reason: '' }, stats.appended);
        this.inc({ outcome: 'duplicate', reason: '' }, stats.duplicates);
        this.inc({ outcome: 'store_error', reason: '' }, stats.storeErrors);
        this.inc({ outcome: 'internal_error', reason: '' }, stats.internalErrors);
        for (const [reason, count] of Object.entries(stats.rejected)) this.inc({ outcome: 'rejected', reason }, count ?? 0);
      },
    });
    new Gauge({
      name: METRIC_NAMES.headPosition,
      help: 'Position of the last event in the event store',
      registers,
      async collect() {
        this.reset();
        const position = await head();
        if (position.length > 0) this.set(Number(position[0]));
      },
    });
    new Gauge({
      name: METRIC_NAMES.projectionLag,
      help: 'Event-store positions between the head and a projection checkpoint (events for the embedded store, log bytes for KurrentDB)',
      labelNames: ['projection'],
      registers,
      async collect() {
        this.reset();
        for (const p of await projections()) this.set({ projection: p.projection }, Number(p.lag));
      },
    });
    new Gauge({
      name: METRIC_NAMES.projectionPosition,
      help: 'Checkpoint position of each projection (-1 before the first event)',
      labelNames: ['projection'],
      registers,
      async collect() {
        this.reset();
        for (const p of await projections()) this.set({ projection: p.projection }, Number(p.position));
      },
    });
    new Gauge({
      name: METRIC_NAMES.reactorPosition,
      help: 'Last position each reactor in this process has handled',
      labelNames: ['reactor'],
      registers,
      async collect() {
        this.reset();
        for (const r of await reactors()) this.set({ reactor: r.reactor }, Number(r.position));
      },
    });
    new Gauge({
      name: METRIC_NAMES.reactorLag,
      help: 'Event-store positions between the head and each reactor in this process',
      labelNames: ['reactor'],
      registers,
      async collect() {
        this.reset();
        for (const r of await reactors()) if (r.lag !== null) this.set({ reactor: r.reactor }, Number(r.lag));
      },
    });
    new Gauge({
      name: METRIC_NAMES.queueWaiting,
      help: 'Calls waiting per queue (from the queue read model)',
      labelNames: ['queue'],
      registers,
      async collect() {
        this.reset();
        for (const q of await queues()) this.set({ queue: q.queue }, q.waiting);
      },
    });
    new Gauge({
      name: METRIC_NAMES.agents,
      help: 'Agents per state (from the agent read model)',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        for (const a of await agents()) this.set({ state: a.state }, a.count);
      },
    });
  }

  // ---- sources (read at scrape time) -----------------------------------------------------------

  setProjectionLagSource(source: ProjectionLagSource): void {
    this.projectionLagSource = source;
  }

  setHeadPositionSource(source: HeadPositionSource): void {
    this.headSource = source;
  }

  /** Plug the queue read model here: `async () => [{ queue: 'sales', waiting: 3 }, …]`. */
  setQueueSizeSource(source: QueueSizeSource): void {
    this.queueSizeSource = source;
  }

  /** Plug the agent read model here: `async () => [{ state: 'available', count: 12 }, …]`. */
  setAgentStateSource(source: AgentStateSource): void {
    this.agentStateSource = source;
  }

  setWebhookStatsSource(source: WebhookStatsSource): void {
    this.webhookStatsSource = source;
  }

  // ---- hooks (called by the code doing the work) -------------------------------------------------

  /** A reactor calls this after handling the event at `position`. */
  setReactorPosition(position: bigint, reactor = 'reactor'): void {
    this.reactorPositions.set(reactor, position);
  }

  /** The reactors that reported in this process, with their lag behind the head. */
  async reactorProgress(): Promise<ReactorProgress[]> {
    if (this.reactorPositions.size === 0) return [];
    const source = this.headSource;
    const head = source ? await this.read('head', async () => [await source()]) : [];
    return [...this.reactorPositions].map(([reactor, position]) => ({ reactor, position, lag: head.length > 0 ? head[0] - position : null }));
  }

  observeWebhook(status: number, seconds: number): void {
    this.webhookDuration.observe({ status: String(status) }, seconds);
  }

  observeAppend(outcome: AppendOutcome, seconds: number, events: number): void {
    this.appendDuration.observe({ outcome }, seconds);
    if (outcome === 'ok') this.appendedEvents.inc(events);
  }

  countTelnyxRequest(action: string): void {
    this.telnyxRequests.inc({ action });
  }

  countTelnyxError(action: string, kind: TelnyxErrorKind): void {
    this.telnyxErrors.inc({ action, kind });
  }

  countRateLimited(route: string): void {
    this.rateLimited.inc({ route });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Gauges of one scrape are collected concurrently: those reading the same source share one read. */
  private read<T>(source: string, read: () => Promise<readonly T[]>): Promise<readonly T[]> {
    const running = this.inFlight.get(source) as Promise<readonly T[]> | undefined;
    if (running) return running;
    const reading = read()
      .catch((error: unknown) => {
        this.sourceErrors.inc({ source });
        this.logger.warn({ err: error, source }, 'metrics source failed');
        return [] as readonly T[];
      })
      .finally(() => this.inFlight.delete(source));
    this.inFlight.set(source, reading);
    return reading;
  }
}
