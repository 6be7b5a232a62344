import { previousCalls } from '../../projections/call-history/queries';
import { ProjectionDaemon } from '../../projections/projectionDaemon';
import { allProjections } from '../../projections/registry';
import type { SqliteReadModelStore } from '../../projections/infrastructure/readModels/embedded/sqliteReadModelStore';
import { one, silent, startHarness, type Harness } from './support/harness';

jest.setTimeout(60_000);

describe("the caller's previous calls on the screen pop", () => {
  let h: Harness;
  let projections: ProjectionDaemon;

  afterEach(async () => {
    await projections.stop();
    await h.close();
  });

  it('are looked up in the call history when the caller calls again, and recorded on the new call', async () => {
    const stores: { readModels?: SqliteReadModelStore } = {};
    // The same lookup the product wires in: the call-history read model, by caller number.
    h = await startHarness({ scale: 40, reactor: { previousCalls: (number) => previousCalls(stores.readModels!, number, 6) } });
    stores.readModels = h.readModels;
    projections = new ProjectionDaemon(h.store, h.readModels, allProjections, silent);
    projections.start();

    const first = h.sim.world.placeCaller({ from: '+15550200102', ivr: ['1', '1'], patienceMs: 2000 });
    const firstEvents = await h.ended(first.callSessionId);
    expect(one(firstEvents, 'CallerIdentified').data.previousCalls).toEqual([]);
    // The history has caught up with the end of the first call.
    await h.waitFor('the first call ended in the history', async () => (await previousCalls(h.readModels, '+15550200102')).some((c) => c.callId === first.callSessionId && c.outcome === 'abandoned'));

    const second = h.sim.world.placeCaller({ from: '+15550200102', ivr: ['1', '1'], patienceMs: 2000 });
    const secondEvents = await h.ended(second.callSessionId);
    expect(one(secondEvents, 'CallerIdentified').data.previousCalls).toEqual([
      { callId: first.callSessionId, startedAt: expect.any(String), outcome: 'abandoned', queueId: 'sales', agentId: null },
    ]);
  });
});
