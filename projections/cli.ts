import { parseArgs } from 'node:util';
import { createEventStore } from '../api/infrastructure/eventStore';
import { createReadModelStore } from './infrastructure/readModels';
import { allProjections, findProjection } from './registry';
import { availableParallelism } from 'node:os';
import { rebuildAll } from './runner/projectionRunner';
import { canRebuildInThreads, rebuildInThreads } from './parallelRebuild';
import { ProjectionDaemon } from './projectionDaemon';
import { createProgress } from '../api/cli/progress';
import { rootLogger } from '../api/core/logger';
import { loadOpsEndpoint, Observability, PROJECTIONS_OPS_PORT } from '../api/observability';
import type { Projection } from './runner/projection';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** Events per batch of a rebuild: larger batches write each document fewer times while catching up. */
const REBUILD_BATCH_SIZE = 20_000;

const usage = `Usage:
  npm run projections -- run                  run every projection live (single writer per projection),
                                              with /health and /metrics on CALLSTREAM_OPS_PORT (${PROJECTIONS_OPS_PORT})
  npm run projections -- rebuild <name>|all   blue/green rebuild while the current generation serves
                     [--threads N]            over N worker threads (default: 2 on 2+ cores; 1 = this thread)
  npm run projections -- status               generation, checkpoint and lag of each projection
Projections: ${allProjections.map((p) => p.name).join(', ') || '(none)'}`;

export const main = async (argv = process.argv.slice(2)): Promise<number> => {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { threads: { type: 'string' } } });
  const [command, target] = positionals;
  const eventStore = createEventStore();
  const readModels = createReadModelStore();
  try {
    if (command === 'run') {
      const logger = rootLogger.child({ component: 'projections-main' });
      const endpoint = loadOpsEndpoint(process.env, PROJECTIONS_OPS_PORT);
      const observability = new Observability(process.env, logger);
      const daemon = new ProjectionDaemon(eventStore, readModels, allProjections);
      // Ready while both stores answer and every projection is within CALLSTREAM_READY_MAX_PROJECTION_LAG of the head.
      observability.watchStores({ eventStore, readModels });
      observability.watchProjections(daemon);
      const stopped = new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      const ops = await observability.serveOps(endpoint, logger.child({ component: 'ops' }));
      daemon.start();
      logger.info({ projections: allProjections.map((p) => p.name), ops: ops?.port ?? null }, 'projections process started');
      await stopped;
      await ops?.close();
      await daemon.stop();
      return 0;
    }
    if (command === 'status') {
      const daemon = new ProjectionDaemon(eventStore, readModels, allProjections);
      for (const l of await daemon.lag()) {
        out(`${l.projection.padEnd(20)} generation ${l.generation ?? '-'}  position ${l.position}  head ${l.head}  lag ${l.lag}`);
      }
      return 0;
    }
    if (command === 'rebuild' && target) {
      const selected: Projection[] = target === 'all' ? allProjections : [findProjection(target)].filter((p): p is Projection => !!p);
      if (selected.length === 0) {
        err(`Unknown projection '${target}'.\n${usage}`);
        return 2;
      }
      const started = Date.now();
      const head = await eventStore.headPosition();
      const names = selected.map((p) => p.name).join(', ');
      const progress = createProgress(`rebuild ${names}`, Number(head + 1n));
      const threads = values.threads !== undefined ? Number(values.threads) : Math.min(2, availableParallelism(), selected.length);
      if (!Number.isInteger(threads) || threads < 1) {
        err(`--threads must be a whole number >= 1, got '${values.threads ?? ''}'`);
        return 2;
      }
      const onProgress = (p: { processed: number; head: bigint }): void => progress.update(p.processed, Number(p.head + 1n));
      // One read of the history feeds every selected projection of a thread; the heavy call history gets a thread of its own.
      const results =
        threads > 1 && canRebuildInThreads()
          ? await rebuildInThreads({ projections: selected, threads, batchSize: REBUILD_BATCH_SIZE, onProgress })
          : await rebuildAll(selected, { eventStore, readModels, batchSize: REBUILD_BATCH_SIZE, onProgress });
      const seconds = (Date.now() - started) / 1000;
      const processed = Math.max(0, ...results.map((r) => r.processed));
      progress.finish(
        `rebuilt ${results.map((r) => `${r.projection} (generation ${r.generation})`).join(', ')}: ${processed} events in ${seconds.toFixed(1)} s (${Math.round(processed / Math.max(seconds, 0.001))} events/s)`,
      );
      return 0;
    }
    err(usage);
    return 2;
  } catch (error) {
    err(error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    await eventStore.close();
    await readModels.close();
  }
};

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
