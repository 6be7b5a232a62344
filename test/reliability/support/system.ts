import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { startHarness, type Harness, type HarnessOptions } from '../../callflow/support/harness';
import { harnessEnv, spawnReactor } from '../../callflow/support/reactorProcess';
import { spawnService, type ServiceProcess } from '../../support/serviceProcess';

export type ServiceName = 'api' | 'reactor' | 'projections';

/**
 * The compose layout on one machine: the API (webhook intake and GraphQL), the reactor and the
 * projections runner each in its own process on the harness's stores, with the simulator in the test
 * process delivering webhooks to the API process. Any of them can be SIGKILLed and started again.
 */
export interface SplitSystem {
  h: Harness;
  apiUrl: string;
  processes: Record<ServiceName, ServiceProcess>;
  /** Every process ever started, in order (killed ones included). */
  started: ServiceProcess[];
  /** SIGKILLs the service and starts a new process in its place (not waiting for it to be ready). */
  crash(name: ServiceName): Promise<ServiceProcess>;
  /** Resolves once the current process of the service is serving. */
  ready(name: ServiceName, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const freePort = async (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

export const startSplitSystem = async (options: HarnessOptions): Promise<SplitSystem> => {
  const h = await startHarness({ ...options, withoutReactor: true });
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const sessionSecret = randomBytes(32).toString('hex');
  const spawners: Record<ServiceName, () => ServiceProcess> = {
    api: () =>
      spawnService('the API process', 'api/main.ts', [], {
        ...harnessEnv(h),
        PORT: String(port),
        HOST: '127.0.0.1',
        CALLSTREAM_REACTOR: 'false',
        CALLSTREAM_PROJECTIONS: 'false',
        CALLSTREAM_SESSION_SECRET: sessionSecret,
        CALLSTREAM_RATE_LIMIT_WEBHOOKS: '1000000',
        CALLSTREAM_CONSOLE_DIR: h.dir,
      }),
    reactor: () => spawnReactor(h),
    projections: () => spawnService('the projections process', 'projections/cli.ts', ['run'], harnessEnv(h)),
  };
  const readyLog: Record<ServiceName, string | null> = { api: 'callstream is running', reactor: 'reactor caught up', projections: null };
  const started: ServiceProcess[] = [];
  const start = (name: ServiceName): ServiceProcess => {
    const process = spawners[name]();
    started.push(process);
    return process;
  };
  const processes: Record<ServiceName, ServiceProcess> = { api: start('api'), reactor: start('reactor'), projections: start('projections') };
  const system: SplitSystem = {
    h,
    apiUrl,
    processes,
    started,
    async crash(name) {
      await processes[name].kill('SIGKILL');
      processes[name] = start(name);
      return processes[name];
    },
    async ready(name, timeoutMs = 90_000) {
      const msg = readyLog[name];
      if (msg) await processes[name].waitForLog(msg, timeoutMs);
      else await h.waitFor(`${name} to start`, () => processes[name].exited === false && processes[name].child.pid !== undefined, timeoutMs);
    },
    async close() {
      for (const process of started) await process.kill('SIGKILL');
      await h.close();
    },
  };
  await system.ready('api');
  h.sim.control.setWebhookUrls({ webhookUrl: `${apiUrl}/webhooks/telnyx` });
  await system.ready('reactor');
  return system;
};
