import type { CallEvent } from '../../api/calls/callEvents';
import { one, ofType, sipOf, startHarness, type Harness } from './support/harness';

jest.setTimeout(60_000);

describe('in-call controls, transfers, supervision and outbound calls', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ scale: 40 });
  });

  afterEach(async () => {
    await h.close();
  });

  /** A caller in sales connected to `agentId`, who stays on the line until the test acts. */
  const connected = async (agentId: string): Promise<string> => {
    const call = h.sim.world.placeCaller({ ivr: ['1', '1'], talkMs: null, maxCallMs: 600_000, says: Array.from({ length: 50 }, () => 'I would like to renew my plan'), sayEveryMs: 3000 });
    await h.waitFor(`${agentId} connected`, async () => (await h.callEvents(call.callSessionId)).some((e) => e.type === 'AgentConnected' && e.data.agentId === agentId));
    await h.waitFor('the caller bridged', () => h.sim.control.call(call.callControlId)?.state === 'bridged');
    return call.callSessionId;
  };

  const eventually = (callId: string, what: string, check: (events: CallEvent[]) => boolean): Promise<CallEvent[]> =>
    h.waitFor(what, async () => {
      const events = await h.callEvents(callId);
      return check(events) ? events : undefined;
    });

  it('holds, records on demand, transcribes, announces, sends DTMF and hangs up on request', async () => {
    await h.agent('alice', { answerAfterMs: 500, says: ['Thank you for calling'] });
    const callId = await connected('alice');
    const customer = (await h.callEvents(callId)).find((e): e is Extract<CallEvent, { type: 'InboundCallStarted' }> => e.type === 'InboundCallStarted')?.data.callControlId ?? '';

    await h.control.hold({ callId, agentId: 'alice' }, h.ctx('alice'));
    await h.waitFor('hold music', () => h.sim.control.calls().some((l) => l.callControlId === customer) && h.sim.control.counters().commands.received.playback_start !== undefined);
    await h.control.unhold({ callId, agentId: 'alice' }, h.ctx('alice'));
    await h.control.pauseRecording({ callId, agentId: 'alice' }, h.ctx('alice'));
    await h.control.resumeRecording({ callId, agentId: 'alice' }, h.ctx('alice'));
    await h.control.startTranscription({ callId }, h.ctx('alice'));
    await eventually(callId, 'a final transcript', (events) => events.some((e) => e.type === 'TranscriptReceived'));
    await h.control.announce({ callId, text: 'This call is recorded for quality.', target: 'both' }, h.ctx('sam'));
    await h.control.sendDtmf({ callId, agentId: 'alice', digits: '1234#' }, h.ctx('alice'));
    await h.control.stopRecording({ callId, agentId: 'alice' }, h.ctx('alice'));
    await eventually(callId, 'the recording stored', (events) => events.some((e) => e.type === 'RecordingStored'));
    await h.control.hangUp({ callId, reason: 'resolved' }, h.ctx('alice'));
    const events = await h.ended(callId);

    expect(ofType(events, 'CallHeld')).toHaveLength(1);
    expect(ofType(events, 'CallUnheld')).toHaveLength(1);
    expect(ofType(events, 'RecordingPaused')[0].data.actor).toBe('alice');
    expect(ofType(events, 'RecordingResumed')).toHaveLength(1);
    expect(ofType(events, 'RecordingStopped')).toHaveLength(1);
    expect(ofType(events, 'TranscriptReceived').map((e) => e.data.text)).toEqual(expect.arrayContaining(['I would like to renew my plan']));
    expect(one(events, 'AnnouncementMade').data).toMatchObject({ target: 'both', actor: 'sam' });
    expect(one(events, 'DtmfSent').data.digits).toBe('1234#');
    expect(one(events, 'HangupRequested').data).toMatchObject({ actor: 'alice', reason: 'resolved' });
    expect(one(events, 'CallEnded').data.outcome).toBe('completed');
    const failed = ofType(events, 'TelnyxCommandFailed').map((e) => `${e.data.action}: ${e.data.error.title}`);
    expect(failed).toEqual([]);
    const received = h.sim.control.counters().commands.received;
    expect(received).toMatchObject({ record_pause: 1, record_resume: 1, record_stop: 1, transcription_start: 1, send_dtmf: 1 });
  });

  it('transfers blind to another agent', async () => {
    await h.agent('alice', { answerAfterMs: 500 });
    const callId = await connected('alice');
    await h.agent('bob', { answerAfterMs: 500 });
    await h.control.blindTransfer({ callId, agentId: 'alice', target: { kind: 'agent', agentId: 'bob' } }, h.ctx('alice'));
    const events = await eventually(callId, 'bob connected', (all) => all.some((e) => e.type === 'AgentConnected' && e.data.agentId === 'bob'));
    expect(one(events, 'CallTransferRequested').data).toMatchObject({ kind: 'blind', fromAgentId: 'alice' });
    expect(ofType(events, 'AgentDisconnected')[0].data).toMatchObject({ agentId: 'alice', reason: 'transferred' });
    expect(ofType(events, 'CallQueued')[1].data).toMatchObject({ reason: 'transfer', targetAgentId: 'bob' });
    expect(ofType(events, 'CallOffered')[1].data).toMatchObject({ strategy: 'targeted' });
    expect(ofType(events, 'AgentConnected')[1].data).toMatchObject({ agentId: 'bob', via: 'transfer' });
    await h.control.hangUp({ callId, reason: 'done' }, h.ctx('bob'));
    expect(one(await h.ended(callId), 'CallEnded').data).toMatchObject({ outcome: 'completed', agentId: 'bob' });
  });

  it('transfers blind to an outside number', async () => {
    h.sim.world.setCallee('+15557770001', { onRing: 'answer', answerAfterMs: 1000, talkMs: 3000 });
    await h.agent('alice', { answerAfterMs: 500 });
    const callId = await connected('alice');
    await h.control.blindTransfer({ callId, agentId: 'alice', target: { kind: 'number', number: '+15557770001' } }, h.ctx('alice'));
    const events = await h.ended(callId);
    expect(one(events, 'CallTransferredOut').data.number).toBe('+15557770001');
    expect(one(events, 'CallEnded').data.outcome).toBe('transferred');
    expect(h.sim.control.counters().commands.received.transfer).toBe(1);
  });

  it('transfers warm: the agent consults a colleague, then hands the caller over', async () => {
    await h.agent('alice', { answerAfterMs: 500 });
    const callId = await connected('alice');
    await h.agent('bob', { answerAfterMs: 1000 });
    await h.control.warmTransfer({ callId, agentId: 'alice', target: { kind: 'agent', agentId: 'bob' } }, h.ctx('alice'));
    await eventually(callId, 'the consultation', (events) => events.some((e) => e.type === 'ConsultationConnected'));
    const bobLeg = await h.waitFor('bob bridged with alice', () => h.sim.control.calls({ alive: true }).find((l) => l.to.includes(sipOf('bob')) && l.state === 'bridged'));
    await h.control.completeTransfer({ callId, agentId: 'alice' }, h.ctx('alice'));
    const events = await eventually(callId, 'bob connected', (all) => all.some((e) => e.type === 'AgentConnected' && e.data.agentId === 'bob'));
    expect(one(events, 'CallOffered').data).toBeDefined();
    expect(ofType(events, 'CallOffered').map((o) => o.data.purpose)).toEqual(['queue', 'consult']);
    expect(one(events, 'WarmTransferCompleted').data).toMatchObject({ fromAgentId: 'alice', target: { kind: 'agent', agentId: 'bob' } });
    expect(ofType(events, 'AgentDisconnected')[0].data).toMatchObject({ agentId: 'alice', reason: 'transferred' });
    const customer = one(events, 'InboundCallStarted').data.callControlId;
    await h.waitFor('the caller bridged with bob', () => h.sim.control.call(customer)?.bridgedWith === bobLeg.callControlId);
    await h.control.hangUp({ callId, reason: 'done' }, h.ctx('bob'));
    await h.ended(callId);
  });

  it('lets a supervisor whisper to the agent, then barge in', async () => {
    await h.agent('alice', { answerAfterMs: 500 });
    const callId = await connected('alice');
    await h.agent('sam', { answerAfterMs: 500 });
    await h.control.setAgentStatus({ agentId: 'sam', status: 'Break', reason: 'supervising' }, h.ctx('sam'));
    await h.control.supervise({ callId, supervisorId: 'sam', mode: 'whisper' }, h.ctx('sam'));
    await eventually(callId, 'sam joined', (events) => events.some((e) => e.type === 'SupervisorJoined'));
    const samLeg = h.sim.control.calls({ alive: true }).find((l) => l.to.includes(sipOf('sam')));
    expect(samLeg?.supervisor).toMatchObject({ role: 'whisper' });
    await h.control.switchSupervisorRole({ callId, supervisorId: 'sam', mode: 'barge' }, h.ctx('sam'));
    await h.waitFor('sam barging', () => h.sim.control.call(samLeg?.callControlId ?? '')?.supervisor?.role === 'barge');
    await h.control.hangUp({ callId, reason: 'done' }, h.ctx('alice'));
    const events = await h.ended(callId);
    expect(one(events, 'SupervisionStarted').data).toMatchObject({ supervisorId: 'sam', mode: 'whisper', agentId: 'alice' });
    expect(one(events, 'SupervisorRoleSwitched').data).toMatchObject({ from: 'whisper', to: 'barge' });
    expect(one(events, 'SupervisionEnded').data.supervisorId).toBe('sam');
    await h.waitFor('the supervisor leg ended', () => h.sim.control.call(samLeg?.callControlId ?? '')?.isAlive === false);
  });

  it('places an agent call out from the softphone, with the queue number as caller id', async () => {
    h.sim.world.setCallee('+15557778888', { onRing: 'answer', answerAfterMs: 1500, talkMs: 4000 });
    const sip = await h.agent('alice', { answerAfterMs: 500 });
    const placed = h.sim.world.phone(sip)?.dial('+15557778888');
    expect(placed).toBeDefined();
    const callId = placed?.callSessionId ?? '';
    const events = await h.ended(callId);
    expect(one(events, 'OutboundCallStarted').data).toMatchObject({ agentId: 'alice', destination: '+15557778888', callerIdNumber: '+15550100010', queueId: 'sales', record: true });
    expect(one(events, 'AgentConnected').data).toMatchObject({ agentId: 'alice', via: 'outbound' });
    expect(one(events, 'CallEnded').data.outcome).toBe('outbound-completed');
    const dialled = h.sim.control.calls().find((l) => l.to === '+15557778888' && !l.from.startsWith('sip:'));
    expect(dialled?.from).toBe('+15550100010');
    await h.waitFor('the outbound recording stored', async () => (await h.callEvents(callId)).some((e) => e.type === 'RecordingStored'));
    const agent = await h.agentEvents('alice');
    expect(agent.find((e) => e.type === 'AgentCallStarted')?.data).toMatchObject({ direction: 'outbound', callId });
  });

  it('transfers an outbound call blind to a colleague: the called party stays on the line', async () => {
    h.sim.world.setCallee('+15557778889', { onRing: 'answer', answerAfterMs: 500, talkMs: null });
    const sip = await h.agent('alice', { answerAfterMs: 500 });
    const callId = h.sim.world.phone(sip)?.dial('+15557778889')?.callSessionId ?? '';
    await eventually(callId, 'alice connected to the called party', (all) => all.some((e) => e.type === 'AgentConnected' && e.data.agentId === 'alice'));
    const called = () => h.sim.control.calls().find((l) => l.to === '+15557778889' && !l.from.startsWith('sip:'));
    await h.waitFor('the called party bridged', () => called()?.state === 'bridged');
    await h.agent('bob', { answerAfterMs: 500 });
    await h.control.blindTransfer({ callId, agentId: 'alice', target: { kind: 'agent', agentId: 'bob' } }, h.ctx('alice'));
    await eventually(callId, 'bob connected', (all) => all.some((e) => e.type === 'AgentConnected' && e.data.agentId === 'bob'));
    await h.waitFor('the called party bridged with bob', () => called()?.state === 'bridged');
    expect(called()?.isAlive).toBe(true);
    await h.control.hangUp({ callId, reason: 'done' }, h.ctx('bob'));
    expect(one(await h.ended(callId), 'CallEnded').data).toMatchObject({ outcome: 'outbound-completed', agentId: 'bob' });
  });

  it('calls a missed caller back from the history: the outbound call names the call it calls back', async () => {
    const missed = h.sim.world.placeCaller({ from: '+15550200777', ivr: ['1', '1'], patienceMs: 2000 });
    expect(one(await h.ended(missed.callSessionId), 'CallEnded').data.outcome).toBe('abandoned');

    h.sim.world.setCallee('+15550200777', { onRing: 'answer', answerAfterMs: 1000, talkMs: 3000 });
    const sip = await h.agent('alice', { answerAfterMs: 500 });
    await h.control.startCallBack({ callId: missed.callSessionId, agentId: 'alice', number: '+15550200777' }, h.ctx('alice'));
    await h.waitFor('the call back recorded', async () => (await h.callEvents(missed.callSessionId)).some((e) => e.type === 'CallBackStarted'));
    await h.reactor?.settled();
    const back = h.sim.world.phone(sip)?.dial('+15550200777');
    const events = await h.ended(back?.callSessionId ?? '');
    expect(one(events, 'OutboundCallStarted').data).toMatchObject({ agentId: 'alice', destination: '+15550200777', callBackOf: missed.callSessionId });
    expect(one(events, 'CallEnded').data.outcome).toBe('outbound-completed');
    expect(one(await h.callEvents(missed.callSessionId), 'CallBackStarted').data).toMatchObject({ agentId: 'alice', number: '+15550200777' });
  });

  it('refuses an outbound call from an agent who may not call out', async () => {
    const sip = await h.agent('dmitri', { answerAfterMs: 500 });
    const placed = h.sim.world.phone(sip)?.dial('+15557778888');
    const events = await h.ended(placed?.callSessionId ?? '');
    expect(one(events, 'OutboundCallRefused').data).toMatchObject({ agentId: 'dmitri', reason: 'agent dmitri may not place outbound calls' });
    expect(one(events, 'CallEnded').data.outcome).toBe('outbound-refused');
  });
});
