import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Runs every `bench/<name>/*.bench.js` (compiled) that exports main(); `node dist/bench/run.js <name>` runs one folder. */
const run = async (): Promise<void> => {
  const only = process.argv[2];
  const folders = readdirSync(__dirname, { withFileTypes: true }).filter((d) => d.isDirectory() && (!only || d.name === only));
  for (const folder of folders) {
    const dir = join(__dirname, folder.name);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.bench.js')).sort()) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const bench = require(join(dir, file)) as { main?: () => Promise<unknown> };
      if (typeof bench.main !== 'function') continue;
      console.log(`\n== ${folder.name}/${file}`);
      await bench.main();
    }
  }
  if (only && !existsSync(join(__dirname, only))) throw new Error(`no bench folder named ${only}`);
};

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
