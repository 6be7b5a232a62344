import { randomUUID } from 'node:crypto';
import { embeddedFromSimulator, loadTelnyxConfig } from '../api/infrastructure/telnyx/config';
import { SdkTelnyxAdapter } from '../api/infrastructure/telnyx/sdkTelnyxAdapter';
import { ScaledTime, SimulatorClient, createSimulator, type Simulator } from './index';
import { WebhookReceiver } from './testing/webhookReceiver';

const cid = (label: string): string => `${label}-${randomUUID()}`;
const SIP = (user: string): string => `sip:${user}@sip.telnyx.com`;
const on = (id: string) => (p: Record<string, unknown>) => p.call_control_id === id;

describe('the simulated world at scale 100', () => {
  let sim: Simulator;
  let receiver: WebhookReceiver;
  let backend: SdkTelnyxAdapter;

  beforeAll(async () => {
    // Callers the test answers wait up to an hour so a slow machine cannot make them give up first.
    sim = await createSimulator({ scale: 100, seed: 3, inboundAnswerTimeoutMs: 3_600_000 });
    receiver = await WebhookReceiver.start({ publicKeyBase64: sim.publicKeyBase64 });
    sim.control.setWebhookUrls({ webhookUrl: receiver.url });
    backend = new SdkTelnyxAdapter(loadTelnyxConfig({ TELNYX_MAX_RETRIES: '0' }, embeddedFromSimulator(sim)));
  });

  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  const types = (id: string): string[] => receiver.legEvents(id).map((e) => e.event_type);

  it('runs an inbound call end to end: IVR with a retry, queue, agent offer, recording that downloads and then expires', async () => {
    sim.world.registerPhone('alice', { onRing: 'answer', answerAfterMs: 3_000, handleTimeMs: 60_000, says: ['How can I help?'], sayEveryMs: 10_000 });
    const caller = sim.world.placeCaller({ from: '+15553334444', ivr: ['9', '2'], talkMs: null, says: ['I was charged twice'], sayEveryMs: 5_000 });
    const id = caller.callControlId;

    await receiver.waitForEvent('call.initiated', on(id));
    await backend.answer(id, {}, cid('answer'));
    await receiver.waitForEvent('call.answered', on(id));
    await backend.gatherUsingSpeak(
      id,
      { payload: 'For sales press 1, for billing press 2.', invalid_payload: 'Sorry.', voice: 'female', valid_digits: '12', maximum_digits: 1, maximum_tries: 2 },
      cid('ivr'),
    );
    const ivr = await receiver.waitForEvent('call.gather.ended', on(id));
    expect(ivr.payload).toMatchObject({ digits: '2', status: 'valid' });
    expect(receiver.legEvents(id).filter((e) => e.event_type === 'call.dtmf.received').map((e) => e.payload.digit)).toEqual(['9', '2']);

    await backend.transcriptionStart(id, { transcription_engine: 'Google', transcription_tracks: 'both' }, cid('stt'));
    await backend.enqueue(id, { queue_name: 'billing' }, cid('enqueue'));
    await receiver.waitForEvent('call.enqueued', on(id));
    const agent = await backend.dial({ to: SIP('alice'), from: '+15550100000', link_to: id, bridge_intent: true, bridge_on_answer: true, timeout_secs: 20 }, cid('offer'));
    await receiver.waitForEvent('call.bridged', on(id));
    await backend.recordStart(id, { format: 'wav', channels: 'dual' }, cid('record'));

    const finals = async (track: string) =>
      (
        await receiver.waitForEvent('call.transcription', (p) => {
          const t = p.transcription_data as { is_final: boolean; transcription_track: string };
          return on(id)(p) && t.is_final && t.transcription_track === track;
        })
      ).payload.transcription_data;
    expect(await finals('inbound')).toMatchObject({ transcript: 'I was charged twice' });
    expect(await finals('outbound')).toMatchObject({ transcript: 'How can I help?' });

    // Alice hangs up after her handle time; the customer leg follows (no park_after_unbridge).
    const agentHangup = await receiver.waitForEvent('call.hangup', on(agent.call_control_id));
    expect(agentHangup.payload).toMatchObject({ hangup_cause: 'normal_clearing', hangup_source: 'callee' });
    const saved = await receiver.waitForEvent('call.recording.saved', on(id));
    expect((await receiver.waitForEvent('call.hangup', on(id))).payload).toMatchObject({ hangup_cause: 'normal_clearing' });

    expect(types(agent.call_control_id)).toEqual(['call.initiated', 'call.answered', 'call.bridged', 'call.hangup']);
    expect(receiver.legEvents(agent.call_control_id)[0]!.payload.from).toBe('+15553334444');
    const customer = types(id).filter((t) => t !== 'call.dtmf.received' && t !== 'call.transcription');
    expect(customer).toEqual([
      'call.initiated',
      'call.answered',
      'call.gather.ended',
      'call.enqueued',
      'call.dequeued',
      'call.bridged',
      'call.hangup',
      'call.recording.saved',
    ]);

    const wavUrl = (saved.payload.recording_urls as { wav: string }).wav;
    const res = await fetch(wavUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    const wav = Buffer.from(await res.arrayBuffer());
    expect(wav.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(wav.readUInt32LE(40)).toBe(wav.length - 44);

    sim.control.advance(10 * 60_000 + 1_000);
    const expired = await fetch(wavUrl);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/expired/);
    expect((await fetch(wavUrl.replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(64)}`))).status).toBe(403);
  });

  it('delivers an agent phone’s outbound call parked with direction outgoing; the customer answers once dialed', async () => {
    const phone = sim.world.registerPhone('bob', { handleTimeMs: 30_000 });
    const placed = phone.dial('+15557778888', { customHeaders: [{ name: 'X-RTC-CALLID', value: 'rtc-1' }] });
    const initiated = await receiver.waitForEvent('call.initiated', on(placed.callControlId));
    expect(initiated.payload).toMatchObject({
      direction: 'outgoing',
      state: 'parked',
      from: SIP('bob'),
      to: '+15557778888',
      connection_id: sim.options.credentialConnectionId,
      custom_headers: [{ name: 'X-RTC-CALLID', value: 'rtc-1' }],
    });

    const customer = await backend.dial(
      { to: '+15557778888', from: '+15550100000', link_to: placed.callControlId, bridge_intent: true, bridge_on_answer: true },
      cid('outbound'),
    );
    await receiver.waitForEvent('call.answered', on(customer.call_control_id));
    await receiver.waitForEvent('call.bridged', on(placed.callControlId));
    const hangup = await receiver.waitForEvent('call.hangup', on(placed.callControlId));
    expect(hangup.payload).toMatchObject({ hangup_cause: 'normal_clearing', hangup_source: 'caller' });
    await receiver.waitForEvent('call.hangup', on(customer.call_control_id));
    expect(types(customer.call_control_id)).toEqual(['call.initiated', 'call.answered', 'call.bridged', 'call.hangup']);
  });

  it('ends ringing: a 30 s ring timeout, an unregistered user, a busy phone, a rejection, and the losers of a simultaneous ring', async () => {
    sim.world.registerPhone('ignorer', { onRing: 'ignore' });
    sim.world.registerPhone('busy', { onRing: 'manual', maxCalls: 1 });
    sim.world.registerPhone('rejecter', { onRing: 'reject' });
    sim.world.registerPhone('fast', { answerAfterMs: 500 });
    sim.world.registerPhone('slow', { answerAfterMs: 8_000 });
    const dial = (to: string | string[], timeout = 30) => backend.dial({ to, from: '+15550100000', timeout_secs: timeout }, cid('dial'));
    const cause = async (id: string) => (await receiver.waitForEvent('call.hangup', on(id))).payload;

    const ignored = await dial(SIP('ignorer'));
    expect(await cause(ignored.call_control_id)).toMatchObject({ hangup_cause: 'timeout' });
    expect(types(ignored.call_control_id)).toEqual(['call.initiated', 'call.hangup']);

    expect(await cause((await dial(SIP('ghost'))).call_control_id)).toMatchObject({ hangup_cause: 'not_found', sip_hangup_cause: '404' });

    const ringing = await dial(SIP('busy'), 600);
    expect(await cause((await dial(SIP('busy'))).call_control_id)).toMatchObject({ hangup_cause: 'user_busy', sip_hangup_cause: '486' });
    await backend.hangup(ringing.call_control_id, {}, cid('cancel'));
    expect(await cause(ringing.call_control_id)).toMatchObject({ hangup_cause: 'originator_cancel' });
    expect(sim.world.phone('busy')?.isBusy()).toBe(false);

    expect(await cause((await dial(SIP('rejecter'))).call_control_id)).toMatchObject({ hangup_cause: 'call_rejected', hangup_source: 'callee' });

    const group = await dial([SIP('fast'), SIP('slow')]);
    await receiver.waitForEvent('call.answered', on(group.call_control_id));
    const slowLeg = await receiver.waitForEvent('call.initiated', (p) => p.to === SIP('slow'));
    expect(slowLeg.payload.call_session_id).toBe(group.call_session_id);
    expect(await cause(slowLeg.payload.call_control_id as string)).toMatchObject({ hangup_cause: 'originator_cancel' });
    await backend.hangup(group.call_control_id, {}, cid('hangup'));
  });

  it('lets callers give up: patience in the queue, and no answer within 30 s', async () => {
    const impatient = sim.world.placeCaller({ patienceMs: 20_000, queueDigit: { digit: '0', afterMs: 5_000 } }).callControlId;
    const ignored = sim.world.placeCaller({ answerTimeoutMs: 30_000 }).callControlId;
    await receiver.waitForEvent('call.initiated', on(impatient));
    await backend.answer(impatient, {}, cid('answer'));
    await backend.enqueue(impatient, { queue_name: 'patience' }, cid('enqueue'));

    expect((await receiver.waitForEvent('call.dequeued', on(impatient))).payload).toMatchObject({ reason: 'hangup', queue: 'patience' });
    expect((await receiver.waitForEvent('call.hangup', on(impatient))).payload).toMatchObject({ hangup_cause: 'normal_clearing', hangup_source: 'caller' });
    expect((await receiver.waitForEvent('call.dtmf.received', on(impatient))).payload.digit).toBe('0');

    expect((await receiver.waitForEvent('call.hangup', on(ignored))).payload).toMatchObject({ hangup_cause: 'originator_cancel', hangup_source: 'caller' });
    expect(sim.control.counters().world).toMatchObject({ callers_abandoned: 1, callers_unanswered: 1 });
  });

  it('applies queue max_wait_time_secs, record max_length and dial time_limit_secs', async () => {
    const id = sim.world.placeCaller({ talkMs: null }).callControlId;
    await receiver.waitForEvent('call.initiated', on(id));
    await backend.answer(id, {}, cid('answer'));
    await backend.enqueue(id, { queue_name: 'short', max_wait_time_secs: 10 }, cid('enqueue'));
    expect((await receiver.waitForEvent('call.dequeued', on(id))).payload).toMatchObject({ reason: 'timeout', queue: 'short' });
    await backend.recordStart(id, { format: 'wav', channels: 'single', max_length: 5 }, cid('record'));
    expect((await receiver.waitForEvent('call.recording.saved', on(id))).payload).toMatchObject({ channels: 'single' });
    expect((await backend.retrieveCall(id)).is_alive).toBe(true);
    await backend.hangup(id, {}, cid('hangup'));

    const limited = await backend.dial({ to: '+15550001234', from: '+15550100000', time_limit_secs: 30 }, cid('dial'));
    await receiver.waitForEvent('call.answered', on(limited.call_control_id));
    expect((await receiver.waitForEvent('call.hangup', on(limited.call_control_id))).payload).toMatchObject({ hangup_cause: 'time_limit' });
  });

  it('places Poisson arrivals until maxCallers', async () => {
    const before = sim.control.counters().world.callersPlaced ?? 0;
    sim.world.startArrivals({ ratePerMinute: 600, maxCallers: 3, template: { to: '+15550109999' } });
    await receiver.waitUntil(() => receiver.events().filter((e) => e.event_type === 'call.initiated' && e.payload.to === '+15550109999').length === 3, 'three arrivals');
    expect(sim.control.counters().world.callersPlaced).toBe(before + 3);
    expect(sim.world.snapshot().arrivals).toBeNull();
  });

  it('is driven over HTTP by the control client', async () => {
    const control = new SimulatorClient(sim.url, sim.controlKey);
    expect(await control.publicKey()).toBe(sim.publicKeyBase64);
    await control.registerPhone('carol', { onRing: 'manual' });
    const placed = await control.placeCaller({ talkMs: null });
    await receiver.waitForEvent('call.initiated', on(placed.callControlId));
    await backend.answer(placed.callControlId, {}, cid('answer'));
    const offer = await backend.dial({ to: SIP('carol'), from: '+15550100000', link_to: placed.callControlId, bridge_on_answer: true }, cid('offer'));
    await receiver.waitForEvent('call.initiated', on(offer.call_control_id));
    expect((await control.world()).phones.find((p) => p.sipUsername === 'carol')?.calls).toMatchObject([{ state: 'ringing', direction: 'inbound' }]);
    expect(await control.phoneAction('carol', 'answer')).toEqual({ ok: true });
    await receiver.waitForEvent('call.bridged', on(placed.callControlId));
    expect((await control.call(placed.callControlId)).bridgedWith).toBe(offer.call_control_id);
    expect(await control.phoneAction('carol', 'hangup')).toEqual({ ok: true });
    await receiver.waitForEvent('call.hangup', on(placed.callControlId));
    expect((await control.calls(true)).map((c) => c.callControlId)).not.toContain(placed.callControlId);

    const clock = await control.clock();
    expect(clock.scale).toBe(100);
    const time = ScaledTime.fromSnapshot(clock);
    expect(time.realDelay(20_000)).toBe(200);
  });
});

describe('a fresh simulator', () => {
  it('resets to an empty world and rejects bad options naming them', async () => {
    const sim = await createSimulator();
    try {
      sim.world.registerPhone('dave');
      sim.world.placeCaller();
      expect(sim.control.calls()).toHaveLength(1);
      sim.control.reset();
      expect(sim.control.calls()).toHaveLength(0);
      expect(sim.world.snapshot().phones).toHaveLength(0);
      expect(sim.control.counters().world).toEqual({});
      expect(sim.clock.pendingTimers()).toBe(0);
    } finally {
      await sim.close();
    }
    await expect(createSimulator({ scale: -1, webhookUrl: 'not a url' })).rejects.toThrow(/scale[\s\S]*webhookUrl|webhookUrl[\s\S]*scale/);
  });
});
