import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { randomUUID } from 'node:crypto';
import { UnavailableError } from '../core/errors';
import type { AppendOptions, AppendResult, EventData, ReadStreamOptions, RecordedEvent } from '../infrastructure/eventStore/eventStore';
import { SqliteEventStore } from '../infrastructure/eventStore/sqlite/sqliteEventStore';
import { DedupingAppender } from './dedupingAppender';

class FailingAppends extends SqliteEventStore {
  failAppends = false;

  override async append(streamId: string, events: EventData[], options?: AppendOptions): Promise<AppendResult> {
    if (this.failAppends) throw new UnavailableError('appends switched off');
    return super.append(streamId, events, options);
  }

  failReads = false;

  override async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    if (this.failReads) throw new UnavailableError('reads switched off');
    return super.readStream(streamId, options);
  }
}

function statuses(outcomes: PromiseSettledResult<{ status: string }>[]): string[] {
  return outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.status : (outcome.reason as Error).name));
}

function submission(key: string): { dedupeKey: string; event: EventData } {
  return { dedupeKey: key, event: { id: randomUUID(), type: 'Keyed', data: { key } } };
}

describe('DedupingAppender', () => {
  let dir: string;
  let store: FailingAppends;
  let appender: DedupingAppender;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dedupe-'));
    store = new FailingAppends({ dataDir: dir, logger: pino({ level: 'silent' }) });
    appender = new DedupingAppender({ eventStore: store, dedupeKeyOf: (event) => (event.data as { key?: string }).key });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a known key as a duplicate even when the append of its batch fails, and fails only the new ones', async () => {
    await expect(appender.submit('s-1', submission('a'))).resolves.toMatchObject({ status: 'appended' });

    store.failAppends = true;
    const outcomes = await Promise.allSettled([appender.submit('s-1', submission('b')), appender.submit('s-1', submission('a')), appender.submit('s-1', submission('c'))]);
    store.failAppends = false;

    expect(statuses(outcomes)).toEqual(['UnavailableError', 'duplicate', 'UnavailableError']);
    await expect(appender.submit('s-1', submission('b'))).resolves.toMatchObject({ status: 'appended', revision: 1n });
    await expect(appender.submit('s-1', submission('a'))).resolves.toEqual({ status: 'duplicate' });
    expect((await store.readStream('s-1')).map((event) => (event.data as { key: string }).key)).toEqual(['a', 'b']);
  });

  it('still answers known keys as duplicates while the stream cannot be read after a failed append', async () => {
    await appender.submit('s-2', submission('a'));
    store.failAppends = true;
    await expect(appender.submit('s-2', submission('b'))).rejects.toThrow(UnavailableError);
    store.failReads = true;

    const outcomes = await Promise.allSettled([appender.submit('s-2', submission('a')), appender.submit('s-2', submission('b'))]);
    expect(statuses(outcomes)).toEqual(['duplicate', 'UnavailableError']);

    store.failAppends = false;
    store.failReads = false;
    await expect(appender.submit('s-2', submission('b'))).resolves.toMatchObject({ status: 'appended', revision: 1n });
    expect(appender.counters.streamReads).toBeGreaterThan(1);
  });
});
