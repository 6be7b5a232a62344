import { ProjectionRunner } from '../../projections/runner/projectionRunner';
import { allProjections } from '../../projections/registry';
import type { PlacedCall } from '../../simulator/world/world';
import { allEvents, silent, startHarness, type Harness } from '../callflow/support/harness';
import { configureStormQueues, placeStormCaller, seeded, stormAgentId, stormPhone, stormProfile, stormReport, waitForEnds } from '../callflow/support/storm';
import { compareWithRebuild, projectionLag, projectionsCaughtUp, recordEmittedWebhooks, webhookLedger } from './support/checks';
import { OutageSwitch } from './support/outage';

const long = process.env.RELIABILITY_LONG === '1';
const size = { calls: long ? 300 : 60, agents: long ? 60 : 20, outageMs: Number(process.env.RELIABILITY_OUTAGE_MS ?? (long ? 8_000 : 3_000)) };

jest.setTimeout(long ? 1_200_000 : 300_000);

describe('store outages during calls', () => {
  let h: Harness | undefined;
  let runners: ProjectionRunner[] = [];

  afterEach(async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
    await h?.close();
  });

  it('the event store down for the intake, then the read-model store and the event store down for the projections: each webhook stored once, read models equal a rebuild', async () => {
    const intakeStore = new OutageSwitch('the event store (webhook intake)');
    const projectionReadModels = new OutageSwitch('the read-model store (projections)');
    const projectionEvents = new OutageSwitch('the event store (projections)');
    h = await startHarness({
      scale: 8,
      seed: 77,
      decorateIntakeStore: (store) => intakeStore.wrap(store),
      simulator: { webhooks: { concurrency: 16, maxAttempts: 20, primaryAttempts: 20, retryDelaysMs: [250, 500, 1000] }, recordingMaxAudioSecs: 2 },
    });
    const harness = h;
    const emitted = recordEmittedWebhooks(harness.sim);
    runners = allProjections.map(
      (projection) =>
        new ProjectionRunner(projection, {
          eventStore: projectionEvents.wrap(harness.store),
          readModels: projectionReadModels.wrap(harness.readModels),
          logger: silent,
          leaseTtlMs: 3_000,
          maxRetryDelayMs: 1_000,
        }),
    );
    const stoppedOnError: unknown[] = [];
    for (const runner of runners) runner.start().catch((error: unknown) => stoppedOnError.push(error));

    const random = seeded(77);
    await configureStormQueues(harness);
    const agentIds = Array.from({ length: size.agents }, (_, i) => stormAgentId(i));
    for (const [i, agentId] of agentIds.entries()) await harness.agent(agentId, stormPhone(random), stormProfile(i, random));

    const placed: PlacedCall[] = [];
    const place = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) {
        placed.push(placeStormCaller(harness, random, placed.length));
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    const third = Math.ceil(size.calls / 3);
    await place(third);
    const failedBefore = harness.sim.control.counters().webhooks.total.failed;
    await Promise.all([intakeStore.outage(size.outageMs), place(third)]);
    const failedDuringIntakeOutage = harness.sim.control.counters().webhooks.total.failed - failedBefore;
    await Promise.all([projectionReadModels.outage(size.outageMs), place(size.calls - 2 * third)]);
    await projectionEvents.outage(size.outageMs);

    await waitForEnds(harness, placed, 240_000);
    await harness.waitFor('every leg to hang up', () => harness.sim.control.calls({ alive: true }).length === 0, 90_000);
    await harness.sim.control.webhooksIdle();
    await harness.reactor?.settled(60_000);
    await harness.waitFor('the projections to catch up', () => projectionsCaughtUp(harness.store, harness.readModels), 120_000).catch(async (error: unknown) => {
      console.log(await projectionLag(harness.store, harness.readModels));
      throw error;
    });
    emitted.stop();

    const report = await stormReport(harness, placed, agentIds);
    const ledger = webhookLedger(emitted.ids, await allEvents(harness.store));
    const readModels = await compareWithRebuild(harness.store, harness.readModels);
    const counters = harness.sim.control.counters();
    const interruptions = runners.reduce((sum, runner) => sum + runner.interruptions, 0);
    console.log(
      JSON.stringify({
        reliabilityOutages: {
          size,
          faultsInjected: { intakeEventStore: intakeStore.faults, projectionReadModels: projectionReadModels.faults, projectionEventStore: projectionEvents.faults },
          webhooks: { emitted: ledger.emitted, stored: ledger.stored, missing: ledger.missing.length, storedTwice: ledger.storedTwice.length, failedDuringIntakeOutage, deliveries: counters.webhooks.total },
          calls: { ended: report.ended, outcomes: report.outcomes },
          projections: { interruptions, stoppedOnError: stoppedOnError.length },
          readModels: { documents: readModels.documents, differences: readModels.differences.length },
        },
      }),
    );

    expect(intakeStore.faults).toBeGreaterThan(0);
    expect(failedDuringIntakeOutage).toBeGreaterThan(0);
    expect(projectionReadModels.faults).toBeGreaterThan(0);
    expect(projectionEvents.faults).toBeGreaterThan(0);
    expect(ledger.missing).toEqual([]);
    expect(ledger.storedTwice).toEqual([]);
    expect(counters.webhooks.total.abandoned).toBe(0);
    expect(report.ended).toBe(size.calls);
    expect(report.aliveLegs).toBe(0);
    expect(report.duplicateRequests).toBe(0);
    expect(report.overlappingConnections).toEqual([]);
    // The projections were interrupted, waited and resumed; none stopped.
    expect(interruptions).toBeGreaterThan(0);
    expect(stoppedOnError).toEqual([]);
    expect(readModels.differences).toEqual([]);
  });
});
