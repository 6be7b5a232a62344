import { parseArgs } from 'node:util';
import { createEventStore } from '../infrastructure/eventStore';
import { exportEvents, importEvents, type ExportFilter } from '../events/exportImport';
import { createProgress } from './progress';

const usage = `Usage:
  npm run events -- export --out FILE [--stream ID]... [--stream-prefix P]... [--type T]... [--type-prefix P]...
                           [--from-time ISO] [--to-time ISO] [--from-position N] [--to-position N]
  npm run events -- import --in FILE        (into an empty store)`;

const list = (v: string | string[] | undefined): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

const parseTime = (name: string, v: string | undefined): Date | undefined => {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new Error(`--${name} is not a date: ${v}`);
  return d;
};

const parsePosition = (name: string, v: string | undefined): bigint | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new Error(`--${name} must be a non-negative integer: ${v}`);
  return BigInt(v);
};

export const main = async (argv = process.argv.slice(2)): Promise<number> => {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      in: { type: 'string' },
      stream: { type: 'string', multiple: true },
      'stream-prefix': { type: 'string', multiple: true },
      type: { type: 'string', multiple: true },
      'type-prefix': { type: 'string', multiple: true },
      'from-time': { type: 'string' },
      'to-time': { type: 'string' },
      'from-position': { type: 'string' },
      'to-position': { type: 'string' },
    },
  });
  const command = positionals[0];
  if (command !== 'export' && command !== 'import') {
    console.error(usage);
    return 2;
  }
  const store = createEventStore();
  try {
    if (command === 'export') {
      if (!values.out) throw new Error('export needs --out FILE');
      const filter: ExportFilter = {
        streams: list(values.stream),
        streamPrefixes: list(values['stream-prefix']),
        types: list(values.type),
        eventTypePrefixes: list(values['type-prefix']),
        fromTime: parseTime('from-time', values['from-time']),
        toTime: parseTime('to-time', values['to-time']),
        fromPosition: parsePosition('from-position', values['from-position']),
        toPosition: parsePosition('to-position', values['to-position']),
      };
      const head = await store.headPosition();
      const progress = createProgress('export', Number(head + 1n));
      const stats = await exportEvents(store, values.out, filter, (scanned) => progress.update(scanned));
      progress.finish(`exported ${stats.written} of ${stats.scanned} events scanned to ${values.out} in ${stats.seconds.toFixed(1)} s (${Math.round(stats.scanned / Math.max(stats.seconds, 0.001))} events/s)`);
    } else {
      if (!values.in) throw new Error('import needs --in FILE');
      const progress = createProgress('import', 0);
      const stats = await importEvents(store, values.in, (n) => progress.update(n, Math.max(n, 1)));
      progress.finish(`imported ${stats.written} events from ${values.in} in ${stats.seconds.toFixed(1)} s (${Math.round(stats.written / Math.max(stats.seconds, 0.001))} events/s)`);
    }
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return 1;
  } finally {
    await store.close();
  }
};

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
