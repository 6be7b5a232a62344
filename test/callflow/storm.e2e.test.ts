import type { PlacedCall } from '../../simulator/world/world';
import { startHarness, type Harness } from './support/harness';
import { describeCall, placeStormCaller, seeded, stormAgents, stormReport, stormSize, waitForEnds } from './support/storm';

const size = stormSize({ calls: 300, agents: 100, scale: 8 });

jest.setTimeout(Number(process.env.CALLFLOW_STORM_TIMEOUT_MS ?? 300_000));

describe('a storm of concurrent calls', () => {
  let h: Harness;

  afterEach(async () => {
    await h.close();
  });

  it(`serves ${size.calls} calls with ${size.agents} agents: every call ends, no agent is on two calls, no command_id is sent twice`, async () => {
    h = await startHarness({ scale: size.scale, seed: 4242, simulator: { webhooks: { concurrency: 32 }, recordingMaxAudioSecs: 2 } });
    const random = seeded(4242);
    const { agentIds, phones, stopReturns } = await stormAgents(h, random, size.agents);

    const placed: PlacedCall[] = [];
    // All of them in the system at once: they arrive within a few seconds, and each stays for minutes of simulated time.
    for (let i = 0; i < size.calls; i++) {
      placed.push(placeStormCaller(h, random, i));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    try {
      await waitForEnds(h, placed, Number(process.env.CALLFLOW_STORM_END_MS ?? 200_000));
    } finally {
      await stopReturns();
    }
    await h.waitFor('every leg to hang up', () => h.sim.control.calls({ alive: true }).length === 0, 60_000).catch(async (error: unknown) => {
      // Name the legs left up and the last decisions of their calls, so the run can be understood.
      const alive = h.sim.control.calls({ alive: true });
      const stories = await Promise.all([...new Set(alive.map((leg) => leg.callSessionId))].slice(0, 3).map((id) => describeCall(h, id)));
      console.log(`${alive.length} legs left up:\n${alive.map((l) => `${l.callControlId} ${l.direction} ${l.to} ${l.state}`).join('\n')}\n\n${stories.join('\n\n')}`);
      throw error;
    });
    await h.sim.control.webhooksIdle();
    await h.reactor?.settled(60_000);
    phones.stop();

    const report = await stormReport(h, placed, agentIds);
    const devices = phones.report();
    // The figures, for the record of the run.
    console.log(JSON.stringify({ storm: { ...report, notEnded: report.notEnded.length }, devices: { ...devices, overlaps: devices.overlaps.length }, reactor: h.reactor?.status().dispatcher }));

    expect(report.ended).toBe(size.calls);
    expect(report.aliveLegs).toBe(0);
    expect(report.duplicateCommandIds).toBe(0);
    expect(report.duplicateRequests).toBe(0);
    expect(report.commandsWithoutOutcome).toBe(0);
    expect(report.overlappingConnections).toEqual([]);
    expect(report.agentStreamViolations).toEqual([]);
    expect(devices.overlaps).toEqual([]);
    expect(devices.maxCallsAtOnce).toBeLessThanOrEqual(1);
    expect(report.outcomes.completed).toBeGreaterThan(0);
  });
});
