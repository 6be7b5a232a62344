import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';
import { SqliteEventStore } from '../../api/infrastructure/eventStore/sqlite/sqliteEventStore';
import { ackLine, payloadFor } from './payload';

/**
 * Appends to `concurrency` streams at once, forever, and writes a line to stdout for every event
 * whose append was acknowledged, before it appends again. The durability test kills it with SIGKILL.
 * Usage: node -r ./register.js appender.ts <dataDir> <streamPrefix> <concurrency>
 */
const [dataDir, streamPrefix, concurrency = '16'] = process.argv.slice(2);
const store = new SqliteEventStore({ dataDir });

const appendForever = async (streamId: string): Promise<never> => {
  const current = await store.streamRevision(streamId);
  let next = current === 'no_stream' ? 0n : current + 1n;
  for (let n = 0; ; n++) {
    const count = 1 + (n % 3);
    const batch = Array.from({ length: count }, (_, i) => ({ id: randomUUID(), type: 'DurabilityProbed', data: payloadFor(streamId, next + BigInt(i)) }));
    const result = await store.append(streamId, batch, { expectedRevision: next === 0n ? 'no_stream' : next - 1n });
    // Events of one append get consecutive positions, the last one being result.position.
    const lines = batch.map((e, i) => ackLine(e.id, streamId, next + BigInt(i), result.position - BigInt(count - 1 - i))).join('');
    writeSync(1, lines);
    next = result.nextExpectedRevision + 1n;
  }
};

for (let w = 0; w < Number(concurrency); w++) {
  appendForever(`${streamPrefix}${w}`).catch((err: unknown) => {
    process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
    process.exit(1);
  });
}
