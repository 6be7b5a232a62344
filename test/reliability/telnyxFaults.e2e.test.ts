import type { PlacedCall } from '../../simulator/world/world';
import { allEvents, startHarness, type Harness } from '../callflow/support/harness';
import { placeStormCaller, seeded, stormAgents, stormReport, waitForEnds } from '../callflow/support/storm';

const long = process.env.RELIABILITY_LONG === '1';
const size = { calls: long ? 300 : 50, agents: long ? 60 : 15 };

jest.setTimeout(long ? 1_200_000 : 300_000);

describe('Telnyx API faults during calls', () => {
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.close();
  });

  it('5xx answers, requests that time out after taking effect, and 90018 on ended legs: commands retried with their command_id, every call ends cleanly', async () => {
    h = await startHarness({
      scale: 6,
      seed: 515,
      // A request that hangs past 1 s counts as timed out; the SDK retries twice, then the reactor retries with the same command_id.
      telnyxEnv: { TELNYX_TIMEOUT_MS: '1000', TELNYX_MAX_RETRIES: '2' },
      simulator: {
        faults: { rest5xx: { rate: 0.06, status: 503 }, restTimeout: { rate: 0.03, hangMs: 2_500 } },
        webhooks: { concurrency: 16 },
        recordingMaxAudioSecs: 2,
      },
    });
    const harness = h;
    const random = seeded(515);
    const { agentIds, phones, stopReturns } = await stormAgents(harness, random, size.agents);
    const placed: PlacedCall[] = [];
    try {
      for (let i = 0; i < size.calls; i++) {
        placed.push(placeStormCaller(harness, random, i));
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
      await waitForEnds(harness, placed, 240_000);
    } finally {
      await stopReturns();
    }
    // The faults stop once every call has ended, so the last hangups of agent legs go through.
    harness.sim.control.setFaults({ rest5xx: { rate: 0 }, restTimeout: { rate: 0 } });
    await harness.waitFor('every leg to hang up', () => harness.sim.control.calls({ alive: true }).length === 0, 90_000);
    await harness.sim.control.webhooksIdle();
    await harness.reactor?.settled(60_000);
    phones.stop();

    const report = await stormReport(harness, placed, agentIds);
    const events = await allEvents(harness.store);
    const failed = events.filter((e) => e.type === 'TelnyxCommandFailed').map((e) => e.data as { error: { status: number | null; code: string | null }; legGone: boolean });
    const counters = harness.sim.control.counters();
    const dispatcher = harness.reactor?.status().dispatcher;
    const summary = {
      faultsInjected: { rest5xx: counters.faults.rest5xx, restTimeout: counters.faults.restTimeout },
      commands: {
        requested: events.filter((e) => e.type === 'TelnyxCommandRequested').length,
        accepted: events.filter((e) => e.type === 'TelnyxCommandAccepted').length,
        failed: failed.length,
        failedOnEndedLeg90018: failed.filter((f) => f.error.code === '90018').length,
        failedAs5xx: failed.filter((f) => (f.error.status ?? 0) >= 500).length,
        repeatsIgnoredBySimulator: report.duplicateCommandIds,
        requestedTwice: report.duplicateRequests,
        withoutOutcome: report.commandsWithoutOutcome,
        reactor: dispatcher,
      },
      calls: { ended: report.ended, outcomes: report.outcomes, aliveLegs: report.aliveLegs },
    };
    console.log(JSON.stringify({ reliabilityTelnyxFaults: summary }));

    expect(counters.faults.rest5xx).toBeGreaterThan(0);
    expect(counters.faults.restTimeout).toBeGreaterThan(0);
    expect(summary.commands.failedOnEndedLeg90018).toBeGreaterThan(0);
    // A retried request reached Telnyx twice with one command_id: the repeat was ignored, not executed.
    expect(report.duplicateCommandIds).toBeGreaterThan(0);
    expect(report.ended).toBe(size.calls);
    expect(report.aliveLegs).toBe(0);
    expect(report.duplicateRequests).toBe(0);
    expect(report.commandsWithoutOutcome).toBe(0);
    expect(report.overlappingConnections).toEqual([]);
    expect(report.agentStreamViolations).toEqual([]);
    expect(phones.report().overlaps).toEqual([]);
    expect(report.outcomes.completed).toBeGreaterThan(0);
  });
});
