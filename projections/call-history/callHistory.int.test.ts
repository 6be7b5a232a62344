import { defaultConfiguration } from '../../api/config/defaultConfiguration';
import { callScenario } from '../../api/calls/callScenario';
import { connectedTo, customerHangsUp, onAgent, onCustomer, queuedInSales, SESSION } from '../../api/calls/callTestKit';
import { callBridged, callHangup } from '../../api/calls/webhookFixtures';
import { recorded, appendAll, closeStores, memoryDocs, openStores, projectInMemory, simulate, type Stores } from '../../test/projections/support/harness';
import type { CallPlan } from '../../bench/projections/centerSimulation';
import { rebuildAll } from '../runner/projectionRunner';
import { callHistoryProjection, CALL_HISTORY_COLLECTIONS } from './callHistoryProjection';
import type { CallHistoryDoc } from './callHistoryView';
import { callById, callHistory, previousCalls, timelineOf, voicemails } from './queries';

const at = (hhmmss: string): string => `2026-03-02T${hhmmss}.000Z`;
const call = (callId: string, arrives: string, rest: Partial<CallPlan>): CallPlan => ({ callId, at: at(arrives), from: '+15550200102', digits: ['1', '1'], talkSeconds: 60, ...rest });

/** The demo center (alice, bob, carla, dmitri, erin and sam) and calls that take each path through it. */
const morning = () =>
  simulate({
    start: at('08:00:00'),
    agents: ['alice', 'bob', 'carla', 'dmitri', 'erin', 'sam'].map((agentId) => ({ agentId, loginAt: at('08:50:00'), logoutAt: at('11:00:00') })),
    calls: [
      // Sales, held for 15 s, recorded (sales records every call), wrap-up form sent 5 s after the call.
      call('answered', '09:00:00', { talkSeconds: 90, hold: { afterSeconds: 20, seconds: 15 }, dispositionAfterSeconds: 5, disposition: 'sale' }),
      // Press 9 in the main menu: straight to voicemail, a 25-second message.
      call('voicemail', '09:01:00', { from: '+15550200103', digits: ['1', '9'], voicemailSeconds: 25 }),
      // Press 3: a callback; the agent's and the customer's legs live in new Telnyx sessions.
      call('callback', '09:02:00', { from: '+15550200104', digits: ['1', '3'], talkSeconds: 45 }),
      // Every agent who could take it lets it ring: the caller gives up after 30 s.
      call('abandoned', '09:03:00', { from: '+15550200105', patienceSeconds: 30, noAnswerBy: ['alice', 'bob', 'carla', 'dmitri', 'erin', 'sam'] }),
      // The same caller as the first call, later.
      call('again', '10:00:00', { talkSeconds: 30 }),
    ],
  });

describe('call history', () => {
  let stores: Stores;
  const appends = morning();

  beforeAll(async () => {
    stores = openStores();
    await appendAll(stores.events, appends);
    await rebuildAll([callHistoryProjection()], { eventStore: stores.events, readModels: stores.readModels });
  });

  afterAll(async () => {
    await closeStores(stores);
  });

  it('keeps one document per call with its whole timeline, in order, webhooks referenced', async () => {
    const doc = (await callById(stores.readModels, 'answered'))!;
    const stream = await stores.events.readStream('call-answered');
    const timeline = timelineOf(doc);
    expect(timeline.map((t) => t.position)).toEqual(stream.map((e) => e.position.toString()));
    expect(timeline.map((t) => t.type)).toEqual(stream.map((e) => e.type));
    const webhook = timeline.find((t) => t.type === 'TelnyxWebhookReceived')!;
    expect(webhook.webhook).toEqual({ id: (stream.find((e) => e.position.toString() === webhook.position)!.data as { webhookId: string }).webhookId, eventType: 'call.initiated', linkedFrom: null });
    expect(webhook.summary).toBe('leg initiated (incoming) from +15550200102 to +15550100000');
  });

  it('tells who was offered the call, who answered, for how long, and what was recorded and noted', async () => {
    const doc = (await callById(stores.readModels, 'answered'))!;
    expect(doc).toMatchObject({
      direction: 'inbound',
      status: 'ended',
      outcome: 'answered',
      endOutcome: 'completed',
      callerNumber: '+15550200102',
      caller: { name: 'James Carter', previousCalls: 0 },
      queueId: 'sales',
      ivr: { entryMenuId: 'welcome', language: 'en', selections: [{ menuId: 'welcome', digits: '1', label: 'English' }, { menuId: 'main', digits: '1', label: 'Sales' }] },
      attributes: { language: 'en', department: 'sales' },
      durations: { waitSeconds: 3, talkSeconds: 75, holdSeconds: 15, wrapUpSeconds: 5 },
      dispositions: [{ disposition: 'sale' }],
    });
    expect(doc.answeredBy).toBe(doc.agentId);
    expect(doc.agentIds).toEqual([doc.answeredBy]);
    expect(doc.offers).toHaveLength(1);
    expect(doc.offers[0].agents).toEqual([expect.objectContaining({ agentId: doc.answeredBy, outcome: 'accepted' })]);
    expect(doc.decisions).toEqual([expect.objectContaining({ chosen: [doc.answeredBy], strategy: 'longest-idle', candidates: expect.arrayContaining([expect.objectContaining({ agentId: doc.answeredBy, chosen: true })]) })]);
    expect(doc.recordings).toEqual([expect.objectContaining({ kind: 'call', status: 'stored', durationSeconds: 90 })]);
    expect(doc.legs.map((l) => [l.role, l.status])).toEqual([
      ['customer', 'ended'],
      ['agent', 'ended'],
    ]);
  });

  it('maps every way a call ends to an outcome', async () => {
    const outcomes = Object.fromEntries(
      await Promise.all(['answered', 'voicemail', 'callback', 'abandoned', 'again'].map(async (id) => [id, (await callById(stores.readModels, id))?.outcome])),
    );
    expect(outcomes).toEqual({ answered: 'answered', voicemail: 'voicemail', callback: 'callback', abandoned: 'abandoned', again: 'answered' });
    const voicemail = (await callById(stores.readModels, 'voicemail'))!;
    expect(voicemail.voicemail).toMatchObject({ reason: 'caller-choice', queueId: 'support', durationSeconds: 25 });
    expect(voicemail.recordings).toEqual([expect.objectContaining({ kind: 'voicemail', status: 'stored' })]);
    const abandoned = (await callById(stores.readModels, 'abandoned'))!;
    expect(abandoned.offers.flatMap((o) => o.agents.map((a) => a.outcome))).not.toContain('accepted');
    expect(abandoned.queues).toEqual([expect.objectContaining({ queueId: 'sales', leftReason: 'abandoned', waitedSeconds: 30 })]);
  });

  it("attributes a callback's legs in other Telnyx sessions to the call, through their linked copies", async () => {
    const doc = (await callById(stores.readModels, 'callback'))!;
    const linked = timelineOf(doc).filter((t) => t.type === 'TelnyxWebhookLinked');
    expect(linked.length).toBeGreaterThan(0);
    expect(linked.every((t) => t.webhook?.linkedFrom?.startsWith('call-'))).toBe(true);
    expect(doc.callback).toMatchObject({ number: '+15550200104', via: 'ivr' });
    expect(doc.legs.map((l) => l.role).sort()).toEqual(['agent', 'customer', 'customer']);
    // The sessions the callback's legs were dialled in hold only webhooks of this call: they are not calls.
    const page = await callHistory(stores.readModels, {}, { limit: 100 });
    expect(page.items.map((c) => c.callId).sort()).toEqual(['abandoned', 'again', 'answered', 'callback', 'voicemail']);
  });

  it('answers history queries: filters, newest first, cursor pages, per agent, voicemails, previous calls', async () => {
    const all = await callHistory(stores.readModels);
    expect(all.items.map((c) => c.callId)).toEqual(['again', 'abandoned', 'callback', 'voicemail', 'answered']);
    const pages: string[][] = [];
    let after: string | undefined;
    do {
      const page = await callHistory(stores.readModels, {}, { limit: 2, after });
      pages.push(page.items.map((c) => c.callId));
      after = page.nextCursor;
    } while (after);
    expect(pages).toEqual([['again', 'abandoned'], ['callback', 'voicemail'], ['answered']]);
    expect((await callHistory(stores.readModels, { outcome: 'abandoned' })).items.map((c) => c.callId)).toEqual(['abandoned']);
    expect((await callHistory(stores.readModels, { callerNumber: '+15550200102' })).items.map((c) => c.callId)).toEqual(['again', 'answered']);
    expect((await callHistory(stores.readModels, { from: at('09:01:00'), to: at('09:03:00') })).items.map((c) => c.callId)).toEqual(['callback', 'voicemail']);
    expect((await callHistory(stores.readModels, { queueId: 'sales', outcome: 'answered' })).items.map((c) => c.callId)).toEqual(['again', 'answered']);
    const agentId = (await callById(stores.readModels, 'answered'))!.answeredBy!;
    const mine = await callHistory(stores.readModels, { agentId });
    expect(mine.items.map((c) => c.callId)).toContain('answered');
    expect(mine.items.every((c) => c.agentIds.includes(agentId))).toBe(true);
    expect((await voicemails(stores.readModels)).items.map((c) => c.callId)).toEqual(['voicemail']);
    expect(await previousCalls(stores.readModels, '+15550200102', 1)).toEqual([{ callId: 'again', startedAt: at('10:00:00'), outcome: 'answered', queueId: 'sales', agentId: expect.any(String) }]);
    // The second call of the number saw the first in its screen pop.
    expect((await callById(stores.readModels, 'again'))!.caller.previousCalls).toBe(1);
  });

  it('tolerates webhooks that arrive out of order and twice: legs only move forward, the timeline stays in log order', async () => {
    const scenario = callScenario(defaultConfiguration(), SESSION);
    queuedInSales(scenario);
    connectedTo(scenario, 'carla', 'offer-1', 20);
    customerHangsUp(scenario, 200);
    scenario.webhook(callHangup({ ...onAgent('carla', 'offer-1', 201), cause: 'normal_clearing', source: 'caller' }));
    // Late: the bridge of both legs happened at 27 s but is delivered after the hang-ups.
    scenario.webhook(callBridged(onCustomer(27, 'late-bridge-customer')));
    scenario.webhook(callBridged(onAgent('carla', 'offer-1', 27, 'late-bridge-agent')));
    const history = scenario.history.map((event, i) => recorded(`call-${SESSION}`, i + 1, i, event));
    // A redelivery of the late webhook appended again later (e.g. the same webhook in two streams).
    const again = { ...history.find((e) => (e.data as { webhookId?: string }).webhookId === 'late-bridge-agent')!, id: 'again', position: BigInt(history.length + 1) };
    const docs = memoryDocs<CallHistoryDoc>(await projectInMemory(callHistoryProjection(), [...history, again]), CALL_HISTORY_COLLECTIONS.calls);
    const doc = docs.get(SESSION)!;
    expect(doc.legs.map((l) => [l.role, l.status, l.answeredAt !== null, l.endedAt, l.lastEventAt])).toEqual([
      ['customer', 'ended', true, '2026-03-02T15:03:20.000Z', '2026-03-02T15:03:20.000Z'],
      ['agent', 'ended', true, '2026-03-02T15:03:21.000Z', '2026-03-02T15:03:21.000Z'],
    ]);
    const timeline = timelineOf(doc);
    expect(timeline.map((t) => Number(t.position))).toEqual(history.map((e) => Number(e.position)));
    expect(timeline.filter((t) => t.webhook?.id === 'late-bridge-agent')).toHaveLength(1);
    expect(timeline[timeline.length - 1].at).toBe('2026-03-02T15:00:27.000Z');
    // Connected from the agent's answer at 24 s to the caller's hang-up at 200 s.
    expect(doc).toMatchObject({ outcome: 'answered', durations: { talkSeconds: 176 } });
  });
});
