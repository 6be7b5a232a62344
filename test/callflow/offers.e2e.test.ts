import { one, ofType, sipOf, startHarness, types, type Harness } from './support/harness';

jest.setTimeout(60_000);

describe('offering calls to agents', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ scale: 40 });
  });

  afterEach(async () => {
    await h.close();
  });

  it('offers the call to the next agent at once when one rejects it', async () => {
    await h.agent('alice', { onRing: 'reject', rejectAfterMs: 500 });
    await h.agent('erin', { onRing: 'answer', answerAfterMs: 1000 });
    const call = h.sim.world.placeCaller({ ivr: ['1', '1'], talkMs: 3000 });
    const events = await h.ended(call.callSessionId);

    const offers = ofType(events, 'CallOffered');
    expect(offers.map((o) => o.data.agents.map((a) => a.agentId))).toEqual([['alice'], ['erin']]);
    expect(one(events, 'OfferRejected').data).toMatchObject({ agentId: 'alice', reason: 'declined on the phone (call_rejected)' });
    expect(one(events, 'CallReturnedToQueue').data.excludedAgents.map((e) => e.agentId)).toEqual(['alice']);
    // Offered to erin because alice declined, not because alice's offer ran out.
    expect(offers[1].data.occurredAt < offers[0].data.expiresAt).toBe(true);
    expect(ofType(events, 'OfferMissed')).toHaveLength(0);
    expect(one(events, 'AgentConnected').data.agentId).toBe('erin');
    expect(types(await h.agentEvents('alice'))).toContain('AgentOfferRejected');
  });

  it('re-offers an unanswered call and puts an agent who keeps missing offers on break', async () => {
    await h.configureQueue('sales', { ringTimeoutSeconds: 5, reofferDelaySeconds: 5, announcementIntervalSeconds: 0 });
    await h.agent('erin', { onRing: 'ignore' });
    const call = h.sim.world.placeCaller({ ivr: ['1', '1'], patienceMs: 60_000 });
    const agent = await h.waitFor('erin on break', async () => {
      const events = await h.agentEvents('erin');
      return events.some((e) => e.type === 'AgentStatusChanged' && e.data.to === 'Break') ? events : undefined;
    });
    const missed = agent.filter((e) => e.type === 'AgentOfferMissed');
    expect(missed.map((e) => (e.data as { missedInARow: number }).missedInARow)).toEqual([1, 2]);
    expect(agent.find((e) => e.type === 'AgentStatusChanged' && e.data.to === 'Break')?.data).toMatchObject({ reason: 'missed offers', actor: 'system' });

    const events = await h.ended(call.callSessionId);
    const offers = ofType(events, 'CallOffered');
    expect(offers.map((o) => o.data.agents[0].agentId)).toEqual(['erin', 'erin']);
    expect(ofType(events, 'OfferMissed').map((e) => e.data.reason)).toEqual(['no-answer', 'no-answer']);
    expect(ofType(events, 'CallReturnedToQueue')).toHaveLength(2);
    // After the break, nobody is left to offer the call to: it waits and says why.
    const waiting = ofType(events, 'RoutingDecisionMade').filter((d) => d.data.chosen.length === 0).map((d) => d.data.waitingReason);
    expect(waiting).toContain('matching agents are on break');
    expect(one(events, 'CallEnded').data.outcome).toBe('abandoned');
  });

  it('rings every matching agent at once for a ring-all queue: the first to answer wins, the other leg is cancelled', async () => {
    await h.agent('bob', { onRing: 'answer', answerAfterMs: 1000 });
    await h.agent('carla', { onRing: 'answer', answerAfterMs: 4000 });
    const call = h.sim.world.placeCaller({ ivr: ['1', '2', '1'], talkMs: 3000 });
    const events = await h.ended(call.callSessionId);

    const offer = one(events, 'CallOffered');
    expect(offer.data.strategy).toBe('ring-all');
    expect(offer.data.agents.map((a) => a.agentId).sort()).toEqual(['bob', 'carla']);
    expect(ofType(events, 'TelnyxCommandRequested').filter((e) => e.data.action === 'dial')).toHaveLength(2);
    expect(one(events, 'OfferAccepted').data.agentId).toBe('bob');
    expect(one(events, 'OfferCancelled').data).toMatchObject({ agentId: 'carla', reason: 'answered-elsewhere' });
    const carlaLeg = h.sim.control.calls().find((leg) => leg.to.includes(sipOf('carla')));
    expect(carlaLeg).toMatchObject({ isAlive: false, hangupCause: 'originator_cancel', answeredAt: null });
    expect(types(await h.agentEvents('carla'))).toContain('AgentReservationReleased');
  });

  it('lets an agent pick a waiting call from the queue view', async () => {
    await h.configureQueue('sales', { reofferDelaySeconds: 3600, announcementIntervalSeconds: 0 });
    const sip = await h.agent('alice', { onRing: 'manual' });
    const call = h.sim.world.placeCaller({ ivr: ['1', '1'], talkMs: 3000 });
    const callId = call.callSessionId;
    // alice declines the automatic offer in the console; the router will not offer her this call again soon…
    const offered = await h.waitFor('the first offer', async () => ofType(await h.callEvents(callId), 'CallOffered')[0]);
    await h.waitFor('alice ringing', () => h.sim.world.phone(sip)?.snapshot().calls.some((c) => c.state === 'ringing'));
    await h.control.rejectOffer({ callId, offerId: offered.data.offerId, agentId: 'alice' }, h.ctx('alice'));
    await h.waitFor('the call back in the queue', async () => (await h.callEvents(callId)).some((e) => e.type === 'CallReturnedToQueue'));
    await h.waitFor('alice free', async () => (await h.agentEvents('alice')).some((e) => e.type === 'AgentOfferRejected'));
    await h.waitFor('the waiting reason', async () => ofType(await h.callEvents(callId), 'RoutingDecisionMade').some((d) => d.data.waitingReason === 'matching agents declined or missed this call recently'));

    // …but she may still take it herself.
    const picked = await h.control.cherryPick({ agentId: 'alice', callId }, h.ctx('alice'));
    expect(picked.events).toEqual(['RoutingDecisionMade', 'AgentReserved', 'CallOffered', 'TelnyxCommandRequested']);
    await h.waitFor('alice ringing again', () => h.sim.world.phone(sip)?.snapshot().calls.some((c) => c.state === 'ringing'));
    h.sim.world.phone(sip)?.answer();
    const events = await h.ended(callId);
    const offers = ofType(events, 'CallOffered');
    expect(offers.map((o) => o.data.strategy)).toEqual(['longest-idle', 'cherry-pick']);
    expect(ofType(events, 'RoutingDecisionMade').find((d) => d.data.strategy === 'cherry-pick')?.data.candidates[0].reasons).toEqual(['picked by the agent from the queue view']);
    expect(one(events, 'AgentConnected').data).toMatchObject({ agentId: 'alice', offerId: offers[1].data.offerId });
  });

  it('refuses a pick the agent cannot take', async () => {
    await h.agent('dmitri', { onRing: 'manual' });
    const call = h.sim.world.placeCaller({ ivr: ['1', '1'], patienceMs: 20_000 });
    await h.waitFor('the call queued', async () => (await h.callEvents(call.callSessionId)).some((e) => e.type === 'CallQueued'));
    await expect(h.control.cherryPick({ agentId: 'dmitri', callId: call.callSessionId }, h.ctx('dmitri'))).rejects.toThrow(/missing skill sales/);
    await h.ended(call.callSessionId);
  });

  it('calls back at once a caller who asks for it while an agent is free, and leaves no line of theirs up', async () => {
    await h.configureQueue('support', { announcementIntervalSeconds: 0 });
    await h.agent('bob', { onRing: 'answer', answerAfterMs: 300, handleTimeMs: 2000 });
    const caller = h.sim.world.placeCaller({ from: '+15550200106', ivr: ['1', '3'] });
    h.sim.world.setCallee('+15550200106', { onRing: 'answer', answerAfterMs: 500, talkMs: 2000 });
    const events = await h.ended(caller.callSessionId, 30_000);
    expect(one(events, 'AgentConnected').data).toMatchObject({ agentId: 'bob', via: 'callback' });
    expect(one(events, 'CallEnded').data.outcome).toBe('completed');
    await h.waitFor('every leg of the call to hang up', () => h.sim.control.calls({ alive: true }).length === 0, 10_000);
    expect(h.sim.control.call(caller.callControlId)).toMatchObject({ isAlive: false, hangupSource: 'callee' });
  });

  it('calls back a caller who asked for it, before a caller who queued later', async () => {
    await h.configureQueue('support', { announcementIntervalSeconds: 0 });
    const early = h.sim.world.placeCaller({ from: '+15550200105', ivr: ['1', '3'] });
    h.sim.world.setCallee('+15550200105', { onRing: 'answer', answerAfterMs: 2000, talkMs: 3000 });
    await h.waitFor('the callback waiting', async () => (await h.callEvents(early.callSessionId)).some((e) => e.type === 'CallbackRequested'));
    await h.waitFor('the caller hung up', () => h.sim.control.call(early.callControlId)?.isAlive === false);
    const late = h.sim.world.placeCaller({ ivr: ['1', '2', '2'], talkMs: 3000 });
    await h.waitFor('the later call queued', async () => (await h.callEvents(late.callSessionId)).some((e) => e.type === 'CallQueued'));

    await h.agent('bob', { onRing: 'answer', answerAfterMs: 1000, handleTimeMs: 4000 });
    const callback = await h.ended(early.callSessionId, 30_000);
    const queued = one(callback, 'CallQueued');
    expect(queued.data).toMatchObject({ kind: 'callback', queueId: 'support' });
    expect(one(callback, 'CallOffered').data.purpose).toBe('callback');
    expect(one(callback, 'AgentConnected').data).toMatchObject({ agentId: 'bob', via: 'callback' });
    expect(one(callback, 'CallLeftQueue').data).toMatchObject({ reason: 'answered', enqueuedAt: queued.data.enqueuedAt });
    const dials = ofType(callback, 'TelnyxCommandRequested').filter((e) => e.data.action === 'dial');
    expect(dials.map((d) => d.data.action === 'dial' && d.data.params.to)).toEqual([`sip:${sipOf('bob')}@sip.telnyx.com`, '+15550200105']);
    expect(one(callback, 'CallEnded').data.outcome).toBe('completed');

    const later = await h.ended(late.callSessionId, 30_000);
    const laterOffer = one(later, 'CallOffered');
    expect(laterOffer.data.occurredAt > one(callback, 'CallOffered').data.occurredAt).toBe(true);
  });
});
