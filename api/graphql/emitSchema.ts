import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildCallstreamSchema, printCallstreamSchema } from './schema';

/** Writes schema.graphql (into the current directory: the repository root under `npm run schema`, or the path given). */
const main = async (): Promise<void> => {
  const out = resolve(process.argv[2] ?? 'schema.graphql');
  writeFileSync(out, printCallstreamSchema(await buildCallstreamSchema()));
  process.stdout.write(`wrote ${out}\n`);
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
