import type { ContactCenterConfig } from '../config/config';
import { defaultConfiguration } from '../config/defaultConfiguration';
import type { CallCommand } from './callCommands';
import { callScenario, domainTypes, eventOf, requestedActions, telnyxRequests, type CallScenario } from './callScenario';
import { agentLegId, at, callbackOfferedToAlice, CALLER, connectedTo, CUSTOMER, customerHangsUp, onAgent, onCustomer, queuedInSales, SESSION } from './callTestKit';
import { decodeClientState } from './webhook';
import { callAnswered, callEnqueued, callHangup, callInitiated, dtmfReceived, recordingSaved, speakEnded } from './webhookFixtures';

/**
 * Paths where a leg is left up with nobody to ever hang it up, a call never ends, or a caller who asked to be
 * called back is dropped: each test delivers the webhooks and commands of one such path.
 */
const config: ContactCenterConfig = defaultConfiguration();
const ALICE_LEG = agentLegId('alice', 'offer-1');
const ERIN_LEG = agentLegId('erin', 'consult-1');

const run = (call: CallScenario, command: Omit<CallCommand, 'metadata'>, seconds: number, actor = 'alice') =>
  call.command({ ...command, metadata: call.meta(at(seconds), `${command.type}-${seconds}`, actor) } as CallCommand);

const hangupRequested = (call: CallScenario, callControlId: string): boolean => requestedActions(call.history).includes(`hangup@${callControlId}`);

/** A sales call answered by alice at t=24 (recorded: sales records every call). */
const talkingToAlice = (): CallScenario => {
  const call = callScenario(config, SESSION);
  queuedInSales(call);
  connectedTo(call, 'alice', 'offer-1', 20);
  return call;
};

/** alice (talking to the caller) starts a warm transfer to erin at 60 s; erin is offered the consultation at 61 s. */
const aliceConsultsErin = (): CallScenario => {
  const call = talkingToAlice();
  const requested = run(call, { type: 'WarmTransfer', data: { agentId: 'alice', target: { kind: 'agent', agentId: 'erin' } } }, 60);
  const transferId = eventOf(requested, 'CallTransferRequested').data.transferId;
  call.command({
    type: 'OfferCall',
    data: { offerId: 'consult-1', purpose: 'consult', strategy: 'targeted', agents: [{ agentId: 'erin', sipUsername: 'erin-sip' }], transferId },
    metadata: call.meta(at(61), 'offer-consult'),
  });
  return call;
};

/** alice starts a warm transfer to erin, erin's phone rings, and alice hangs up before erin answers. */
const aliceLeavesWhileErinRings = (): CallScenario => {
  const call = aliceConsultsErin();
  call.webhook(callInitiated({ ...onAgent('erin', 'consult-1', 62), from: CALLER, to: 'sip:erin-sip@sip.telnyx.com', direction: 'outgoing' }));
  const left = call.webhook(callHangup({ ...onAgent('alice', 'offer-1', 64), cause: 'normal_clearing', source: 'callee' }));
  // alice is off the call; the caller is kept (on hold music) because a transfer is pending
  expect(domainTypes(left)).toEqual(['AgentDisconnected']);
  expect(requestedActions(left)).toEqual([]);
  return call;
};

describe('warm transfer whose transferring agent hangs up before the target answers', () => {
  it('the target does not answer: the transfer is cancelled and the caller, alone on the call, goes back to the queue', () => {
    const call = aliceLeavesWhileErinRings();
    const expired = run(call, { type: 'ExpireOffer', data: { offerId: 'consult-1' } }, 90, 'reactor');
    // nobody is left to talk to the caller: back in line in the queue the call came from, rather than hung up on
    expect(domainTypes(expired)).toEqual(['OfferMissed', 'WarmTransferCancelled', 'CallQueued']);
    expect(eventOf(expired, 'CallQueued').data).toMatchObject({ queueId: 'sales', reason: 'transfer' });
    expect(requestedActions(expired)).toEqual(expect.arrayContaining([`playback_stop@${CUSTOMER}`, `enqueue@${CUSTOMER}`]));
    expect(call.state()).toMatchObject({ status: 'Queued', agentsOnCall: {} });
    expect(hangupRequested(call, CUSTOMER)).toBe(false);
  });

  it('the target answers: the caller is handed over to them, since the agent who would complete the transfer is gone', () => {
    const call = aliceLeavesWhileErinRings();
    const answered = call.webhook(callAnswered(onAgent('erin', 'consult-1', 70)));
    expect(domainTypes(answered)).toEqual(expect.arrayContaining(['OfferAccepted', 'ConsultationConnected']));
    // erin is connected to a parked leg and the caller hears hold music: only a bridge of the caller to erin moves on
    expect(requestedActions(answered)).toContain(`bridge@${CUSTOMER}`);
    expect(call.state()).toMatchObject({ status: 'Connected', agentsOnCall: { erin: ERIN_LEG } });
  });
});

describe('a callback whose agent leaves just as the caller is dialled', () => {
  /** A callback accepted by alice: her answer requests the dial to the caller, linked to her leg. */
  const calledBackByAlice = () => {
    const call = callScenario(config, SESSION);
    callbackOfferedToAlice(call);
    const agentLeg = { session: 'session-agent', callControlId: 'v3:alice-cb', clientState: { callId: SESSION, role: 'agent' as const, agentId: 'alice', offerId: 'cb-offer' } };
    const answered = call.webhook(callAnswered({ ...agentLeg, id: 'a1', at: at(62) }));
    const dial = telnyxRequests(answered).find((r) => r.action === 'dial');
    if (!dial) throw new Error('expected the dial to the caller');
    const agentHangsUp = () => call.webhook(callHangup({ ...agentLeg, id: 'a2', at: at(63), cause: 'normal_clearing', source: 'caller' }));
    // the dial is linked to alice's leg: sent after she left, Telnyx refuses it with 90018
    const dialRefused = () =>
      call.command({
        type: 'RecordCommandOutcome',
        data: { commandId: dial.commandId, action: 'dial', ok: false, error: { status: 422, code: '90018', title: 'Call has already ended' } },
        metadata: call.meta(at(64), 'outcome-dial'),
      });
    return { call, agentHangsUp, dialRefused };
  };

  it('the refused dial processed first: the caller, never dialled, still waits for a callback instead of being dropped as callback-failed', () => {
    const { call, agentHangsUp, dialRefused } = calledBackByAlice();
    // (the other order, agent hangup then refused dial, re-queues the callback: agentLegEnded in CallbackConnecting)
    const refused = dialRefused();
    agentHangsUp();
    expect(call.history.some((e) => e.type === 'CallEnded')).toBe(false);
    expect(domainTypes(refused)).not.toContain('CallbackAttemptFailed');
    expect(call.state()).toMatchObject({ status: 'CallbackWaiting', entry: { kind: 'callback', waiting: true } });
  });
});

describe('a blind transfer to a number that Telnyx refuses', () => {
  it('the caller, whose agent is already gone, is not left parked alone on a call that can no longer end', () => {
    const call = talkingToAlice();
    const events = run(call, { type: 'BlindTransfer', data: { agentId: 'alice', target: { kind: 'number', number: '+15557654321' } } }, 60);
    const transfer = telnyxRequests(events).find((r) => r.action === 'transfer');
    if (!transfer) throw new Error('expected a transfer');
    expect(requestedActions(events)).toContain(`hangup@${ALICE_LEG}`);
    call.webhook(callHangup({ ...onAgent('alice', 'offer-1', 61), cause: 'normal_clearing', source: 'caller' }));
    // not 90018: the caller's leg is still up (parked after alice's leg left the bridge), and no target leg exists
    call.command({
      type: 'RecordCommandOutcome',
      data: { commandId: transfer.commandId, action: 'transfer', ok: false, error: { status: 403, code: 'D38', title: 'Destination not allowed' } },
      metadata: call.meta(at(61), 'outcome-transfer'),
    });
    const state = call.state();
    // either back in a queue or hung up: anything but TransferredOut with no leg that will ever end the call
    const requeued = state.status === 'Queued';
    expect(requeued || hangupRequested(call, CUSTOMER)).toBe(true);
  });
});

describe('a voicemail left after a recorded conversation', () => {
  it('the conversation recording is stopped before the message, and is not filed as the voicemail', () => {
    const call = talkingToAlice();
    run(call, { type: 'BlindTransfer', data: { agentId: 'alice', target: { kind: 'queue', queueId: 'support' } } }, 60);
    call.webhook(callHangup({ ...onAgent('alice', 'offer-1', 61), cause: 'normal_clearing', source: 'caller' }));
    call.webhook(callEnqueued({ ...onCustomer(62), queue: 'support' }));
    call.webhook(speakEnded(onCustomer(66)));
    const pressed = call.webhook(dtmfReceived({ ...onCustomer(70), digit: '#' }));
    expect(domainTypes(pressed)).toEqual(expect.arrayContaining(['VoicemailStarted', 'RecordingStopped']));
    expect(requestedActions(pressed)).toContain(`record_stop@${CUSTOMER}`);
    expect(requestedActions(call.webhook(speakEnded(onCustomer(75))))).toEqual([`record_start@${CUSTOMER}`]);
    // the conversation's recording is saved after the message's record_start: it stays the call's recording
    const conversation = call.webhook(
      recordingSaved({ ...onCustomer(76), recordingId: 'rec-conversation', startedAt: at(24), endedAt: at(70), channels: 'dual' }),
    );
    expect(eventOf(conversation, 'RecordingDownloadRequested').data).toMatchObject({ recordingId: 'rec-conversation', kind: 'call' });
    expect(domainTypes(conversation)).not.toContain('VoicemailRecorded');
    const message = call.webhook(recordingSaved({ ...onCustomer(100), recordingId: 'rec-message', startedAt: at(76), endedAt: at(99), channels: 'single' }));
    expect(eventOf(message, 'VoicemailRecorded').data).toMatchObject({ recordingId: 'rec-message' });
  });

  it('the voicemail recording is refused: the caller is told goodbye and hung up, not left in silence forever', () => {
    const call = talkingToAlice();
    expect(call.state()).toMatchObject({ recording: { callControlId: CUSTOMER, status: 'recording' } });
    run(call, { type: 'BlindTransfer', data: { agentId: 'alice', target: { kind: 'queue', queueId: 'support' } } }, 60);
    call.webhook(callHangup({ ...onAgent('alice', 'offer-1', 61), cause: 'normal_clearing', source: 'caller' }));
    call.webhook(callEnqueued({ ...onCustomer(62), queue: 'support' }));
    call.webhook(speakEnded(onCustomer(66)));
    // the caller presses # to leave a voicemail; the conversation's recording is still running on the caller's leg
    call.webhook(dtmfReceived({ ...onCustomer(70), digit: '#' }));
    expect(call.state()).toMatchObject({ status: 'Voicemail', recording: { status: 'stopped' } });
    const prompted = call.webhook(speakEnded(onCustomer(75)));
    const recordStart = telnyxRequests(prompted).find((r) => r.action === 'record_start');
    if (!recordStart) throw new Error('expected record_start');
    // refused all the same (say the recording was still being stopped)
    call.command({
      type: 'RecordCommandOutcome',
      data: { commandId: recordStart.commandId, action: 'record_start', ok: false, error: { status: 422, code: '10015', title: 'A recording is already in progress on this call.' } },
      metadata: call.meta(at(75), 'outcome-record'),
    });
    // whatever is said next (an apology, a goodbye), the caller's leg must be hung up once it is said
    call.webhook(speakEnded(onCustomer(80)));
    expect(hangupRequested(call, CUSTOMER)).toBe(true);
  });
});

describe('paths that clean up their legs', () => {
  it('a warm transfer cancelled by the customer hanging up while the consulted agent rings: every leg is hung up and both agents released', () => {
    const call = aliceConsultsErin();
    const ended = customerHangsUp(call, 63);
    expect(domainTypes(ended)).toEqual(['AgentDisconnected', 'WarmTransferCancelled', 'OfferCancelled', 'CallEnded']);
    expect(requestedActions(ended)).toEqual([`hangup@${ALICE_LEG}`]);
    // erin's leg was not known yet: it is hung up when it shows up, whichever webhook comes first
    expect(requestedActions(call.webhook(callAnswered(onAgent('erin', 'consult-1', 64))))).toEqual([`hangup@${ERIN_LEG}`]);
  });

  it('a supervisor dialled just before the call ends is hung up when the leg shows up', () => {
    const call = talkingToAlice();
    const events = run(call, { type: 'Supervise', data: { supervisorId: 'sam', sipUsername: 'sam-sip', mode: 'monitor' } }, 40, 'sam');
    const dial = telnyxRequests(events)[0];
    const supervisorLeg = { session: SESSION, callControlId: 'v3:sam', clientState: dial.action === 'dial' ? decodeClientState(dial.params.client_state) : undefined };
    expect(domainTypes(customerHangsUp(call, 41))).toEqual(['AgentDisconnected', 'SupervisionEnded', 'CallEnded']);
    expect(requestedActions(call.webhook(callAnswered({ ...supervisorLeg, id: 'sup-1', at: at(42) })))).toEqual(['hangup@v3:sam']);
  });

  it('an outbound call whose agent hangs up before the destination leg is known: the destination is hung up when it shows up', () => {
    const OUT = 'session-out';
    const call = callScenario(config, OUT);
    const events = call.webhook(callInitiated({ session: OUT, callControlId: 'v3:alice-device', clientState: null, id: 'o1', at: at(0), from: 'sip:alice-sip@sip.telnyx.com', to: '+15557654321', direction: 'outgoing' }), 'alice');
    const dial = telnyxRequests(events)[0];
    const ended = call.webhook(callHangup({ session: OUT, callControlId: 'v3:alice-device', id: 'o2', at: at(1) }));
    expect(eventOf(ended, 'CallEnded').data.outcome).toBe('outbound-failed');
    const destination = { session: OUT, callControlId: 'v3:destination', clientState: dial.action === 'dial' ? decodeClientState(dial.params.client_state) : undefined };
    expect(requestedActions(call.webhook(callInitiated({ ...destination, id: 'o3', at: at(2), from: '+15550100010', to: '+15557654321', direction: 'outgoing' })))).toEqual(['hangup@v3:destination']);
  });
});

describe('hanging up a callback that is not connected yet', () => {
  it('while an agent is offered it: the offer is withdrawn and the callback ends, instead of going back to the queue', () => {
    const call = callScenario(config, SESSION);
    callbackOfferedToAlice(call);
    call.webhook(callInitiated({ session: 'session-agent', callControlId: 'v3:alice-cb', clientState: { callId: SESSION, role: 'agent', agentId: 'alice', offerId: 'cb-offer' }, id: 'a0', at: at(61), from: CALLER, to: 'sip:alice-sip@sip.telnyx.com', direction: 'outgoing' }));
    const events = run(call, { type: 'Hangup', data: { reason: 'the customer no longer needs it' } }, 62, 'sam');
    expect(domainTypes(events)).toEqual(['HangupRequested', 'OfferCancelled', 'CallLeftQueue', 'CallEnded']);
    expect(requestedActions(events)).toEqual(['hangup@v3:alice-cb']);
    expect(eventOf(events, 'CallEnded').data.outcome).toBe('abandoned');
  });

  it('while the caller is dialled: the agent is released and every leg hung up', () => {
    const call = callScenario(config, SESSION);
    callbackOfferedToAlice(call);
    call.webhook(callAnswered({ session: 'session-agent', callControlId: 'v3:alice-cb', clientState: { callId: SESSION, role: 'agent', agentId: 'alice', offerId: 'cb-offer' }, id: 'a1', at: at(62) }));
    call.webhook(callInitiated({ session: 'session-agent', callControlId: 'v3:customer-cb', clientState: { callId: SESSION, role: 'customer' }, id: 'c0', at: at(63), from: '+15550100010', to: CALLER, direction: 'outgoing' }));
    const events = run(call, { type: 'Hangup', data: { reason: 'wrong number' } }, 64);
    expect(domainTypes(events)).toEqual(['HangupRequested', 'AgentDisconnected', 'CallEnded']);
    expect(requestedActions(events).sort()).toEqual(['hangup@v3:alice-cb', 'hangup@v3:customer-cb']);
  });
});
