import { defaultConfiguration } from '../config/defaultConfiguration';
import type { ContactCenterConfig } from '../config/config';
import { contactDirectory } from '../crm/embeddedContacts';
import { DeciderSpecification } from '../../test/support/deciderSpecification';
import { callDecider } from './callDecider';
import { callScenario, domainTypes, eventOf, requestedActions, telnyxRequests } from './callScenario';
import { agentLegId, at, CALLER, connectedTo, CUSTOMER, customerHangsUp, customerState, decision, DIALLED, offer, onAgent, onCustomer, queuedInSales, SESSION } from './callTestKit';
import { telnyxCommandId } from './telnyxCommands';
import { decodeClientState } from './webhook';
import { callAnswered, callBridged, callEnqueued, callHangup, callInitiated, dtmfReceived, gatherEnded, recordingSaved, speakEnded } from './webhookFixtures';

const config: ContactCenterConfig = defaultConfiguration();

describe('inbound call flow', () => {
  it('goes from call.initiated to wrap-up, one webhook at a time', () => {
    const call = callScenario(config, SESSION);

    // call.initiated (incoming, parked): the call starts and is answered with our client_state
    let events = call.webhook(callInitiated({ ...onCustomer(0, 'w-init'), clientState: null, from: CALLER, to: DIALLED, direction: 'incoming' }));
    expect(domainTypes(events)).toEqual(['InboundCallStarted']);
    expect(eventOf(events, 'InboundCallStarted').data).toMatchObject({ callId: SESSION, from: CALLER, to: DIALLED, entryMenuId: 'welcome', hoursId: 'always-open', causeId: 'w-init' });
    expect(requestedActions(events)).toEqual([`answer@${CUSTOMER}`]);
    const answer = telnyxRequests(events)[0];
    expect(answer.commandId).toBe(telnyxCommandId('w-init', 'answer', CUSTOMER));
    expect(answer.action === 'answer' && decodeClientState(answer.params.client_state)).toEqual(customerState);

    // the CRM lookup, done by the reactor, is recorded for the screen pop
    events = call.command({
      type: 'RecordCallerIdentity',
      data: { number: CALLER, contact: contactDirectory().lookup(CALLER), previousCalls: [] },
      metadata: call.meta(at(0), 'crm-lookup-1'),
    });
    expect(eventOf(events, 'CallerIdentified').data.contact?.name).toBe('James Carter');

    // call.answered: greeting and the language menu through gather_using_speak
    events = call.webhook(callAnswered(onCustomer(1)));
    expect(domainTypes(events)).toEqual(['CallAnswered', 'IvrMenuPresented']);
    const gather = telnyxRequests(events)[0];
    expect(gather.action).toBe('gather_using_speak');
    if (gather.action !== 'gather_using_speak') throw new Error('unreachable');
    expect(gather.params).toMatchObject({ payload: 'Thank you for calling Callstream. For English, press 1. Para español, oprima 2.', valid_digits: '12', maximum_digits: 1, timeout_millis: 5000, voice: 'female', language: 'en-US' });
    expect(eventOf(events, 'IvrMenuPresented').data).toMatchObject({ menuId: 'welcome', attempt: 1, reason: 'entry', commandId: gather.commandId });

    // 2 = Spanish: the attribute is set and the main menu is spoken in Spanish
    events = call.webhook(gatherEnded({ ...onCustomer(6), digits: '2', status: 'valid' }));
    expect(eventOf(events, 'IvrOptionSelected').data).toMatchObject({ menuId: 'welcome', digits: '2', label: 'Español', attributes: { language: 'es' }, byDefault: false });
    expect(eventOf(events, 'IvrMenuPresented').data).toMatchObject({ menuId: 'main', language: 'es', attempt: 1, reason: 'submenu' });
    expect(telnyxRequests(events)[0].params).toMatchObject({ language: 'es-US', valid_digits: '1239' });

    // 1 = sales: queued with the sales department, enqueued at Telnyx for position and hold
    events = call.webhook(gatherEnded({ ...onCustomer(12), digits: '1', status: 'valid' }));
    expect(eventOf(events, 'IvrOptionSelected').data.attributes).toEqual({ language: 'es', department: 'sales' });
    expect(eventOf(events, 'CallQueued').data).toMatchObject({
      queueId: 'sales',
      kind: 'call',
      priority: 10,
      enqueuedAt: at(12),
      queueEnteredAt: at(12),
      reason: 'ivr',
      deadlines: { overflow: [], maxWaitAt: at(612), onMaxWait: 'voicemail' },
      nextAnnouncementAt: at(42),
    });
    expect(requestedActions(events)).toEqual([`enqueue@${CUSTOMER}`]);

    // call.enqueued: a welcome in the caller's language, then hold music when it ends
    events = call.webhook(callEnqueued({ ...onCustomer(13), queue: 'sales' }));
    expect(telnyxRequests(events)).toEqual([expect.objectContaining({ action: 'speak', callControlId: CUSTOMER, params: expect.objectContaining({ language: 'es-US' }) })]);
    events = call.webhook(speakEnded(onCustomer(20)));
    expect(telnyxRequests(events)).toEqual([expect.objectContaining({ action: 'playback_start', params: { audio_url: config.queues.sales.holdMusicUrl, loop: 'infinity' } })]);

    // routing: the decision is recorded before the offer; the offer dials the agent's SIP user linked to the caller
    events = call.command({ type: 'RecordRoutingDecision', data: { decision: decision(call, ['carla']) }, metadata: call.meta(at(21), 'route-1') });
    expect(domainTypes(events)).toEqual(['RoutingDecisionMade']);
    events = offer(call, 'offer-1', ['carla'], 21);
    expect(eventOf(events, 'CallOffered').data).toMatchObject({ offerId: 'offer-1', queueId: 'sales', purpose: 'queue', ringTimeoutSeconds: 20, expiresAt: at(21 + 25) });
    const dial = telnyxRequests(events)[0];
    if (dial.action !== 'dial') throw new Error('expected a dial');
    expect(dial.params).toMatchObject({ to: 'sip:carla-sip@sip.telnyx.com', link_to: CUSTOMER, bridge_intent: true, timeout_secs: 20, from: CALLER });
    expect(decodeClientState(dial.params.client_state)).toEqual({ callId: SESSION, role: 'agent', agentId: 'carla', offerId: 'offer-1' });
    expect(dial.params.custom_headers).toEqual(expect.arrayContaining([{ name: 'X-Callstream-Offer-Id', value: 'offer-1' }]));

    // the agent's leg rings, then answers: bridged to the caller, hold music stopped, recorded per the queue policy
    const agentLeg = agentLegId('carla', 'offer-1');
    events = call.webhook(callInitiated({ ...onAgent('carla', 'offer-1', 22), from: CALLER, to: 'sip:carla-sip@sip.telnyx.com', direction: 'outgoing' }));
    expect(events).toEqual([]);
    events = call.webhook(callAnswered(onAgent('carla', 'offer-1', 26)));
    expect(domainTypes(events)).toEqual(['OfferAccepted', 'CallLeftQueue', 'AgentConnected', 'RecordingStarted']);
    expect(eventOf(events, 'CallLeftQueue').data).toMatchObject({ reason: 'answered', waitedSeconds: 14, agentId: 'carla' });
    expect(eventOf(events, 'AgentConnected').data).toMatchObject({ agentId: 'carla', via: 'queue', queueId: 'sales', enqueuedAt: at(12), waitedSeconds: 14 });
    expect(requestedActions(events)).toEqual([`playback_stop@${CUSTOMER}`, `bridge@${CUSTOMER}`, `record_start@${CUSTOMER}`]);
    expect(telnyxRequests(events)[1].params).toEqual({ call_control_id: agentLeg, park_after_unbridge: 'self' });
    expect(telnyxRequests(events)[2].params).toEqual({ format: 'mp3', channels: 'dual', play_beep: false });

    // both call.bridged webhooks change nothing
    expect(call.webhook(callBridged(onCustomer(27)))).toEqual([]);
    expect(call.webhook(callBridged(onAgent('carla', 'offer-1', 27)))).toEqual([]);

    // the caller hangs up: the agent is disconnected and their leg hung up; the call ends completed
    events = customerHangsUp(call, 200);
    expect(domainTypes(events)).toEqual(['AgentDisconnected', 'CallEnded']);
    expect(eventOf(events, 'CallEnded').data).toMatchObject({ outcome: 'completed', durationSeconds: 200, queueId: 'sales', agentId: 'carla', hangupCause: 'normal_clearing', hangupSource: 'caller' });
    expect(requestedActions(events)).toEqual([`hangup@${agentLeg}`]);
    expect(call.webhook(callHangup({ ...onAgent('carla', 'offer-1', 201), cause: 'normal_clearing', source: 'caller' }))).toEqual([]);

    // the recording is saved after the hangup: download requested at once (signed URLs last 10 minutes)
    events = call.webhook(recordingSaved({ ...onCustomer(202), recordingId: 'rec-1', startedAt: at(26), endedAt: at(200) }));
    expect(eventOf(events, 'RecordingDownloadRequested').data).toMatchObject({ recordingId: 'rec-1', kind: 'call', durationSeconds: 174, urls: { mp3: expect.stringContaining('rec-1.mp3') } });
    events = call.command({ type: 'RecordRecordingStored', data: { recordingId: 'rec-1', location: 'recordings/rec-1.mp3', contentType: 'audio/mpeg', sizeBytes: 1024 }, metadata: call.meta(at(205), 'store-1') });
    expect(eventOf(events, 'RecordingStored').data.kind).toBe('call');

    // wrap-up: the agent records a disposition
    events = call.command({ type: 'CompleteWrapUp', data: { agentId: 'carla', disposition: 'sale', notes: 'Upgraded plan' }, metadata: call.meta(at(215), 'wrap-1', 'carla') });
    expect(eventOf(events, 'CallDispositionRecorded').data).toMatchObject({ agentId: 'carla', disposition: 'sale' });
    expect(call.state()).toMatchObject({ status: 'Ended', outcome: 'completed' });
  });

  it('rejects a call to a number with no configuration', () => {
    const call = callScenario({ ...config, numbers: {} }, SESSION);
    const events = call.webhook(callInitiated({ ...onCustomer(0), clientState: null, from: CALLER, to: DIALLED, direction: 'incoming' }));
    expect(domainTypes(events)).toEqual(['InboundCallStarted', 'CallClosing']);
    expect(requestedActions(events)).toEqual([`reject@${CUSTOMER}`]);
    expect(domainTypes(call.webhook(callHangup({ ...onCustomer(1), cause: 'call_rejected' })))).toEqual(['CallEnded']);
    expect(call.state()).toMatchObject({ status: 'Ended', outcome: 'rejected' });
  });
});

describe('IVR input', () => {
  const given = DeciderSpecification.for(callDecider(config, SESSION));

  const inWelcomeMenu = () => {
    const call = callScenario(config, SESSION);
    call.webhook(callInitiated({ ...onCustomer(0), clientState: null, from: CALLER, to: DIALLED, direction: 'incoming' }));
    call.webhook(callAnswered(onCustomer(1)));
    return call;
  };

  it('re-prompts after an invalid digit, then takes the default action when retries run out', () => {
    const call = inWelcomeMenu();
    call.webhook(gatherEnded({ ...onCustomer(5), digits: '1', status: 'valid' }));
    // main menu: 2 retries
    let events = call.webhook(gatherEnded({ ...onCustomer(10), digits: '7', status: 'invalid' }));
    expect(domainTypes(events)).toEqual(['IvrInputRejected', 'IvrMenuPresented']);
    expect(eventOf(events, 'IvrInputRejected').data).toMatchObject({ menuId: 'main', digits: '7', kind: 'invalid', attempt: 1, maxRetries: 2 });
    expect(eventOf(events, 'IvrMenuPresented').data).toMatchObject({ attempt: 2, reason: 'invalid' });
    expect(telnyxRequests(events)[0].params).toMatchObject({ payload: expect.stringMatching(/^Sorry, that is not a valid choice\. For sales, press 1/) });

    events = call.webhook(gatherEnded({ ...onCustomer(15), digits: '8', status: 'invalid' }));
    expect(eventOf(events, 'IvrMenuPresented').data).toMatchObject({ attempt: 3 });

    events = call.webhook(gatherEnded({ ...onCustomer(20), digits: '5', status: 'invalid' }));
    expect(domainTypes(events)).toEqual(['IvrInputRejected', 'IvrOptionSelected', 'CallQueued']);
    expect(eventOf(events, 'IvrOptionSelected').data).toMatchObject({ byDefault: true, defaultReason: 'invalid', action: { kind: 'queue', queueId: 'support' } });
    expect(eventOf(events, 'CallQueued').data).toMatchObject({ queueId: 'support', reason: 'ivr-default' });
  });

  it('re-prompts after a timeout, then takes the default action', () => {
    const call = inWelcomeMenu();
    let events = call.webhook(gatherEnded({ ...onCustomer(7), digits: '', status: 'timeout' }));
    expect(eventOf(events, 'IvrInputRejected').data).toMatchObject({ kind: 'timeout', digits: null, attempt: 1, maxRetries: 1 });
    expect(telnyxRequests(events)[0].params).toMatchObject({ payload: 'We did not receive your choice. For English, press 1. Para español, oprima 2.' });
    events = call.webhook(gatherEnded({ ...onCustomer(14), digits: '', status: 'timeout' }));
    expect(eventOf(events, 'IvrOptionSelected').data).toMatchObject({ byDefault: true, defaultReason: 'timeout', attributes: { language: 'en' } });
    expect(eventOf(events, 'IvrMenuPresented').data).toMatchObject({ menuId: 'main', language: 'en', attempt: 1 });
  });

  it('ignores a gather that ended because the caller hung up', () => {
    const call = inWelcomeMenu();
    given(call.history)
      .when({ type: 'HandleWebhook', data: { webhook: gatherEnded({ ...onCustomer(3), digits: '', status: 'call_hangup' }) }, metadata: call.meta(at(3), 'h') })
      .thenNothingHappens();
  });

  it('ends the call as abandoned in the IVR when the caller hangs up there', () => {
    const call = inWelcomeMenu();
    const events = customerHangsUp(call, 4);
    expect(eventOf(events, 'CallEnded').data).toMatchObject({ outcome: 'abandoned-in-ivr', durationSeconds: 4 });
  });
});

describe('waiting in the queue', () => {
  it('the caller abandons while queued: the call leaves the queue and ends abandoned', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    const events = customerHangsUp(call, 95);
    expect(domainTypes(events)).toEqual(['CallLeftQueue', 'CallEnded']);
    expect(eventOf(events, 'CallLeftQueue').data).toMatchObject({ reason: 'abandoned', queueId: 'sales', waitedSeconds: 86 });
    expect(eventOf(events, 'CallEnded').data.outcome).toBe('abandoned');
  });

  it('the caller abandons while an agent is ringing: the offer is cancelled and the agent leg hung up', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    offer(call, 'offer-1', ['alice'], 20);
    call.webhook(callInitiated({ ...onAgent('alice', 'offer-1', 21), from: CALLER, to: 'sip:alice-sip@sip.telnyx.com', direction: 'outgoing' }));
    const events = customerHangsUp(call, 24);
    expect(domainTypes(events)).toEqual(['OfferCancelled', 'CallLeftQueue', 'CallEnded']);
    expect(eventOf(events, 'OfferCancelled').data).toMatchObject({ agentId: 'alice', reason: 'caller-hung-up' });
    expect(requestedActions(events)).toEqual([`hangup@${agentLegId('alice', 'offer-1')}`]);
  });

  it('announces position and estimated wait when the announcement is due, then resumes the music', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    const early = call.command({ type: 'CheckQueueTimers', data: { position: 3, ewtSeconds: 200 }, metadata: call.meta(at(30), 'timer-1') });
    expect(early).toEqual([]);
    const events = call.command({ type: 'CheckQueueTimers', data: { position: 3, ewtSeconds: 200 }, metadata: call.meta(at(39), 'timer-2') });
    expect(eventOf(events, 'QueuePositionAnnounced').data).toMatchObject({ position: 3, ewtSeconds: 200, nextAnnouncementAt: at(69) });
    expect(requestedActions(events)).toEqual([`playback_stop@${CUSTOMER}`, `speak@${CUSTOMER}`]);
    expect(telnyxRequests(events)[1].params).toMatchObject({ payload: 'You are number 3 in line. Your estimated wait is about 4 minutes.' });
    expect(requestedActions(call.webhook(speakEnded(onCustomer(45))))).toEqual([`playback_start@${CUSTOMER}`]);
  });

  it('sends the caller to voicemail at the queue maximum wait', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    const events = call.command({ type: 'CheckQueueTimers', data: {}, metadata: call.meta(at(9 + 600), 'timer-max') });
    expect(domainTypes(events)).toEqual(['CallLeftQueue', 'VoicemailStarted']);
    expect(eventOf(events, 'CallLeftQueue').data.reason).toBe('max-wait');
    expect(eventOf(events, 'VoicemailStarted').data).toMatchObject({ reason: 'max-wait', queueId: 'sales' });
    expect(telnyxRequests(events).map((r) => r.action)).toEqual(['leave_queue', 'playback_stop', 'speak']);
  });

  it('overflows billing to support after 180 s, keeping the original enqueue time and priority', () => {
    const call = callScenario(config, SESSION);
    call.webhook(callInitiated({ ...onCustomer(0), clientState: null, from: CALLER, to: DIALLED, direction: 'incoming' }));
    call.webhook(callAnswered(onCustomer(1)));
    call.webhook(gatherEnded({ ...onCustomer(5), digits: '1', status: 'valid' }));
    call.webhook(gatherEnded({ ...onCustomer(9), digits: '2', status: 'valid' }));
    let events = call.webhook(gatherEnded({ ...onCustomer(13), digits: '1', status: 'valid' }));
    expect(eventOf(events, 'CallQueued').data).toMatchObject({ queueId: 'billing', priority: 5, deadlines: { overflow: [{ at: at(193), targetQueueId: 'support' }] } });
    events = call.command({ type: 'CheckQueueTimers', data: {}, metadata: call.meta(at(193), 'timer-overflow') });
    expect(domainTypes(events)).toEqual(['CallLeftQueue', 'CallQueued']);
    expect(eventOf(events, 'CallLeftQueue').data.reason).toBe('overflow');
    expect(eventOf(events, 'CallQueued').data).toMatchObject({ queueId: 'support', reason: 'overflow', fromQueueId: 'billing', enqueuedAt: at(13), priority: 5, queueEnteredAt: at(193) });
    expect(requestedActions(events)).toEqual([`leave_queue@${CUSTOMER}`, `enqueue@${CUSTOMER}`]);
  });

  it('records a routing decision that leaves the call waiting only when the reason changes', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    const waiting = (id: string, reason: string) => call.command({ type: 'RecordRoutingDecision', data: { decision: decision(call, [], 'longest-idle', reason) }, metadata: call.meta(at(20), id) });
    expect(domainTypes(waiting('r1', 'no agent with skill sales is available'))).toEqual(['RoutingDecisionMade']);
    expect(waiting('r2', 'no agent with skill sales is available')).toEqual([]);
    expect(domainTypes(waiting('r3', 'all matching agents are busy'))).toEqual(['RoutingDecisionMade']);
  });
});

describe('voicemail and after hours', () => {
  it('records a voicemail chosen in the IVR, then thanks the caller and hangs up', () => {
    const call = callScenario(config, SESSION);
    call.webhook(callInitiated({ ...onCustomer(0), clientState: null, from: CALLER, to: DIALLED, direction: 'incoming' }));
    call.webhook(callAnswered(onCustomer(1)));
    call.webhook(gatherEnded({ ...onCustomer(5), digits: '1', status: 'valid' }));
    let events = call.webhook(gatherEnded({ ...onCustomer(9), digits: '9', status: 'valid' }));
    expect(eventOf(events, 'VoicemailStarted').data).toMatchObject({ reason: 'caller-choice', queueId: 'support' });
    expect(requestedActions(events)).toEqual([`speak@${CUSTOMER}`]);
    events = call.webhook(speakEnded(onCustomer(14)));
    expect(telnyxRequests(events)).toEqual([expect.objectContaining({ action: 'record_start', params: { format: 'mp3', channels: 'single', play_beep: true, max_length: 120, timeout_secs: 5 } })]);
    events = call.webhook(recordingSaved({ ...onCustomer(45), recordingId: 'vm-1', startedAt: at(14), endedAt: at(44), channels: 'single' }));
    expect(domainTypes(events)).toEqual(['RecordingDownloadRequested', 'VoicemailRecorded']);
    expect(eventOf(events, 'RecordingDownloadRequested').data).toMatchObject({ recordingId: 'vm-1', kind: 'voicemail' });
    expect(eventOf(events, 'VoicemailRecorded').data).toMatchObject({ recordingId: 'vm-1', queueId: 'support', from: CALLER, durationSeconds: 30 });
    expect(requestedActions(events)).toEqual([`speak@${CUSTOMER}`]);
    expect(requestedActions(call.webhook(speakEnded(onCustomer(50))))).toEqual([`hangup@${CUSTOMER}`]);
    expect(eventOf(customerHangsUp(call, 51), 'CallEnded').data.outcome).toBe('voicemail');
  });

  it('after hours, answers with the closed message and takes a voicemail', () => {
    const officeHours: ContactCenterConfig = { ...config, numbers: { '*': { number: '*', entryMenuId: 'welcome', hoursId: 'office' } } };
    const call = callScenario(officeHours, SESSION);
    // Sunday 2026-03-01 15:00 UTC is 10:00 in New York, but the office is closed on Sundays
    const sunday = { id: 'w-sunday', at: '2026-03-01T15:00:00.000Z', session: SESSION, callControlId: CUSTOMER };
    let events = call.webhook(callInitiated({ ...sunday, from: CALLER, to: DIALLED, direction: 'incoming' }));
    expect(domainTypes(events)).toEqual(['InboundCallStarted', 'CallRoutedAfterHours']);
    expect(eventOf(events, 'CallRoutedAfterHours').data).toMatchObject({ hoursId: 'office', voicemail: true, reason: 'closed at sun 10:00 America/New_York' });
    expect(requestedActions(events)).toEqual([`answer@${CUSTOMER}`]);
    events = call.webhook(callAnswered({ ...sunday, id: 'w-sunday-answered', at: '2026-03-01T15:00:01.000Z', clientState: customerState }));
    expect(domainTypes(events)).toEqual(['CallAnswered', 'VoicemailStarted']);
    expect(eventOf(events, 'VoicemailStarted').data.reason).toBe('after-hours');
    expect(telnyxRequests(events)[0].params).toMatchObject({ payload: expect.stringMatching(/^Thank you for calling\. Our office is open Monday to Friday .* Please leave your message after the tone/) });
  });

  it('after hours without voicemail, speaks the message and hangs up', () => {
    const hours = config.hours.office;
    const closed: ContactCenterConfig = {
      ...config,
      hours: { ...config.hours, office: { ...hours, afterHours: { ...hours.afterHours, voicemail: false } } },
      numbers: { '*': { number: '*', entryMenuId: 'welcome', hoursId: 'office' } },
    };
    const call = callScenario(closed, SESSION);
    const holiday = { at: '2026-12-25T16:00:00.000Z', session: SESSION, callControlId: CUSTOMER };
    call.webhook(callInitiated({ ...holiday, id: 'x1', from: CALLER, to: DIALLED, direction: 'incoming' }));
    expect(eventOf(call.history, 'CallRoutedAfterHours').data.reason).toBe('holiday: Christmas Day (2026-12-25)');
    const events = call.webhook(callAnswered({ ...holiday, id: 'x2', clientState: customerState }));
    expect(domainTypes(events)).toEqual(['CallAnswered', 'CallClosing']);
    expect(requestedActions(call.webhook(speakEnded({ ...holiday, id: 'x3', clientState: customerState })))).toEqual([`hangup@${CUSTOMER}`]);
    expect(eventOf(call.webhook(callHangup({ ...holiday, id: 'x4', clientState: customerState })), 'CallEnded').data.outcome).toBe('after-hours');
  });

  it('a waiting caller presses # to leave a voicemail instead', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    const events = call.webhook(dtmfReceived({ ...onCustomer(30), digit: '#' }));
    expect(domainTypes(events)).toEqual(['CallLeftQueue', 'VoicemailStarted']);
    expect(eventOf(events, 'CallLeftQueue').data.reason).toBe('voicemail');
  });
});

describe('duplicate and out-of-order webhooks', () => {
  it('a duplicate webhook decides nothing, even when appended twice', () => {
    const call = callScenario(config, SESSION);
    const initiated = callInitiated({ ...onCustomer(0, 'dup-1'), clientState: null, from: CALLER, to: DIALLED, direction: 'incoming' });
    expect(call.webhook(initiated)).not.toEqual([]);
    expect(call.webhook(initiated)).toEqual([]);
    call.history.push({ type: 'TelnyxWebhookReceived', data: initiated });
    expect(call.webhook(initiated)).toEqual([]);
    expect(telnyxRequests(call.history)).toHaveLength(1);
  });

  it('a second call.answered of the same leg (another webhook id) does not start the IVR twice', () => {
    const call = callScenario(config, SESSION);
    call.webhook(callInitiated({ ...onCustomer(0), clientState: null, from: CALLER, to: DIALLED, direction: 'incoming' }));
    expect(domainTypes(call.webhook(callAnswered(onCustomer(1))))).toEqual(['CallAnswered', 'IvrMenuPresented']);
    expect(call.webhook(callAnswered(onCustomer(1)))).toEqual([]);
  });

  it('call.hangup before call.bridged: the late bridged webhook changes nothing', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    connectedTo(call, 'alice', 'offer-1', 20);
    expect(domainTypes(customerHangsUp(call, 40))).toEqual(['AgentDisconnected', 'CallEnded']);
    expect(call.webhook(callBridged(onCustomer(25)))).toEqual([]);
    expect(call.webhook(callBridged(onAgent('alice', 'offer-1', 25)))).toEqual([]);
    const state = call.state();
    expect(state.status === 'Ended' && state.legs[CUSTOMER].status).toBe('ended');
  });

  it('an agent leg answered before its call.initiated arrives is still recognised from client_state', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    offer(call, 'offer-1', ['alice'], 20);
    const events = call.webhook(callAnswered(onAgent('alice', 'offer-1', 24)));
    expect(domainTypes(events)).toContain('OfferAccepted');
    expect(call.webhook(callInitiated({ ...onAgent('alice', 'offer-1', 21), from: CALLER, to: 'sip:alice-sip@sip.telnyx.com', direction: 'outgoing' }))).toEqual([]);
  });

  it('the same webhook handled on two fresh copies of the stream requests the same command ids', () => {
    const first = callScenario(config, SESSION);
    const second = callScenario(config, SESSION);
    const initiated = callInitiated({ ...onCustomer(0, 'same-id'), clientState: null, from: CALLER, to: DIALLED, direction: 'incoming' });
    expect(telnyxRequests(first.webhook(initiated)).map((r) => r.commandId)).toEqual(telnyxRequests(second.webhook(initiated)).map((r) => r.commandId));
  });
});
