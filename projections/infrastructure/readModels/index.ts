import { z } from 'zod';
import { ValidationError } from '../../../api/core/errors';
import type { ReadModelStore } from './readModelStore';
import { SqliteReadModelStore } from './embedded/sqliteReadModelStore';
import { MongoReadModelStore } from './mongodb/mongoReadModelStore';

export * from './readModelStore';
export { SqliteReadModelStore } from './embedded/sqliteReadModelStore';
export { MongoReadModelStore } from './mongodb/mongoReadModelStore';

const emptyAsUndefined = (value: unknown): unknown => (value === '' ? undefined : value);

const ReadModelEnv = z.object({
  MONGODB_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\/.+/, "must be a connection string such as mongodb://localhost:27017/callstream?directConnection=true")
      .optional(),
  ),
  CALLSTREAM_DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
  CALLSTREAM_READMODELS_POLL_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(25)),
});

/**
 * The read-model store the environment asks for: MongoDB when MONGODB_URL is set (a replica set;
 * it connects on first use), otherwise the embedded SQLite store `readmodels.db` in
 * CALLSTREAM_DATA_DIR (default ./data). CALLSTREAM_READMODELS_POLL_MS sets how often the embedded
 * store's idle change feeds look for writes made by other processes.
 */
export const createReadModelStore = (env: NodeJS.ProcessEnv = process.env): ReadModelStore => {
  const parsed = ReadModelEnv.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`Invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  const config = parsed.data;
  if (config.MONGODB_URL) return new MongoReadModelStore({ url: config.MONGODB_URL });
  return new SqliteReadModelStore({ dataDir: config.CALLSTREAM_DATA_DIR, changePollIntervalMs: config.CALLSTREAM_READMODELS_POLL_MS });
};
