import type { ContactCenterConfig } from '../config/config';
import { defaultConfiguration } from '../config/defaultConfiguration';
import { IllegalStateError, ValidationError } from '../core/errors';
import { DeciderSpecification } from '../../test/support/deciderSpecification';
import type { CallCommand } from './callCommands';
import { callDecider } from './callDecider';
import { callScenario, domainTypes, eventOf, requestedActions, telnyxRequests, type CallScenario } from './callScenario';
import { agentLegId, at, CALLER, connectedTo, CUSTOMER, customerHangsUp, onAgent, queuedInSales, SESSION } from './callTestKit';
import { decodeClientState } from './webhook';
import { callAnswered, callHangup, callInitiated, transcription } from './webhookFixtures';

const config: ContactCenterConfig = defaultConfiguration();
const ALICE_LEG = agentLegId('alice', 'offer-1');
const given = DeciderSpecification.for(callDecider(config, SESSION));

/** A sales call answered by alice at t=24. */
const talkingToAlice = (): CallScenario => {
  const call = callScenario(config, SESSION);
  queuedInSales(call);
  connectedTo(call, 'alice', 'offer-1', 20);
  return call;
};

const run = (call: CallScenario, command: Omit<CallCommand, 'metadata'>, seconds: number, actor = 'alice') =>
  call.command({ ...command, metadata: call.meta(at(seconds), `${command.type}-${seconds}`, actor) } as CallCommand);

describe('in-call controls', () => {
  it('hold plays the queue music to the caller; unhold stops it', () => {
    const call = talkingToAlice();
    let events = run(call, { type: 'Hold', data: { agentId: 'alice' } }, 40);
    expect(domainTypes(events)).toEqual(['CallHeld']);
    expect(telnyxRequests(events)).toEqual([expect.objectContaining({ action: 'playback_start', callControlId: CUSTOMER, params: { audio_url: config.queues.sales.holdMusicUrl, loop: 'infinity' } })]);
    expect(run(call, { type: 'Hold', data: { agentId: 'alice' } }, 41)).toEqual([]);
    events = run(call, { type: 'Unhold', data: { agentId: 'alice' } }, 50);
    expect(domainTypes(events)).toEqual(['CallUnheld']);
    expect(requestedActions(events)).toEqual([`playback_stop@${CUSTOMER}`]);
  });

  it('only an agent on the call may use its controls', () => {
    const call = talkingToAlice();
    given(call.history)
      .when({ type: 'Hold', data: { agentId: 'bob' }, metadata: call.meta(at(40), 'x', 'bob') })
      .thenThrows(IllegalStateError, (e) => e.message === 'Agent bob is not connected to call session-1');
  });

  it('recording pauses, resumes and stops; repeats are no-ops', () => {
    const call = talkingToAlice();
    expect(domainTypes(run(call, { type: 'PauseRecording', data: {} }, 40))).toEqual(['RecordingPaused']);
    expect(run(call, { type: 'PauseRecording', data: {} }, 41)).toEqual([]);
    expect(requestedActions(run(call, { type: 'ResumeRecording', data: {} }, 50))).toEqual([`record_resume@${CUSTOMER}`]);
    expect(requestedActions(run(call, { type: 'StopRecording', data: {} }, 60))).toEqual([`record_stop@${CUSTOMER}`]);
    expect(run(call, { type: 'StopRecording', data: {} }, 61)).toEqual([]);
    given(call.history).when({ type: 'PauseRecording', data: {}, metadata: call.meta(at(62), 'p') }).thenThrows(IllegalStateError);
  });

  it('transcription starts on the caller leg, stores final transcripts only, and stops', () => {
    const call = talkingToAlice();
    const events = run(call, { type: 'StartTranscription', data: {} }, 30);
    expect(telnyxRequests(events)[0].params).toEqual({ transcription_engine: 'Telnyx', transcription_engine_config: { transcription_engine: 'Telnyx', language: 'en' }, transcription_tracks: 'both' });
    expect(call.webhook(transcription({ id: 't1', at: at(31), session: SESSION, callControlId: CUSTOMER, transcript: 'I would like', isFinal: false }))).toEqual([]);
    const final = call.webhook(transcription({ id: 't2', at: at(32), session: SESSION, callControlId: CUSTOMER, transcript: 'I would like to upgrade', isFinal: true, track: 'inbound' }));
    expect(eventOf(final, 'TranscriptReceived').data).toMatchObject({ text: 'I would like to upgrade', track: 'inbound', confidence: 0.93 });
    expect(requestedActions(run(call, { type: 'StopTranscription', data: {} }, 40))).toEqual([`transcription_stop@${CUSTOMER}`]);
  });

  it('announces text to both parties and sends DTMF from the agent leg', () => {
    const call = talkingToAlice();
    const announced = run(call, { type: 'Announce', data: { text: 'This call is recorded.', target: 'both' } }, 30, 'sam');
    expect(eventOf(announced, 'AnnouncementMade').data).toMatchObject({ text: 'This call is recorded.', target: 'both', actor: 'sam' });
    expect(telnyxRequests(announced)[0].params).toMatchObject({ payload: 'This call is recorded.', target_legs: 'both' });
    expect(requestedActions(run(call, { type: 'SendDtmf', data: { agentId: 'alice', digits: '1234#' } }, 31))).toEqual([`send_dtmf@${ALICE_LEG}`]);
    given(call.history).when({ type: 'SendDtmf', data: { agentId: 'alice', digits: 'x' }, metadata: call.meta(at(32), 'd') }).thenThrows(ValidationError);
  });

  it('the agent hangs up: the agent is disconnected and the caller hung up; the call ends completed', () => {
    const call = talkingToAlice();
    let events = call.webhook(callHangup({ ...onAgent('alice', 'offer-1', 100), cause: 'normal_clearing', source: 'callee' }));
    expect(domainTypes(events)).toEqual(['AgentDisconnected']);
    expect(eventOf(events, 'AgentDisconnected').data.reason).toBe('agent-hung-up');
    expect(requestedActions(events)).toEqual([`hangup@${CUSTOMER}`]);
    events = customerHangsUp(call, 101);
    expect(domainTypes(events)).toEqual(['CallEnded']);
  });

  it('a hangup from the console hangs up the caller', () => {
    const call = talkingToAlice();
    const events = run(call, { type: 'Hangup', data: { reason: 'done' } }, 100);
    expect(domainTypes(events)).toEqual(['HangupRequested']);
    expect(requestedActions(events)).toEqual([`hangup@${CUSTOMER}`]);
  });

  it('a disposition is refused from an agent who did not handle the call', () => {
    const call = talkingToAlice();
    given(call.history).when({ type: 'CompleteWrapUp', data: { agentId: 'bob', disposition: 'x', notes: '' }, metadata: call.meta(at(200), 'w') }).thenThrows(IllegalStateError);
    given(call.history).when({ type: 'CompleteWrapUp', data: { agentId: 'alice', disposition: ' ', notes: '' }, metadata: call.meta(at(200), 'w') }).thenThrows(ValidationError);
  });
});

describe('blind transfer', () => {
  it('to a queue: the agent leaves, the caller is re-queued with the original enqueue time', () => {
    const call = talkingToAlice();
    const events = run(call, { type: 'BlindTransfer', data: { agentId: 'alice', target: { kind: 'queue', queueId: 'support' } } }, 60);
    expect(domainTypes(events)).toEqual(['CallTransferRequested', 'AgentDisconnected', 'CallQueued']);
    expect(eventOf(events, 'AgentDisconnected').data.reason).toBe('transferred');
    expect(eventOf(events, 'CallQueued').data).toMatchObject({ queueId: 'support', reason: 'transfer', fromQueueId: 'sales', enqueuedAt: at(9), priority: 10, queueEnteredAt: at(60) });
    expect(requestedActions(events)).toEqual([`hangup@${ALICE_LEG}`, `enqueue@${CUSTOMER}`]);
    expect(call.state()).toMatchObject({ status: 'Queued' });
  });

  it('to an agent: re-queued in the same queue, targeted at that agent', () => {
    const call = talkingToAlice();
    const events = run(call, { type: 'BlindTransfer', data: { agentId: 'alice', target: { kind: 'agent', agentId: 'erin' } } }, 60);
    expect(eventOf(events, 'CallQueued').data).toMatchObject({ queueId: 'sales', targetAgentId: 'erin', reason: 'transfer' });
  });

  it('to a number: Telnyx transfers the caller leg, the agent leg is hung up', () => {
    const call = talkingToAlice();
    const events = run(call, { type: 'BlindTransfer', data: { agentId: 'alice', target: { kind: 'number', number: '+15557654321' } } }, 60);
    expect(domainTypes(events)).toEqual(['CallTransferRequested', 'AgentDisconnected', 'CallTransferredOut']);
    const transfer = telnyxRequests(events)[0];
    expect(transfer).toMatchObject({ action: 'transfer', callControlId: CUSTOMER, params: { to: '+15557654321', from: config.queues.sales.callerIdNumber } });
    expect(transfer.action === 'transfer' && decodeClientState(transfer.params.target_leg_client_state)).toMatchObject({ callId: SESSION, role: 'outbound' });
    expect(eventOf(customerHangsUp(call, 300), 'CallEnded').data.outcome).toBe('transferred');
  });

  it('refuses a transfer to oneself or to an unknown queue', () => {
    const call = talkingToAlice();
    given(call.history).when({ type: 'BlindTransfer', data: { agentId: 'alice', target: { kind: 'agent', agentId: 'alice' } }, metadata: call.meta(at(60), 't') }).thenThrows(ValidationError);
    given(call.history).when({ type: 'BlindTransfer', data: { agentId: 'alice', target: { kind: 'queue', queueId: 'nope' } }, metadata: call.meta(at(60), 't') }).thenThrows(ValidationError);
  });
});

describe('warm transfer', () => {
  const consultingErin = () => {
    const call = talkingToAlice();
    const requested = run(call, { type: 'WarmTransfer', data: { agentId: 'alice', target: { kind: 'agent', agentId: 'erin' } } }, 60);
    expect(domainTypes(requested)).toEqual(['CallTransferRequested']);
    expect(requestedActions(requested)).toEqual([`playback_start@${CUSTOMER}`]);
    const transferId = eventOf(requested, 'CallTransferRequested').data.transferId;
    // the reactor reserves erin, then offers the consultation
    const offered = call.command({
      type: 'OfferCall',
      data: { offerId: 'consult-1', purpose: 'consult', strategy: 'targeted', agents: [{ agentId: 'erin', sipUsername: 'erin-sip' }], transferId },
      metadata: call.meta(at(61), 'offer-consult'),
    });
    expect(telnyxRequests(offered)[0].params).toMatchObject({ to: 'sip:erin-sip@sip.telnyx.com', link_to: CUSTOMER });
    call.webhook(callInitiated({ ...onAgent('erin', 'consult-1', 62), from: CALLER, to: 'sip:erin-sip@sip.telnyx.com', direction: 'outgoing' }));
    const answered = call.webhook(callAnswered(onAgent('erin', 'consult-1', 65)));
    expect(domainTypes(answered)).toEqual(['OfferAccepted', 'ConsultationConnected']);
    expect(telnyxRequests(answered)).toEqual([expect.objectContaining({ action: 'bridge', callControlId: ALICE_LEG, params: { call_control_id: agentLegId('erin', 'consult-1'), park_after_unbridge: 'self' } })]);
    return call;
  };

  it('consults the target agent, then connects the caller to them', () => {
    const call = consultingErin();
    const events = run(call, { type: 'CompleteTransfer', data: { agentId: 'alice' } }, 90);
    expect(domainTypes(events)).toEqual(['WarmTransferCompleted', 'AgentDisconnected', 'AgentConnected']);
    expect(requestedActions(events)).toEqual([`playback_stop@${CUSTOMER}`, `bridge@${CUSTOMER}`, `hangup@${ALICE_LEG}`]);
    expect(eventOf(events, 'AgentConnected').data).toMatchObject({ agentId: 'erin', via: 'transfer' });
    expect(call.state()).toMatchObject({ status: 'Connected', agentId: 'erin', held: false, transfer: null });
    expect(domainTypes(customerHangsUp(call, 200))).toEqual(['AgentDisconnected', 'CallEnded']);
  });

  it('cancelled: the consulted agent is hung up and the caller reconnected to the first agent', () => {
    const call = consultingErin();
    const events = run(call, { type: 'CancelTransfer', data: { agentId: 'alice', reason: 'not the right team' } }, 80);
    expect(domainTypes(events)).toEqual(['WarmTransferCancelled', 'AgentDisconnected']);
    expect(eventOf(events, 'AgentDisconnected').data).toMatchObject({ agentId: 'erin', reason: 'consult-ended' });
    expect(requestedActions(events)).toEqual([`hangup@${agentLegId('erin', 'consult-1')}`, `playback_stop@${CUSTOMER}`, `bridge@${CUSTOMER}`]);
    expect(call.state()).toMatchObject({ status: 'Connected', agentId: 'alice', transfer: null });
  });

  it('completing before the target answered is refused', () => {
    const call = talkingToAlice();
    run(call, { type: 'WarmTransfer', data: { agentId: 'alice', target: { kind: 'number', number: '+15557654321' } } }, 60);
    given(call.history).when({ type: 'CompleteTransfer', data: { agentId: 'alice' }, metadata: call.meta(at(61), 'c') }).thenThrows(IllegalStateError, (e) => e.message.includes('not answered yet'));
  });

  it('to a number: dials a consult leg, bridges it with the agent on answer, and hands the caller over', () => {
    const call = talkingToAlice();
    const events = run(call, { type: 'WarmTransfer', data: { agentId: 'alice', target: { kind: 'number', number: '+15557654321' } } }, 60);
    const dial = telnyxRequests(events)[1];
    expect(dial).toMatchObject({ action: 'dial', params: { to: '+15557654321', link_to: CUSTOMER } });
    const consult = { session: SESSION, callControlId: 'v3:consult', clientState: dial.action === 'dial' ? decodeClientState(dial.params.client_state) : undefined };
    const answered = call.webhook(callAnswered({ ...consult, id: 'c1', at: at(70) }));
    expect(domainTypes(answered)).toEqual(['ConsultationConnected']);
    expect(requestedActions(answered)).toEqual([`bridge@${ALICE_LEG}`]);
    const done = run(call, { type: 'CompleteTransfer', data: { agentId: 'alice' } }, 90);
    expect(domainTypes(done)).toEqual(['WarmTransferCompleted', 'AgentDisconnected', 'CallTransferredOut']);
    expect(call.state()).toMatchObject({ status: 'TransferredOut', number: '+15557654321' });
  });

  it('the consulted party hanging up cancels the transfer and reconnects the caller', () => {
    const call = consultingErin();
    const events = call.webhook(callHangup({ ...onAgent('erin', 'consult-1', 75), cause: 'normal_clearing', source: 'callee' }));
    expect(domainTypes(events)).toEqual(['WarmTransferCancelled', 'AgentDisconnected']);
    expect(requestedActions(events)).toEqual([`playback_stop@${CUSTOMER}`, `bridge@${CUSTOMER}`]);
  });
});

describe('supervision', () => {
  it('a supervisor whispers to the agent, then barges in', () => {
    const call = talkingToAlice();
    let events = run(call, { type: 'Supervise', data: { supervisorId: 'sam', sipUsername: 'sam-sip', mode: 'whisper' } }, 40, 'sam');
    expect(domainTypes(events)).toEqual(['SupervisionStarted']);
    const dial = telnyxRequests(events)[0];
    expect(dial.params).toMatchObject({ to: 'sip:sam-sip@sip.telnyx.com', supervise_call_control_id: ALICE_LEG, supervisor_role: 'whisper', link_to: CUSTOMER });

    // switching before the supervisor's leg has answered is refused
    given(call.history).when({ type: 'SwitchSupervisorRole', data: { supervisorId: 'sam', mode: 'barge' }, metadata: call.meta(at(41), 's') }).thenThrows(IllegalStateError);

    const supervisorLeg = { session: SESSION, callControlId: 'v3:sam', clientState: dial.action === 'dial' ? decodeClientState(dial.params.client_state) : undefined };
    call.webhook(callInitiated({ ...supervisorLeg, id: 's0', at: at(41), from: CALLER, to: 'sip:sam-sip@sip.telnyx.com', direction: 'outgoing' }));
    events = call.webhook(callAnswered({ ...supervisorLeg, id: 's1', at: at(43) }));
    expect(eventOf(events, 'SupervisorJoined').data).toMatchObject({ supervisorId: 'sam', callControlId: 'v3:sam' });

    events = run(call, { type: 'SwitchSupervisorRole', data: { supervisorId: 'sam', mode: 'barge' } }, 60, 'sam');
    expect(eventOf(events, 'SupervisorRoleSwitched').data).toMatchObject({ from: 'whisper', to: 'barge' });
    expect(telnyxRequests(events)).toEqual([expect.objectContaining({ action: 'switch_supervisor_role', callControlId: 'v3:sam', params: { role: 'barge' } })]);
    expect(run(call, { type: 'SwitchSupervisorRole', data: { supervisorId: 'sam', mode: 'barge' } }, 61, 'sam')).toEqual([]);

    // the call ends: the supervisor is hung up with everyone else
    events = customerHangsUp(call, 100);
    expect(domainTypes(events)).toEqual(['AgentDisconnected', 'SupervisionEnded', 'CallEnded']);
    expect(requestedActions(events)).toEqual([`hangup@${ALICE_LEG}`, 'hangup@v3:sam']);
  });
});

describe('outbound calls from agents', () => {
  const OUT = 'session-out';
  const AGENT_DEVICE = 'v3:alice-device';

  it('a parked call from an agent who may call out is dialled with the queue caller id, linked and recorded', () => {
    const call = callScenario(config, OUT);
    const parked = { session: OUT, callControlId: AGENT_DEVICE, clientState: null };
    let events = call.webhook(callInitiated({ ...parked, id: 'o1', at: at(0), from: 'sip:alice-sip@sip.telnyx.com', to: '+15557654321', direction: 'outgoing' }), 'alice');
    expect(eventOf(events, 'OutboundCallStarted').data).toMatchObject({ agentId: 'alice', destination: '+15557654321', callerIdNumber: '+15550100010', queueId: 'sales', record: true });
    const dial = telnyxRequests(events)[0];
    expect(dial.params).toMatchObject({ to: '+15557654321', from: '+15550100010', link_to: AGENT_DEVICE, bridge_on_answer: true, record: 'record-from-answer', record_channels: 'dual' });

    const destination = { session: OUT, callControlId: 'v3:destination', clientState: dial.action === 'dial' ? decodeClientState(dial.params.client_state) : undefined };
    call.webhook(callInitiated({ ...destination, id: 'o2', at: at(1), from: '+15550100010', to: '+15557654321', direction: 'outgoing' }));
    events = call.webhook(callAnswered({ ...destination, id: 'o3', at: at(9) }));
    expect(domainTypes(events)).toEqual(['AgentConnected', 'RecordingStarted']);
    expect(eventOf(events, 'AgentConnected').data).toMatchObject({ agentId: 'alice', callControlId: AGENT_DEVICE, via: 'outbound' });
    events = call.webhook(callHangup({ ...destination, id: 'o4', at: at(70) }));
    expect(domainTypes(events)).toEqual(['AgentDisconnected', 'CallEnded']);
    expect(eventOf(events, 'CallEnded').data.outcome).toBe('outbound-completed');
  });

  it('a call placed as a call back names the call it calls back; the ended call records who calls back', () => {
    const earlier = callScenario(config, OUT);
    const device = { session: OUT, callControlId: AGENT_DEVICE, clientState: null };
    earlier.webhook(callInitiated({ ...device, id: 'e1', at: at(0), from: 'sip:alice-sip@sip.telnyx.com', to: '+15557654321', direction: 'outgoing' }), 'alice');
    // While it goes on, there is nobody to call back yet.
    expect(() => earlier.command({ type: 'StartCallBack', data: { agentId: 'alice', number: '+15557654321' }, metadata: earlier.meta(at(2), 'cb-early', 'alice') })).toThrow(IllegalStateError);
    earlier.webhook(callHangup({ ...device, id: 'e2', at: at(3) }));
    expect(earlier.state().status).toBe('Ended');
    const started = earlier.command({ type: 'StartCallBack', data: { agentId: 'alice', number: '+15557654321' }, metadata: earlier.meta(at(30), 'cb-1', 'alice') });
    expect(started).toEqual([{ type: 'CallBackStarted', data: { callId: OUT, occurredAt: at(30), causeId: 'cb-1', agentId: 'alice', number: '+15557654321' } }]);

    const back = callScenario(config, 'session-back');
    const webhook = callInitiated({ session: 'session-back', callControlId: 'v3:alice-device-2', clientState: null, id: 'b1', at: at(40), from: 'sip:alice-sip@sip.telnyx.com', to: '+15557654321', direction: 'outgoing' });
    const events = back.command({ type: 'HandleWebhook', data: { webhook, originatingAgentId: 'alice', callBackOf: OUT }, metadata: back.meta(at(40), 'handle-b1') });
    expect(eventOf(events, 'OutboundCallStarted').data).toMatchObject({ agentId: 'alice', destination: '+15557654321', callBackOf: OUT });
  });

  it('an agent who may not call out is refused and the parked leg hung up', () => {
    const call = callScenario(config, OUT);
    const events = call.webhook(
      callInitiated({ session: OUT, callControlId: 'v3:dmitri-device', clientState: null, id: 'o1', at: at(0), from: 'sip:dmitri-sip@sip.telnyx.com', to: '+15557654321', direction: 'outgoing' }),
      'dmitri',
    );
    expect(eventOf(events, 'OutboundCallRefused').data).toMatchObject({ agentId: 'dmitri', reason: 'agent dmitri may not place outbound calls' });
    expect(requestedActions(events)).toEqual(['hangup@v3:dmitri-device']);
    const ended = call.webhook(callHangup({ session: OUT, callControlId: 'v3:dmitri-device', id: 'o2', at: at(1) }));
    expect(eventOf(ended, 'CallEnded').data.outcome).toBe('outbound-refused');
  });

  it('the destination does not answer: the agent is freed and the call ends outbound-failed', () => {
    const call = callScenario(config, OUT);
    const events = call.webhook(callInitiated({ session: OUT, callControlId: AGENT_DEVICE, clientState: null, id: 'o1', at: at(0), from: 'sip:alice-sip@sip.telnyx.com', to: '+15557654321', direction: 'outgoing' }), 'alice');
    const dial = telnyxRequests(events)[0];
    const destination = { session: OUT, callControlId: 'v3:destination', clientState: dial.action === 'dial' ? decodeClientState(dial.params.client_state) : undefined };
    call.webhook(callInitiated({ ...destination, id: 'o2', at: at(1), from: '+15550100010', to: '+15557654321', direction: 'outgoing' }));
    const ended = call.webhook(callHangup({ ...destination, id: 'o3', at: at(61), cause: 'timeout', source: 'unknown' }));
    expect(domainTypes(ended)).toEqual(['AgentDisconnected', 'CallEnded']);
    expect(requestedActions(ended)).toEqual([`hangup@${AGENT_DEVICE}`]);
    expect(eventOf(ended, 'CallEnded').data.outcome).toBe('outbound-failed');
  });
});
