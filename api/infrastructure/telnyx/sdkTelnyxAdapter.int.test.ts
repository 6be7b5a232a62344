import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulator, type Simulator } from '../../../simulator';
import { WebhookReceiver } from '../../../simulator/testing/webhookReceiver';
import { LegGoneError, TelnyxCommandError, UnavailableError } from '../../core/errors';
import { embeddedFromSimulator, loadTelnyxConfig } from './config';
import { TelnyxNotFoundError } from './errors';
import { SdkTelnyxAdapter } from './sdkTelnyxAdapter';
import { decodeClientState, encodeClientState } from './telnyx';

const cid = (label: string): string => `${label}-${randomUUID()}`;
const SIP = (user: string): string => `sip:${user}@sip.telnyx.com`;

describe('SdkTelnyxAdapter against the simulator', () => {
  let sim: Simulator;
  let receiver: WebhookReceiver;
  let telnyx: SdkTelnyxAdapter;
  let dir: string;

  beforeAll(async () => {
    sim = await createSimulator({ scale: 100, seed: 7, inboundAnswerTimeoutMs: 3_600_000 });
    receiver = await WebhookReceiver.start({ publicKeyBase64: sim.publicKeyBase64 });
    sim.control.setWebhookUrls({ webhookUrl: receiver.url });
    telnyx = new SdkTelnyxAdapter(loadTelnyxConfig({ TELNYX_MAX_RETRIES: '1', TELNYX_TIMEOUT_MS: '3000' }, embeddedFromSimulator(sim)));
    dir = await mkdtemp(join(tmpdir(), 'callstream-telnyx-'));
  });

  afterEach(() => {
    sim.control.clearFaults();
  });

  afterAll(async () => {
    await sim.close();
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  const on = (id: string) => (p: Record<string, unknown>) => p.call_control_id === id;

  it('answers, speaks, gathers, plays, updates client state, sends DTMF and hangs up an inbound call', async () => {
    const caller = sim.world.placeCaller({ from: '+15551230001', ivr: ['12#'], thinkMs: 500 });
    const id = caller.callControlId;
    await receiver.waitForEvent('call.initiated', on(id));

    const state = encodeClientState({ iid: 'int-1', role: 'customer' });
    await expect(telnyx.answer(id, { client_state: state }, cid('answer'))).resolves.toEqual({ result: 'ok' });
    const answered = await receiver.waitForEvent('call.answered', on(id));
    expect(decodeClientState(answered.payload.client_state as string)).toEqual({ iid: 'int-1', role: 'customer' });

    await telnyx.speak(id, { payload: 'Welcome to callstream.', voice: 'female', language: 'en-US' }, cid('speak'));
    await receiver.waitForEvent('call.speak.ended', on(id));

    await telnyx.gatherUsingSpeak(
      id,
      { payload: 'Press 1 then 2.', voice: 'female', valid_digits: '0123456789', minimum_digits: 2, maximum_digits: 4, terminating_digit: '#' },
      cid('gather'),
    );
    const gathered = await receiver.waitForEvent('call.gather.ended', on(id));
    expect(gathered.payload).toMatchObject({ digits: '12', status: 'valid' });
    expect(receiver.legEvents(id).filter((e) => e.event_type === 'call.dtmf.received').map((e) => e.payload.digit)).toEqual(['1', '2', '#']);

    await telnyx.gather(id, { minimum_digits: 1, maximum_digits: 1, initial_timeout_millis: 2_000, gather_id: 'menu-2' }, cid('gather2'));
    const timedOut = await receiver.waitForEvent('call.gather.ended', (p) => on(id)(p) && p.gather_id === 'menu-2');
    expect(timedOut.payload.status).toBe('timeout');

    await telnyx.gather(id, { maximum_digits: 3, gather_id: 'menu-3' }, cid('gather3'));
    await telnyx.gatherStop(id, {}, cid('gather-stop'));
    expect((await receiver.waitForEvent('call.gather.ended', (p) => p.gather_id === 'menu-3')).payload.status).toBe('cancelled');

    await telnyx.playbackStart(id, { audio_url: 'https://example.com/hold.mp3', loop: 'infinity' }, cid('play'));
    await receiver.waitForEvent('call.playback.started', on(id));
    await telnyx.playbackStop(id, { stop: 'all' }, cid('play-stop'));
    const stopped = await receiver.waitForEvent('call.playback.ended', on(id));
    expect(stopped.payload).toMatchObject({ status: 'cancelled', media_url: 'https://example.com/hold.mp3' });

    const next = encodeClientState({ iid: 'int-1', step: 2 });
    await telnyx.updateClientState(id, { client_state: next }, cid('state'));
    await telnyx.sendDtmf(id, { digits: '1w2', duration_millis: 250 }, cid('dtmf'));

    const status = await telnyx.retrieveCall(id);
    expect(status).toMatchObject({ call_control_id: id, is_alive: true, client_state: next });

    await telnyx.hangup(id, {}, cid('hangup'));
    const hangup = await receiver.waitForEvent('call.hangup', on(id));
    expect(hangup.payload).toMatchObject({ hangup_cause: 'normal_clearing', hangup_source: 'callee', client_state: next, state: 'hangup' });
    expect((await telnyx.retrieveCall(id)).is_alive).toBe(false);

    await expect(telnyx.speak(id, { payload: 'too late', voice: 'female' }, cid('late'))).rejects.toBeInstanceOf(LegGoneError);
    await expect(telnyx.hangup('v3:unknown', {}, cid('unknown'))).rejects.toMatchObject({
      constructor: TelnyxNotFoundError,
      details: { status: 404, telnyxCode: '90015' },
    });
  });

  it('queues a caller, offers it to an agent with link_to + bridge_on_answer, records, transcribes, supervises and transfers', async () => {
    sim.world.registerPhone('agentA', { onRing: 'answer', answerAfterMs: 2_000 });
    sim.world.registerPhone('supervisorA', { onRing: 'answer', answerAfterMs: 500 });
    const caller = sim.world.placeCaller({ talkMs: null });
    const id = caller.callControlId;
    await receiver.waitForEvent('call.initiated', on(id));
    await telnyx.answer(id, {}, cid('answer'));
    await telnyx.enqueue(id, { queue_name: 'support' }, cid('enqueue'));
    const enqueued = await receiver.waitForEvent('call.enqueued', on(id));
    expect(enqueued.payload).toMatchObject({ queue: 'support', current_position: 1 });
    expect(await telnyx.retrieveQueue('support')).toMatchObject({ name: 'support', current_size: 1, record_type: 'queue' });
    expect((await telnyx.listQueueCalls('support')).map((c) => c.call_control_id)).toEqual([id]);

    const agent = await telnyx.dial(
      {
        to: SIP('agentA'),
        from: '+15550100000',
        link_to: id,
        bridge_intent: true,
        bridge_on_answer: true,
        timeout_secs: 20,
        client_state: encodeClientState({ iid: 'int-2', role: 'agent' }),
        custom_headers: [{ name: 'X-CC-Interaction', value: 'int-2' }],
      },
      cid('dial-agent'),
    );
    expect(agent).toMatchObject({ is_alive: false, call_session_id: caller.callSessionId });
    const initiated = await receiver.waitForEvent('call.initiated', on(agent.call_control_id));
    expect(initiated.payload).toMatchObject({ direction: 'outgoing', to: SIP('agentA'), custom_headers: [{ name: 'X-CC-Interaction', value: 'int-2' }] });
    await receiver.waitForEvent('call.bridged', on(agent.call_control_id));
    await receiver.waitForEvent('call.bridged', on(id));
    expect((await receiver.waitForEvent('call.dequeued', on(id))).payload).toMatchObject({ reason: 'bridged', queue: 'support' });
    const agentOrder = receiver.legEvents(agent.call_control_id).map((e) => e.event_type);
    expect(agentOrder).toEqual(['call.initiated', 'call.answered', 'call.bridged']);

    await telnyx.recordStart(id, { format: 'wav', channels: 'dual' }, cid('rec'));
    await telnyx.transcriptionStart(id, { transcription_engine: 'Telnyx', transcription_tracks: 'inbound' }, cid('stt'));
    sim.engine.farSay(id, 'my order never arrived');
    const finalText = await receiver.waitForEvent('call.transcription', (p) => on(id)(p) && (p.transcription_data as { is_final: boolean }).is_final);
    expect(finalText.payload.transcription_data).toMatchObject({ transcript: 'my order never arrived', transcription_track: 'inbound' });
    expect(
      receiver.legEvents(id).some((e) => e.event_type === 'call.transcription' && !(e.payload.transcription_data as { is_final: boolean }).is_final),
    ).toBe(true);
    await telnyx.transcriptionStop(id, {}, cid('stt-stop'));
    await telnyx.recordPause(id, {}, cid('rec-pause'));
    await telnyx.recordResume(id, {}, cid('rec-resume'));

    const sup = await telnyx.dial(
      { to: SIP('supervisorA'), from: '+15550100000', supervise_call_control_id: id, supervisor_role: 'monitor' },
      cid('dial-sup'),
    );
    await receiver.waitForEvent('call.bridged', on(sup.call_control_id));
    await telnyx.switchSupervisorRole(sup.call_control_id, { role: 'whisper' }, cid('role'));
    expect(sim.control.call(sup.call_control_id)?.supervisor).toMatchObject({ supervisedId: id, role: 'whisper' });

    await telnyx.recordStop(id, {}, cid('rec-stop'));
    const saved = await receiver.waitForEvent('call.recording.saved', on(id));
    const urls = saved.payload.recording_urls as { wav: string; mp3: string | null };
    expect(saved.payload).toMatchObject({ channels: 'dual', call_leg_id: caller.callLegId, call_session_id: caller.callSessionId });
    const download = await telnyx.downloadRecording(urls.wav, join(dir, 'rec.wav'));
    const wav = await readFile(download.path);
    expect(wav.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(wav.subarray(8, 12).toString('ascii')).toBe('WAVE');
    expect(wav.readUInt16LE(22)).toBe(2);
    expect(download).toMatchObject({ bytes: wav.length, contentType: 'audio/wav' });

    const target = encodeClientState({ iid: 'int-2', role: 'transfer' });
    await telnyx.transfer(id, { to: '+15559990000', target_leg_client_state: target, timeout_secs: 30 }, cid('transfer'));
    await receiver.waitForEvent('call.hangup', on(agent.call_control_id));
    const transferLeg = await receiver.waitForEvent('call.initiated', (p) => p.to === '+15559990000');
    expect(transferLeg.payload).toMatchObject({ call_session_id: caller.callSessionId, client_state: target });
    await receiver.waitForEvent('call.bridged', on(transferLeg.payload.call_control_id as string));

    await telnyx.hangup(id, {}, cid('hangup'));
    for (const leg of [id, transferLeg.payload.call_control_id as string, sup.call_control_id]) await receiver.waitForEvent('call.hangup', on(leg));
  });

  it('bridges with the head of a queue, leaves a queue and rejects a call', async () => {
    const a = sim.world.placeCaller({ talkMs: null }).callControlId;
    const b = sim.world.placeCaller({ talkMs: null }).callControlId;
    const c = sim.world.placeCaller().callControlId;
    for (const id of [a, b]) {
      await receiver.waitForEvent('call.initiated', on(id));
      await telnyx.answer(id, {}, cid('answer'));
    }
    await telnyx.enqueue(a, { queue_name: 'sales' }, cid('enqueue'));
    await telnyx.leaveQueue(a, {}, cid('leave'));
    expect((await receiver.waitForEvent('call.dequeued', on(a))).payload.reason).toBe('leave');
    await telnyx.enqueue(a, { queue_name: 'sales' }, cid('enqueue-again'));
    await receiver.waitForEvent('call.enqueued', (p) => on(a)(p) && receiver.legEvents(a).filter((e) => e.event_type === 'call.enqueued').length === 2);

    await telnyx.bridge(b, { queue: 'sales' }, cid('bridge-queue'));
    await receiver.waitForEvent('call.bridged', on(a));
    await receiver.waitForEvent('call.bridged', on(b));
    await expect(telnyx.bridge(b, { queue: 'sales' }, cid('bridge-empty'))).rejects.toMatchObject({ constructor: TelnyxCommandError, details: { status: 422 } });

    await telnyx.hangup(a, {}, cid('hangup-a'));
    await receiver.waitForEvent('call.hangup', on(b));

    await receiver.waitForEvent('call.initiated', on(c));
    await telnyx.reject(c, { cause: 'USER_BUSY' }, cid('reject'));
    expect((await receiver.waitForEvent('call.hangup', on(c))).payload).toMatchObject({ hangup_cause: 'user_busy' });

    const d = sim.world.placeCaller({ talkMs: null }).callControlId;
    const e = sim.world.placeCaller({ talkMs: null }).callControlId;
    for (const id of [d, e]) {
      await receiver.waitForEvent('call.initiated', on(id));
      await telnyx.answer(id, {}, cid('answer'));
    }
    await telnyx.bridge(d, { call_control_id: e, park_after_unbridge: 'self' }, cid('bridge'));
    await receiver.waitForEvent('call.bridged', on(e));
    await telnyx.hangup(e, {}, cid('hangup-e'));
    await receiver.waitForEvent('call.hangup', on(e));
    expect((await telnyx.retrieveCall(d)).is_alive).toBe(true);
    await telnyx.hangup(d, {}, cid('hangup-d'));
  });

  it('manages telephony credentials and mints login tokens', async () => {
    const created = await telnyx.createCredential({ name: 'agent-7 laptop', tag: 'agents' });
    expect(created).toMatchObject({ name: 'agent-7 laptop', tag: 'agents', expired: false, resource_id: `connection:${sim.options.credentialConnectionId}` });
    expect(created.sip_username).toMatch(/^gencred/);
    expect(await telnyx.listCredentials({ sip_username: created.sip_username })).toEqual([created]);
    expect(await telnyx.retrieveCredential(created.id!)).toEqual(created);
    expect((await telnyx.updateCredential(created.id!, { name: 'agent-7 desk' })).name).toBe('agent-7 desk');

    const token = await telnyx.createCredentialToken(created.id!);
    expect(typeof token).toBe('string');
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, number | string>;
    expect(claims.sip_username).toBe(created.sip_username);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(24 * 60 * 60);
    expect(sim.credentials.verifyToken(token)?.sub).toBe(created.id);

    await telnyx.deleteCredential(created.id!);
    await expect(telnyx.retrieveCredential(created.id!)).rejects.toBeInstanceOf(TelnyxNotFoundError);
    expect(sim.credentials.verifyToken(token)).toBeUndefined();
  });

  it('sends each command_id once: a repeat on the same leg is ignored and counted', async () => {
    const id = sim.world.placeCaller({ talkMs: null }).callControlId;
    await receiver.waitForEvent('call.initiated', on(id));
    await telnyx.answer(id, {}, cid('answer'));
    const before = sim.control.counters().commands.duplicateCommandIds;
    const commandId = cid('speak-once');
    await telnyx.speak(id, { payload: 'Once only.', voice: 'female' }, commandId);
    await telnyx.speak(id, { payload: 'Once only.', voice: 'female' }, commandId);
    await receiver.waitForEvent('call.speak.ended', on(id));
    await telnyx.hangup(id, {}, cid('hangup'));
    await receiver.waitForEvent('call.hangup', on(id));
    expect(receiver.legEvents(id).filter((e) => e.event_type === 'call.speak.started')).toHaveLength(1);
    expect(sim.control.counters().commands.duplicateCommandIds).toBe(before + 1);
    expect(sim.control.counters().commands.duplicateCommandIdsByAction.speak).toBeGreaterThanOrEqual(1);
  });

  it('maps 5xx after the SDK retries and a hung response to UnavailableError; the retried command runs once', async () => {
    const id = sim.world.placeCaller({ talkMs: null }).callControlId;
    await receiver.waitForEvent('call.initiated', on(id));
    await telnyx.answer(id, {}, cid('answer'));

    sim.control.setFaults({ rest5xx: { rate: 1 } });
    await expect(telnyx.speak(id, { payload: 'x', voice: 'female' }, cid('speak-5xx'))).rejects.toBeInstanceOf(UnavailableError);
    expect(sim.control.counters().faults.rest5xx).toBe(2);
    sim.control.clearFaults();

    const quick = new SdkTelnyxAdapter(
      loadTelnyxConfig({ TELNYX_MAX_RETRIES: '1', TELNYX_TIMEOUT_MS: '200' }, embeddedFromSimulator(sim)),
    );
    // At scale 100 the 60 s command_id window is 0.6 s of real time, shorter than the SDK's
    // real-time retry back-off; real time keeps the retry inside the window.
    sim.control.setScale(1);
    sim.control.setFaults({ restTimeout: { rate: 1, hangMs: 1_000 } });
    const duplicatesBefore = sim.control.counters().commands.duplicateCommandIds;
    await expect(quick.speak(id, { payload: 'Lost answer.', voice: 'female' }, cid('speak-timeout'))).rejects.toBeInstanceOf(UnavailableError);
    sim.control.clearFaults();
    sim.control.setScale(100);
    expect(sim.control.counters().commands.duplicateCommandIds).toBe(duplicatesBefore + 1);
    await receiver.waitForEvent('call.speak.started', on(id));
    await telnyx.hangup(id, {}, cid('hangup'));
    await receiver.waitForEvent('call.hangup', on(id));
    expect(receiver.legEvents(id).filter((e) => e.event_type === 'call.speak.started')).toHaveLength(1);
  });

  it('maps a wrong API key to a TelnyxCommandError with status 401', async () => {
    const wrong = new SdkTelnyxAdapter({ ...loadTelnyxConfig({}, embeddedFromSimulator(sim)), apiKey: 'wrong' });
    await expect(wrong.retrieveCall('v3:any')).rejects.toMatchObject({ constructor: TelnyxCommandError, details: { status: 401, telnyxCode: '10009' } });
  });
});
