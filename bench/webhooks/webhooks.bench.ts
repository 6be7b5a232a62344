/**
 * Webhook intake benchmark: signed Telnyx webhooks over loopback HTTP into the intake on the real
 * SQLite event store, beside a baseline of the same express server answering 200 without
 * verification or append, both measured in the same run.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/webhooks/webhooks.bench.js
 *
 * The server runs in a worker thread and autocannon in the main thread, so each has its own event
 * loop (and core). Environment: BENCH_WEBHOOKS_AMOUNT (requests in the throughput run, default
 * 60000), BENCH_WEBHOOKS_CONNECTIONS (64), BENCH_WEBHOOKS_RATE (1000), BENCH_WEBHOOKS_RATE_SECONDS
 * (10), BENCH_WEBHOOKS_CALLS (calls the webhooks are spread over, default amount / 10),
 * BENCH_WEBHOOKS_LOG (server log level, default info, written to a file in the temp dir).
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';
import express from 'express';
import * as hdr from 'hdr-histogram-js';
import pino from 'pino';
import { SqliteEventStore } from '../../api/infrastructure/eventStore/sqlite/sqliteEventStore';
import { createWebhookRouter, DEFAULT_MAX_BODY_BYTES } from '../../api/webhooks/webhookRouter';
import { generateTelnyxKeys, signWebhook, unixSeconds } from '../../test/support/telnyxSigning';

// ---- server (worker thread) -------------------------------------------------------------------

interface ServerData {
  role: 'webhook-bench-server';
  dir: string;
  publicKey: string;
  logLevel: string;
}

interface ServerStats {
  events: number;
  /** Write transactions (each one fsync) the store has committed. */
  commits: number;
  /** Share of wall time the server's event loop was busy since the previous stats request. */
  loopBusy: number;
  intake: unknown;
  store: unknown;
}

const startServer = async (data: ServerData): Promise<void> => {
  const logger = pino({ name: 'webhook-bench', level: data.logLevel }, pino.destination({ dest: join(data.dir, 'server.log'), sync: false, minLength: 8 * 1024 }));
  const store = new SqliteEventStore({ dataDir: data.dir, logger });
  const router = createWebhookRouter({ eventStore: store, publicKey: data.publicKey, logger });
  const app = express();
  app.disable('x-powered-by');
  app.use(router);
  app.post('/baseline', express.raw({ type: () => true, limit: DEFAULT_MAX_BODY_BYTES }), (_req, res) => {
    res.status(200).json({ status: 'appended' });
  });
  let loopMark = performance.eventLoopUtilization();
  app.get('/bench/stats', async (_req, res) => {
    const loop = performance.eventLoopUtilization(loopMark);
    loopMark = performance.eventLoopUtilization();
    const stats: ServerStats = { events: Number(await store.headPosition()), commits: store.metrics.commits, loopBusy: Math.round(loop.utilization * 100) / 100, intake: router.intake.stats(), store: store.metrics };
    res.json(stats);
  });
  const server = app.listen(0, '127.0.0.1', () => parentPort?.postMessage({ port: (server.address() as AddressInfo).port }));
  parentPort?.on('message', (message: unknown) => {
    if (message !== 'stop') return;
    server.close();
    server.closeAllConnections();
    void store.close().then(() => {
      logger.flush();
      parentPort?.postMessage({ stopped: true });
    });
  });
};

// ---- load (main thread) -----------------------------------------------------------------------

interface Config {
  amount: number;
  connections: number;
  rate: number;
  rateSeconds: number;
  calls: number;
  logLevel: string;
}

const envInt = (name: string, fallback: number): number => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`${name} must be a positive integer, got '${value}'`);
  return parsed;
};

const readConfig = (): Config => {
  const amount = envInt('BENCH_WEBHOOKS_AMOUNT', 60_000);
  return {
    amount,
    connections: envInt('BENCH_WEBHOOKS_CONNECTIONS', 64),
    rate: envInt('BENCH_WEBHOOKS_RATE', 1000),
    rateSeconds: envInt('BENCH_WEBHOOKS_RATE_SECONDS', 10),
    calls: envInt('BENCH_WEBHOOKS_CALLS', Math.max(1, Math.floor(amount / 10))),
    logLevel: process.env.BENCH_WEBHOOKS_LOG ?? 'info',
  };
};

interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

const CALL_STEPS: Array<[string, Record<string, unknown>]> = [
  ['call.initiated', { from: '+15551230000', to: '+15559870000', direction: 'incoming', state: 'parked' }],
  ['call.answered', {}],
  ['call.speak.started', {}],
  ['call.speak.ended', { status: 'completed' }],
  ['call.gather.ended', { digits: '2', status: 'valid' }],
  ['call.enqueued', { queue: 'support', current_position: 1 }],
  ['call.dequeued', { queue: 'support', reason: 'bridged' }],
  ['call.bridged', {}],
  ['call.recording.saved', { channels: 'dual', recording_urls: { mp3: 'https://recordings.example.com/r.mp3', wav: null } }],
  ['call.hangup', { hangup_cause: 'normal_clearing', hangup_source: 'caller', sip_hangup_cause: 'unspecified' }],
];

/**
 * `count` distinct signed webhooks spread over `calls` call sessions, interleaved the way many
 * concurrent calls interleave: request k belongs to call k % calls, and each call's webhooks come in order.
 */
const signPool = (privateKey: KeyObject, count: number, calls: number, path: string): SignedRequest[] => {
  const sessions = Array.from({ length: calls }, () => randomUUID());
  const timestamp = String(unixSeconds());
  return Array.from({ length: count }, (_, k) => {
    const session = sessions[k % calls];
    const step = Math.floor(k / calls);
    const [eventType, extra] = CALL_STEPS[step % CALL_STEPS.length];
    const body = JSON.stringify({
      data: {
        record_type: 'event',
        id: randomUUID(),
        event_type: eventType,
        occurred_at: new Date(Date.UTC(2026, 0, 1, 12, 0, step % 60)).toISOString(),
        payload: {
          call_control_id: `v3:${session}`,
          call_leg_id: session,
          call_session_id: session,
          client_state: null,
          connection_id: '2000000000000000001',
          ...extra,
        },
      },
      meta: { attempt: 1, delivered_to: `http://127.0.0.1${path}` },
    });
    return { body, headers: { 'content-type': 'application/json', 'telnyx-timestamp': timestamp, 'telnyx-signature-ed25519': signWebhook(privateKey, body, timestamp) } };
  });
};

/**
 * Hands out pool entries in order (autocannon builds one request per call) and notes when the
 * first request was built and the last response came: autocannon only notices the end of a run at
 * its next one-second sample, so its own duration rounds up to a whole second.
 */
const rotating = (pool: SignedRequest[], path: string) => {
  let next = 0;
  const timing = { first: 0, last: 0, responses: 0 };
  const requests = [
    {
      method: 'POST',
      path,
      setupRequest: (request: Record<string, unknown>) => {
        if (next >= pool.length) throw new Error('the pool of signed webhooks ran out; raise its size');
        if (next === 0) timing.first = performance.now();
        const entry = pool[next++];
        return { ...request, method: 'POST', path, headers: entry.headers, body: entry.body };
      },
      onResponse: () => {
        timing.responses += 1;
        timing.last = performance.now();
      },
    },
  ];
  return { requests, timing };
};

interface Measurement {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Share of the run the server's event loop was busy. */
  serverLoopBusy: number;
  /** Events the store gained during the run. */
  storedEvents: number;
  /** CPU of the whole process (load generator and server) per request, in µs. */
  cpuMicrosPerRequest: number;
  /** Events per store commit (group commit at work; 0 when nothing was stored). */
  eventsPerCommit: number;
}

const perCommit = (before: ServerStats, after: ServerStats): number => {
  const commits = after.commits - before.commits;
  return commits === 0 ? 0 : Math.round(((after.events - before.events) / commits) * 10) / 10;
};

const cpuMicros = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return used.user + used.system;
};

const measure = (result: autocannon.AutocannonResult, seconds: number, before: ServerStats, after: ServerStats, cpu: number): Measurement => ({
  requests: result.requests.total,
  ok: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors + result.timeouts,
  seconds: Math.round(seconds * 1000) / 1000,
  perSecond: Math.round(result['2xx'] / seconds),
  p50Ms: result.latency.p50,
  p90Ms: result.latency.p90,
  p99Ms: result.latency.p99,
  maxMs: result.latency.max,
  serverLoopBusy: after.loopBusy,
  storedEvents: after.events - before.events,
  cpuMicrosPerRequest: Math.round(cpu / Math.max(1, result.requests.total)),
  eventsPerCommit: perCommit(before, after),
});

const fetchStats = async (url: string): Promise<ServerStats> => (await fetch(`${url}/bench/stats`)).json() as Promise<ServerStats>;

const run = async (url: string, pool: SignedRequest[], path: string, options: { connections: number; amount: number; overallRate?: number }): Promise<Measurement> => {
  const before = await fetchStats(url);
  const cpu = process.cpuUsage();
  const { requests, timing } = rotating(pool, path);
  const result = await autocannon({ url, connections: options.connections, amount: options.amount, overallRate: options.overallRate, timeout: 30, requests });
  const used = cpuMicros(cpu);
  return measure(result, (timing.last - timing.first) / 1000, before, await fetchStats(url), used);
};

const ratio = (value: number, base: number): number => (base === 0 ? 0 : Math.round((value / base) * 100) / 100);

/**
 * An open-loop load at a steady rate: request i is due at start + i/rate and its latency counts
 * from that moment, so a stalled server (or a stalled load generator) shows up in the figures.
 * autocannon's overallRate instead lets each connection send its whole per-second quota back to
 * back at the top of every second, which measures how fast a burst drains.
 */
const paced = async (url: string, pool: SignedRequest[], path: string, rate: number, seconds: number): Promise<Measurement & { lateSendP99Ms: number }> => {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const latency = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
  const lateness = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
  const total = rate * seconds;
  const intervalMs = 1000 / rate;
  let sent = 0;
  let settled = 0;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  const before = await fetchStats(url);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await new Promise<void>((resolveRun) => {
    const settle = (dueAt: number, status: number | undefined): void => {
      latency.recordValue(Math.max(1, Math.round((performance.now() - dueAt) * 1000)));
      if (status === undefined) errors += 1;
      else if (status >= 200 && status < 300) ok += 1;
      else non2xx += 1;
      settled += 1;
      if (settled === total) resolveRun();
    };
    const send = (index: number): void => {
      const dueAt = started + index * intervalMs;
      lateness.recordValue(Math.max(1, Math.round((performance.now() - dueAt) * 1000)));
      const entry = pool[index];
      const outgoing = request(
        { agent, host: target.hostname, port: target.port, method: 'POST', path, headers: { ...entry.headers, 'content-length': String(Buffer.byteLength(entry.body)) } },
        (response) => {
          response.resume();
          response.on('end', () => settle(dueAt, response.statusCode));
          response.on('error', () => settle(dueAt, undefined));
        },
      );
      outgoing.on('error', () => settle(dueAt, undefined));
      outgoing.end(entry.body);
    };
    const tick = (): void => {
      const due = Math.min(total, Math.floor((performance.now() - started) / intervalMs) + 1);
      while (sent < due) send(sent++);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const elapsed = (performance.now() - started) / 1000;
  const cpuUsed = cpuMicros(cpu);
  agent.destroy();
  const after = await fetchStats(url);
  const ms = (micros: number): number => Math.round(micros / 10) / 100;
  return {
    requests: total,
    ok,
    non2xx,
    errors,
    seconds: Math.round(elapsed * 1000) / 1000,
    perSecond: Math.round(ok / elapsed),
    p50Ms: ms(latency.getValueAtPercentile(50)),
    p90Ms: ms(latency.getValueAtPercentile(90)),
    p99Ms: ms(latency.getValueAtPercentile(99)),
    maxMs: ms(latency.maxValue),
    serverLoopBusy: after.loopBusy,
    storedEvents: after.events - before.events,
    cpuMicrosPerRequest: Math.round(cpuUsed / total),
    eventsPerCommit: perCommit(before, after),
    lateSendP99Ms: ms(lateness.getValueAtPercentile(99)),
  };
};

const spin = (iterations: number): number => {
  let sum = 0;
  for (let i = 0; i < iterations; i += 1) sum = (sum + i * i) % 1_000_003;
  return sum;
};

/**
 * How many cores' worth of CPU two busy threads really get here (2.0 on two idle cores). The
 * figures below depend on it more than on the reported core count.
 */
const parallelSpeedup = async (): Promise<number> => {
  const iterations = 100_000_000;
  const alone = performance.now();
  spin(iterations);
  const aloneMs = performance.now() - alone;
  const together = performance.now();
  const worker = new Worker(__filename, { workerData: { role: 'webhook-bench-spin', iterations } });
  spin(iterations);
  await new Promise((resolveExit) => worker.once('exit', resolveExit));
  const togetherMs = performance.now() - together;
  return Math.round(((2 * aloneMs) / togetherMs) * 100) / 100;
};

const startWorker = async (data: ServerData): Promise<{ worker: Worker; url: string }> => {
  const worker = new Worker(__filename, { workerData: data });
  const port = await new Promise<number>((resolvePort, reject) => {
    worker.once('message', (message: { port: number }) => resolvePort(message.port));
    worker.once('error', reject);
  });
  return { worker, url: `http://127.0.0.1:${port}` };
};

const stopWorker = async (worker: Worker): Promise<void> => {
  await new Promise<void>((resolveStop) => {
    worker.on('message', (message: { stopped?: boolean }) => {
      if (message.stopped) resolveStop();
    });
    worker.postMessage('stop');
  });
  await worker.terminate();
};

export const main = async (): Promise<void> => {
  const config = readConfig();
  const dir = mkdtempSync(join(tmpdir(), 'callstream-bench-webhooks-'));
  const keys = generateTelnyxKeys();
  const intakePath = '/webhooks/telnyx';
  const steadyAmount = config.rate * config.rateSeconds;
  const warmup = Math.min(5000, config.amount);
  const slack = config.connections * 2 + 100;

  console.log(`signing ${(warmup + config.amount + steadyAmount * 2) * 2 + slack * 6} webhooks...`);
  const pools = {
    warmIntake: signPool(keys.privateKey, warmup + slack, Math.max(1, Math.floor(warmup / 10)), intakePath),
    warmBaseline: signPool(keys.privateKey, warmup + slack, Math.max(1, Math.floor(warmup / 10)), '/baseline'),
    maxIntake: signPool(keys.privateKey, config.amount + slack, config.calls, intakePath),
    maxBaseline: signPool(keys.privateKey, config.amount + slack, config.calls, '/baseline'),
    steadyIntake: signPool(keys.privateKey, steadyAmount + slack, Math.max(1, Math.floor(steadyAmount / 10)), intakePath),
    steadyBaseline: signPool(keys.privateKey, steadyAmount + slack, Math.max(1, Math.floor(steadyAmount / 10)), '/baseline'),
    pacedIntake: signPool(keys.privateKey, steadyAmount, Math.max(1, Math.floor(steadyAmount / 10)), intakePath),
    pacedBaseline: signPool(keys.privateKey, steadyAmount, Math.max(1, Math.floor(steadyAmount / 10)), '/baseline'),
  };

  const loadBefore = loadavg();
  const speedup = await parallelSpeedup();
  console.log(`two busy threads get ${speedup} cores' worth of CPU here; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  const { worker, url } = await startWorker({ role: 'webhook-bench-server', dir, publicKey: keys.publicKeyBase64, logLevel: config.logLevel });
  try {
    console.log('warming up...');
    await run(url, pools.warmBaseline, '/baseline', { connections: config.connections, amount: warmup });
    await run(url, pools.warmIntake, intakePath, { connections: config.connections, amount: warmup });

    console.log(`max throughput: ${config.amount} requests, ${config.connections} connections...`);
    const maxBaseline = await run(url, pools.maxBaseline, '/baseline', { connections: config.connections, amount: config.amount });
    const maxIntake = await run(url, pools.maxIntake, intakePath, { connections: config.connections, amount: config.amount });

    console.log(`steady rate: ${config.rate}/s for ${config.rateSeconds} s...`);
    const steadyConnections = Math.min(config.connections, 32);
    const steadyBaseline = await run(url, pools.steadyBaseline, '/baseline', { connections: steadyConnections, amount: steadyAmount, overallRate: config.rate });
    const steadyIntake = await run(url, pools.steadyIntake, intakePath, { connections: steadyConnections, amount: steadyAmount, overallRate: config.rate });
    console.log(`paced open-loop rate: ${config.rate}/s for ${config.rateSeconds} s...`);
    const pacedBaseline = await paced(url, pools.pacedBaseline, '/baseline', config.rate, config.rateSeconds);
    const pacedIntake = await paced(url, pools.pacedIntake, intakePath, config.rate, config.rateSeconds);
    const afterSteady = await fetchStats(url);

    const appendedInMaxRun = maxIntake.storedEvents;
    const results = {
      benchmark: 'webhooks',
      date: new Date().toISOString(),
      node: process.version,
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      parallelSpeedup: speedup,
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadavg(),
      config: { ...config, steadyConnections, warmup },
      maxThroughput: {
        intake: maxIntake,
        baseline: maxBaseline,
        ratio: ratio(maxIntake.perSecond, maxBaseline.perSecond),
        storedEvents: appendedInMaxRun,
        everyAcknowledgedWebhookStored: appendedInMaxRun === maxIntake.ok,
      },
      steadyRate: {
        rate: config.rate,
        intake: steadyIntake,
        baseline: steadyBaseline,
        p50Ratio: ratio(steadyIntake.p50Ms, steadyBaseline.p50Ms),
        p99Ratio: ratio(steadyIntake.p99Ms, steadyBaseline.p99Ms),
        paced: {
          intake: pacedIntake,
          baseline: pacedBaseline,
          p50Ratio: ratio(pacedIntake.p50Ms, pacedBaseline.p50Ms),
          p99Ratio: ratio(pacedIntake.p99Ms, pacedBaseline.p99Ms),
        },
      },
      targets: {
        throughputPerSecond: 5000,
        p99MsAtRate: 20,
        throughputMet: maxIntake.perSecond >= 5000,
        p99MetAutocannon: steadyIntake.p99Ms <= 20,
        p99MetPaced: pacedIntake.p99Ms <= 20,
      },
      server: afterSteady,
    };

    const rows = [
      ['max throughput (webhooks/s)', maxIntake.perSecond, maxBaseline.perSecond, results.maxThroughput.ratio],
      ['  p50 / p99 latency at max (ms)', `${maxIntake.p50Ms} / ${maxIntake.p99Ms}`, `${maxBaseline.p50Ms} / ${maxBaseline.p99Ms}`, ''],
      ['  server event loop busy', `${Math.round(maxIntake.serverLoopBusy * 100)} %`, `${Math.round(maxBaseline.serverLoopBusy * 100)} %`, ''],
      ['  CPU per request, server + load (µs)', maxIntake.cpuMicrosPerRequest, maxBaseline.cpuMicrosPerRequest, ratio(maxIntake.cpuMicrosPerRequest, maxBaseline.cpuMicrosPerRequest)],
      ['  events per store commit (fsync)', maxIntake.eventsPerCommit, '', ''],
      ['  non-2xx / errors', `${maxIntake.non2xx} / ${maxIntake.errors}`, `${maxBaseline.non2xx} / ${maxBaseline.errors}`, ''],
      [`${config.rate}/s, autocannon overallRate:`, '', '', ''],
      ['  p50 latency (ms)', steadyIntake.p50Ms, steadyBaseline.p50Ms, results.steadyRate.p50Ratio],
      ['  p99 latency (ms)', steadyIntake.p99Ms, steadyBaseline.p99Ms, results.steadyRate.p99Ratio],
      ['  achieved rate (/s)', steadyIntake.perSecond, steadyBaseline.perSecond, ''],
      ['  events per store commit (fsync)', steadyIntake.eventsPerCommit, '', ''],
      ['  server event loop busy', `${Math.round(steadyIntake.serverLoopBusy * 100)} %`, `${Math.round(steadyBaseline.serverLoopBusy * 100)} %`, ''],
      [`${config.rate}/s, paced open loop:`, '', '', ''],
      ['  p50 latency (ms)', pacedIntake.p50Ms, pacedBaseline.p50Ms, results.steadyRate.paced.p50Ratio],
      ['  p99 latency (ms)', pacedIntake.p99Ms, pacedBaseline.p99Ms, results.steadyRate.paced.p99Ratio],
      ['  max latency (ms)', pacedIntake.maxMs, pacedBaseline.maxMs, ''],
      ['  achieved rate (/s)', pacedIntake.perSecond, pacedBaseline.perSecond, ''],
      ['  server event loop busy', `${Math.round(pacedIntake.serverLoopBusy * 100)} %`, `${Math.round(pacedBaseline.serverLoopBusy * 100)} %`, ''],
      ['  CPU per request, server + load (µs)', pacedIntake.cpuMicrosPerRequest, pacedBaseline.cpuMicrosPerRequest, ratio(pacedIntake.cpuMicrosPerRequest, pacedBaseline.cpuMicrosPerRequest)],
      ['  events per store commit (fsync)', pacedIntake.eventsPerCommit, '', ''],
      ['  p99 send lateness of the generator (ms)', pacedIntake.lateSendP99Ms, pacedBaseline.lateSendP99Ms, ''],
    ];
    const widths = [42, 16, 16, 8];
    const line = (cells: Array<string | number>): string => cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join(' | ');
    console.log('');
    console.log(`webhook intake on SQLite vs bare express, ${results.cores} cores (parallel speedup ${speedup}), Node ${results.node}, ${results.cpu}`);
    console.log(line(['', 'intake', 'baseline', 'ratio']));
    console.log(widths.map((w) => '-'.repeat(w)).join('-+-'));
    for (const row of rows) console.log(line(row));
    console.log('');
    console.log(`stored ${appendedInMaxRun} events for ${maxIntake.ok} acknowledged webhooks in the max run (${results.maxThroughput.everyAcknowledgedWebhookStored ? 'all' : 'NOT all'} stored)`);
    const verdict = (met: boolean): string => (met ? 'met' : 'missed');
    console.log(
      `targets: >= 5000/s ${verdict(results.targets.throughputMet)}; p99 <= 20 ms at ${config.rate}/s: autocannon ${verdict(results.targets.p99MetAutocannon)}, paced ${verdict(results.targets.p99MetPaced)}`,
    );

    const outDir = resolve(__dirname, '..', '..', '..', 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'webhooks.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log(`wrote ${join(outDir, 'webhooks.json')}`);
  } finally {
    await stopWorker(worker);
    rmSync(dir, { recursive: true, force: true });
  }
};

const isServerData = (data: unknown): data is ServerData => typeof data === 'object' && data !== null && (data as { role?: unknown }).role === 'webhook-bench-server';

const isSpinData = (data: unknown): data is { role: 'webhook-bench-spin'; iterations: number } =>
  typeof data === 'object' && data !== null && (data as { role?: unknown }).role === 'webhook-bench-spin';

if (!isMainThread && isServerData(workerData)) {
  void startServer(workerData);
} else if (!isMainThread && isSpinData(workerData)) {
  spin(workerData.iterations);
} else if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
