import { queueViews } from '../../projections/queue/queries';
import { agentViews } from '../../projections/agent-idle-time/queries';
import type { AgentStateLabel } from '../../projections/agent-idle-time/agentView';
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
  /** Calls waiting per queue at scrape time (default: the queue read model). */
  queueSizes?: QueueSizeSource;
  /** Agents per state at scrape time (default: the agent read model). */
  agentStates?: AgentStateSource;
}

/** Calls waiting per queue, from the queue read model. */
export const queueSizesFrom =
  (readModels: ReadModelStore): QueueSizeSource =>
  async () =>
    (await queueViews(readModels)).map((view) => ({ queue: view.queueId, waiting: view.waiting }));

/** Agents per state, from the agent read model (every state present, zero included, so a series never vanishes). */
export const agentStatesFrom =
  (readModels: ReadModelStore): AgentStateSource =>
  async () => {
    const counts = new Map<string, number>(AGENT_STATES.map((state) => [state, 0]));
    for (const agent of await agentViews(readModels)) counts.set(agent.state, (counts.get(agent.state) ?? 0) + 1);
    return [...counts].map(([state, count]) => ({ state, count }));
  };

const AGENT_STATES: readonly AgentStateLabel[] = ['Offline', 'Available', 'Break', 'Reserved', 'Ringing', 'OnCall', 'WrapUp'];

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
    metrics.setQueueSizeSource(parts.queueSizes ?? queueSizesFrom(parts.readModels));
    metrics.setAgentStateSource(parts.agentStates ?? agentStatesFrom(parts.readModels));
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
