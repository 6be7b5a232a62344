import type { PlacedCall } from '../../simulator/world/world';
import { startHarness, type Harness } from './support/harness';
import { spawnReactor, type ReactorProcess } from './support/reactorProcess';
import { placeStormCaller, seeded, stormAgents, stormReport, waitForEnds } from './support/storm';

const size = {
  calls: Number(process.env.CALLFLOW_KILL_CALLS ?? 150),
  agents: Number(process.env.CALLFLOW_KILL_AGENTS ?? 50),
  scale: Number(process.env.CALLFLOW_KILL_SCALE ?? 8),
};

jest.setTimeout(Number(process.env.CALLFLOW_STORM_TIMEOUT_MS ?? 300_000));

describe('the reactor killed mid-storm', () => {
  let h: Harness;
  const processes: ReactorProcess[] = [];

  afterEach(async () => {
    for (const p of processes) await p.kill('SIGKILL');
    await h.close();
  });

  it(`is SIGKILLed while ${size.calls} calls are up and restarted: every call still ends, no agent is on two calls, only commands in flight are sent again`, async () => {
    h = await startHarness({ scale: size.scale, seed: 99, withoutReactor: true, simulator: { webhooks: { concurrency: 32 }, recordingMaxAudioSecs: 2 } });
    const first = spawnReactor(h);
    processes.push(first);
    await first.waitForLog('reactor caught up', 60_000);

    const random = seeded(99);
    const { agentIds, phones, stopReturns } = await stormAgents(h, random, size.agents);

    const placed: PlacedCall[] = [];
    let second: ReactorProcess | undefined;
    try {
      for (let i = 0; i < size.calls; i++) {
        placed.push(placeStormCaller(h, random, i));
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (i === Math.floor(size.calls * 0.6)) {
          // Mid-storm: calls in the IVR, queued, ringing, connected; commands in flight.
          await first.kill('SIGKILL');
          second = spawnReactor(h);
          processes.push(second);
        }
      }
      if (!second) throw new Error('the reactor was never killed');
      const resumed = await second.waitForLog('reactor resuming', 60_000);
      const caughtUp = await second.waitForLog('reactor caught up', 60_000);
      await waitForEnds(h, placed, Number(process.env.CALLFLOW_STORM_END_MS ?? 200_000));
      await stopReturns();
      await h.waitFor('every leg to hang up', () => h.sim.control.calls({ alive: true }).length === 0, 60_000);
      await h.sim.control.webhooksIdle();
      await h.waitFor('every command to have an outcome', async () => (await stormReport(h, placed, agentIds)).commandsWithoutOutcome === 0, 60_000);
      phones.stop();
      await second.kill('SIGTERM');

      const report = await stormReport(h, placed, agentIds);
      const devices = phones.report();
      const inFlightAtRestart = Number(caughtUp.pendingCommands);
      console.log(JSON.stringify({ kill: { ...report, notEnded: report.notEnded.length }, devices: { ...devices, overlaps: devices.overlaps.length }, resumedAfter: resumed.resume, inFlightAtRestart }));

      // It resumed from its checkpoint, not from the start of history.
      expect(BigInt(String(resumed.resume))).toBeGreaterThan(0n);
      expect(report.ended).toBe(size.calls);
      expect(report.aliveLegs).toBe(0);
      expect(report.duplicateRequests).toBe(0);
      expect(report.commandsWithoutOutcome).toBe(0);
      expect(report.overlappingConnections).toEqual([]);
      expect(report.agentStreamViolations).toEqual([]);
      expect(devices.overlaps).toEqual([]);
      expect(devices.maxCallsAtOnce).toBeLessThanOrEqual(1);
      // A command whose outcome the killed process had not recorded may be sent again (same command_id: Telnyx
      // ignores it); nothing else is.
      expect(report.duplicateCommandIds).toBeLessThanOrEqual(inFlightAtRestart);
    } finally {
      await stopReturns();
    }
  });
});
