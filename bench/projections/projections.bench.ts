import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../api/infrastructure/eventStore/sqlite/sqliteEventStore';
import type { EventStore } from '../../api/infrastructure/eventStore/eventStore';
import { SqliteReadModelStore } from '../../projections/infrastructure/readModels/embedded/sqliteReadModelStore';
import { allProjections } from '../../projections/registry';
import { batches } from '../../projections/runner/batches';
import { resolveCollection } from '../../projections/runner/generations';
import { rebuildAll } from '../../projections/runner/projectionRunner';
import { planThreads, rebuildInThreads } from '../../projections/parallelRebuild';
import { createLogger } from '../../api/core/logger';
import type { Projection } from '../../projections/runner/projection';
import { CenterSimulation, centerConfigCommands, type PlannedAppend } from './centerSimulation';
import { dayPlan, tunedQueues } from './dayPlan';

/**
 * Read-model rebuild benchmark (embedded stores). Generates a day of a 200-agent contact center by
 * driving the real deciders (CenterSimulation over dayPlan: about BENCH_EVENTS events, default
 * 1,000,000) into the SQLite event store, then measures, in the same run:
 * - the baseline: reading $all alone through a subscription in the runner's batches (decoding included);
 * - `rebuild all`: every projection rebuilt blue/green from one read of $all (what `npm run projections
 *   -- rebuild all` does), end to end: events/s (all the events in the store over the wall time), peak
 *   RSS and heap (sampled in this process: worker threads share its heap accounting and RSS), ratio to
 *   the baseline; in one thread, then split over BENCH_THREADS worker threads (default 2);
 * - each projection rebuilt alone (BENCH_EACH=0 skips these).
 * Env: BENCH_EVENTS, BENCH_AGENTS (default 200), BENCH_BATCH (rebuild batch size, default 20,000),
 * BENCH_DIR (keeps the generated store there and reuses it on the next run with the same size),
 * BENCH_RESULTS_DIR (default ./bench/results).
 */

const env = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

/** Events the simulation produces per call of the day plan (measured), to size the day for a target. */
const EVENTS_PER_CALL = 66;

interface Peak {
  rssMb: number;
  heapMb: number;
  /** CPU time of the whole process (worker threads included) during the phase. */
  cpuSeconds: number;
}

/** Samples memory while a phase runs; the phase's own peak, not the process's. */
const measure = async <T>(run: () => Promise<T>): Promise<{ result: T; seconds: number; peak: Peak }> => {
  const peak = { rss: process.memoryUsage.rss(), heap: process.memoryUsage().heapUsed };
  const sample = (): void => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapUsed);
  };
  const timer = setInterval(sample, 20);
  const started = performance.now();
  const cpu = process.cpuUsage();
  try {
    const result = await run();
    sample();
    const used = process.cpuUsage(cpu);
    const cpuSeconds = Math.round((used.user + used.system) / 1e4) / 100;
    return { result, seconds: (performance.now() - started) / 1000, peak: { rssMb: Math.round(peak.rss / 1e6), heapMb: Math.round(peak.heap / 1e6), cpuSeconds } };
  } finally {
    clearInterval(timer);
  }
};

const generate = async (dir: string, events: number, agents: number): Promise<{ events: number; calls: number; appends: number }> => {
  const plan = dayPlan({ agents, calls: Math.ceil(events / EVENTS_PER_CALL) });
  const store = new SqliteEventStore({ dataDir: dir });
  const pending: PlannedAppend[] = [];
  const simulation = new CenterSimulation({
    start: plan.start,
    configCommands: centerConfigCommands(plan.start, plan.agents, (q) => tunedQueues([q])[0]),
    agents: plan.agentPlans,
    calls: plan.calls,
    outbound: plan.outbound,
    fastIds: true,
    sink: (append) => pending.push(append),
  });
  const flush = async (): Promise<void> => {
    const chunk = pending.splice(0);
    for (let i = 0; i < chunk.length; i += 1024) {
      await Promise.all(chunk.slice(i, i + 1024).map((a) => store.append(a.streamId, a.events, { expectedRevision: a.expectedRevision })));
    }
  };
  try {
    while (simulation.step(5000)) {
      if (pending.length >= 4096) await flush();
    }
    await flush();
  } finally {
    await store.close();
  }
  return { events: simulation.stats.events, calls: simulation.stats.calls, appends: simulation.stats.appends };
};

/** The baseline: everything a rebuild reads, decoded, with no projection work and no writes. */
const readAll = async (store: EventStore, batchSize: number): Promise<number> => {
  const head = await store.headPosition();
  const subscription = store.subscribeToAll({ fromPosition: 'start' });
  let count = 0;
  try {
    for await (const batch of batches(subscription, batchSize, 5)) {
      count += batch.length;
      if (batch[batch.length - 1].position >= head) break;
    }
  } finally {
    await subscription.close();
  }
  return count;
};

/** Rebuilds into a fresh `readmodels.db` next to the events, in this thread (`threads` 1) or in worker threads. */
const rebuild = async (dir: string, projections: Projection[], batchSize: number, threads: number): Promise<{ documents: Record<string, number> }> => {
  const removeReadModels = (): void => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `readmodels.db${suffix}`), { force: true });
  };
  removeReadModels();
  try {
    if (threads > 1) {
      await rebuildInThreads({ projections, threads, batchSize, env: { CALLSTREAM_DATA_DIR: dir, EVENTSTORE_URL: '', MONGODB_URL: '', LOG_LEVEL: 'warn' } });
    } else {
      const events = new SqliteEventStore({ dataDir: dir });
      const readModels = new SqliteReadModelStore({ dataDir: dir });
      try {
        await rebuildAll(projections, { eventStore: events, readModels, batchSize, logger: createLogger('bench', 'warn') });
      } finally {
        await events.close();
        await readModels.close();
      }
    }
    const readModels = new SqliteReadModelStore({ dataDir: dir });
    try {
      const documents: Record<string, number> = {};
      for (const projection of projections) {
        for (const collection of projection.collections) {
          const physical = await resolveCollection(readModels, projection.name, collection.name);
          documents[`${projection.name}.${collection.name}`] = physical ? await readModels.count(physical, {}) : 0;
        }
      }
      return { documents };
    } finally {
      await readModels.close();
    }
  } finally {
    removeReadModels();
  }
};

interface Row {
  phase: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  ratioToBaseline: number;
  cpuSeconds: number;
  /** events / CPU seconds: what the phase would reach with a core to itself. */
  eventsPerCpuSecond: number;
  peakRssMb: number;
  peakHeapMb: number;
}

export const main = async (): Promise<void> => {
  const target = env('BENCH_EVENTS', 1_000_000);
  const agents = env('BENCH_AGENTS', 200);
  const batchSize = env('BENCH_BATCH', 20_000);
  const each = process.env.BENCH_EACH !== '0';
  const keep = process.env.BENCH_DIR !== undefined;
  const dir = keep ? join(process.env.BENCH_DIR as string, `projections-${agents}-${target}`) : mkdtempSync(join(tmpdir(), 'callstream-bench-projections-'));
  mkdirSync(dir, { recursive: true });
  const loadBefore = loadavg()[0];
  const marker = join(dir, 'generated.json');
  try {
    let generated: { events: number; calls: number; appends: number; seconds: number };
    if (existsSync(marker)) {
      generated = JSON.parse(readFileSync(marker, 'utf8')) as typeof generated;
      console.log(`reusing ${generated.events} events in ${dir}`);
    } else {
      console.log(`generating a day of ${agents} agents, about ${target} events, into ${dir} ...`);
      const run = await measure(() => generate(dir, target, agents));
      generated = { ...run.result, seconds: run.seconds };
      if (keep) writeFileSync(marker, JSON.stringify(generated));
      console.log(`generated ${generated.events} events (${generated.calls} calls, ${generated.appends} appends) in ${run.seconds.toFixed(1)} s`);
    }
    const storeBytes = statSync(join(dir, 'events.db')).size;

    const rows: Row[] = [];
    const store = new SqliteEventStore({ dataDir: dir });
    const baseline = await measure(() => readAll(store, batchSize));
    await store.close();
    const baselineRate = baseline.result / baseline.seconds;
    const row = (phase: string, events: number, seconds: number, peak: Peak): Row => ({
      phase,
      events,
      seconds: Math.round(seconds * 100) / 100,
      eventsPerSecond: Math.round(events / seconds),
      ratioToBaseline: Math.round((events / seconds / baselineRate) * 1000) / 1000,
      cpuSeconds: peak.cpuSeconds,
      eventsPerCpuSecond: Math.round(events / Math.max(peak.cpuSeconds, 0.001)),
      peakRssMb: peak.rssMb,
      peakHeapMb: peak.heapMb,
    });
    rows.push(row('baseline: read $all (subscription, decoded)', baseline.result, baseline.seconds, baseline.peak));

    const total = baseline.result;
    const threads = env('BENCH_THREADS', 2);
    const names = allProjections.map((p) => p.name).join(', ');
    const single = await measure(() => rebuild(dir, allProjections, batchSize, 1));
    rows.push(row(`rebuild all, one thread (${names})`, total, single.seconds, single.peak));
    const parallel = await measure(() => rebuild(dir, allProjections, batchSize, threads));
    rows.push(row(`rebuild all, ${threads} threads (${planThreads(allProjections, threads).map((g) => g.map((p) => p.name).join('+')).join(' | ')})`, total, parallel.seconds, parallel.peak));
    const documents = single.result.documents;
    if (each) {
      for (const projection of allProjections) {
        const alone = await measure(() => rebuild(dir, [projection], batchSize, 1));
        rows.push(row(`rebuild ${projection.name} alone`, total, alone.seconds, alone.peak));
      }
    }

    const targetRate = 50_000;
    const allRate = Math.max(rows[1].eventsPerSecond, rows[2].eventsPerSecond);
    console.log('');
    console.log(
      ['phase'.padEnd(72), 'events'.padStart(9), 'seconds'.padStart(8), 'events/s'.padStart(9), 'ratio'.padStart(6), 'CPU s'.padStart(7), 'ev/CPU s'.padStart(9), 'RSS MB'.padStart(7), 'heap MB'.padStart(8)].join(' '),
    );
    for (const r of rows) {
      console.log(
        [
          r.phase.padEnd(72),
          String(r.events).padStart(9),
          r.seconds.toFixed(2).padStart(8),
          String(r.eventsPerSecond).padStart(9),
          r.ratioToBaseline.toFixed(3).padStart(6),
          r.cpuSeconds.toFixed(1).padStart(7),
          String(r.eventsPerCpuSecond).padStart(9),
          String(r.peakRssMb).padStart(7),
          String(r.peakHeapMb).padStart(8),
        ].join(' '),
      );
    }
    const loadAfter = loadavg()[0];
    console.log(`\ntarget: rebuild all >= ${targetRate} events/s on the embedded stores: ${allRate >= targetRate ? 'met' : 'not met'} (${allRate} events/s)`);
    console.log(`machine: ${availableParallelism()} cores, Node ${process.version}, load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after (other work on the machine slows every figure)`);
    console.log(`documents: ${Object.entries(documents).map(([k, v]) => `${k} ${v}`).join(', ')}`);

    const report = {
      bench: 'projections',
      date: new Date().toISOString(),
      node: process.version,
      cores: availableParallelism(),
      cpu: cpus()[0]?.model ?? 'unknown',
      loadAverage: { before: loadBefore, after: loadavg()[0] },
      settings: { events: target, agents, batchSize, eventStoreBytes: storeBytes },
      generated,
      rows,
      target: { eventsPerSecond: targetRate, met: allRate >= targetRate },
      documents,
    };
    const resultsDir = process.env.BENCH_RESULTS_DIR ?? join(process.cwd(), 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'projections.json'), `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
};

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
