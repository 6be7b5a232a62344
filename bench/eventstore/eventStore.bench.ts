import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { build, type Histogram } from 'hdr-histogram-js';
import type { EventData, EventMetadata } from '../../api/infrastructure/eventStore/eventStore';
import { SqliteEventStore } from '../../api/infrastructure/eventStore/sqlite/sqliteEventStore';

/**
 * Event store benchmark (embedded SQLite adapter). Every figure is printed beside a baseline
 * measured in the same run on the same disk:
 * - durable appends/s of single ~1 KB events, each appender on its own stream with its exact
 *   expected revision, at concurrency 1, 16 and 256, beside raw write+fsync of the same bytes in
 *   batches of the size group commit actually reached;
 * - append latency at a steady 1,000 appends/s (open loop: latency counts from the scheduled time),
 *   beside write+fsync of one event on the same schedule;
 * - replay of BENCH_EVENTS (default 1,000,000) ~1 KB events through subscribeToAll and readAll, with
 *   JSON decoding, beside JSON.parse of the same serialized events held in memory (as UTF-8 bytes in
 *   one buffer; parsing them from a million live strings is also recorded, and is slower).
 * Env: BENCH_EVENTS, BENCH_SECONDS (per append run, default 3), BENCH_DIR (default the OS temp dir),
 * BENCH_RESULTS_DIR (default ./bench/results), BENCH_ONLY (a comma list of appends, latency, replay).
 */

interface Row {
  measure: string;
  value: number;
  unit: string;
  baseline: string;
  baselineValue: number;
  ratio: number;
  target?: string;
  met?: boolean;
}

export interface EventStoreBenchReport {
  bench: 'eventstore';
  date: string;
  node: string;
  cores: number;
  cpu: string;
  /** 1-minute load average before and after: other work on the machine skews every figure. */
  loadAverage: { before: number; after: number };
  settings: { events: number; secondsPerAppendRun: number; dir: string };
  rows: Row[];
  details: Record<string, unknown>;
}

const env = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const now = (): number => performance.now();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Lets the disk finish the previous phase's writeback and discards before the next phase starts. */
const settle = (): Promise<void> => sleep(2000);

// ---------------------------------------------------------------- the events

const HEX = '0123456789abcdef';
const hex = (seed: number, length: number): string => {
  let out = '';
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += HEX[x >>> 28];
  }
  return out;
};

/** A Telnyx-webhook-like event of about 1 KB once serialized (data + metadata). */
const dataFor = (seq: number): Record<string, unknown> => ({
  seq,
  callControlId: `v3:${hex(seq, 44)}`,
  callLegId: hex(seq + 1, 36),
  callSessionId: hex(seq + 2, 36),
  connectionId: '1684641123236054244',
  eventType: 'call.answered',
  occurredAt: new Date(1_700_000_000_000 + seq * 1000).toISOString(),
  from: '+15551230000',
  to: '+15559870000',
  direction: 'incoming',
  state: 'answered',
  clientState: Buffer.from(`queue=support;lang=en;ivr=${seq % 7}`).toString('base64'),
  startTime: new Date(1_700_000_000_000 + seq * 1000 - 4200).toISOString(),
  customHeaders: [
    { name: 'X-Account', value: hex(seq + 3, 12) },
    { name: 'X-Campaign', value: 'spring-2026' },
    { name: 'X-Priority', value: String(seq % 5) },
  ],
  sipHeaders: [{ name: 'User-Agent', value: 'telnyx-sbc' }],
  tags: ['inbound', 'support', 'tier-1'],
  ivr: { menu: 'main', selections: [1, seq % 3, 2], language: 'en-US', attempts: 1 },
  routing: { queueId: `queue-${seq % 12}`, skills: ['billing', 'english'], priority: seq % 5, estimatedWaitSeconds: (seq % 240) + 5 },
  recording: { channels: 'dual', format: 'mp3', trim: 'trim-silence' },
  notes: hex(seq + 4, 120),
});

const metadataFor = (seq: number): EventMetadata => ({ correlationId: `call-${hex(seq, 12)}`, causationId: hex(seq + 5, 36), actor: 'telnyx' });

const eventFor = (seq: number): EventData => ({ id: randomUUID(), type: 'CallAnswered', data: dataFor(seq), metadata: metadataFor(seq) });

const eventBytes = (seq: number): Buffer => Buffer.from(JSON.stringify(dataFor(seq)) + JSON.stringify(metadataFor(seq)));

// ---------------------------------------------------------------- helpers

const tempStore = (root: string, name: string): { store: SqliteEventStore; dir: string } => {
  const dir = mkdtempSync(join(root, `callstream-bench-${name}-`));
  return { store: new SqliteEventStore({ dataDir: dir }), dir };
};

const percentile = (h: Histogram, p: number): number => h.getValueAtPercentile(p) / 1000;

// ---------------------------------------------------------------- durable appends

interface AppendRun {
  concurrency: number;
  appends: number;
  seconds: number;
  perSecond: number;
  commits: number;
  averageBatch: number;
}

const measureAppends = async (root: string, concurrency: number, seconds: number): Promise<AppendRun> => {
  const { store, dir } = tempStore(root, `c${concurrency}`);
  try {
    const payloads = Array.from({ length: 64 }, (_, i) => eventFor(i));
    let seq = 0;
    const revisions = new Array<bigint | undefined>(concurrency);
    const appender = async (w: number, until: number): Promise<number> => {
      const streamId = `call-${w}`;
      let count = 0;
      while (now() < until) {
        const template = payloads[seq++ % payloads.length];
        const result = await store.append(streamId, [{ ...template, id: randomUUID() }], { expectedRevision: revisions[w] ?? 'no_stream' });
        revisions[w] = result.nextExpectedRevision;
        count++;
      }
      return count;
    };
    // Warm up (statement caches, JIT, file growth), then measure.
    await Promise.all(Array.from({ length: concurrency }, (_, w) => appender(w, now() + 300)));
    const commitsBefore = store.metrics.commits;
    const appendsBefore = store.metrics.appends;
    const start = now();
    const counts = await Promise.all(Array.from({ length: concurrency }, (_, w) => appender(w, start + seconds * 1000)));
    const elapsed = (now() - start) / 1000;
    const appends = counts.reduce((a, b) => a + b, 0);
    const commits = store.metrics.commits - commitsBefore;
    return { concurrency, appends, seconds: elapsed, perSecond: appends / elapsed, commits, averageBatch: (store.metrics.appends - appendsBefore) / commits };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

/** write+fsync of the same event bytes, `batch` events per fsync, as many events as the store wrote. */
const measureRawFsync = (root: string, batch: number, total: number): { perSecond: number; fsyncs: number } => {
  const dir = mkdtempSync(join(root, 'callstream-bench-raw-'));
  const fd = openSync(join(dir, 'raw.log'), 'a');
  try {
    const buffers = Array.from({ length: 64 }, (_, i) => eventBytes(i));
    let events = 0;
    let fsyncs = 0;
    const start = now();
    while (events < total) {
      const chunk = Buffer.concat(Array.from({ length: batch }, (_, i) => buffers[(events + i) % buffers.length]));
      writeSync(fd, chunk);
      fsyncSync(fd);
      events += batch;
      fsyncs++;
    }
    return { perSecond: events / ((now() - start) / 1000), fsyncs };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
};

// ---------------------------------------------------------------- latency at a steady rate

const OPEN_LOOP_RATE = 1000;

/** Issues `count` operations on a fixed schedule (1 per ms) and records completion minus scheduled time. */
interface OpenLoopResult {
  /** Completion minus scheduled time: what a caller on that schedule waits, driver lag included. */
  fromSchedule: Histogram;
  /** Completion minus the moment the operation was actually issued. */
  service: Histogram;
}

const histogram = (): Histogram => build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });

const openLoop = async (count: number, warmup: number, operation: (i: number) => Promise<void> | void): Promise<OpenLoopResult> => {
  const result: OpenLoopResult = { fromSchedule: histogram(), service: histogram() };
  const interval = 1000 / OPEN_LOOP_RATE;
  const start = now();
  let issued = 0;
  const inFlight = new Set<Promise<void>>();
  while (issued < count + warmup) {
    const t = now();
    while (issued < count + warmup && start + issued * interval <= t) {
      const scheduled = start + issued * interval;
      const measured = issued >= warmup;
      const i = issued++;
      const issuedAt = now();
      const done = Promise.resolve(operation(i)).then(() => {
        if (!measured) return;
        const end = now();
        result.fromSchedule.recordValue(Math.max(1, Math.round((end - scheduled) * 1000)));
        result.service.recordValue(Math.max(1, Math.round((end - issuedAt) * 1000)));
      });
      inFlight.add(done);
      void done.finally(() => inFlight.delete(done));
    }
    await sleep(Math.max(0, start + issued * interval - now()));
  }
  await Promise.all(inFlight);
  return result;
};

const measureLatency = async (root: string, count: number): Promise<{ store: OpenLoopResult; raw: OpenLoopResult }> => {
  const { store, dir } = tempStore(root, 'latency');
  const payloads = Array.from({ length: 64 }, (_, i) => eventFor(i));
  let storeHistogram: OpenLoopResult;
  try {
    storeHistogram = await openLoop(count, 500, async (i) => {
      await store.append(`call-${i % 256}`, [{ ...payloads[i % payloads.length], id: randomUUID() }], { expectedRevision: 'any' });
    });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  await settle();
  const rawDir = mkdtempSync(join(root, 'callstream-bench-rawlat-'));
  const fd = openSync(join(rawDir, 'raw.log'), 'a');
  const buffers = Array.from({ length: 64 }, (_, i) => eventBytes(i));
  try {
    const raw = await openLoop(count, 500, (i) => {
      writeSync(fd, buffers[i % buffers.length]);
      fsyncSync(fd);
    });
    return { store: storeHistogram, raw };
  } finally {
    closeSync(fd);
    rmSync(rawDir, { recursive: true, force: true });
  }
};

// ---------------------------------------------------------------- replay

interface ReplayResult {
  events: number;
  loadPerSecond: number;
  subscribePerSecond: number;
  readAllPerSecond: number;
  baselinePerSecond: number;
  bytesBaselinePerSecond: number;
  fileBytes: number;
}

const measureReplay = async (root: string, total: number): Promise<ReplayResult> => {
  const { store, dir } = tempStore(root, 'replay');
  try {
    const perAppend = 16;
    const concurrency = 128;
    const streams = Math.ceil(total / perAppend);
    let nextStream = 0;
    const loadStart = now();
    const loader = async (): Promise<void> => {
      for (let k = nextStream++; k < streams; k = nextStream++) {
        const count = Math.min(perAppend, total - k * perAppend);
        const batch = Array.from({ length: count }, (_, i) => eventFor(k * perAppend + i));
        await store.append(`call-${k}`, batch, { expectedRevision: 'no_stream' });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, loader));
    const loadPerSecond = total / ((now() - loadStart) / 1000);

    // Replay through the catch-up subscription, decoding every event (the adapter parses data and metadata).
    let checksum = 0;
    let seen = 0;
    const subscribeStart = now();
    const subscription = store.subscribeToAll();
    for await (const event of subscription) {
      checksum += (event.data as { seq: number }).seq;
      if (++seen === total) break;
    }
    const subscribePerSecond = total / ((now() - subscribeStart) / 1000);

    seen = 0;
    const readAllStart = now();
    let cursor: bigint | 'start' = 'start';
    for (;;) {
      const page = await store.readAll({ fromPosition: cursor, maxCount: 1000 });
      if (page.length === 0) break;
      for (const event of page) checksum += (event.data as { seq: number }).seq;
      seen += page.length;
      cursor = page[page.length - 1].position;
    }
    const readAllPerSecond = seen / ((now() - readAllStart) / 1000);
    if (seen !== total) throw new Error(`readAll replayed ${seen} of ${total} events`);

    // JSON.parse of the same events' data and metadata, the JSON strings the store holds, all alive in
    // the heap at once (about 1 KB each, ~1 GB for a million: the GC slows this one down).
    const serialized = new Array<string>(total * 2);
    for (let seq = 0; seq < total; seq++) {
      serialized[2 * seq] = JSON.stringify(dataFor(seq));
      serialized[2 * seq + 1] = JSON.stringify(metadataFor(seq));
    }
    const baselineStart = now();
    for (let i = 0; i < total; i++) {
      checksum += (JSON.parse(serialized[2 * i]) as { seq: number }).seq;
      if ((JSON.parse(serialized[2 * i + 1]) as EventMetadata).actor === undefined) checksum = -Infinity;
    }
    const baselinePerSecond = total / ((now() - baselineStart) / 1000);
    serialized.length = 0;

    // The baseline in the table: the same parse from the UTF-8 bytes held in one buffer, which is
    // what the store does minus SQLite, without a million strings alive in the heap.
    const chunks = Array.from({ length: total }, (_, seq) => Buffer.from(JSON.stringify(dataFor(seq)) + '\n' + JSON.stringify(metadataFor(seq))));
    const offsets = new Array<number>(total + 1);
    offsets[0] = 0;
    for (let i = 0; i < total; i++) offsets[i + 1] = offsets[i] + chunks[i].length;
    const bytes = Buffer.concat(chunks);
    chunks.length = 0;
    const bytesStart = now();
    for (let i = 0; i < total; i++) {
      const text = bytes.toString('utf8', offsets[i], offsets[i + 1]);
      const split = text.indexOf('\n');
      checksum += (JSON.parse(text.slice(0, split)) as { seq: number }).seq;
      if ((JSON.parse(text.slice(split + 1)) as EventMetadata).actor === undefined) checksum = -Infinity;
    }
    const bytesBaselinePerSecond = total / ((now() - bytesStart) / 1000);
    if (checksum <= 0) throw new Error('nothing decoded');

    const fileBytes = ['events.db', 'events.db-wal'].reduce((sum, name) => sum + (existsSync(join(dir, name)) ? statSync(join(dir, name)).size : 0), 0);
    return { events: total, loadPerSecond, subscribePerSecond, readAllPerSecond, baselinePerSecond, bytesBaselinePerSecond, fileBytes };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

// ---------------------------------------------------------------- report

const fmt = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));

const printTable = (rows: Row[]): void => {
  const header = ['measure', 'value', 'baseline (same run)', 'ratio', 'target', 'met'];
  const lines = rows.map((r) => [r.measure, `${fmt(r.value)} ${r.unit}`, `${r.baseline}: ${fmt(r.baselineValue)} ${r.unit}`, r.ratio.toFixed(3), r.target ?? '', r.met === undefined ? '' : r.met ? 'yes' : 'NO']);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(line(l));
};

export const main = async (): Promise<EventStoreBenchReport> => {
  const total = Math.floor(env('BENCH_EVENTS', 1_000_000));
  const seconds = env('BENCH_SECONDS', 3);
  const root = process.env.BENCH_DIR ?? tmpdir();
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  const cores = availableParallelism();
  const loadBefore = loadavg()[0];
  const parts = new Set((process.env.BENCH_ONLY ?? 'appends,latency,replay').split(',').map((part) => part.trim()));
  console.log(`event store bench: Node ${process.version}, ${cores} cores (${cpus()[0]?.model ?? 'unknown cpu'}), dir ${root}, ${total.toLocaleString('en-US')} replay events`);

  if (parts.has('latency')) {
    const latencyCount = Math.round(env('BENCH_LATENCY_APPENDS', 5000));
    const latency = await measureLatency(root, latencyCount);
    await settle();
    for (const p of [50, 99]) {
      const value = percentile(latency.store.fromSchedule, p);
      const base = percentile(latency.raw.fromSchedule, p);
      rows.push({
        measure: `p${p} append latency at ${OPEN_LOOP_RATE}/s (open loop, from schedule)`,
        value,
        unit: 'ms',
        baseline: 'write+fsync of 1 event',
        baselineValue: base,
        ratio: value / base,
        ...(p === 99 ? { target: '<= 10 ms', met: value <= 10 } : {}),
      });
    }
    const summary = (h: Histogram): Record<string, number> => ({ p50: percentile(h, 50), p90: percentile(h, 90), p99: percentile(h, 99), p999: percentile(h, 99.9), max: h.maxValue / 1000 });
    details.latency = {
      appends: latencyCount,
      storeFromScheduleMs: summary(latency.store.fromSchedule),
      storeServiceMs: summary(latency.store.service),
      rawFromScheduleMs: summary(latency.raw.fromSchedule),
      rawServiceMs: summary(latency.raw.service),
    };
    console.log(`  latency: p50 ${percentile(latency.store.fromSchedule, 50).toFixed(2)} ms, p99 ${percentile(latency.store.fromSchedule, 99).toFixed(2)} ms from schedule; service p50 ${percentile(latency.store.service, 50).toFixed(2)} ms, p99 ${percentile(latency.store.service, 99).toFixed(2)} ms`);
  }

  if (parts.has('appends')) {
    const appendRuns: AppendRun[] = [];
    for (const concurrency of [1, 16, 256]) {
      const run = await measureAppends(root, concurrency, seconds);
      await settle();
      const batch = Math.max(1, Math.round(run.averageBatch));
      const raw = measureRawFsync(root, batch, run.appends);
      await settle();
      appendRuns.push(run);
      rows.push({
        measure: `durable appends/s, concurrency ${concurrency} (avg group commit ${run.averageBatch.toFixed(1)})`,
        value: run.perSecond,
        unit: 'events/s',
        baseline: `write+fsync, ${batch}/fsync`,
        baselineValue: raw.perSecond,
        ratio: run.perSecond / raw.perSecond,
        ...(concurrency === 256 ? { target: '>= 30,000/s', met: run.perSecond >= 30_000 } : {}),
      });
      console.log(`  appends c=${concurrency}: ${fmt(run.perSecond)}/s, ${run.commits} commits, avg batch ${run.averageBatch.toFixed(1)}; raw ${fmt(raw.perSecond)}/s`);
    }
    details.appendRuns = appendRuns;
  }

  if (parts.has('replay')) {
    const replay = await measureReplay(root, total);
    rows.push({
      measure: `replay $all via subscribeToAll + decode (${total.toLocaleString('en-US')} events)`,
      value: replay.subscribePerSecond,
      unit: 'events/s',
      baseline: 'JSON.parse from memory',
      baselineValue: replay.bytesBaselinePerSecond,
      ratio: replay.subscribePerSecond / replay.bytesBaselinePerSecond,
      target: '>= 100,000/s',
      met: replay.subscribePerSecond >= 100_000,
    });
    rows.push({
      measure: `replay $all via readAll pages of 1,000 + decode`,
      value: replay.readAllPerSecond,
      unit: 'events/s',
      baseline: 'JSON.parse from memory',
      baselineValue: replay.bytesBaselinePerSecond,
      ratio: replay.readAllPerSecond / replay.bytesBaselinePerSecond,
      target: '>= 100,000/s',
      met: replay.readAllPerSecond >= 100_000,
    });
    details.replay = { events: replay.events, bulkLoadPerSecond: replay.loadPerSecond, fileBytes: replay.fileBytes, eventBytes: eventBytes(0).length, parseFromOneBufferPerSecond: replay.bytesBaselinePerSecond, parseFromLiveStringsPerSecond: replay.baselinePerSecond };
    console.log(`  replay: bulk load ${fmt(replay.loadPerSecond)}/s; JSON.parse from one UTF-8 buffer ${fmt(replay.bytesBaselinePerSecond)}/s, from ${fmt(total * 2)} live strings ${fmt(replay.baselinePerSecond)}/s`);
  }

  printTable(rows);
  console.log(`1-minute load average: ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (${cores} cores)`);
  const report: EventStoreBenchReport = {
    bench: 'eventstore',
    date: new Date().toISOString(),
    node: process.version,
    cores,
    cpu: cpus()[0]?.model ?? 'unknown',
    loadAverage: { before: loadBefore, after: loadavg()[0] },
    settings: { events: total, secondsPerAppendRun: seconds, dir: root },
    rows,
    details,
  };
  const resultsDir = process.env.BENCH_RESULTS_DIR ?? join(process.cwd(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'eventstore.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${join(resultsDir, 'eventstore.json')}`);
  return report;
};

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
