import { createCrm } from './crm';
import { rootLogger } from './core/logger';
import { createEventStore } from './infrastructure/eventStore';
import { loadTelnyxConfig } from './infrastructure/telnyx/config';
import { SdkTelnyxAdapter } from './infrastructure/telnyx/sdkTelnyxAdapter';
import { Reactor } from './reactor/reactor';
import { previousCalls } from '../projections/call-history/queries';
import { loadReactorSettings, reactorClockFor } from './reactor/settings';
import { createRecordingStore } from './recordings';
import { createReadModelStore } from '../projections/infrastructure/readModels';
import { loadOpsEndpoint, Observability, REACTOR_OPS_PORT } from './observability';

/**
 * The reactor on its own (the compose layout, and the crash tests): the same stores as the API
 * (EVENTSTORE_URL or CALLSTREAM_DATA_DIR, MONGODB_URL), Telnyx or a simulator at TELNYX_BASE_URL
 * (SIM_SCALE; SIM_URL lets it read the simulator's clock). Several may run: one holds the lease, the
 * others stand by and take over when it is gone. /health/live, /health/ready (the stores answer, the
 * reactor is within CALLSTREAM_READY_MAX_REACTOR_LAG of the head) and /metrics are served on
 * CALLSTREAM_OPS_PORT (9464; docs/deploy.md, "Health and metrics").
 */
const main = async (): Promise<void> => {
  const env = process.env;
  const logger = rootLogger.child({ component: 'reactor-main' });
  const settings = loadReactorSettings(env);
  const telnyxConfig = loadTelnyxConfig(env);
  const opsEndpoint = loadOpsEndpoint(env, REACTOR_OPS_PORT);
  const observability = new Observability(env, logger);
  const eventStore = observability.instrumentEventStore(createEventStore(env));
  const readModels = createReadModelStore(env);
  const recordings = createRecordingStore(env);
  const crm = createCrm(env);
  const clock = await reactorClockFor(telnyxConfig, settings);
  const reactor = new Reactor({
    eventStore,
    readModels,
    telnyx: observability.instrumentTelnyx(new SdkTelnyxAdapter(telnyxConfig, { logger: logger.child({ component: 'telnyx' }) })),
    recordings,
    clock,
    crm: crm.crm,
    crmTimeoutMs: crm.timeoutMs,
    // The caller's latest calls from the call history, recorded on the call for the screen pop.
    previousCalls: (number) => previousCalls(readModels, number, 6),
    logger,
    leaseTtlMs: settings.leaseTtlMs,
    checkpointIntervalMs: settings.checkpointIntervalMs,
    seedDefaultConfiguration: settings.seedDefaultConfiguration,
    commandIdWindowMs: settings.commandIdWindowMs,
    averageHandleSeconds: settings.averageHandleSeconds,
    metrics: { handled: (position) => observability.setReactorPosition(position) },
  });
  observability.watch({ eventStore, readModels });
  const ops = await observability.serveOps(opsEndpoint, logger.child({ component: 'ops' }));
  reactor.start();
  logger.info({ owner: reactor.owner, telnyx: telnyxConfig.mode, scale: telnyxConfig.timeScale }, 'reactor process started');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    Promise.resolve(ops?.close())
      .then(() => reactor.stop())
      .then(async () => {
        await recordings.close();
        await readModels.close();
        await eventStore.close();
      })
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'stop failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
};

main().catch((error: unknown) => {
  rootLogger.fatal({ err: error }, 'the reactor could not start');
  process.exit(1);
});
