import { existsSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createEventStore } from '../api/infrastructure/eventStore';
import { createLogger } from '../api/core/logger';
import { CallstreamError } from '../api/core/errors';
import { createReadModelStore } from './infrastructure/readModels';
import { findProjection } from './registry';
import type { Projection } from './runner/projection';
import { rebuildAll, type RebuildResult } from './runner/projectionRunner';

/**
 * `rebuild all` on several cores: the projections are split into groups, and each group is rebuilt by
 * `rebuildAll` in its own worker thread, with its own connections to the stores (named by the
 * environment, as for the CLI). Each thread reads only the events its group needs, so the heavy
 * call-history (every call event) and the other read models (a fraction of them) proceed side by side.
 * Runs from the compiled JavaScript (the worker loads this same file).
 */

/**
 * Young generation of each rebuild thread, in MiB: a rebuild decodes every event once and drops it soon
 * after, so a larger nursery spends far less time collecting (bench/projections: 26.5 s → 23.2 s for
 * 1.04 M events at 192 MiB on 2 cores). CALLSTREAM_REBUILD_YOUNG_GENERATION_MB overrides it.
 */
const YOUNG_GENERATION_MB = 192;

export const rebuildYoungGenerationMb = (env: Record<string, string | undefined> = process.env): number => {
  const value = Number(env.CALLSTREAM_REBUILD_YOUNG_GENERATION_MB ?? YOUNG_GENERATION_MB);
  return Number.isFinite(value) && value >= 16 ? value : YOUNG_GENERATION_MB;
};

/** Relative cost of rebuilding each read model, measured by bench/projections (call-history reads every call event). */
const WEIGHTS: Record<string, number> = { 'call-history': 3, reports: 1.5, queue: 1.2, 'agent-idle-time': 1 };

/** Splits projections into `threads` groups of similar cost (heaviest first, each to the lightest group). */
export const planThreads = (projections: Projection[], threads: number): Projection[][] => {
  const groups: Array<{ weight: number; projections: Projection[] }> = Array.from({ length: Math.max(1, Math.min(threads, projections.length)) }, () => ({ weight: 0, projections: [] }));
  const sorted = [...projections].sort((a, b) => (WEIGHTS[b.name] ?? 1) - (WEIGHTS[a.name] ?? 1) || (a.name < b.name ? -1 : 1));
  for (const projection of sorted) {
    const lightest = groups.reduce((min, g) => (g.weight < min.weight ? g : min), groups[0]);
    lightest.weight += WEIGHTS[projection.name] ?? 1;
    lightest.projections.push(projection);
  }
  return groups.map((g) => g.projections).filter((g) => g.length > 0);
};

export class ParallelRebuildError extends CallstreamError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INTERNAL', message, options);
  }
}

interface WorkerInput {
  kind: 'callstream-parallel-rebuild';
  names: string[];
  env: Record<string, string | undefined>;
  batchSize?: number;
}

type WorkerMessage = { kind: 'progress'; projection: string; processed: number; position: string; head: string } | { kind: 'done'; results: RebuildResult[] } | { kind: 'failed'; message: string };

export interface ParallelRebuildOptions {
  projections: Projection[];
  threads: number;
  /** Overrides of the environment the workers build their stores from. */
  env?: Record<string, string | undefined>;
  batchSize?: number;
  onProgress?: (progress: { projection: string; processed: number; position: bigint; head: bigint }) => void;
}

/** Whether threads can be started here (they load the compiled JavaScript of this file). */
export const canRebuildInThreads = (): boolean => __filename.endsWith('.js') && existsSync(__filename);

export const rebuildInThreads = async (options: ParallelRebuildOptions): Promise<RebuildResult[]> => {
  if (!canRebuildInThreads()) throw new ParallelRebuildError('Rebuilding in threads needs the compiled JavaScript (npm run build)');
  const groups = planThreads(options.projections, options.threads);
  const runGroup = (projections: Projection[]): Promise<RebuildResult[]> =>
    new Promise((resolve, reject) => {
      const input: WorkerInput = { kind: 'callstream-parallel-rebuild', names: projections.map((p) => p.name), env: { ...process.env, ...options.env }, batchSize: options.batchSize };
      const worker = new Worker(__filename, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: rebuildYoungGenerationMb(input.env) } });
      let settled = false;
      worker.on('message', (message: WorkerMessage) => {
        if (message.kind === 'progress') {
          options.onProgress?.({ projection: message.projection, processed: message.processed, position: BigInt(message.position), head: BigInt(message.head) });
        } else if (message.kind === 'done') {
          settled = true;
          resolve(message.results);
        } else {
          settled = true;
          reject(new ParallelRebuildError(`Rebuilding ${input.names.join(', ')} failed: ${message.message}`));
        }
      });
      worker.on('error', (error) => {
        settled = true;
        reject(new ParallelRebuildError(`Rebuilding ${input.names.join(', ')} failed`, { cause: error }));
      });
      worker.on('exit', (code) => {
        if (!settled) reject(new ParallelRebuildError(`The rebuild thread of ${input.names.join(', ')} exited with code ${code}`));
      });
    });
  return (await Promise.all(groups.map(runGroup))).flat();
};

const runWorker = async (input: WorkerInput): Promise<void> => {
  const port = parentPort;
  if (!port) return;
  const env = Object.fromEntries(Object.entries(input.env).filter((e): e is [string, string] => e[1] !== undefined));
  const eventStore = createEventStore(env);
  const readModels = createReadModelStore(env);
  try {
    const projections = input.names.map((name) => {
      const projection = findProjection(name);
      if (!projection) throw new ParallelRebuildError(`Unknown projection '${name}'`);
      return projection;
    });
    let last = 0;
    const results = await rebuildAll(projections, {
      eventStore,
      readModels,
      logger: createLogger('projections:rebuild', env.LOG_LEVEL ?? 'warn'),
      ...(input.batchSize ? { batchSize: input.batchSize } : {}),
      onProgress: (p) => {
        if (p.processed - last < 10_000 && p.position < p.head) return;
        last = p.processed;
        const message: WorkerMessage = { kind: 'progress', projection: p.projection, processed: p.processed, position: p.position.toString(), head: p.head.toString() };
        port.postMessage(message);
      },
    });
    port.postMessage({ kind: 'done', results } satisfies WorkerMessage);
  } catch (error) {
    port.postMessage({ kind: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies WorkerMessage);
  } finally {
    await eventStore.close();
    await readModels.close();
  }
};

const input = workerData as WorkerInput | null;
if (!isMainThread && input?.kind === 'callstream-parallel-rebuild') void runWorker(input);
