import 'reflect-metadata';
import { startCallstream } from './app';
import { rootLogger } from './core/logger';

const main = async (): Promise<void> => {
  // The embedded product is a demo out of the box: seeded agents, supervisor, analyst and admin.
  if (!process.env.EVENTSTORE_URL && !process.env.TELNYX_API_KEY) process.env.CALLSTREAM_SEED_DEMO ??= 'true';
  const app = await startCallstream({ logger: rootLogger });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    rootLogger.info({ signal }, 'stopping');
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        rootLogger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
};

main().catch((error: unknown) => {
  rootLogger.fatal({ err: error }, 'callstream could not start');
  process.exit(1);
});
