import { allEvents } from '../callflow/support/harness';
import type { PlacedCall } from '../../simulator/world/world';
import { placeStormCaller, seeded, stormAgents, stormReport, waitForEnds } from '../callflow/support/storm';
import { compareWithRebuild, projectionLag, projectionsCaughtUp, recordEmittedWebhooks, webhookLedger } from './support/checks';
import { startSplitSystem, type ServiceName, type SplitSystem } from './support/system';

// Bounded in npm test; RELIABILITY_LONG=1 (or the RELIABILITY_KILL_* sizes) makes a longer storm.
const long = process.env.RELIABILITY_LONG === '1';
const size = {
  calls: Number(process.env.RELIABILITY_KILL_CALLS ?? (long ? 600 : 120)),
  agents: Number(process.env.RELIABILITY_KILL_AGENTS ?? (long ? 150 : 40)),
  scale: Number(process.env.RELIABILITY_KILL_SCALE ?? 8),
};

jest.setTimeout(Number(process.env.RELIABILITY_TIMEOUT_MS ?? (long ? 1_800_000 : 480_000)));

/** Which service is SIGKILLed after which share of the calls has been placed. */
const KILLS: Array<[number, ServiceName]> = [
  [0.25, 'api'],
  [0.5, 'reactor'],
  [0.75, 'projections'],
];

describe('the API, the reactor and the projections runner SIGKILLed in turn mid-storm', () => {
  let system: SplitSystem | undefined;

  afterEach(async () => {
    await system?.close();
  });

  it(`lose nothing over ${size.calls} calls and ${size.agents} agents: every webhook stored once, every call ended, no agent double-booked, read models equal a rebuild`, async () => {
    system = await startSplitSystem({
      scale: size.scale,
      seed: 2024,
      // Telnyx retries for a while; the simulator keeps trying through a restart of the API.
      simulator: { webhooks: { concurrency: 32, maxAttempts: 20, primaryAttempts: 20, retryDelaysMs: [250, 500, 1000, 2000] }, recordingMaxAudioSecs: 2 },
    });
    const { h } = system;
    const emitted = recordEmittedWebhooks(h.sim);
    const random = seeded(2024);
    const { agentIds, phones, stopReturns } = await stormAgents(h, random, size.agents);

    const placed: PlacedCall[] = [];
    const kills: Array<{ service: ServiceName; atCall: number; failedDeliveriesBefore: number }> = [];
    let inFlightAtReactorRestart = 0;
    try {
      const pending = [...KILLS];
      for (let i = 0; i < size.calls; i++) {
        placed.push(placeStormCaller(h, random, i));
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (pending.length > 0 && i >= Math.floor(size.calls * pending[0][0])) {
          const [, service] = pending.shift()!;
          kills.push({ service, atCall: i, failedDeliveriesBefore: h.sim.control.counters().webhooks.total.failed });
          await system.crash(service);
          if (service === 'reactor') {
            // Let the new reactor take over before the next kill, so each kill hits a running system.
            const caughtUp = await system.processes.reactor.waitForLog('reactor caught up', 90_000);
            inFlightAtReactorRestart = Number(caughtUp.pendingCommands ?? 0);
          }
          if (service === 'api') await system.ready('api');
        }
      }
      await waitForEnds(h, placed, Number(process.env.RELIABILITY_END_MS ?? (long ? 900_000 : 240_000)));
    } finally {
      await stopReturns();
    }
    await h.waitFor('every leg to hang up', () => h.sim.control.calls({ alive: true }).length === 0, 90_000);
    await h.sim.control.webhooksIdle();
    await h.waitFor('every command to have an outcome', async () => (await stormReport(h, placed, agentIds)).commandsWithoutOutcome === 0, 90_000);
    await h.waitFor('the projections to catch up', () => projectionsCaughtUp(h.store, h.readModels), 120_000).catch(async (error: unknown) => {
      console.log(await projectionLag(h.store, h.readModels));
      const projections = system?.started.filter((p) => p.name === 'the projections process') ?? [];
      console.log(JSON.stringify(projections.map((p) => p.logs.filter((l) => Number(l.level) >= 40).slice(-10))));
      throw error;
    });
    phones.stop();
    emitted.stop();

    const report = await stormReport(h, placed, agentIds);
    const devices = phones.report();
    const ledger = webhookLedger(emitted.ids, await allEvents(h.store));
    const readModels = await compareWithRebuild(h.store, h.readModels);
    const counters = h.sim.control.counters();
    console.log(
      JSON.stringify({
        reliabilityKill: {
          size,
          kills,
          processesStarted: system.started.length,
          webhooks: { emitted: ledger.emitted, stored: ledger.stored, missing: ledger.missing.length, storedTwice: ledger.storedTwice.length, deliveries: counters.webhooks.total },
          calls: { ended: report.ended, outcomes: report.outcomes, aliveLegs: report.aliveLegs },
          commands: { sentAgainWithSameId: report.duplicateCommandIds, inFlightAtReactorRestart, requestedTwice: report.duplicateRequests, withoutOutcome: report.commandsWithoutOutcome },
          agents: { overlappingConnections: report.overlappingConnections.length, agentStreamViolations: report.agentStreamViolations.length, deviceOverlaps: devices.overlaps.length },
          readModels: { documents: readModels.documents, differences: readModels.differences.length },
        },
      }),
    );

    expect(system.started.length).toBe(3 + KILLS.length);
    // Every webhook the simulator emitted (so every one it saw acknowledged) is stored, once.
    expect(ledger.missing).toEqual([]);
    expect(ledger.storedTwice).toEqual([]);
    expect(report.ended).toBe(size.calls);
    expect(report.aliveLegs).toBe(0);
    expect(report.duplicateRequests).toBe(0);
    expect(report.commandsWithoutOutcome).toBe(0);
    // Only a command whose outcome the killed reactor had not recorded is sent again, with its command_id
    // (Telnyx ignores the repeat): no effect happens twice.
    expect(report.duplicateCommandIds).toBeLessThanOrEqual(inFlightAtReactorRestart);
    expect(report.overlappingConnections).toEqual([]);
    expect(report.agentStreamViolations).toEqual([]);
    expect(devices.overlaps).toEqual([]);
    expect(readModels.differences).toEqual([]);
    expect(readModels.documents).toBeGreaterThan(size.calls);
    expect(counters.webhooks.total.abandoned).toBe(0);
    // The API was down for a while: deliveries failed and were retried.
    expect(counters.webhooks.total.failed).toBeGreaterThan(kills[0].failedDeliveriesBefore);
  });
});
