import { parseArgs } from 'node:util';
import { createEventStore } from '../api/infrastructure/eventStore';
import { createReadModelStore } from './infrastructure/readModels';
import { allProjections, findProjection } from './registry';
import { ProjectionRunner } from './runner/projectionRunner';
import { ProjectionDaemon } from './projectionDaemon';
import { createProgress } from '../api/cli/progress';
import type { Projection } from './runner/projection';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const usage = `Usage:
  npm run projections -- run                  run every projection live (single writer per projection)
  npm run projections -- rebuild <name>|all   blue/green rebuild while the current generation serves
  npm run projections -- status               generation, checkpoint and lag of each projection
Projections: ${allProjections.map((p) => p.name).join(', ') || '(none)'}`;

export const main = async (argv = process.argv.slice(2)): Promise<number> => {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  const [command, target] = positionals;
  const eventStore = createEventStore();
  const readModels = createReadModelStore();
  try {
    if (command === 'run') {
      const daemon = new ProjectionDaemon(eventStore, readModels, allProjections);
      daemon.start();
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
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
      for (const projection of selected) {
        const started = Date.now();
        const head = await eventStore.headPosition();
        const progress = createProgress(`rebuild ${projection.name}`, Number(head + 1n));
        let processed = 0;
        const runner = new ProjectionRunner(projection, {
          eventStore,
          readModels,
          onProgress: (p) => {
            processed = p.processed;
            progress.update(p.processed, Number(p.head + 1n));
          },
        });
        const generation = await runner.rebuild();
        const seconds = (Date.now() - started) / 1000;
        progress.finish(
          `rebuilt ${projection.name} into generation ${generation}: ${processed} events in ${seconds.toFixed(1)} s (${Math.round(processed / Math.max(seconds, 0.001))} events/s)`,
        );
      }
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
