import { buffer } from 'node:stream/consumers';
import { one, ofType, startHarness, types, type Harness } from './support/harness';

jest.setTimeout(60_000);

describe('an inbound call end to end', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ scale: 40 });
  });

  afterEach(async () => {
    await h.close();
  });

  it('goes through the IVR and the queue to an agent, is recorded, downloaded, and wrapped up', async () => {
    await h.agent('alice', { onRing: 'answer', answerAfterMs: 1500 }, { wrapUpSeconds: 3600 });
    const call = h.sim.world.placeCaller({ from: '+15550200102', ivr: ['1', '1'], talkMs: 8000 });
    const callId = call.callSessionId;

    const events = await h.ended(callId);
    expect(one(events, 'InboundCallStarted').data).toMatchObject({ callId, from: '+15550200102', entryMenuId: 'welcome' });
    expect(one(events, 'CallerIdentified').data.contact?.name).toBe('James Carter');
    expect(ofType(events, 'IvrOptionSelected').map((e) => e.data.label)).toEqual(['English', 'Sales']);
    expect(one(events, 'CallQueued').data).toMatchObject({ queueId: 'sales' });
    const decision = ofType(events, 'RoutingDecisionMade').find((d) => d.data.chosen.length > 0);
    expect(decision?.data).toMatchObject({ strategy: 'longest-idle', chosen: ['alice'] });
    expect(one(events, 'CallOffered').data.agents).toEqual([{ agentId: 'alice', sipUsername: 'gencredalice' }]);
    expect(one(events, 'OfferAccepted').data.agentId).toBe('alice');
    expect(one(events, 'AgentConnected').data).toMatchObject({ agentId: 'alice', via: 'queue', queueId: 'sales' });
    expect(one(events, 'RecordingStarted').data).toMatchObject({ channels: 'dual' });
    expect(one(events, 'CallEnded').data).toMatchObject({ outcome: 'completed', agentId: 'alice' });

    // Every requested command was sent once and its outcome recorded.
    const requested = ofType(events, 'TelnyxCommandRequested').map((e) => e.data.commandId);
    await h.waitFor('every command outcome', async () => {
      const now = await h.callEvents(callId);
      const settled = new Set([...ofType(now, 'TelnyxCommandAccepted'), ...ofType(now, 'TelnyxCommandFailed')].map((e) => e.data.commandId));
      return requested.every((id) => settled.has(id));
    });
    expect(h.sim.control.counters().commands.duplicateCommandIds).toBe(0);

    // The recording was saved by Telnyx and copied at once into the recording store.
    const stored = await h.waitFor('the recording stored', async () => ofType(await h.callEvents(callId), 'RecordingStored')[0]);
    expect(stored.data).toMatchObject({ kind: 'call', contentType: 'audio/wav' });
    expect(stored.data.sizeBytes).toBeGreaterThan(44);
    const opened = await h.recordings.open(stored.data.location);
    const audio = await buffer(opened.body);
    expect(audio.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(audio.length).toBe(stored.data.sizeBytes);

    // The agent wraps up with a disposition and is idle again.
    await h.waitFor('alice in wrap-up', async () => (await h.agentEvents('alice')).some((e) => e.type === 'AgentWrapUpStarted'));
    const wrapUp = await h.control.completeWrapUp({ callId, agentId: 'alice', disposition: 'sold', notes: 'renewal' }, h.ctx('alice'));
    expect(wrapUp.position).not.toBeNull();
    const agent = await h.waitFor('alice idle', async () => {
      const agentEvents = await h.agentEvents('alice');
      return agentEvents.some((e) => e.type === 'AgentWrapUpCompleted') ? agentEvents : undefined;
    });
    expect(types(agent)).toEqual(
      expect.arrayContaining(['AgentLoggedIn', 'AgentDeviceRegistered', 'AgentReserved', 'AgentRinging', 'AgentCallStarted', 'AgentCallEnded', 'AgentWrapUpStarted', 'AgentWrapUpCompleted']),
    );
    const completed = agent.find((e) => e.type === 'AgentWrapUpCompleted');
    expect(completed?.data).toMatchObject({ auto: false, callId });
  });

  it('presents the menu again after an invalid key and a timeout, then takes the default', async () => {
    // The caller hangs up after 40 simulated seconds, whatever the machine's pace: a slower clock leaves a loaded machine room.
    await h.close();
    h = await startHarness({ scale: 8 });
    const call = h.sim.world.placeCaller({ ivr: ['7', '', '8'], maxCallMs: 40_000 });
    const events = await h.ended(call.callSessionId, 30_000);
    // How far the caller gets in the main menu before hanging up depends on the machine's pace; the first three are certain.
    expect(ofType(events, 'IvrInputRejected').map((e) => [e.data.menuId, e.data.kind, e.data.attempt]).slice(0, 3)).toEqual([
      ['welcome', 'invalid', 1],
      ['welcome', 'timeout', 2],
      ['main', 'invalid', 1],
    ]);
    expect(ofType(events, 'IvrMenuPresented').map((e) => [e.data.menuId, e.data.reason]).slice(0, 4)).toEqual([
      ['welcome', 'entry'],
      ['welcome', 'invalid'],
      ['main', 'submenu'],
      ['main', 'invalid'],
    ]);
    expect(ofType(events, 'IvrOptionSelected')[0].data).toMatchObject({ menuId: 'welcome', byDefault: true, defaultReason: 'timeout', attributes: { language: 'en' } });
    expect(one(events, 'CallEnded').data.outcome).toBe('abandoned-in-ivr');
  });

  it('announces the position while the caller waits, and records the abandon', async () => {
    const call = h.sim.world.placeCaller({ ivr: ['1', '1'], patienceMs: 50_000 });
    const events = await h.ended(call.callSessionId, 30_000);
    const announced = ofType(events, 'QueuePositionAnnounced');
    expect(announced.length).toBeGreaterThanOrEqual(1);
    expect(announced[0].data).toMatchObject({ queueId: 'sales', position: 1 });
    expect(ofType(events, 'RoutingDecisionMade')[0].data).toMatchObject({ chosen: [], waitingReason: 'no agent is logged in' });
    expect(one(events, 'CallLeftQueue').data).toMatchObject({ reason: 'abandoned', queueId: 'sales' });
    expect(one(events, 'CallEnded').data.outcome).toBe('abandoned');
    const requested = ofType(events, 'TelnyxCommandRequested').map((e) => e.data.action);
    expect(requested).toEqual(expect.arrayContaining(['answer', 'gather_using_speak', 'enqueue', 'speak', 'playback_start', 'playback_stop']));
  });

  it('sends a caller who waited too long to voicemail, and stores the message', async () => {
    await h.configureQueue('sales', { maxWaitSeconds: 30, announcementIntervalSeconds: 0 });
    const call = h.sim.world.placeCaller({ ivr: ['1', '1'], maxCallMs: 70_000 });
    const events = await h.ended(call.callSessionId, 30_000);
    expect(one(events, 'CallLeftQueue').data.reason).toBe('max-wait');
    expect(one(events, 'VoicemailStarted').data).toMatchObject({ reason: 'max-wait', queueId: 'sales' });
    expect(one(events, 'CallEnded').data.outcome).toBe('voicemail');
    const voicemail = await h.waitFor('the voicemail stored', async () => {
      const now = await h.callEvents(call.callSessionId);
      return now.some((e) => e.type === 'RecordingStored') ? now : undefined;
    });
    const recorded = one(voicemail, 'VoicemailRecorded');
    expect(one(voicemail, 'RecordingStored').data).toMatchObject({ kind: 'voicemail', recordingId: recorded.data.recordingId });
  });

  it('moves a call to the overflow queue after the configured wait', async () => {
    await h.configureQueue('billing', { overflow: [{ afterSeconds: 10, targetQueueId: 'support' }], announcementIntervalSeconds: 0 });
    const call = h.sim.world.placeCaller({ ivr: ['1', '2', '1'], patienceMs: 30_000 });
    const events = await h.ended(call.callSessionId, 30_000);
    expect(ofType(events, 'CallQueued').map((e) => [e.data.queueId, e.data.reason])).toEqual([
      ['billing', 'ivr'],
      ['support', 'overflow'],
    ]);
    const [first, overflowed] = ofType(events, 'CallQueued');
    expect(overflowed.data.enqueuedAt).toBe(first.data.enqueuedAt);
    expect(ofType(events, 'CallLeftQueue').map((e) => e.data.reason)).toEqual(['overflow', 'abandoned']);
  });

  it('takes a voicemail when the caller asks for it', async () => {
    const call = h.sim.world.placeCaller({ ivr: ['1', '9'], maxCallMs: 40_000 });
    const events = await h.ended(call.callSessionId, 30_000);
    expect(one(events, 'VoicemailStarted').data).toMatchObject({ reason: 'caller-choice', queueId: 'support' });
    expect(one(events, 'CallEnded').data.outcome).toBe('voicemail');
    const stored = await h.waitFor('the voicemail stored', async () => ofType(await h.callEvents(call.callSessionId), 'RecordingStored')[0]);
    expect(stored.data.kind).toBe('voicemail');
    expect(h.sim.control.counters().commands.received.record_start).toBe(1);
  });

  it('plays the after-hours message and hangs up when the number is closed', async () => {
    await h.configure({
      type: 'ConfigureBusinessHours',
      data: { hours: { hoursId: 'closed', name: 'Closed', timezone: 'UTC', weekly: [], holidays: [], afterHours: { message: { en: 'We are closed today.' }, voicemail: false } } },
    });
    await h.configure({ type: 'ConfigurePhoneNumber', data: { phoneNumber: { number: '*', entryMenuId: 'welcome', hoursId: 'closed' } } });
    const call = h.sim.world.placeCaller({ ivr: ['1'] });
    const events = await h.ended(call.callSessionId, 30_000);
    expect(one(events, 'CallRoutedAfterHours').data).toMatchObject({ hoursId: 'closed', voicemail: false });
    expect(ofType(events, 'IvrMenuPresented')).toHaveLength(0);
    const speak = ofType(events, 'TelnyxCommandRequested').find((e) => e.data.action === 'speak');
    expect(speak?.data.action === 'speak' && speak.data.params.payload).toContain('We are closed today.');
    expect(one(events, 'CallEnded').data).toMatchObject({ outcome: 'after-hours', hangupSource: 'callee' });
  });

  it('completes the wrap-up on its own when the agent does not', async () => {
    await h.agent('alice', { onRing: 'answer', answerAfterMs: 1000 }, { wrapUpSeconds: 5 });
    const call = h.sim.world.placeCaller({ ivr: ['1', '1'], talkMs: 5000 });
    await h.ended(call.callSessionId);
    const completed = await h.waitFor('the wrap-up completed', async () => (await h.agentEvents('alice')).find((e) => e.type === 'AgentWrapUpCompleted'));
    expect(completed.data).toMatchObject({ auto: true, actor: 'system' });
    // Never before the deadline: the timer fires at the agent's wrap-up time or just after it.
    expect((completed.data as { wrapUpSeconds: number }).wrapUpSeconds).toBeGreaterThanOrEqual(5);
  });
});
