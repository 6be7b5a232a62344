/**
 * Routing and call-flow latency of the reactor under load, beside a baseline of the same pipeline with a
 * reactor that does nothing, measured in the same run.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/routing/routing.bench.js
 *
 * The simulator runs in a worker thread (its own event loop), placing callers at a fixed rate and playing
 * the agents' phones. The main thread is the product: the webhook intake on the SQLite event store and the
 * reactor (or, for the baseline, a subscriber that only reads the events). Figures:
 *  - routing: an agent comes free while calls wait: from the moment the reactor learns of it to the next
 *    offer's dial handed to the HTTP client;
 *  - webhook → command: from the webhook request reaching the intake to the first Telnyx command the
 *    decision on it requested being handed to the HTTP client (baseline: to the event reaching the subscriber);
 *  - CPU and memory of the product's thread per concurrent call.
 *
 * Environment: BENCH_ROUTING_RATE (calls per second, 100), BENCH_ROUTING_CALLS (callers placed, 4000),
 * BENCH_ROUTING_AGENTS (300), BENCH_ROUTING_SCALE (simulator time scale, 10), BENCH_ROUTING_TALK_S (mean talk
 * time, simulated seconds, 60), BENCH_ROUTING_PATIENCE_S (mean patience, simulated seconds, 90),
 * BENCH_ROUTING_WARMUP_S (real seconds left out of the figures, 5).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import express from 'express';
import * as hdr from 'hdr-histogram-js';
import pino from 'pino';
import { decodeClientState } from '../../api/calls/webhook';
import { embeddedCrm } from '../../api/crm/embeddedContacts';
import { SqliteEventStore } from '../../api/infrastructure/eventStore/sqlite/sqliteEventStore';
import { loadTelnyxConfig } from '../../api/infrastructure/telnyx/config';
import { SdkTelnyxAdapter } from '../../api/infrastructure/telnyx/sdkTelnyxAdapter';
import { scaledClock } from '../../api/reactor/clock';
import { CallControlService } from '../../api/reactor/commands';
import { ConfigurationView } from '../../api/reactor/configurationView';
import { Reactor } from '../../api/reactor/reactor';
import { FileRecordingStore } from '../../api/recordings/fileRecordingStore';
import { createWebhookRouter } from '../../api/webhooks/webhookRouter';
import { SqliteReadModelStore } from '../../projections/infrastructure/readModels/embedded/sqliteReadModelStore';
import { createSimulator } from '../../simulator';
import { SimulatorClient } from '../../simulator/control/client';

// ---- the simulator (worker thread) ------------------------------------------------------------

interface SimData {
  role: 'routing-bench-simulator';
  scale: number;
  webhookUrl: string;
}

interface SimReady {
  url: string;
  apiBaseUrl: string;
  apiKey: string;
  controlKey: string;
  publicKey: string;
  connectionId: string;
  credentialConnectionId: string;
}

const runSimulator = async (data: SimData): Promise<void> => {
  const sim = await createSimulator({ scale: data.scale, webhookUrl: data.webhookUrl, seed: 1234, logLevel: 'silent', webhooks: { concurrency: 64 }, recordingMaxAudioSecs: 1 });
  const ready: SimReady = {
    url: sim.url,
    apiBaseUrl: sim.apiBaseUrl,
    apiKey: sim.apiKey,
    controlKey: sim.controlKey,
    publicKey: sim.publicKeyBase64,
    connectionId: sim.options.connectionId,
    credentialConnectionId: sim.options.credentialConnectionId,
  };
  parentPort?.postMessage(ready);
  parentPort?.on('message', (message: unknown) => {
    if (message === 'stop') void sim.close().then(() => parentPort?.postMessage('stopped'));
  });
};

// ---- the webhook intake (worker thread) -------------------------------------------------------

interface IntakeData {
  role: 'routing-bench-intake';
  dir: string;
  publicKey: string;
}

/** Absolute time in ms, comparable across threads (each thread's performance.now() has its own origin). */
const nowAbs = (): number => performance.timeOrigin + performance.now();

const runIntake = async (data: IntakeData): Promise<void> => {
  const store = new SqliteEventStore({ dataDir: data.dir, logger: silent });
  const router = createWebhookRouter({ eventStore: store, publicKey: data.publicKey, logger: silent });
  let arrivals: Array<[string, number]> = [];
  const app = express();
  app.use((_req, res, next) => {
    const at = nowAbs();
    const json = res.json.bind(res);
    res.json = (body: { webhookId?: unknown }) => {
      if (typeof body?.webhookId === 'string') arrivals.push([body.webhookId, at]);
      return json(body);
    };
    next();
  });
  app.use(router);
  const flush = setInterval(() => {
    if (arrivals.length === 0) return;
    parentPort?.postMessage({ arrivals });
    arrivals = [];
  }, 10);
  const server = app.listen(0, '127.0.0.1', () => parentPort?.postMessage({ port: (server.address() as AddressInfo).port }));
  parentPort?.on('message', (message: unknown) => {
    if (message !== 'stop') return;
    clearInterval(flush);
    server.close();
    server.closeAllConnections();
    void store.close().then(() => parentPort?.postMessage({ stopped: true }));
  });
};

// ---- the product (main thread) ----------------------------------------------------------------

interface Config {
  rate: number;
  calls: number;
  agents: number;
  scale: number;
  talkS: number;
  patienceS: number;
  warmupS: number;
  intake: 'thread' | 'inline';
}

const envNumber = (name: string, fallback: number): number => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name} must be a positive number, got '${value}'`);
  return parsed;
};

const readConfig = (): Config => ({
  rate: envNumber('BENCH_ROUTING_RATE', 100),
  calls: envNumber('BENCH_ROUTING_CALLS', 4000),
  agents: envNumber('BENCH_ROUTING_AGENTS', 300),
  scale: envNumber('BENCH_ROUTING_SCALE', 10),
  talkS: envNumber('BENCH_ROUTING_TALK_S', 60),
  patienceS: envNumber('BENCH_ROUTING_PATIENCE_S', 90),
  warmupS: envNumber('BENCH_ROUTING_WARMUP_S', 5),
  intake: process.env.BENCH_ROUTING_INTAKE === 'thread' ? 'thread' : 'inline',
});

const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
type Histogram = ReturnType<typeof histogram>;
const ms = (h: Histogram, percentile: number): number => Math.round(h.getValueAtPercentile(percentile) / 10) / 100;

interface RunResult {
  mode: 'reactor' | 'baseline';
  routing: { samples: number; p50Ms: number; p99Ms: number; maxMs: number };
  webhookToCommand: { samples: number; p50Ms: number; p99Ms: number; maxMs: number };
  concurrentCalls: { mean: number; peak: number };
  cpuMsPerSecond: number;
  cpuMsPerSecondPerConcurrentCall: number;
  heapMbPeak: number;
  rssMbPeak: number;
  memoryKbPerConcurrentCall: number;
  measuredSeconds: number;
  /** Event-loop figures of the thread running the reactor (or the reading-only baseline). */
  loop: { utilization: number; delayP50Ms: number; delayP99Ms: number };
  eventsPerSecond: number;
  callsPlaced: number;
  outcomes?: Record<string, number>;
  dispatcher?: unknown;
}

const summary = (h: Histogram) => ({ samples: h.totalCount, p50Ms: ms(h, 50), p99Ms: ms(h, 99), maxMs: Math.round(h.maxValue / 10) / 100 });

const startSimulatorWorker = (data: SimData): Promise<{ worker: Worker; ready: SimReady }> =>
  new Promise((resolvePromise, reject) => {
    const worker = new Worker(__filename, { workerData: data });
    worker.once('message', (ready: SimReady) => resolvePromise({ worker, ready }));
    worker.once('error', reject);
  });

const stopSimulatorWorker = (worker: Worker): Promise<void> =>
  new Promise((resolvePromise) => {
    worker.once('message', () => void worker.terminate().then(() => resolvePromise()));
    worker.postMessage('stop');
  });

const silent = pino({ level: 'silent' });

let stopBaseline: (() => void) | null = null;

interface Intake {
  port: number;
  /** When each webhook reached the intake, by webhook id (absolute ms). */
  arrivals: Map<string, number>;
  stop(): Promise<void>;
}

const startIntake = async (where: 'thread' | 'inline', store: SqliteEventStore, dir: string, publicKey: string): Promise<Intake> => {
  const arrivals = new Map<string, number>();
  if (where === 'inline') {
    const app = express();
    app.use((_req, res, next) => {
      const at = nowAbs();
      const json = res.json.bind(res);
      res.json = (body: { webhookId?: unknown }) => {
        if (typeof body?.webhookId === 'string') arrivals.set(body.webhookId, at);
        return json(body);
      };
      next();
    });
    app.use(createWebhookRouter({ eventStore: store, publicKey, logger: silent }));
    const server = await new Promise<ReturnType<typeof app.listen>>((resolvePromise) => {
      const listening = app.listen(0, '127.0.0.1', () => resolvePromise(listening));
    });
    return {
      port: (server.address() as AddressInfo).port,
      arrivals,
      stop: () =>
        new Promise<void>((resolvePromise) => {
          server.close(() => resolvePromise());
          server.closeAllConnections();
        }),
    };
  }
  const intakeWorker = new Worker(__filename, { workerData: { role: 'routing-bench-intake', dir, publicKey } satisfies IntakeData });
  const port = await new Promise<number>((resolvePromise, reject) => {
    intakeWorker.on('message', (message: { port?: number; arrivals?: Array<[string, number]> }) => {
      if (message.port !== undefined) resolvePromise(message.port);
      for (const [id, at] of message.arrivals ?? []) arrivals.set(id, at);
    });
    intakeWorker.once('error', reject);
  });
  return {
    port,
    arrivals,
    stop: () =>
      new Promise<void>((resolvePromise) => {
        intakeWorker.on('message', (message: { stopped?: boolean }) => {
          if (message.stopped) void intakeWorker.terminate().then(() => resolvePromise());
        });
        intakeWorker.postMessage('stop');
      }),
  };
};

const runOnce = async (mode: 'reactor' | 'baseline', config: Config): Promise<RunResult> => {
  const dir = mkdtempSync(join(tmpdir(), `callstream-bench-routing-${mode}-`));
  // With the intake on another thread, this thread's subscriptions notice its appends by polling.
  const store = new SqliteEventStore({ dataDir: dir, logger: silent, pollIntervalMs: 2 });
  const readModels = new SqliteReadModelStore({ dataDir: dir, logger: silent });

  // The simulator runs on its own thread. The webhook intake runs on its own thread too (the layout of a
  // reactor process beside API nodes), or inline with the reactor (BENCH_ROUTING_INTAKE=inline, the layout
  // of npm start, where both share one store and so one group commit).
  const { worker, ready } = await startSimulatorWorker({ role: 'routing-bench-simulator', scale: config.scale, webhookUrl: 'http://127.0.0.1:1/unset' });
  const intake = await startIntake(config.intake, store, dir, ready.publicKey);
  const arrivals = intake.arrivals;
  const intakePort = intake.port;
  const sim = new SimulatorClient(ready.url, ready.controlKey);
  await sim.setWebhookUrls({ webhookUrl: `http://127.0.0.1:${intakePort}/webhooks/telnyx` });
  const snapshot = await sim.clock();
  const clock = scaledClock(config.scale, { simBaseMs: snapshot.simBaseMs, realBaseMs: snapshot.realBaseMs });
  const telnyx = new SdkTelnyxAdapter(
    loadTelnyxConfig({
      TELNYX_BASE_URL: ready.apiBaseUrl,
      TELNYX_API_KEY: ready.apiKey,
      TELNYX_PUBLIC_KEY: ready.publicKey,
      TELNYX_CONNECTION_ID: ready.connectionId,
      TELNYX_CREDENTIAL_CONNECTION_ID: ready.credentialConnectionId,
      SIM_SCALE: String(config.scale),
    }),
    { logger: silent },
  );

  const routing = histogram();
  const webhookToCommand = histogram();
  let measuring = false;
  const opportunities: number[] = [];
  // The first command sent for each cause (a webhook id, for decisions on webhooks), joined with the
  // intake's arrival times once the run is over: the intake reports them in batches.
  const firstCommand = new Map<string, number>();

  let reactor: Reactor | null = null;
  let baselineLoop: Promise<void> | null = null;
  const configuration = new ConfigurationView(store, silent);
  const control = new CallControlService({ eventStore: store, config: () => configuration.current(), clock });
  if (mode === 'reactor') {
    reactor = new Reactor({
      eventStore: store,
      readModels,
      telnyx,
      recordings: new FileRecordingStore({ dataDir: dir }),
      clock,
      crm: embeddedCrm(),
      logger: silent,
      checkpointIntervalMs: 1000,
      metrics: {
        // An agent comes free while calls wait: a routing opportunity, answered by the next offer's dial.
        agentRoutable: (_agentId, at, callsWaiting) => {
          if (callsWaiting > 0) opportunities.push(performance.timeOrigin + at);
        },
        commandSent: (command, sentAt) => {
          const at = performance.timeOrigin + sentAt;
          if (!measuring) return;
          if (command.command.action === 'dial' && decodeClientState(command.command.params.client_state)?.offerId) {
            for (const since of opportunities) routing.recordValue(Math.max(1, Math.round((at - since) * 100)));
            opportunities.length = 0;
          }
          if (!firstCommand.has(command.causeId)) firstCommand.set(command.causeId, at);
        },
      },
    });
    reactor.start();
    await reactor.whenActive();
  } else {
    // The same pipeline with a reactor that acts on nothing: it seeds the configuration and reads every event.
    const seeding = new Reactor({ eventStore: store, readModels, telnyx, recordings: new FileRecordingStore({ dataDir: dir }), clock, logger: silent });
    seeding.start();
    await seeding.whenActive();
    await seeding.stop();
    const subscription = store.subscribeToAll({ fromPosition: 'end' });
    baselineLoop = (async () => {
      for await (const event of subscription) {
        if (!measuring || event.type !== 'TelnyxWebhookReceived') continue;
        firstCommand.set((event.data as { webhookId: string }).webhookId, nowAbs());
      }
    })();
    stopBaseline = () => void subscription.close();
  }
  await configuration.start();

  // 300 agents who can take sales calls, with simulated phones that answer after about two seconds.
  const ctx = (actor: string) => ({ actor, requestId: `bench-${actor}-${Math.random().toString(36).slice(2)}` });
  for (let i = 0; i < config.agents; i++) {
    const agentId = `bench${String(i + 1).padStart(3, '0')}`;
    const sipUsername = `gencred${agentId}`;
    await control.configure(
      {
        type: 'ConfigureAgentProfile',
        data: { agent: { agentId, name: agentId, skills: [{ skill: 'sales', level: 5 }], languages: ['en'], departments: ['sales'], maxNoAnswer: 5, wrapUpSeconds: 5, mayCallOut: false, supervisor: false } },
      },
      ctx('admin'),
    );
    await sim.registerPhone(sipUsername, { onRing: 'answer', answerAfterMs: 1000 + (i % 7) * 300 });
  }
  const queued = await control.configure(
    {
      type: 'ConfigureQueue',
      data: { queue: { ...configuration.current().queues.sales, maxWaitSeconds: 1800, announcementIntervalSeconds: 60, recordPolicy: 'never' } },
    },
    ctx('admin'),
  );
  if (queued.position !== null) await configuration.waitFor(queued.position);
  for (let i = 0; i < config.agents; i++) {
    const agentId = `bench${String(i + 1).padStart(3, '0')}`;
    await control.logIn({ agentId }, ctx(agentId));
    await control.registerDevice({ agentId, credentialId: `cred-${agentId}`, sipUsername: `gencred${agentId}` }, ctx(agentId));
  }
  if (reactor) await reactor.settled(60_000);

  // Callers at `rate` per real second: ratePerMinute counts simulated minutes.
  await sim.startArrivals({
    ratePerMinute: (config.rate * 60) / config.scale,
    maxCallers: config.calls,
    template: { ivr: ['1', '1'], thinkMs: 500 },
    patienceMeanMs: config.patienceS * 1000,
    talkMeanMs: config.talkS * 1000,
  });
  const started = performance.now();
  const arrivalSeconds = config.calls / config.rate;
  await new Promise((resolvePromise) => setTimeout(resolvePromise, config.warmupS * 1000));

  measuring = true;
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const loopBefore = performance.eventLoopUtilization();
  const headBefore = await store.headPosition();
  const cpuBefore = process.cpuUsage();
  const measureStart = performance.now();
  const concurrency: number[] = [];
  let heapPeak = 0;
  let rssPeak = 0;
  const heapBaseline = process.memoryUsage().heapUsed;
  while (performance.now() - started < arrivalSeconds * 1000) {
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 1000));
    const world = await sim.world();
    concurrency.push(world.activeCallers);
    const memory = process.memoryUsage();
    heapPeak = Math.max(heapPeak, memory.heapUsed);
    rssPeak = Math.max(rssPeak, memory.rss);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const measuredSeconds = (performance.now() - measureStart) / 1000;
  measuring = false;
  lag.disable();
  const loop = performance.eventLoopUtilization(loopBefore);
  const eventsPerSecond = Math.round(Number((await store.headPosition()) - headBefore) / measuredSeconds);
  await sim.stopArrivals();

  await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  for (const [cause, at] of firstCommand) {
    const arrived = arrivals.get(cause);
    if (arrived !== undefined && at >= arrived) webhookToCommand.recordValue(Math.max(1, Math.round((at - arrived) * 100)));
  }
  const meanConcurrent = concurrency.length > 0 ? concurrency.reduce((a, b) => a + b, 0) / concurrency.length : 0;
  const cpuMsPerSecond = (cpu.user + cpu.system) / 1000 / measuredSeconds;
  const outcomes: Record<string, number> = {};
  if (reactor) {
    for (const event of await store.readAll({ fromPosition: 'start', maxCount: 1_000_000, filter: { eventTypePrefixes: ['CallEnded'] } })) {
      const outcome = (event.data as { outcome: string }).outcome;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
  }
  const result: RunResult = {
    mode,
    routing: summary(routing),
    webhookToCommand: summary(webhookToCommand),
    concurrentCalls: { mean: Math.round(meanConcurrent), peak: Math.max(0, ...concurrency) },
    cpuMsPerSecond: Math.round(cpuMsPerSecond),
    cpuMsPerSecondPerConcurrentCall: meanConcurrent > 0 ? Math.round((cpuMsPerSecond / meanConcurrent) * 1000) / 1000 : 0,
    heapMbPeak: Math.round(heapPeak / 1_048_576),
    rssMbPeak: Math.round(rssPeak / 1_048_576),
    memoryKbPerConcurrentCall: meanConcurrent > 0 ? Math.round((heapPeak - heapBaseline) / 1024 / Math.max(1, Math.max(...concurrency))) : 0,
    measuredSeconds: Math.round(measuredSeconds * 10) / 10,
    loop: { utilization: Math.round(loop.utilization * 100) / 100, delayP50Ms: Math.round(lag.percentile(50) / 1e5) / 10, delayP99Ms: Math.round(lag.percentile(99) / 1e5) / 10 },
    eventsPerSecond,
    callsPlaced: (await sim.counters()).world.callersPlaced ?? 0,
    ...(reactor ? { outcomes, dispatcher: reactor.status().dispatcher } : {}),
  };

  await reactor?.stop();
  stopBaseline?.();
  await baselineLoop;
  stopBaseline = null;
  await configuration.stop();
  await stopSimulatorWorker(worker);
  await intake.stop();
  await readModels.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return result;
};

const ratio = (value: number, base: number): string => (base > 0 ? (value / base).toFixed(2) : '');

export const main = async (): Promise<void> => {
  const config = readConfig();
  const loadBefore = loadavg();
  console.log(`routing bench: ${config.calls} callers at ${config.rate}/s, ${config.agents} agents, simulator scale ${config.scale}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  console.log('baseline run (a reactor that only reads)...');
  const baseline = await runOnce('baseline', config);
  console.log('reactor run...');
  const withReactor = await runOnce('reactor', config);

  const results = {
    benchmark: 'routing',
    date: new Date().toISOString(),
    node: process.version,
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadavg(),
    config,
    reactor: withReactor,
    baseline,
    targets: {
      routingP99Ms: 20,
      webhookToCommandP99Ms: 30,
      routingMet: withReactor.routing.samples > 0 && withReactor.routing.p99Ms <= 20,
      webhookToCommandMet: withReactor.webhookToCommand.samples > 0 && withReactor.webhookToCommand.p99Ms <= 30,
    },
  };

  const rows: Array<Array<string | number>> = [
    ['agent available → offer dial sent, p50 (ms)', withReactor.routing.p50Ms, '', ''],
    ['agent available → offer dial sent, p99 (ms)', withReactor.routing.p99Ms, '', ''],
    ['  samples', withReactor.routing.samples, '', ''],
    ['webhook arrival → command sent, p50 (ms)', withReactor.webhookToCommand.p50Ms, baseline.webhookToCommand.p50Ms, ratio(withReactor.webhookToCommand.p50Ms, baseline.webhookToCommand.p50Ms)],
    ['webhook arrival → command sent, p99 (ms)', withReactor.webhookToCommand.p99Ms, baseline.webhookToCommand.p99Ms, ratio(withReactor.webhookToCommand.p99Ms, baseline.webhookToCommand.p99Ms)],
    ['  samples', withReactor.webhookToCommand.samples, baseline.webhookToCommand.samples, ''],
    ['reactor thread: event loop busy', `${Math.round(withReactor.loop.utilization * 100)} %`, `${Math.round(baseline.loop.utilization * 100)} %`, ''],
    ['reactor thread: loop delay p50 / p99 (ms)', `${withReactor.loop.delayP50Ms} / ${withReactor.loop.delayP99Ms}`, `${baseline.loop.delayP50Ms} / ${baseline.loop.delayP99Ms}`, ''],
    ['events stored per second', withReactor.eventsPerSecond, baseline.eventsPerSecond, ''],
    ['concurrent calls, mean / peak', `${withReactor.concurrentCalls.mean} / ${withReactor.concurrentCalls.peak}`, `${baseline.concurrentCalls.mean} / ${baseline.concurrentCalls.peak}`, ''],
    ['CPU, all threads incl. simulator (ms per s)', withReactor.cpuMsPerSecond, baseline.cpuMsPerSecond, ratio(withReactor.cpuMsPerSecond, baseline.cpuMsPerSecond)],
    ['  per concurrent call (ms per s)', withReactor.cpuMsPerSecondPerConcurrentCall, baseline.cpuMsPerSecondPerConcurrentCall, ratio(withReactor.cpuMsPerSecondPerConcurrentCall, baseline.cpuMsPerSecondPerConcurrentCall)],
    ['reactor thread heap per concurrent call (KB)', withReactor.memoryKbPerConcurrentCall, baseline.memoryKbPerConcurrentCall, ratio(withReactor.memoryKbPerConcurrentCall, baseline.memoryKbPerConcurrentCall)],
    ['heap / RSS peak (MB)', `${withReactor.heapMbPeak} / ${withReactor.rssMbPeak}`, `${baseline.heapMbPeak} / ${baseline.rssMbPeak}`, ''],
    ['callers placed', withReactor.callsPlaced, baseline.callsPlaced, ''],
  ];
  const widths = [46, 14, 14, 7];
  const line = (cells: Array<string | number>): string => cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join(' | ');
  console.log('');
  console.log(`reactor vs a reading-only reactor, ${results.cores} cores, Node ${results.node}, ${results.cpu}`);
  console.log(line(['', 'reactor', 'baseline', 'ratio']));
  console.log(widths.map((w) => '-'.repeat(w)).join('-+-'));
  for (const row of rows) console.log(line(row));
  console.log('');
  console.log(`outcomes: ${JSON.stringify(withReactor.outcomes)}`);
  const verdict = (met: boolean): string => (met ? 'met' : 'missed');
  console.log(`targets: routing p99 <= 20 ms ${verdict(results.targets.routingMet)}; webhook → command p99 <= 30 ms ${verdict(results.targets.webhookToCommandMet)}`);
  const outDir = resolve(__dirname, '..', '..', '..', 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'routing.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${join(outDir, 'routing.json')}`);
};

const isIntakeData = (data: unknown): data is IntakeData => typeof data === 'object' && data !== null && (data as { role?: unknown }).role === 'routing-bench-intake';

const isSimData = (data: unknown): data is SimData => typeof data === 'object' && data !== null && (data as { role?: unknown }).role === 'routing-bench-simulator';

if (!isMainThread && isSimData(workerData)) {
  void runSimulator(workerData);
} else if (!isMainThread && isIntakeData(workerData)) {
  void runIntake(workerData);
} else if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
