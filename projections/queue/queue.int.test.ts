import type { AgentProfile } from '../../api/config/config';
import { centerConfigCommands, type CallPlan } from '../../bench/projections/centerSimulation';
import { appendAll, closeStores, memoryDocs, openStores, projectInMemory, recordAppends, simulate, type Stores } from '../../test/projections/support/harness';
import { rebuildAll } from '../runner/projectionRunner';
import { centerAsOf } from '../timeTravel';
import { pendingCallbacks, queueView, queueViews, waitingCall, withWaitsAt } from './queries';
import { DEFAULT_AHT_SECONDS, queueProjection, QUEUE_COLLECTIONS } from './queueProjection';
import type { QueueViewDoc } from './queueView';

/**
 * One sales agent, ann, busy with a ten-minute call while three more callers queue up (round latencies:
 * Telnyx answers 1 s after `answer`, IVR prompts take 4 s, so a caller pressing 1, 1 is queued 9 s after
 * arriving):
 *   Q1 09:00:00 → queued 09:00:09, ann answers 09:00:14, talks until 09:10:14, wraps up 30 s (09:10:44)
 *   Q2 09:01:00 → queued 09:01:09 (James Carter, a CRM contact)
 *   Q3 09:02:00 → queued 09:02:09, presses * at 09:02:39: a callback, keeping its place
 *   Q4 09:03:00 → queued 09:03:09
 * From 09:10:44 ann takes Q2, then the callback Q3, then Q4.
 */
const at = (hhmmss: string): string => `2026-03-02T${hhmmss}.000Z`;
const ann: AgentProfile = { agentId: 'ann', name: 'Ann', skills: [{ skill: 'sales', level: 5 }], languages: ['en'], departments: ['sales'], maxNoAnswer: 3, wrapUpSeconds: 30, mayCallOut: true, supervisor: false };
const call = (callId: string, arrives: string, rest: Partial<CallPlan> = {}): CallPlan => ({
  callId,
  at: at(arrives),
  from: `+1555040000${callId.slice(1)}`,
  digits: ['1', '1'],
  talkSeconds: 60,
  answerAfterSeconds: 5,
  ...rest,
});

const appends = simulate({
  start: at('08:00:00'),
  configCommands: centerConfigCommands(at('08:00:00'), [ann]),
  latencies: { answer: 1, gather: 4, dial: 0 },
  agents: [{ agentId: 'ann', loginAt: at('08:55:00'), logoutAt: at('11:00:00') }],
  calls: [
    call('Q1', '09:00:00', { talkSeconds: 600 }),
    call('Q2', '09:01:00', { from: '+15550200102' }),
    call('Q3', '09:02:00', { queueDigit: { digit: '*', afterSeconds: 30 } }),
    call('Q4', '09:03:00'),
  ],
});

describe('queue view', () => {
  let stores: Stores;

  beforeAll(async () => {
    stores = openStores();
    await appendAll(stores.events, appends);
    await rebuildAll([queueProjection()], { eventStore: stores.events, readModels: stores.readModels });
  });

  afterAll(async () => {
    await closeStores(stores);
  });

  it('lists the calls waiting in routing order with their wait, attributes, caller and estimated wait; callbacks keep their place', async () => {
    const { queues } = await centerAsOf(stores.events, { time: at('09:04:00') });
    const sales = queues.find((q) => q.queueId === 'sales')!;
    expect(sales.calls.map((c) => [c.callId, c.position, c.kind, c.state, c.waitedSeconds])).toEqual([
      ['Q2', 1, 'call', 'waiting', 171],
      ['Q3', 2, 'callback', 'waiting', 111],
      ['Q4', 3, 'call', 'waiting', 51],
    ]);
    // No call handled yet: the default handle time; one agent available for the queue (on a call, but logged in as Available).
    expect(sales.ahtSeconds).toBe(DEFAULT_AHT_SECONDS);
    expect(sales.calls.map((c) => c.estimatedWaitSeconds)).toEqual([180, 360, 540]);
    expect(sales.calls[0]).toMatchObject({
      priority: 10,
      enqueuedAt: at('09:01:09'),
      reason: 'ivr',
      attributes: { language: 'en', department: 'sales', skills: [] },
      caller: { number: '+15550200102', name: 'James Carter' },
      waitingReason: 'all matching agents are busy',
      offer: null,
    });
    expect(sales.calls[1]).toMatchObject({ callbackNumber: '+15550400003' });
    expect(sales).toMatchObject({ waiting: 2, callbacks: 1, ringing: 0, longestWaitSeconds: 171, oldestEnqueuedAt: at('09:01:09') });
    expect(sales.agents).toEqual({ serving: 1, loggedIn: 1, available: 0, ready: 0, ringing: 0, onCall: 1, wrapUp: 0, break: 0, offline: 0 });
    expect(queues.find((q) => q.queueId === 'support')).toMatchObject({ calls: [], agents: { serving: 0 } });
  });

  it('shows the call ringing while it is offered, then out of the queue once answered', async () => {
    const { queues } = await centerAsOf(stores.events, { time: at('09:10:46') });
    const sales = queues.find((q) => q.queueId === 'sales')!;
    expect(sales.calls[0]).toMatchObject({ callId: 'Q2', state: 'ringing', offer: { agentIds: ['ann'], offeredAt: at('09:10:44') } });
    expect(sales.agents).toMatchObject({ ringing: 1, onCall: 0 });
    const later = (await centerAsOf(stores.events, { time: at('09:10:50') })).queues.find((q) => q.queueId === 'sales')!;
    expect(later.calls.map((c) => c.callId)).toEqual(['Q3', 'Q4']);
    // Q1 was handled: 600 s talk + ann's 30 s wrap-up is the first sample of the queue's handle time.
    expect(later.ahtSeconds).toBe(630);
  });

  it('empties once every call is served, and answers the API queries', async () => {
    const sales = (await queueView(stores.readModels, 'sales'))!;
    expect(sales).toMatchObject({ configured: true, name: 'Sales', strategy: 'longest-idle', calls: [], waiting: 0, callbacks: 0 });
    expect((await queueViews(stores.readModels)).map((q) => q.queueId)).toEqual(['billing', 'sales', 'support']);
    expect(await waitingCall(stores.readModels, 'Q2')).toBeNull();
    expect(await pendingCallbacks(stores.readModels)).toEqual([]);
    const past = (await centerAsOf(stores.events, { time: at('09:04:00') })).queues.find((q) => q.queueId === 'sales')!;
    expect(withWaitsAt(past, at('09:05:00')).calls.map((c) => c.waitedSeconds)).toEqual([231, 171, 111]);
  });

  it('forgets the calls it no longer needs', async () => {
    const docs = memoryDocs<QueueViewDoc>(await projectInMemory(queueProjection(), recordAppends(appends)), QUEUE_COLLECTIONS.calls);
    expect(docs.size).toBe(0);
  });
});
