import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { Router } from 'express';
import type { EventStore } from './infrastructure/eventStore/eventStore';
import { createEventStore } from './infrastructure/eventStore';
import type { ReadModelStore } from '../projections/infrastructure/readModels/readModelStore';
import { createReadModelStore } from '../projections/infrastructure/readModels';
import { loadTelnyxConfig, embeddedFromSimulator, type TelnyxConfig } from './infrastructure/telnyx/config';
import { SdkTelnyxAdapter } from './infrastructure/telnyx/sdkTelnyxAdapter';
import { createWebhookRouter } from './webhooks';
import { createApiServer, type ApiServer } from './http/server';
import { loadApiConfig } from './http/config';
import { createLogger, type Logger } from './core/logger';
import { ProjectionDaemon } from '../projections/projectionDaemon';
import { allProjections } from '../projections/registry';
import { createSimulator, type Simulator } from '../simulator';
import { createCrm } from './crm';
import { createRecordingStore, type RecordingStore } from './recordings';
import { Reactor } from './reactor/reactor';
import { previousCalls } from '../projections/call-history/queries';
import { CallControlService } from './reactor/commands';
import { ConfigurationView } from './reactor/configurationView';
import { inProcessSimulatorClock, type ReactorClock } from './reactor/clock';
import { loadReactorSettings, reactorClockFor } from './reactor/settings';
import { Observability } from './observability';

export interface CallstreamOptions {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Run the projections in this process (the default for npm start; CALLSTREAM_PROJECTIONS=false or false here for the compose layout, where `projections/cli.ts run` runs them). */
  runProjections?: boolean;
  /** Run the call-flow reactor in this process (the default; CALLSTREAM_REACTOR=false or false here for the compose layout, where api/reactorMain.ts runs it). */
  runReactor?: boolean;
  /** 0 picks free ports (tests). */
  port?: number;
  simulatorPort?: number;
  /** Wraps the event store before anything uses it (fault injection in tests). */
  decorateEventStore?: (eventStore: EventStore) => EventStore;
}

export interface Callstream {
  eventStore: EventStore;
  readModels: ReadModelStore;
  api: ApiServer;
  telnyxConfig: TelnyxConfig;
  simulator: Simulator | null;
  projections: ProjectionDaemon | null;
  /** Metrics and readiness; the reactor reports its position with `observability.setReactorPosition`. */
  observability: Observability;
  /** Null when the reactor runs in its own process (CALLSTREAM_REACTOR=false; api/reactorMain.ts). */
  reactor: Reactor | null;
  /** Agent and supervisor actions on calls, agents and configuration (the GraphQL mutations' write side). */
  callControl: CallControlService;
  recordings: RecordingStore;
  /** The telephony time line: the simulator's scaled clock, or real time against Telnyx. */
  clock: ReactorClock;
  url: string;
  stop(): Promise<void>;
}

const embeddedTelnyx = (env: NodeJS.ProcessEnv): boolean => !env.TELNYX_API_KEY && !env.TELNYX_BASE_URL;

/**
 * The whole product in one process: stores, the Telnyx simulator when no Telnyx is configured, the
 * webhook intake and GraphQL API on one HTTP server, and the projections.
 */
export const startCallstream = async (options: CallstreamOptions = {}): Promise<Callstream> => {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger('callstream');
  const apiConfig = loadApiConfig(env);
  const port = options.port ?? apiConfig.port;
  // ---- observability (api/observability, docs/deploy.md): instrumented ports, readiness, /metrics
  const observability = new Observability(env, logger);
  const eventStore = observability.instrumentEventStore((options.decorateEventStore ?? ((store) => store))(createEventStore(env)));
  const readModels = createReadModelStore(env);

  let simulator: Simulator | null = null;
  if (embeddedTelnyx(env)) {
    simulator = await createSimulator({
      port: options.simulatorPort ?? Number(env.SIM_PORT ?? 4010),
      scale: Number(env.SIM_SCALE ?? 1),
      keyFile: join(env.CALLSTREAM_DATA_DIR ?? './data', 'simulator-signing-key.pem'),
      logLevel: 'warn',
    });
  }
  const telnyxConfig = loadTelnyxConfig(env, simulator ? embeddedFromSimulator(simulator) : undefined);
  const telnyx = observability.instrumentTelnyx(new SdkTelnyxAdapter(telnyxConfig, { logger: logger.child({ component: 'telnyx' }) }));

  const reactorSettings = loadReactorSettings(env);
  const clock = simulator ? inProcessSimulatorClock(simulator.clock) : await reactorClockFor(telnyxConfig, reactorSettings);
  const recordings = createRecordingStore(env);
  const configuration = new ConfigurationView(eventStore, logger.child({ component: 'configuration' }));
  const callControl = new CallControlService({ eventStore, config: () => configuration.current(), clock });

  const webhooks = createWebhookRouter({ eventStore, publicKey: telnyxConfig.publicKey, logger: logger.child({ component: 'webhooks' }) });
  observability.watch({ eventStore, readModels, webhooks: webhooks.intake });
  const api = await createApiServer({
    eventStore,
    readModels,
    telnyx,
    config: apiConfig,
    logger: logger.child({ component: 'api' }),
    routers: [...observability.metricsRouters(), { path: '/', router: observability.timeWebhooks(webhooks) }],
    readiness: observability.readiness,
    callControl,
    configuration,
    recordings,
    rateLimits: { ...observability.config.rateLimits, onLimited: (route) => observability.metrics.countRateLimited(route) },
  });
  api.app.use(serveConsole(env, simulator));
  const address = await api.listen(port, apiConfig.host);
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  const url = `http://${host}:${address.port}`;
  if (simulator) simulator.control.setWebhookUrls({ webhookUrl: `${url}/webhooks/telnyx` });

  let reactor: Reactor | null = null;
  if (options.runReactor ?? reactorSettings.inProcess) {
    const crm = createCrm(env);
    reactor = new Reactor({
      eventStore,
      readModels,
      telnyx,
      recordings,
      clock,
      crm: crm.crm,
      crmTimeoutMs: crm.timeoutMs,
      // The caller's latest calls from the call history, recorded on the call for the screen pop.
      previousCalls: (number) => previousCalls(readModels, number, 6),
      logger: logger.child({ component: 'reactor' }),
      leaseTtlMs: reactorSettings.leaseTtlMs,
      checkpointIntervalMs: reactorSettings.checkpointIntervalMs,
      seedDefaultConfiguration: reactorSettings.seedDefaultConfiguration,
      commandIdWindowMs: reactorSettings.commandIdWindowMs,
      averageHandleSeconds: reactorSettings.averageHandleSeconds,
      metrics: { handled: (position) => observability.setReactorPosition(position) },
    });
    reactor.start();
  }
  await configuration.start();

  let projections: ProjectionDaemon | null = null;
  if (options.runProjections ?? env.CALLSTREAM_PROJECTIONS !== 'false') {
    projections = new ProjectionDaemon(eventStore, readModels, allProjections, logger.child({ component: 'projections' }));
    projections.start();
  }
  observability.watchProjections(projections ?? new ProjectionDaemon(eventStore, readModels, allProjections, logger.child({ component: 'projections' })));

  logger.info({ url, graphql: `${url}/graphql`, telnyx: telnyxConfig.mode, simulator: simulator?.url }, 'callstream is running');

  return {
    eventStore,
    readModels,
    api,
    telnyxConfig,
    simulator,
    projections,
    observability,
    reactor,
    callControl,
    recordings,
    clock,
    url,
    async stop() {
      await api.close();
      await reactor?.stop();
      await projections?.stop();
      await configuration.stop();
      await simulator?.close();
      await recordings.close();
      await readModels.close();
      await eventStore.close();
    },
  };
};

/** The built console (npm run console:build) with a fallback to index.html for its routes, and its runtime settings. */
const serveConsole = (env: NodeJS.ProcessEnv, simulator: Simulator | null): Router => {
  const dir = resolve(env.CALLSTREAM_CONSOLE_DIR ?? join('console', 'dist', 'browser'));
  // The softphone signals over ws:// to the embedded simulator's port, which the API's default CSP (upgrade-insecure-requests) would turn into wss://.
  const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self' blob: data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";
  const router = Router();
  router.get('/console-config.json', (req, res) => {
    const rtcHost = simulator ? `ws://${req.hostname}:${new URL(simulator.url).port}${simulator.rtc.path}` : (env.CALLSTREAM_RTC_HOST ?? null);
    // The simulated world runs `scale` times faster: the console counts waits and timers on its clock.
    const snapshot = simulator?.clock.snapshot();
    const clock = snapshot ? { now: snapshot.now, scale: snapshot.scale } : null;
    res.set('cache-control', 'no-store').json({ rtcHost, graphqlPath: '/graphql', clock });
  });
  router.use(express.static(dir, { index: false, setHeaders: (res) => res.setHeader('Content-Security-Policy', csp) }));
  router.get(/^\/(?!graphql|webhooks|health|metrics|recordings)/, (req, res, next) => {
    if (!req.accepts('html')) return next();
    if (!existsSync(join(dir, 'index.html'))) return void res.status(404).type('text/plain').send('The console is not built: npm run console:build');
    res.set({ 'Content-Security-Policy': csp, 'cache-control': 'no-cache' }).sendFile(join(dir, 'index.html'));
  });
  return router;
};
