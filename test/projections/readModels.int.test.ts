import { centerConfigCommands } from '../../bench/projections/centerSimulation';
import { dayPlan, tunedQueues } from '../../bench/projections/dayPlan';
import type { RecordedEvent } from '../../api/infrastructure/eventStore/eventStore';
import type { ReadModelDocument } from '../../projections/infrastructure/readModels/readModelStore';
import { allProjections } from '../../projections/registry';
import { checkpointName, readActiveGeneration } from '../../projections/runner/generations';
import { replayManyInMemory } from '../../projections/runner/inMemoryReplay';
import { ProjectionRunner, rebuildAll } from '../../projections/runner/projectionRunner';
import { appendAll, closeStores, memoryDocs, openStores, projectInMemory, recordAppends, simulate, storedDocs, type Stores } from './support/harness';

/** Two hours of a small center (20 agents, about seventy calls) with every path the day plan has: IVR timeouts, callbacks, voicemail, holds, misses, declines, outbound calls. */
const smallDay = () => {
  const plan = dayPlan({ agents: 20, calls: 400, seed: 7 });
  return simulate({
    start: plan.start,
    configCommands: centerConfigCommands(plan.start, plan.agents, (q) => tunedQueues([q])[0]),
    agents: plan.agentPlans,
    calls: plan.calls.filter((c) => c.at < '2026-03-02T10:00:00.000Z'),
    outbound: plan.outbound.filter((o) => o.at < '2026-03-02T10:00:00.000Z'),
  });
};

const waitFor = async (check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`Timed out waiting for ${what}`);
};

const plain = (docs: Map<string, ReadModelDocument>): Record<string, unknown> => JSON.parse(JSON.stringify(Object.fromEntries(docs))) as Record<string, unknown>;

describe('the read models on a small simulated day', () => {
  const appends = smallDay();
  const events: RecordedEvent[] = recordAppends(appends);

  it('produce the same documents live (small batches) as rebuilt, all from one read of the history or each on its own', async () => {
    const stores: Stores = openStores();
    const runners = allProjections.map((p) => new ProjectionRunner(p, { eventStore: stores.events, readModels: stores.readModels, batchSize: 37, leaseTtlMs: 5_000 }));
    try {
      for (const runner of runners) void runner.start();
      // Appended while the runners tail the store, as in production.
      await appendAll(stores.events, appends);
      const head = await stores.events.headPosition();
      await waitFor(async () => {
        for (const p of allProjections) {
          const active = await readActiveGeneration(stores.readModels, p.name);
          const checkpoint = active && (await stores.readModels.getCheckpoint(checkpointName(p.name, active.generation)));
          if (!checkpoint || checkpoint.position < head) return false;
        }
        return true;
      }, 'the live projections to catch up');
      await Promise.all(runners.map((r) => r.stop()));

      const live = new Map<string, Record<string, unknown>>();
      for (const p of allProjections) for (const c of p.collections) live.set(`${p.name}.${c.name}`, plain(await storedDocs(stores.readModels, p.name, c.name)));

      const results = await rebuildAll(allProjections, { eventStore: stores.events, readModels: stores.readModels, batchSize: 5000 });
      expect(results.map((r) => r.generation)).toEqual(allProjections.map(() => 2));
      for (const p of allProjections) {
        for (const c of p.collections) {
          const rebuilt = plain(await storedDocs(stores.readModels, p.name, c.name));
          expect({ collection: `${p.name}.${c.name}`, docs: rebuilt }).toEqual({ collection: `${p.name}.${c.name}`, docs: live.get(`${p.name}.${c.name}`) });
        }
      }
      // So does each projection's own blue/green rebuild.
      for (const p of allProjections) {
        const generation = await new ProjectionRunner(p, { eventStore: stores.events, readModels: stores.readModels, batchSize: 1000 }).rebuild();
        expect(generation).toBe(3);
        for (const c of p.collections) expect(plain(await storedDocs(stores.readModels, p.name, c.name))).toEqual(live.get(`${p.name}.${c.name}`));
      }
      // And a replay in memory (time travel's machinery) agrees with both.
      const replayed = await replayManyInMemory(stores.events, allProjections);
      for (const p of allProjections) {
        for (const c of p.collections) {
          expect(plain(memoryDocs(replayed.get(p.name)!, c.name))).toEqual(live.get(`${p.name}.${c.name}`));
        }
      }
      const calls = live.get('call-history.calls') ?? {};
      expect(Object.keys(calls).length).toBeGreaterThan(40);
    } finally {
      await Promise.all(runners.map((r) => r.stop()));
      await closeStores(stores);
    }
  }, 120_000);

  it.each(allProjections.map((p) => [p.name, p] as const))('%s: each event delivered twice gives the same documents', async (_name, projection) => {
    const once = await projectInMemory(projection, events, 1);
    const twice = await projectInMemory(projection, events, 2);
    for (const c of projection.collections) expect(plain(memoryDocs(twice, c.name))).toEqual(plain(memoryDocs(once, c.name)));
    expect([...once.values()].some((docs) => docs.size > 0)).toBe(true);
  });

  it.each(allProjections.map((p) => [p.name, p] as const))('%s: webhooks the call streams repeat later (redelivered, linked copies) change nothing', async (_name, projection) => {
    const webhooks = events.filter((e) => e.type === 'TelnyxWebhookReceived' || e.type === 'TelnyxWebhookLinked');
    let position = events[events.length - 1].position;
    const repeats = webhooks.filter((_e, i) => i % 3 === 0).map((e) => ({ ...e, id: `${e.id}-again`, position: (position += 1n) }));
    const once = await projectInMemory(projection, events);
    const withRepeats = await projectInMemory(projection, [...events, ...repeats]);
    for (const c of projection.collections) expect(plain(memoryDocs(withRepeats, c.name))).toEqual(plain(memoryDocs(once, c.name)));
  });
});
