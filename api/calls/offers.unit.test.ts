import type { ContactCenterConfig } from '../config/config';
import { defaultConfiguration } from '../config/defaultConfiguration';
import { IllegalStateError, NotFoundError } from '../core/errors';
import { DeciderSpecification } from '../../test/support/deciderSpecification';
import { callDecider } from './callDecider';
import { callScenario, domainTypes, eventOf, requestedActions, telnyxRequests } from './callScenario';
import { agentLegId, at, callbackOfferedToAlice, CALLER, CUSTOMER, customerHangsUp, offer, onAgent, onCustomer, queuedInSales, SESSION } from './callTestKit';
import { callAnswered, callHangup, callInitiated, dtmfReceived, gatherEnded, speakEnded } from './webhookFixtures';

const config: ContactCenterConfig = defaultConfiguration();

const ringing = (call: ReturnType<typeof callScenario>, agentId: string, offerId: string, seconds: number) =>
  call.webhook(callInitiated({ ...onAgent(agentId, offerId, seconds), from: CALLER, to: `sip:${agentId}-sip@sip.telnyx.com`, direction: 'outgoing' }));

describe('offers', () => {
  it('an agent who rejects on the phone: the call is back in the queue at once, without that agent for a while', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    offer(call, 'offer-1', ['alice'], 20);
    ringing(call, 'alice', 'offer-1', 21);
    const events = call.webhook(callHangup({ ...onAgent('alice', 'offer-1', 23), cause: 'call_rejected', source: 'callee' }));
    expect(domainTypes(events)).toEqual(['OfferRejected', 'CallReturnedToQueue']);
    expect(eventOf(events, 'OfferRejected').data).toMatchObject({ agentId: 'alice', reason: 'declined on the phone (call_rejected)' });
    expect(eventOf(events, 'CallReturnedToQueue').data.excludedAgents).toEqual([{ agentId: 'alice', until: at(23 + 15) }]);
    expect(call.state()).toMatchObject({ status: 'Queued' });

    // the next agent is offered straight away
    const next = offer(call, 'offer-2', ['erin'], 23);
    expect(domainTypes(next)).toEqual(['CallOffered']);
    expect(requestedActions(next)).toEqual(['dial>sip:erin-sip@sip.telnyx.com']);
  });

  it('an agent who rejects in the console: the leg is hung up and the call returns to the queue', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    offer(call, 'offer-1', ['alice'], 20);
    ringing(call, 'alice', 'offer-1', 21);
    const events = call.command({ type: 'RejectOffer', data: { offerId: 'offer-1', agentId: 'alice' }, metadata: call.meta(at(22), 'reject-1', 'alice') });
    expect(domainTypes(events)).toEqual(['OfferRejected', 'CallReturnedToQueue']);
    expect(requestedActions(events)).toEqual([`hangup@${agentLegId('alice', 'offer-1')}`]);
    // the resulting hangup webhook is already accounted for
    expect(call.webhook(callHangup({ ...onAgent('alice', 'offer-1', 22), cause: 'originator_cancel', source: 'caller' }))).toEqual([]);
  });

  it('rejecting an unknown offer or one already answered is refused', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    const given = DeciderSpecification.for(callDecider(config, SESSION));
    given(call.history).when({ type: 'RejectOffer', data: { offerId: 'nope', agentId: 'alice' }, metadata: call.meta(at(20), 'r') }).thenThrows(NotFoundError);
    offer(call, 'offer-1', ['alice'], 20);
    call.webhook(callAnswered(onAgent('alice', 'offer-1', 24)));
    given(call.history)
      .when({ type: 'RejectOffer', data: { offerId: 'offer-1', agentId: 'alice' }, metadata: call.meta(at(25), 'r2') })
      .thenThrows(IllegalStateError, (e) => e.message.includes('already accepted'));
  });

  it('no answer: the offer times out at its deadline, the leg is hung up and the call can be re-offered', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    const offered = offer(call, 'offer-1', ['alice'], 20);
    const expiresAt = eventOf(offered, 'CallOffered').data.expiresAt;
    ringing(call, 'alice', 'offer-1', 21);
    expect(call.command({ type: 'ExpireOffer', data: { offerId: 'offer-1' }, metadata: call.meta(at(30), 'early') })).toEqual([]);
    const events = call.command({ type: 'ExpireOffer', data: { offerId: 'offer-1' }, metadata: call.meta(expiresAt, 'expire') });
    expect(domainTypes(events)).toEqual(['OfferMissed', 'CallReturnedToQueue']);
    expect(eventOf(events, 'OfferMissed').data).toMatchObject({ agentId: 'alice', reason: 'no-answer' });
    expect(requestedActions(events)).toEqual([`hangup@${agentLegId('alice', 'offer-1')}`]);
    // a retried timer decides nothing
    expect(call.command({ type: 'ExpireOffer', data: { offerId: 'offer-1' }, metadata: call.meta(expiresAt, 'expire-again') })).toEqual([]);
    expect(domainTypes(offer(call, 'offer-2', ['erin'], 47))).toEqual(['CallOffered']);
  });

  it("no answer reported by Telnyx (the dial's timeout) counts as a miss", () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    offer(call, 'offer-1', ['alice'], 20);
    ringing(call, 'alice', 'offer-1', 21);
    const events = call.webhook(callHangup({ ...onAgent('alice', 'offer-1', 41), cause: 'timeout', source: 'unknown' }));
    expect(eventOf(events, 'OfferMissed').data.reason).toBe('no-answer');
  });

  it('a failed dial is a miss, and the call returns to the queue', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    const dial = telnyxRequests(offer(call, 'offer-1', ['alice'], 20))[0];
    const events = call.command({
      type: 'RecordCommandOutcome',
      data: { commandId: dial.commandId, action: 'dial', ok: false, error: { status: 422, code: '10001', title: 'Invalid destination' } },
      metadata: call.meta(at(20), 'outcome-1'),
    });
    expect(domainTypes(events)).toEqual(['TelnyxCommandFailed', 'OfferMissed', 'CallReturnedToQueue']);
    expect(eventOf(events, 'OfferMissed').data.reason).toBe('dial-failed');
  });

  it('an offer to a call that is no longer waiting fails, so the reactor can release the reservation', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    customerHangsUp(call, 18);
    const events = offer(call, 'offer-1', ['alice'], 20);
    expect(events).toEqual([expect.objectContaining({ type: 'CallOfferFailed', data: expect.objectContaining({ offerId: 'offer-1', agentIds: ['alice'], reason: 'the call is not waiting in a queue (Ended)' }) })]);
  });

  it('offering twice with the same offer id is a no-op', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    offer(call, 'offer-1', ['alice'], 20);
    const given = DeciderSpecification.for(callDecider(config, SESSION));
    given(call.history)
      .when({ type: 'OfferCall', data: { offerId: 'offer-1', purpose: 'queue', strategy: 'longest-idle', agents: [{ agentId: 'alice', sipUsername: 'alice-sip' }] }, metadata: call.meta(at(21), 'another-command-id') })
      .thenNothingHappens();
  });
});

describe('ring-all', () => {
  const ringAll = () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    const events = offer(call, 'offer-1', ['alice', 'carla', 'erin'], 20, 'ring-all');
    expect(requestedActions(events)).toEqual(['dial>sip:alice-sip@sip.telnyx.com', 'dial>sip:carla-sip@sip.telnyx.com', 'dial>sip:erin-sip@sip.telnyx.com']);
    ringing(call, 'alice', 'offer-1', 21);
    ringing(call, 'carla', 'offer-1', 21);
    return call;
  };

  it('the first to answer wins; the others are cancelled and their legs hung up', () => {
    const call = ringAll();
    const events = call.webhook(callAnswered(onAgent('carla', 'offer-1', 25)));
    expect(domainTypes(events)).toEqual(['OfferAccepted', 'OfferCancelled', 'OfferCancelled', 'CallLeftQueue', 'AgentConnected', 'RecordingStarted']);
    expect(events.filter((e) => e.type === 'OfferCancelled').map((e) => e.type === 'OfferCancelled' && [e.data.agentId, e.data.reason])).toEqual([
      ['alice', 'answered-elsewhere'],
      ['erin', 'answered-elsewhere'],
    ]);
    // erin's leg was not known yet: it is hung up as soon as it shows up
    expect(requestedActions(events)).toEqual([`hangup@${agentLegId('alice', 'offer-1')}`, `playback_stop@${CUSTOMER}`, `bridge@${CUSTOMER}`, `record_start@${CUSTOMER}`]);
    expect(requestedActions(ringing(call, 'erin', 'offer-1', 26))).toEqual([`hangup@${agentLegId('erin', 'offer-1')}`]);
    // the cancelled legs' hangups are already accounted for
    expect(call.webhook(callHangup({ ...onAgent('alice', 'offer-1', 26), cause: 'originator_cancel' }))).toEqual([]);
  });

  it('two agents answering at once: the first processed keeps the call, the second is hung up', () => {
    const call = ringAll();
    call.webhook(callAnswered(onAgent('alice', 'offer-1', 25)));
    const second = call.webhook(callAnswered(onAgent('carla', 'offer-1', 25)));
    expect(domainTypes(second)).toEqual([]);
    expect(requestedActions(second)).toEqual([]);
    const hangups = telnyxRequests(call.history).filter((r) => r.action === 'hangup' && r.callControlId === agentLegId('carla', 'offer-1'));
    expect(hangups).toHaveLength(1);
    expect(call.history.filter((e) => e.type === 'OfferAccepted')).toHaveLength(1);
    expect(call.state()).toMatchObject({ status: 'Connected', agentId: 'alice' });
  });

  it('a second answer whose leg had not been hung up yet is hung up then', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    offer(call, 'offer-1', ['alice', 'carla'], 20, 'ring-all');
    // neither call.initiated has arrived: answers race in first
    call.webhook(callAnswered(onAgent('alice', 'offer-1', 25)));
    const late = call.webhook(callAnswered(onAgent('carla', 'offer-1', 25)));
    expect(requestedActions(late)).toEqual([`hangup@${agentLegId('carla', 'offer-1')}`]);
  });
});

describe('callbacks keep their place', () => {
  it('a waiting caller presses *, hangs up, and is called back first with the original enqueue time', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    // * while waiting: a callback keeps the same entry and its enqueue time
    let events = call.webhook(dtmfReceived({ ...onCustomer(40), digit: '*' }));
    expect(domainTypes(events)).toEqual(['CallbackRequested']);
    expect(eventOf(events, 'CallbackRequested').data).toMatchObject({ queueId: 'sales', number: CALLER, enqueuedAt: at(9), via: 'queue-digit' });
    expect(requestedActions(events)).toEqual([`playback_stop@${CUSTOMER}`, `speak@${CUSTOMER}`]);
    expect(requestedActions(call.webhook(speakEnded(onCustomer(48))))).toEqual([`hangup@${CUSTOMER}`]);
    expect(customerHangsUp(call, 49)).toEqual([]);
    expect(call.state()).toMatchObject({ status: 'CallbackWaiting', entry: { kind: 'callback', waiting: true, enqueuedAt: at(9) } });

    // the callback is offered: the agent is dialled first, without link_to (the caller's leg is gone)
    events = call.command({
      type: 'OfferCall',
      data: { offerId: 'cb-offer', purpose: 'callback', strategy: 'longest-idle', agents: [{ agentId: 'alice', sipUsername: 'alice-sip' }] },
      metadata: call.meta(at(300), 'offer-cb'),
    });
    const agentDial = telnyxRequests(events)[0];
    if (agentDial.action !== 'dial') throw new Error('expected a dial');
    expect(agentDial.params.link_to).toBeUndefined();
    expect(agentDial.params.from).toBe(config.queues.sales.callerIdNumber);

    // the agent's leg lives in another Telnyx session; its client_state ties it to this call (linked copy)
    const agentLeg = { id: 'cb-a1', at: at(305), session: 'session-agent', callControlId: 'v3:alice-cb', clientState: { callId: SESSION, role: 'agent' as const, agentId: 'alice', offerId: 'cb-offer' } };
    events = call.webhook(callAnswered(agentLeg));
    expect(domainTypes(events)).toEqual(['TelnyxWebhookLinked', 'OfferAccepted', 'CallLeftQueue']);
    expect(eventOf(events, 'TelnyxWebhookLinked').data.linkedFromStreamId).toBe('call-session-agent');
    expect(eventOf(events, 'CallLeftQueue').data).toMatchObject({ reason: 'answered', waitedSeconds: 296 });
    const customerDial = telnyxRequests(events)[0];
    expect(customerDial.params).toMatchObject({ to: CALLER, link_to: 'v3:alice-cb', bridge_on_answer: true, from: config.queues.sales.callerIdNumber });

    // the caller answers: connected, with the wait measured from the original enqueue time
    const calledBack = { at: at(312), session: 'session-agent', callControlId: 'v3:customer-cb', clientState: { callId: SESSION, role: 'customer' as const } };
    call.webhook(callInitiated({ ...calledBack, id: 'cb-c0', from: config.queues.sales.callerIdNumber, to: CALLER, direction: 'outgoing' }));
    events = call.webhook(callAnswered({ ...calledBack, id: 'cb-c1' }));
    expect(eventOf(events, 'AgentConnected').data).toMatchObject({ agentId: 'alice', via: 'callback', enqueuedAt: at(9), waitedSeconds: 303 });
    expect(requestedActions(events)).toEqual(['record_start@v3:customer-cb']);
    events = call.webhook(callHangup({ ...calledBack, id: 'cb-c2', at: at(400) }));
    expect(eventOf(events, 'CallEnded').data.outcome).toBe('completed');
  });

  it('a callback whose customer does not answer ends as callback-failed and frees the agent', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    call.command({ type: 'RequestCallback', data: {}, metadata: call.meta(at(40), 'cb-api') });
    expect(customerHangsUp(call, 45)).toEqual([]);
    call.command({ type: 'OfferCall', data: { offerId: 'cb-offer', purpose: 'callback', strategy: 'longest-idle', agents: [{ agentId: 'alice', sipUsername: 'alice-sip' }] }, metadata: call.meta(at(60), 'o') });
    call.webhook(callAnswered({ id: 'a', at: at(62), session: 'session-agent', callControlId: 'v3:alice-cb', clientState: { callId: SESSION, role: 'agent', agentId: 'alice', offerId: 'cb-offer' } }));
    const calledBack = { at: at(63), session: 'session-agent', callControlId: 'v3:customer-cb', clientState: { callId: SESSION, role: 'customer' as const } };
    call.webhook(callInitiated({ ...calledBack, id: 'c0', from: '+15550100010', to: CALLER, direction: 'outgoing' }));
    const events = call.webhook(callHangup({ ...calledBack, id: 'c1', at: at(93), cause: 'timeout', source: 'unknown' }));
    expect(domainTypes(events)).toEqual(['TelnyxWebhookLinked', 'CallbackAttemptFailed', 'AgentDisconnected', 'CallEnded']);
    expect(requestedActions(events)).toEqual(['hangup@v3:alice-cb']);
    expect(eventOf(events, 'CallEnded').data.outcome).toBe('callback-failed');
  });

  it('a callback offered while the caller still hears the confirmation: the caller is hung up after it, and leaving is no abandon', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    call.webhook(dtmfReceived({ ...onCustomer(40), digit: '*' }));
    call.command({ type: 'OfferCall', data: { offerId: 'cb-offer', purpose: 'callback', strategy: 'longest-idle', agents: [{ agentId: 'alice', sipUsername: 'alice-sip' }] }, metadata: call.meta(at(42), 'o') });
    expect(call.state()).toMatchObject({ status: 'Offering', entry: { kind: 'callback', waiting: true } });
    // no position announcement for a caller who will be called back
    expect(requestedActions(call.command({ type: 'CheckQueueTimers', data: { position: 1, ewtSeconds: 60 }, metadata: call.meta(at(9 + 120), 't') }))).not.toContain(`speak@${CUSTOMER}`);
    expect(requestedActions(call.webhook(speakEnded(onCustomer(48))))).toEqual([`hangup@${CUSTOMER}`]);
    const events = customerHangsUp(call, 49);
    expect(domainTypes(events)).toEqual([]);
    expect(call.state()).toMatchObject({ status: 'Offering', offerId: 'cb-offer', entry: { kind: 'callback', waiting: true } });
  });

  it('a callback answered by an agent before the confirmation ends: the first leg is hung up before the caller is dialled', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    call.webhook(dtmfReceived({ ...onCustomer(40), digit: '*' }));
    call.command({ type: 'OfferCall', data: { offerId: 'cb-offer', purpose: 'callback', strategy: 'longest-idle', agents: [{ agentId: 'alice', sipUsername: 'alice-sip' }] }, metadata: call.meta(at(41), 'o') });
    let events = call.webhook(callAnswered({ id: 'a', at: at(43), session: 'session-agent', callControlId: 'v3:alice-cb', clientState: { callId: SESSION, role: 'agent', agentId: 'alice', offerId: 'cb-offer' } }));
    expect(requestedActions(events)).toEqual([`hangup@${CUSTOMER}`, `dial>${CALLER}`]);
    const calledBack = { at: at(44), session: 'session-agent', callControlId: 'v3:customer-cb', clientState: { callId: SESSION, role: 'customer' as const } };
    call.webhook(callInitiated({ ...calledBack, id: 'c0', from: '+15550100010', to: CALLER, direction: 'outgoing' }));
    // the first leg's last webhooks change nothing
    expect(requestedActions(call.webhook(speakEnded({ ...onCustomer(45), status: 'call_hangup' })))).toEqual([]);
    expect(domainTypes(customerHangsUp(call, 45))).toEqual([]);
    events = call.webhook(callAnswered({ ...calledBack, id: 'c1', at: at(50) }));
    expect(eventOf(events, 'AgentConnected').data).toMatchObject({ agentId: 'alice', via: 'callback' });
  });

  it('an agent who hangs up before the called-back caller answers: the callback waits again and the late leg is hung up', () => {
    const call = callScenario(config, SESSION);
    callbackOfferedToAlice(call);
    const agentLeg = { at: at(62), session: 'session-agent', callControlId: 'v3:alice-cb', clientState: { callId: SESSION, role: 'agent' as const, agentId: 'alice', offerId: 'cb-offer' } };
    call.webhook(callAnswered({ ...agentLeg, id: 'a1' }));
    let events = call.webhook(callHangup({ ...agentLeg, id: 'a2', at: at(63), cause: 'normal_clearing', source: 'caller' }));
    expect(domainTypes(events)).toEqual(['TelnyxWebhookLinked', 'AgentDisconnected', 'CallQueued']);
    expect(call.state()).toMatchObject({ status: 'CallbackWaiting', entry: { kind: 'callback', waiting: true, enqueuedAt: at(9) } });
    // the dial to the caller was already under way: its leg shows up now, and is hung up
    const calledBack = { session: 'session-agent', callControlId: 'v3:customer-cb', clientState: { callId: SESSION, role: 'customer' as const } };
    events = call.webhook(callInitiated({ ...calledBack, id: 'c0', at: at(64), from: '+15550100010', to: CALLER, direction: 'outgoing' }));
    expect(requestedActions(events)).toEqual(['hangup@v3:customer-cb']);
    expect(domainTypes(call.webhook(callHangup({ ...calledBack, id: 'c1', at: at(65), cause: 'originator_cancel', source: 'caller' })))).toEqual(['TelnyxWebhookLinked']);
    expect(call.state()).toMatchObject({ status: 'CallbackWaiting' });
  });

  it('a callback chosen in the IVR is queued as a callback straight away', () => {
    const call = callScenario(config, SESSION);
    call.webhook(callInitiated({ ...onCustomer(0), clientState: null, from: CALLER, to: '+15550100000', direction: 'incoming' }));
    call.webhook(callAnswered(onCustomer(1)));
    call.webhook(gatherEnded({ ...onCustomer(5), digits: '1', status: 'valid' }));
    const events = call.webhook(gatherEnded({ ...onCustomer(9), digits: '3', status: 'valid' }));
    expect(domainTypes(events)).toEqual(['IvrOptionSelected', 'CallQueued', 'CallbackRequested']);
    expect(eventOf(events, 'CallQueued').data).toMatchObject({ kind: 'callback', queueId: 'support', callbackNumber: CALLER, nextAnnouncementAt: null });
    expect(requestedActions(events)).toEqual([`speak@${CUSTOMER}`]);
  });
});
