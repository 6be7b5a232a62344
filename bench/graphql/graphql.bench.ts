/**
 * GraphQL live views benchmark.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/graphql/graphql.bench.js
 *
 * The API runs in a child process (its memory is its own); the subscribers, the read-model writer and
 * autocannon run in this process. Two measurements:
 *
 * 1. Subscription delivery: BENCH_GRAPHQL_SUBSCRIBERS graphql-ws clients (default 500) subscribe to
 *    `queueChanged` over loopback, each selecting the queue view the console shows. Queue views are
 *    written into the read-model store at BENCH_GRAPHQL_RATE per second (default 50) for
 *    BENCH_GRAPHQL_SECONDS (default 20), round-robin over 5 queues, through the real path: a read-model
 *    write, the change feed, the pubSub, graphql-ws. Each document carries the time it was written;
 *    delivery latency is receipt minus that time, for every subscriber. A subscriber that falls behind
 *    receives the newest version of a queue rather than every version (the API conflates), so fewer
 *    pushes than written x subscribers is the sign of an API (or load generator) short of CPU. Run twice: the writer in another
 *    process (as when the projections run apart: the embedded store's feed polls the shared file every
 *    CALLSTREAM_READMODELS_POLL_MS, default 25 ms), and the writer in the API process (as when the
 *    projections run with the API: a local write wakes the feed at once).
 *    BENCH_GRAPHQL_SELECTION=counters selects only the counters (a wallboard tile) instead of the whole view.
 * 2. Query throughput: autocannon POSTs the `queues` query (same selection) for BENCH_GRAPHQL_QUERY_SECONDS
 *    (default 10) over BENCH_GRAPHQL_CONNECTIONS (default 32), beside a baseline of `graphql.execute` of
 *    the same document in the API process (already parsed and validated), same concurrency, same run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { execute, parse, validate, type ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import * as hdr from 'hdr-histogram-js';
import pino from 'pino';
import WebSocket from 'ws';
import type { GraphQLContext } from '../../api/graphql/context';
import { loadApiConfig } from '../../api/http/config';
import { createApiServer } from '../../api/http/server';
import { SqliteEventStore } from '../../api/infrastructure/eventStore/sqlite/sqliteEventStore';
import { embeddedFromSimulator, loadTelnyxConfig } from '../../api/infrastructure/telnyx/config';
import { SdkTelnyxAdapter } from '../../api/infrastructure/telnyx/sdkTelnyxAdapter';
import { SqliteReadModelStore } from '../../projections/infrastructure/readModels/embedded/sqliteReadModelStore';
import { QUEUE_COLLECTIONS, QUEUE_PROJECTION } from '../../projections/queue/queueProjection';
import type { QueueViewDoc, WaitingCallView } from '../../projections/queue/queueView';
import { findProjection } from '../../projections/registry';
import { activateGeneration, ensureGenerationCollections, physicalCollection } from '../../projections/runner/generations';
import { createSimulator } from '../../simulator';

const ADMIN = { username: 'bench-admin', password: 'bench-admin-password' };
const QUEUES = ['sales', 'support', 'billing', 'retention', 'vip'];
const WAITING_CALLS = 10;

/** The queue view as the console's wallboard and agents' queue panel select it. */
const QUEUE_SELECTION = `
  id name strategy serviceLevelThresholdSeconds waiting ringing callbacks longestWaitSeconds oldestEnqueuedAt ahtSeconds asOf
  agents { serving loggedIn available ready ringing onCall wrapUp break offline }
  today { offered answered abandoned shortAbandoned serviceLevel asaSeconds ahtSeconds longestWaitSeconds }
  calls(first: 50) {
    callId entryId position kind state priority enqueuedAt waitedSeconds estimatedWaitSeconds reason callbackNumber targetAgentId waitingReason
    caller { number name } attributes { language department skills { skill minLevel } } offer { offerId agentIds expiresAt }
  }`;
/** The queue counters only (a wallboard tile), for BENCH_GRAPHQL_SELECTION=counters. */
const COUNTERS_SELECTION = `id name waiting ringing callbacks longestWaitSeconds agents { available onCall wrapUp break }`;
const SELECTION = process.env.BENCH_GRAPHQL_SELECTION === 'counters' ? COUNTERS_SELECTION : QUEUE_SELECTION;
const SUBSCRIPTION = `subscription QueueChanged { queueChanged { ${SELECTION} } }`;
const QUERY = `query Queues { queues { ${SELECTION} } }`;

const envInt = (name: string, fallback: number): number => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`${name} must be a positive integer, got '${value}'`);
  return parsed;
};

/** Epoch milliseconds with sub-millisecond precision, comparable between processes of one machine. */
const nowMs = (): number => performance.timeOrigin + performance.now();

const waitingCall = (queueId: string, i: number): WaitingCallView => ({
  callId: `${queueId}-call-${i}`,
  entryId: `${queueId}-entry-${i}`,
  position: i + 1,
  kind: 'call',
  state: i === 0 ? 'ringing' : 'waiting',
  priority: 0,
  enqueuedAt: new Date(Date.now() - (WAITING_CALLS - i) * 15_000).toISOString(),
  queueEnteredAt: new Date(Date.now() - (WAITING_CALLS - i) * 15_000).toISOString(),
  waitedSeconds: (WAITING_CALLS - i) * 15,
  estimatedWaitSeconds: (i + 1) * 40,
  reason: 'ivr',
  fromQueueId: null,
  targetAgentId: null,
  callbackNumber: null,
  attributes: { language: 'en', department: queueId, skills: [{ skill: queueId, minLevel: 1 }] },
  caller: { number: `+1555010${String(i).padStart(4, '0')}`, name: i % 2 === 0 ? `Caller ${i}` : null },
  waitingReason: i === 0 ? null : 'all matching agents are busy',
  offer: i === 0 ? { offerId: `${queueId}-offer`, agentIds: ['alice', 'bob'], offeredAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 20_000).toISOString() } : null,
  lastAnnouncement: null,
});

/** A queue view whose `name` carries the time it is written (`t:<epoch ms>`), so a receiver can tell the delivery latency. */
const queueDoc = (queueId: string, sequence: number): QueueViewDoc => ({
  _id: queueId,
  queueId,
  configured: true,
  name: `t:${nowMs().toFixed(3)}`,
  strategy: 'longest-idle',
  priority: 1,
  serviceLevelThresholdSeconds: 20,
  calls: Array.from({ length: WAITING_CALLS }, (_, i) => waitingCall(queueId, i)),
  waiting: WAITING_CALLS,
  ringing: 1,
  callbacks: 0,
  longestWaitSeconds: WAITING_CALLS * 15 + (sequence % 7),
  oldestEnqueuedAt: new Date(Date.now() - WAITING_CALLS * 15_000).toISOString(),
  agents: { serving: 12, loggedIn: 10, available: 2, ready: 2, ringing: 1, onCall: 6, wrapUp: 1, break: 0, offline: 2 },
  ahtSeconds: 240,
  ahtSamples: 50,
  asOf: new Date().toISOString(),
});

/** Writes queue views into the active generation of the queue projection, as the projection would. */
class QueueWriter {
  private position = 0n;
  private readonly collection: string;

  constructor(private readonly store: SqliteReadModelStore) {
    this.collection = physicalCollection(QUEUE_PROJECTION, 1, QUEUE_COLLECTIONS.queues);
  }

  async activate(): Promise<void> {
    const projection = findProjection(QUEUE_PROJECTION);
    if (!projection) throw new Error('no queue projection');
    await ensureGenerationCollections(this.store, projection, 1);
    await activateGeneration(this.store, QUEUE_PROJECTION, { generation: 1, version: projection.version });
  }

  async write(sequence: number): Promise<void> {
    const queueId = QUEUES[sequence % QUEUES.length];
    this.position += 1n;
    // Positions above anything the other writer uses, so both writers' documents apply.
    await this.store.write([{ kind: 'upsert', collection: this.collection, doc: queueDoc(queueId, sequence), position: BigInt(Date.now()) * 1000n + this.position }]);
  }
}

// ---- the API process ---------------------------------------------------------------------------

type ServerRequest =
  | { id: number; type: 'stats'; mark?: boolean }
  | { id: number; type: 'waitSubscribers'; count: number }
  | { id: number; type: 'write'; sequence: number }
  | { id: number; type: 'baseline'; token: string; seconds: number; concurrency: number }
  | { id: number; type: 'stop' };

interface ServerStats {
  rssMb: number;
  heapUsedMb: number;
  subscribers: number;
  /** Share of wall time the API's event loop was busy since the last stats request with `mark`. */
  loopBusy: number;
  cpuMs: number;
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

const runServer = async (dir: string): Promise<void> => {
  const logger = pino({ name: 'graphql-bench', level: process.env.BENCH_GRAPHQL_LOG ?? 'warn' }, pino.destination({ dest: join(dir, 'server.log'), sync: false }));
  const events = new SqliteEventStore({ dataDir: dir, logger });
  const readModels = new SqliteReadModelStore({ dataDir: dir, logger, changePollIntervalMs: envInt('CALLSTREAM_READMODELS_POLL_MS', 25) });
  const sim = await createSimulator({ logLevel: 'silent' });
  const telnyx = new SdkTelnyxAdapter(loadTelnyxConfig({ TELNYX_MAX_RETRIES: '0' }, embeddedFromSimulator(sim)), { logger });
  const config = loadApiConfig({
    NODE_ENV: 'production',
    CALLSTREAM_DATA_DIR: dir,
    CALLSTREAM_ADMIN_USERNAME: ADMIN.username,
    CALLSTREAM_ADMIN_PASSWORD: ADMIN.password,
    CALLSTREAM_BCRYPT_COST: '4',
  });
  const api = await createApiServer({ eventStore: events, readModels, telnyx, config, logger });
  const address = await api.listen(0, '127.0.0.1');
  const writer = new QueueWriter(readModels);
  let loopMark = performance.eventLoopUtilization();
  const reply = (id: number, body: unknown): void => {
    process.send?.({ id, body });
  };
  process.on('message', (message: ServerRequest) => {
    void (async () => {
      switch (message.type) {
        case 'stats': {
          const loop = performance.eventLoopUtilization(loopMark);
          if (message.mark) loopMark = performance.eventLoopUtilization();
          const memory = process.memoryUsage();
          const cpu = process.cpuUsage();
          const stats: ServerStats = {
            rssMb: mb(memory.rss),
            heapUsedMb: mb(memory.heapUsed),
            subscribers: api.services.live.subscriberCount('QUEUE_CHANGED'),
            loopBusy: Math.round(loop.utilization * 100) / 100,
            cpuMs: Math.round((cpu.user + cpu.system) / 1000),
          };
          reply(message.id, stats);
          break;
        }
        case 'waitSubscribers':
          await api.services.live.waitForSubscribers('QUEUE_CHANGED', message.count, 120_000);
          reply(message.id, true);
          break;
        case 'write':
          await writer.write(message.sequence);
          reply(message.id, true);
          break;
        case 'baseline': {
          const user = await api.services.auth.authenticate(message.token);
          const document = parse(QUERY);
          const problems = validate(api.schema, document);
          if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('; '));
          const deadline = performance.now() + message.seconds * 1000;
          let done = 0;
          let failed = 0;
          const started = performance.now();
          const chain = async (): Promise<void> => {
            while (performance.now() < deadline) {
              const requestId = randomUUID();
              const contextValue: GraphQLContext = { requestId, user, ip: '127.0.0.1', transport: 'http', services: api.services, logger: logger.child({ requestId, userId: user.userId }) };
              const result = (await execute({ schema: api.schema, document, contextValue })) as ExecutionResult;
              if (result.errors) failed += 1;
              else done += 1;
            }
          };
          await Promise.all(Array.from({ length: message.concurrency }, () => chain()));
          const seconds = (performance.now() - started) / 1000;
          reply(message.id, { perSecond: Math.round(done / seconds), executions: done, failed, seconds: Math.round(seconds * 100) / 100 });
          break;
        }
        case 'stop':
          await api.close();
          await sim.close();
          await readModels.close();
          await events.close();
          logger.flush();
          reply(message.id, true);
          process.exit(0);
      }
    })().catch((error: unknown) => {
      process.send?.({ id: message.id, error: error instanceof Error ? error.message : String(error) });
    });
  });
  process.send?.({ ready: address.port });
};

// ---- the load process --------------------------------------------------------------------------

class ServerHandle {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (body: unknown) => void; reject: (error: Error) => void }>();

  constructor(readonly child: ChildProcess) {
    child.on('message', (message: { id?: number; body?: unknown; error?: string }) => {
      if (message.id === undefined) return;
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.body);
    });
  }

  ask<T>(request: Record<string, unknown> & { type: ServerRequest['type'] }): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolveAsk, reject) => {
      this.pending.set(id, { resolve: (body) => resolveAsk(body as T), reject });
      this.child.send({ ...request, id });
    });
  }
}

const startServer = async (dir: string): Promise<{ server: ServerHandle; url: string }> => {
  // BENCH_GRAPHQL_PROFILE=<dir> writes a CPU profile of the API process there.
  const profile = process.env.BENCH_GRAPHQL_PROFILE;
  const child = fork(__filename, ['--bench-graphql-server', dir], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: process.env,
    execArgv: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    const onMessage = (message: { ready?: number }) => {
      if (message.ready === undefined) return;
      child.off('message', onMessage);
      resolvePort(message.ready);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`the API process exited with ${String(code)}`)));
  });
  return { server: new ServerHandle(child), url: `http://127.0.0.1:${port}` };
};

const login = async (url: string): Promise<string> => {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `mutation { login(username: "${ADMIN.username}", password: "${ADMIN.password}", deviceId: "bench") { accessToken } }` }),
  });
  const body = (await res.json()) as { data?: { login: { accessToken: string } }; errors?: unknown };
  if (!body.data) throw new Error(`login failed: ${JSON.stringify(body.errors)}`);
  return body.data.login.accessToken;
};

interface DeliveryResult {
  writer: 'other process' | 'API process';
  writes: number;
  expected: number;
  delivered: number;
  errors: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Share of the run the API's event loop was busy. */
  serverLoopBusy: number;
  /** Share of the run this (subscribers + writer) process's event loop was busy. */
  loadLoopBusy: number;
  serverRssPeakMb: number;
  serverHeapPeakMb: number;
  /** p99 of how late the writer started a scheduled write. */
  writerLateP99Ms: number;
  /** CPU time of the API process per push delivered (µs): 1e6 / this is what one core could push per second. */
  serverCpuMicrosPerPush: number;
}

const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
const ms = (micros: number): number => Math.round(micros / 10) / 100;

/** Opens the subscribers; returns the function that points their pushes at a histogram. */
const openSubscribers = (url: string, token: string, count: number) => {
  const clients: Client[] = [];
  const sink = { latency: histogram(), delivered: 0, errors: 0, recording: false, lastReceived: 0 };
  for (let i = 0; i < count; i++) {
    const client = createClient({ url: url.replace('http', 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: false });
    clients.push(client);
    client.subscribe<{ queueChanged: { name: string } }>(
      { query: SUBSCRIPTION },
      {
        next: (result) => {
          const received = nowMs();
          sink.lastReceived = received;
          if (!sink.recording) return;
          if (result.errors || !result.data) {
            sink.errors += 1;
            return;
          }
          const sent = Number(result.data.queueChanged.name.slice(2));
          sink.latency.recordValue(Math.max(1, Math.round((received - sent) * 1000)));
          sink.delivered += 1;
        },
        error: () => {
          sink.errors += 1;
        },
        complete: () => undefined,
      },
    );
  }
  return { clients, sink };
};

const deliver = async (
  server: ServerHandle,
  sink: ReturnType<typeof openSubscribers>['sink'],
  subscribers: number,
  write: (sequence: number) => Promise<unknown>,
  rate: number,
  seconds: number,
  writer: DeliveryResult['writer'],
): Promise<DeliveryResult> => {
  sink.latency = histogram();
  sink.delivered = 0;
  sink.errors = 0;
  sink.recording = true;
  const lateness = histogram();
  const total = rate * seconds;
  const interval = 1000 / rate;
  let peakRss = 0;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    void server.ask<ServerStats>({ type: 'stats' }).then((s) => {
      peakRss = Math.max(peakRss, s.rssMb);
      peakHeap = Math.max(peakHeap, s.heapUsedMb);
    });
  }, 1000);
  // Starts the API's event-loop measurement of this run.
  const serverBefore = await server.ask<ServerStats>({ type: 'stats', mark: true });
  const loopStart = performance.eventLoopUtilization();
  const started = performance.now();
  const writes: Array<Promise<unknown>> = [];
  await new Promise<void>((done) => {
    let sent = 0;
    const tick = (): void => {
      const due = Math.min(total, Math.floor((performance.now() - started) / interval) + 1);
      while (sent < due) {
        lateness.recordValue(Math.max(1, Math.round((performance.now() - (started + sent * interval)) * 1000)));
        writes.push(write(sent));
        sent += 1;
      }
      if (sent < total) setTimeout(tick, 1);
      else done();
    };
    tick();
  });
  await Promise.all(writes);
  // Stragglers: wait until every push arrived, or nothing arrived for 300 ms (a subscriber that fell
  // behind gets the newest version of a queue instead of every version), within 30 s.
  const expected = total * subscribers;
  const settleBy = performance.now() + 30_000;
  while (sink.delivered + sink.errors < expected && nowMs() - sink.lastReceived < 300 && performance.now() < settleBy) await new Promise((r) => setTimeout(r, 50));
  const loadLoop = performance.eventLoopUtilization(loopStart);
  const serverAfter = await server.ask<ServerStats>({ type: 'stats' });
  clearInterval(sampler);
  sink.recording = false;
  peakRss = Math.max(peakRss, serverAfter.rssMb);
  peakHeap = Math.max(peakHeap, serverAfter.heapUsedMb);
  return {
    writer,
    writes: total,
    expected,
    delivered: sink.delivered,
    errors: sink.errors,
    p50Ms: ms(sink.latency.getValueAtPercentile(50)),
    p90Ms: ms(sink.latency.getValueAtPercentile(90)),
    p99Ms: ms(sink.latency.getValueAtPercentile(99)),
    maxMs: ms(sink.latency.maxValue),
    serverLoopBusy: serverAfter.loopBusy,
    loadLoopBusy: Math.round(loadLoop.utilization * 100) / 100,
    serverRssPeakMb: peakRss,
    serverHeapPeakMb: peakHeap,
    writerLateP99Ms: ms(lateness.getValueAtPercentile(99)),
    serverCpuMicrosPerPush: Math.round(((serverAfter.cpuMs - serverBefore.cpuMs) * 1000) / Math.max(1, sink.delivered)),
  };
};

const ratio = (value: number, base: number): number => (base === 0 ? 0 : Math.round((value / base) * 100) / 100);

export const main = async (): Promise<void> => {
  const config = {
    subscribers: envInt('BENCH_GRAPHQL_SUBSCRIBERS', 500),
    rate: envInt('BENCH_GRAPHQL_RATE', 50),
    seconds: envInt('BENCH_GRAPHQL_SECONDS', 20),
    querySeconds: envInt('BENCH_GRAPHQL_QUERY_SECONDS', 10),
    connections: envInt('BENCH_GRAPHQL_CONNECTIONS', 32),
    pollMs: envInt('CALLSTREAM_READMODELS_POLL_MS', 25),
    selection: process.env.BENCH_GRAPHQL_SELECTION === 'counters' ? 'counters' : 'console queue view',
  };
  const dir = mkdtempSync(join(tmpdir(), 'callstream-bench-graphql-'));
  const loadBefore = loadavg();
  const { server, url } = await startServer(dir);
  const store = new SqliteReadModelStore({ dataDir: dir, logger: pino({ level: 'warn' }) });
  let subscribers: ReturnType<typeof openSubscribers> | null = null;
  try {
    const writer = new QueueWriter(store);
    await writer.activate();
    for (let i = 0; i < QUEUES.length; i++) await writer.write(i);
    const token = await login(url);
    const idle = await server.ask<ServerStats>({ type: 'stats' });

    console.log(`opening ${config.subscribers} graphql-ws subscribers...`);
    subscribers = openSubscribers(url, token, config.subscribers);
    await server.ask({ type: 'waitSubscribers', count: config.subscribers });
    const subscribed = await server.ask<ServerStats>({ type: 'stats' });

    // Warm-up: JIT and caches, not recorded.
    const warm = await deliver(server, subscribers.sink, config.subscribers, (n) => writer.write(n), config.rate, 2, 'other process');
    void warm;

    console.log(`${config.rate} queue changes/s for ${config.seconds} s, writer in another process...`);
    const crossProcess = await deliver(server, subscribers.sink, config.subscribers, (n) => writer.write(n), config.rate, config.seconds, 'other process');
    console.log(`${config.rate} queue changes/s for ${config.seconds} s, writer in the API process...`);
    const inProcess = await deliver(server, subscribers.sink, config.subscribers, (n) => server.ask({ type: 'write', sequence: n }), config.rate, config.seconds, 'API process');

    for (const client of subscribers.clients) await client.dispose();
    subscribers = null;
    await new Promise((r) => setTimeout(r, 500));

    console.log(`queue view query: autocannon ${config.connections} connections for ${config.querySeconds} s, then graphql.execute in the API process...`);
    const body = JSON.stringify({ query: QUERY });
    const http = await autocannon({
      url: `${url}/graphql`,
      connections: config.connections,
      duration: config.querySeconds,
      timeout: 30,
      requests: [{ method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body }],
    });
    const baseline = await server.ask<{ perSecond: number; executions: number; failed: number; seconds: number }>({
      type: 'baseline',
      token,
      seconds: config.querySeconds,
      concurrency: config.connections,
    });
    const httpPerSecond = Math.round(http['2xx'] / config.querySeconds);

    const results = {
      benchmark: 'graphql',
      date: new Date().toISOString(),
      node: process.version,
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadavg(),
      config: { ...config, queues: QUEUES.length, waitingCallsPerQueue: WAITING_CALLS },
      serverMemory: { idle, subscribed, perSubscriberKb: Math.round(((subscribed.rssMb - idle.rssMb) * 1024) / config.subscribers) },
      delivery: { crossProcess, inProcess },
      query: {
        http: { perSecond: httpPerSecond, p50Ms: http.latency.p50, p99Ms: http.latency.p99, non2xx: http.non2xx, errors: http.errors + http.timeouts },
        executeBaseline: baseline,
        ratio: ratio(httpPerSecond, baseline.perSecond),
      },
      targets: { p99DeliveryMs: 50, metCrossProcess: crossProcess.p99Ms <= 50, metInProcess: inProcess.p99Ms <= 50 },
    };

    const rows: Array<Array<string | number>> = [
      [`delivery, ${config.subscribers} subscribers x ${config.rate}/s`, 'writer elsewhere', 'writer in API', ''],
      ['  pushes delivered / written x subscribers', `${crossProcess.delivered} / ${crossProcess.expected}`, `${inProcess.delivered} / ${inProcess.expected}`, ''],
      ['  p50 latency (ms)', crossProcess.p50Ms, inProcess.p50Ms, ''],
      ['  p90 latency (ms)', crossProcess.p90Ms, inProcess.p90Ms, ''],
      ['  p99 latency (ms)', crossProcess.p99Ms, inProcess.p99Ms, ''],
      ['  max latency (ms)', crossProcess.maxMs, inProcess.maxMs, ''],
      ['  API event loop busy', `${Math.round(crossProcess.serverLoopBusy * 100)} %`, `${Math.round(inProcess.serverLoopBusy * 100)} %`, ''],
      ['  subscribers process loop busy', `${Math.round(crossProcess.loadLoopBusy * 100)} %`, `${Math.round(inProcess.loadLoopBusy * 100)} %`, ''],
      ['  API CPU per push (µs)', crossProcess.serverCpuMicrosPerPush, inProcess.serverCpuMicrosPerPush, ''],
      ['  API RSS / heap peak (MB)', `${crossProcess.serverRssPeakMb} / ${crossProcess.serverHeapPeakMb}`, `${inProcess.serverRssPeakMb} / ${inProcess.serverHeapPeakMb}`, ''],
      ['API memory RSS / heap (MB)', 'idle', `${config.subscribers} subscribed`, 'KB/sub'],
      ['', `${idle.rssMb} / ${idle.heapUsedMb}`, `${subscribed.rssMb} / ${subscribed.heapUsedMb}`, results.serverMemory.perSubscriberKb],
      ['queue view query (queries/s)', 'HTTP', 'execute', 'ratio'],
      ['', httpPerSecond, baseline.perSecond, results.query.ratio],
      ['  HTTP p50 / p99 latency (ms)', `${http.latency.p50} / ${http.latency.p99}`, '', ''],
    ];
    const widths = [44, 18, 18, 8];
    const line = (cells: Array<string | number>): string => cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join(' | ');
    console.log('');
    console.log(`GraphQL live views (${config.selection} selection), ${results.cores} cores, Node ${results.node}, ${results.cpu}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
    for (const row of rows) console.log(line(row));
    console.log('');
    const verdict = (met: boolean): string => (met ? 'met' : 'missed');
    console.log(`target p99 delivery <= 50 ms with ${config.subscribers} subscribers: writer elsewhere ${verdict(results.targets.metCrossProcess)}, writer in the API process ${verdict(results.targets.metInProcess)}`);

    const outDir = resolve(__dirname, '..', '..', '..', 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'graphql.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log(`wrote ${join(outDir, 'graphql.json')}`);
  } finally {
    if (subscribers) for (const client of subscribers.clients) await client.dispose();
    await server.ask({ type: 'stop' }).catch(() => undefined);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

const serverArg = process.argv.indexOf('--bench-graphql-server');
if (serverArg >= 0) {
  runServer(process.argv[serverArg + 1]).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
