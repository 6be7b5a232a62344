import type { Router } from 'express';
import type { Logger } from '../core/logger';
import type { EventStore } from '../infrastructure/eventStore/eventStore';
import type { TelnyxPort } from '../infrastructure/telnyx/telnyx';
import type { ReadModelStore } from '../../projections/infrastructure/readModels/readModelStore';
import type { WebhookIntakeStats } from '../webhooks/webhookIntake';
import { loadObservabilityConfig, type ObservabilityConfig, type OpsEndpoint } from './config';
import { InstrumentedEventStore } from './instrumentedEventStore';
import { instrumentTelnyx } from './instrumentedTelnyx';
import { CallstreamMetrics, type AgentStateSource, type QueueSizeSource } from './metrics';
import { Readiness, eventStoreCheck, projectionLagCheck, reactorLagCheck, readModelStoreCheck, type ProjectionLagReader } from './readiness';
import { startOpsServer, type OpsServer } from './opsServer';
import { createMetricsRouter, timeWebhookRequests } from './routes';

export * from './config';
export * from './metrics';
export * from './readiness';
export * from './routes';
export * from './opsServer';
export { InstrumentedEventStore } from './instrumentedEventStore';
export { instrumentTelnyx, telnyxErrorKind } from './instrumentedTelnyx';

export interface ObservedParts {
  eventStore: EventStore;
  readModels: ReadModelStore;
  /** The webhook intake's counters (createWebhookRouter(...).intake). */
  webhooks?: { stats(): WebhookIntakeStats };
  /** Calls waiting per queue, read from the queue read model at scrape time (none until it is plugged in). */
  queueSizes?: QueueSizeSource;
  /** Agents per state, read from the agent read model at scrape time (none until it is plugged in). */
  agentStates?: AgentStateSource;
}

/** The gauge sources used until the read models are plugged in: no queues, no agents. */
export const noQueueSizes: QueueSizeSource = async () => [];
export const noAgentStates: AgentStateSource = async () => [];

/**
 * Metrics, readiness and the instrumented ports of one process, configured from the environment
 * (api/observability/config.ts). See docs/deploy.md, "Health and metrics".
 */
export class Observability {
  readonly config: ObservabilityConfig;
  readonly metrics: CallstreamMetrics;
  readonly readiness: Readiness;

  constructor(env: NodeJS.ProcessEnv, logger: Logger) {
    this.config = loadObservabilityConfig(env);
    this.metrics = new CallstreamMetrics(logger.child({ component: 'metrics' }));
    this.readiness = new Readiness({ timeoutMs: this.config.readiness.timeoutMs, logger: logger.child({ component: 'readiness' }) });
  }

  instrumentEventStore(eventStore: EventStore): EventStore {
    return new InstrumentedEventStore(eventStore, this.metrics);
  }

  instrumentTelnyx(telnyx: TelnyxPort): TelnyxPort {
    return instrumentTelnyx(telnyx, this.metrics);
  }

  /** Registers the readiness checks of the two stores and the head position gauge (what every process needs). */
  watchStores(parts: Pick<ObservedParts, 'eventStore' | 'readModels'>): void {
    this.readiness.register(eventStoreCheck(parts.eventStore));
    this.readiness.register(readModelStoreCheck(parts.readModels));
    this.metrics.setHeadPositionSource(() => parts.eventStore.headPosition());
  }

  /** Registers the readiness checks and the gauge sources of the stores, the webhook intake and the reactor. */
  watch(parts: ObservedParts): void {
    const { readiness, metrics, config } = this;
    this.watchStores(parts);
    readiness.register(reactorLagCheck(metrics, config.readiness.maxReactorLag));
    metrics.setQueueSizeSource(parts.queueSizes ?? noQueueSizes);
    metrics.setAgentStateSource(parts.agentStates ?? noAgentStates);
    if (parts.webhooks) {
      const intake = parts.webhooks;
      metrics.setWebhookStatsSource(() => intake.stats());
    }
  }

  /** Projection progress for the lag gauges and readiness: the running ProjectionDaemon, or one built only to read checkpoints. */
  watchProjections(projections: ProjectionLagReader): void {
    this.readiness.register(projectionLagCheck(projections, this.config.readiness.maxProjectionLag));
    this.metrics.setProjectionLagSource(() => projections.lag());
  }

  /** A reactor calls this after handling the event at `position` (reactor lag gauges and readiness). */
  setReactorPosition(position: bigint, reactor = 'reactor'): void {
    this.metrics.setReactorPosition(position, reactor);
  }

  /** GET /metrics (unless CALLSTREAM_METRICS_ENABLED=false), to mount at '/'. */
  metricsRouters(): { path: string; router: Router }[] {
    return this.config.metricsEnabled ? [{ path: '/', router: createMetricsRouter(this.metrics, { token: this.config.metricsToken }) }] : [];
  }

  /**
   * /health/live, /health/ready and /metrics on a port of their own, for a process that serves no
   * HTTP otherwise (the reactor, the projections runner); `endpoint` from loadOpsEndpoint. A port
   * that cannot be taken (a second copy on the same host) is logged and the process goes on
   * without the endpoints: they are for probes and scrapes, not for the work itself.
   */
  async serveOps(endpoint: OpsEndpoint | null, logger: Logger): Promise<OpsServer | null> {
    if (!endpoint) {
      logger.info('ops endpoints off (CALLSTREAM_OPS_PORT=off)');
      return null;
    }
    try {
      return await startOpsServer({
        metrics: this.metrics,
        readiness: this.readiness,
        logger,
        port: endpoint.port,
        host: endpoint.host,
        metricsToken: this.config.metricsToken,
        metricsEnabled: this.config.metricsEnabled,
      });
    } catch (error) {
      logger.error({ err: error, port: endpoint.port, host: endpoint.host }, 'ops endpoints not served: the port could not be taken');
      return null;
    }
  }

  /** The webhook router behind the request timer. */
  timeWebhooks(webhooks: Router): Router {
    return timeWebhookRequests(webhooks, this.metrics);
  }
}
