import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '../../api/infrastructure/eventStore/eventStore';
import { SqliteEventStore } from '../../api/infrastructure/eventStore/sqlite/sqliteEventStore';
import { payloadFor } from './payload';

interface Ack {
  id: string;
  streamId: string;
  revision: bigint;
  position: bigint;
}

const KILLS = 3;
const CONCURRENCY = 16;
const STREAM_PREFIX = 'probe-';

/** Runs the appender in its own process and SIGKILLs it once it has acknowledged `killAfter` events. */
const appendUntilKilled = (dataDir: string, killAfter: number): Promise<Ack[]> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', join(__dirname, 'register.js'), join(__dirname, 'appender.ts'), dataDir, STREAM_PREFIX, String(CONCURRENCY)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acks: Ack[] = [];
    let partial = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const [id, streamId, revision, position] = line.split(' ');
        acks.push({ id, streamId, revision: BigInt(revision), position: BigInt(position) });
      }
      if (!killed && acks.length >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && killed) resolve(acks);
      else reject(new Error(`appender exited with ${code ?? signal} before it was killed: ${stderr}`));
    });
  });

const readEverything = async (store: SqliteEventStore): Promise<RecordedEvent[]> => {
  const all: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ fromPosition: all.length > 0 ? all[all.length - 1].position : 'start', maxCount: 5000 });
    if (page.length === 0) return all;
    all.push(...page);
  }
};

/** Pulls from a subscription until it has delivered the event at `position`; fails rather than hangs. */
const collectThrough = async (first: Promise<IteratorResult<RecordedEvent>>, iterator: AsyncIterator<RecordedEvent>, position: bigint): Promise<RecordedEvent[]> => {
  const delivered: RecordedEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`subscription stopped at ${delivered.length} events`)), 20_000);
  });
  try {
    for (let next = first; ; next = iterator.next()) {
      const result = await Promise.race([next, timeout]);
      if (result.done) throw new Error('subscription ended');
      delivered.push(result.value);
      if (result.value.position >= position) return delivered;
    }
  } finally {
    clearTimeout(timer);
  }
};

describe('event store durability under SIGKILL', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'callstream-kill-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    `keeps every acknowledged event, intact and in order, across ${KILLS} kills`,
    async () => {
      const acknowledged: Ack[] = [];
      for (let kill = 1; kill <= KILLS; kill++) {
        // This process watches the same file while the child writes, as a projection runner would.
        const watcher = new SqliteEventStore({ dataDir, pollIntervalMs: 10 });
        const subscription = watcher.subscribeToAll({ fromPosition: acknowledged.length > 0 ? acknowledged[acknowledged.length - 1].position : 'start' });
        const iterator = subscription[Symbol.asyncIterator]();
        const first = iterator.next();
        first.catch(() => undefined);

        const acks = await appendUntilKilled(dataDir, 300 + Math.floor(Math.random() * 300));
        expect(acks.length).toBeGreaterThanOrEqual(300);
        for (let i = 1; i < acks.length; i++) expect(acks[i].position > acks[i - 1].position).toBe(true);
        acknowledged.push(...acks);

        // The child's appends reached this process's live subscription through polling alone.
        const delivered = await collectThrough(first, iterator, acks[acks.length - 1].position);
        const deliveredIds = new Set(delivered.map((e) => e.id));
        expect(acks.filter((a) => !deliveredIds.has(a.id))).toEqual([]);
        await subscription.close();
        await watcher.close();

        const store = new SqliteEventStore({ dataDir });
        try {
          const all = await readEverything(store);
          const byId = new Map(all.map((e) => [e.id, e]));
          for (const ack of acknowledged) {
            const stored = byId.get(ack.id);
            expect(stored).toMatchObject({ streamId: ack.streamId, revision: ack.revision, position: ack.position });
            expect(stored?.data).toEqual(payloadFor(ack.streamId, ack.revision));
          }

          for (let i = 1; i < all.length; i++) expect(all[i].position > all[i - 1].position).toBe(true);
          for (let w = 0; w < CONCURRENCY; w++) {
            const streamId = `${STREAM_PREFIX}${w}`;
            const events = await store.readStream(streamId);
            expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => BigInt(i)));
            for (const e of events) expect(e.data).toEqual(payloadFor(streamId, e.revision));
          }
          expect(all.length).toBeGreaterThanOrEqual(acknowledged.length);
        } finally {
          await store.close();
        }
      }
    },
    120_000,
  );

  it('lets a process that closes the store run to the end of close()', async () => {
    const adapter = join(__dirname, '../../api/infrastructure/eventStore/sqlite/sqliteEventStore.ts');
    const script = `
      const { SqliteEventStore } = require(${JSON.stringify(adapter)});
      (async () => {
        const store = new SqliteEventStore({ dataDir: require('node:path').join(${JSON.stringify(join(dataDir, 'close'))}, String(process.pid)) });
        await store.append('call-1', [{ id: require('node:crypto').randomUUID(), type: 'Happened', data: {} }]);
        await store.close();
        process.stdout.write('closed');
      })();`;
    const runOnce = (): Promise<string> =>
      new Promise((resolve, reject) => execFile(process.execPath, ['--require', join(__dirname, 'register.js'), '-e', script], (err, out) => (err ? reject(err) : resolve(out))));
    // An early exit depends on thread timing, so one run could miss it.
    const outputs: string[] = [];
    for (let run = 0; run < 5; run++) outputs.push(await runOnce());
    expect(outputs).toEqual(Array(5).fill('closed'));
  });
});
