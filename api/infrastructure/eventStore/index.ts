import { z } from 'zod';
import { ValidationError } from '../../core/errors';
import type { EventStore } from './eventStore';
import { EventStoreDbEventStore } from './eventstoredb/eventStoreDbEventStore';
import { DEFAULT_POLL_INTERVAL_MS, SqliteEventStore } from './sqlite/sqliteEventStore';

export * from './eventStore';
export { EventStoreDbEventStore } from './eventstoredb/eventStoreDbEventStore';
export { SqliteEventStore } from './sqlite/sqliteEventStore';

const emptyAsUndefined = (value: unknown): unknown => (value === '' ? undefined : value);

const EventStoreEnv = z.object({
  EVENTSTORE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kurrent|kdb):\/\/.+/, 'must be a connection string such as esdb://localhost:2113?tls=false')
      .optional(),
  ),
  CALLSTREAM_DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
  CALLSTREAM_EVENTSTORE_POLL_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(DEFAULT_POLL_INTERVAL_MS)),
});

/**
 * The event store the environment asks for: EventStoreDB when EVENTSTORE_URL is set, otherwise the
 * embedded SQLite store in CALLSTREAM_DATA_DIR (default ./data). CALLSTREAM_EVENTSTORE_POLL_MS sets how
 * often the embedded store's idle subscriptions look for appends made by other processes.
 */
export const createEventStore = (env: NodeJS.ProcessEnv = process.env): EventStore => {
  const parsed = EventStoreEnv.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`Invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  const config = parsed.data;
  if (config.EVENTSTORE_URL) return new EventStoreDbEventStore({ connectionString: config.EVENTSTORE_URL });
  return new SqliteEventStore({ dataDir: config.CALLSTREAM_DATA_DIR, pollIntervalMs: config.CALLSTREAM_EVENTSTORE_POLL_MS });
};
