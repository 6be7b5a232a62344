import type { CallEvent } from '../../api/calls/callEvents';
import { ofType, startHarness, type Harness } from './support/harness';

jest.setTimeout(240_000);

const DECISIONS = [
  'InboundCallStarted',
  'CallerIdentified',
  'CallAnswered',
  'IvrMenuPresented',
  'IvrOptionSelected',
  'CallQueued',
  'CallOffered',
  'OfferAccepted',
  'CallLeftQueue',
  'AgentConnected',
  'RecordingStarted',
  'AgentDisconnected',
  'CallEnded',
  'RecordingDownloadRequested',
  'RecordingStored',
] as const;

const CALLERS = 6;

/** Runs CALLERS calls through IVR → sales → an agent → hangup → recording, and returns each call's events once everything has settled. */
const runCalls = async (h: Harness): Promise<CallEvent[][]> => {
  // Offers ring long enough (4 s of real time at this scale) for a redelivered call.answered on a loaded
  // machine: an offer timing out would be a different, legitimate, sequence of decisions.
  await h.configureQueue('sales', { ringTimeoutSeconds: 120 });
  for (const agentId of ['alice', 'carla', 'erin']) await h.agent(agentId, { answerAfterMs: 1000 }, { wrapUpSeconds: 0 });
  const calls = Array.from({ length: CALLERS }, (_, i) => h.sim.world.placeCaller({ from: `+1555030${String(1000 + i)}`, ivr: ['1', '1'], talkMs: 4000 }));
  for (const call of calls) {
    await h.ended(call.callSessionId, 40_000);
    await h.waitFor('the recording stored', async () => (await h.callEvents(call.callSessionId)).some((e) => e.type === 'RecordingStored'), 90_000);
  }
  await h.sim.control.webhooksIdle();
  await h.reactor?.settled(20_000);
  // Read once everything has settled: the last outcomes (the agent leg's hangup) come after the recording.
  return Promise.all(calls.map((call) => h.callEvents(call.callSessionId)));
};

const decisionCounts = (events: CallEvent[]): Record<string, number> =>
  Object.fromEntries(DECISIONS.map((type) => [type, events.filter((e) => e.type === type).length]));

describe('duplicate and reordered webhooks', () => {
  it('change nothing: the same decisions, each webhook handled once, no command sent twice', async () => {
    // Recording links live an hour of simulated time: at this scale Telnyx's 10 minutes are 20 s, shorter than a loaded machine may take.
    const clean = await startHarness({ scale: 30, seed: 11, simulator: { recordingUrlTtlMs: 3_600_000 } });
    let cleanCalls: CallEvent[][];
    try {
      cleanCalls = await runCalls(clean);
    } finally {
      await clean.close();
    }

    const faulty = await startHarness({
      scale: 30,
      seed: 11,
      simulator: { faults: { duplicate: { rate: 0.5 }, reorder: { rate: 0.5, windowMs: 150 }, dropFirstAttempt: { rate: 0.2 } }, webhooks: { concurrency: 16 }, recordingUrlTtlMs: 3_600_000 },
    });
    try {
      const faultyCalls = await runCalls(faulty);
      const counters = faulty.sim.control.counters();
      expect(counters.faults.duplicate).toBeGreaterThan(10);
      expect(counters.faults.reorder).toBeGreaterThan(10);
      expect(counters.faults.dropFirstAttempt).toBeGreaterThan(0);
      expect(counters.commands.duplicateCommandIds).toBe(0);

      expect(faultyCalls.map(decisionCounts)).toEqual(cleanCalls.map(decisionCounts));
      for (const events of faultyCalls) {
        expect(ofType(events, 'CallEnded')[0].data.outcome).toBe('completed');
        const webhookIds = ofType(events, 'TelnyxWebhookReceived').map((e) => e.data.webhookId);
        expect(new Set(webhookIds).size).toBe(webhookIds.length);
        const requested = ofType(events, 'TelnyxCommandRequested').map((e) => e.data.commandId);
        expect(new Set(requested).size).toBe(requested.length);
        const outcomes = [...ofType(events, 'TelnyxCommandAccepted'), ...ofType(events, 'TelnyxCommandFailed')].map((e) => e.data.commandId).sort();
        expect(outcomes).toEqual([...requested].sort());
      }
      for (const agentId of ['alice', 'carla', 'erin']) {
        const agent = await faulty.agentEvents(agentId);
        const started = agent.filter((e) => e.type === 'AgentCallStarted').length;
        expect(agent.filter((e) => e.type === 'AgentCallEnded').length).toBe(started);
      }
    } finally {
      await faulty.close();
    }
  });
});
