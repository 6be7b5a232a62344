import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../../api/core/errors';
import { exportEvents, importEvents, type ExportedEvent } from '../../api/events/exportImport';
import { SqliteEventStore } from '../../api/infrastructure/eventStore/sqlite/sqliteEventStore';
import { dayPlan, tunedQueues } from '../../bench/projections/dayPlan';
import { centerConfigCommands } from '../../bench/projections/centerSimulation';
import { appendAll, simulate } from '../projections/support/harness';

const lines = (file: string): ExportedEvent[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as ExportedEvent);

/** What a store keeps of an event when it is imported: everything but its own commit time. */
const withoutCommitTime = ({ recordedAt: _recordedAt, ...rest }: ExportedEvent): Omit<ExportedEvent, 'recordedAt'> => rest;

describe('events export and import', () => {
  let dir: string;
  const stores: SqliteEventStore[] = [];
  const store = (name: string): SqliteEventStore => {
    const s = new SqliteEventStore({ dataDir: join(dir, name) });
    stores.push(s);
    return s;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'callstream-export-'));
  });

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const source = async (): Promise<SqliteEventStore> => {
    const s = store('source');
    if ((await s.headPosition()) >= 0n) return s;
    const plan = dayPlan({ agents: 10, calls: 300, seed: 3 });
    await appendAll(
      s,
      simulate({
        start: plan.start,
        configCommands: centerConfigCommands(plan.start, plan.agents, (q) => tunedQueues([q])[0]),
        agents: plan.agentPlans,
        calls: plan.calls.filter((c) => c.at < '2026-03-02T09:00:00.000Z'),
      }),
    );
    return s;
  };

  it('exports everything to NDJSON, imports it into an empty store, and exports the same again', async () => {
    const from = await source();
    const head = await from.headPosition();
    const exported = await exportEvents(from, join(dir, 'all.ndjson'));
    expect(exported.written).toBe(Number(head));
    const into = store('copy');
    const imported = await importEvents(into, join(dir, 'all.ndjson'));
    expect(imported.written).toBe(exported.written);
    await exportEvents(into, join(dir, 'again.ndjson'));
    // The importing store stamps its own commit times; ids, streams, revisions, positions, data and metadata are the same.
    expect(lines(join(dir, 'again.ndjson')).map(withoutCommitTime)).toEqual(lines(join(dir, 'all.ndjson')).map(withoutCommitTime));
    expect(await into.readStream('config-settings')).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'ContactCenterSettingsConfigured' })]));
  });

  it('exports by stream, type, position and time, and a filtered export of whole streams round-trips', async () => {
    const from = await source();
    await exportEvents(from, join(dir, 'agents.ndjson'), { streamPrefixes: ['agent-', 'config-'] });
    const agents = lines(join(dir, 'agents.ndjson'));
    expect(agents.length).toBeGreaterThan(10);
    expect(agents.every((e) => e.streamId.startsWith('agent-') || e.streamId.startsWith('config-'))).toBe(true);
    const into = store('agents-only');
    await importEvents(into, join(dir, 'agents.ndjson'));
    await exportEvents(into, join(dir, 'agents-again.ndjson'));
    const key = (e: ExportedEvent) => ({ id: e.id, streamId: e.streamId, revision: e.revision, type: e.type, data: e.data, metadata: e.metadata });
    // Positions are the new store's own (the others are not there); the order and everything else are kept.
    expect(lines(join(dir, 'agents-again.ndjson')).map(key)).toEqual(agents.map(key));

    await exportEvents(from, join(dir, 'typed.ndjson'), { types: ['CallEnded', 'AgentLoggedIn'] });
    expect(new Set(lines(join(dir, 'typed.ndjson')).map((e) => e.type))).toEqual(new Set(['CallEnded', 'AgentLoggedIn']));

    await exportEvents(from, join(dir, 'range.ndjson'), { fromPosition: 100n, toPosition: 199n });
    expect(lines(join(dir, 'range.ndjson')).map((e) => Number(e.position))).toEqual(Array.from({ length: 100 }, (_, i) => 100 + i));

    await exportEvents(from, join(dir, 'one-call.ndjson'), { streams: ['call-call-000001'] });
    const oneCall = lines(join(dir, 'one-call.ndjson'));
    expect(oneCall.length).toBeGreaterThan(20);
    expect(oneCall.map((e) => Number(e.revision))).toEqual(oneCall.map((_e, i) => i));

    const all = lines(join(dir, 'all.ndjson'));
    const cut = new Date(all[Math.floor(all.length / 2)].recordedAt);
    await exportEvents(from, join(dir, 'until.ndjson'), { toTime: cut });
    expect(lines(join(dir, 'until.ndjson')).every((e) => new Date(e.recordedAt) <= cut)).toBe(true);
  });

  it('refuses to import into a store that has events, or an export that starts streams half-way', async () => {
    const from = await source();
    await expect(importEvents(from, join(dir, 'all.ndjson'))).rejects.toBeInstanceOf(ValidationError);
    await exportEvents(from, join(dir, 'tail.ndjson'), { fromPosition: 500n });
    await expect(importEvents(store('tail'), join(dir, 'tail.ndjson'))).rejects.toThrow(/jumps to revision/);
  });
});
