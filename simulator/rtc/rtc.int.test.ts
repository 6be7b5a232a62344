import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { embeddedFromSimulator, loadTelnyxConfig } from '../../api/infrastructure/telnyx/config';
import { SdkTelnyxAdapter } from '../../api/infrastructure/telnyx/sdkTelnyxAdapter';
import { createSimulator, type Simulator } from '../index';
import { WebhookReceiver } from '../testing/webhookReceiver';
import { placeholderOffer } from './sdp';

interface RpcMessage {
  jsonrpc?: string;
  id: string | number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

/** A bare telnyx_rtc client: what the SDK sends, without a browser. */
class RtcTestClient {
  readonly received: RpcMessage[] = [];
  private readonly waiters = new Set<() => void>();
  closed: { code: number } | undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data)) as RpcMessage;
      this.received.push(message);
      if (message.method && message.id !== undefined) this.send({ id: message.id, result: { method: message.method } });
      for (const w of [...this.waiters]) w();
    });
    ws.on('close', (code: number) => {
      this.closed = { code };
      for (const w of [...this.waiters]) w();
    });
  }

  static async open(url: string): Promise<RtcTestClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RtcTestClient(ws);
  }

  send(message: Omit<RpcMessage, 'jsonrpc'>): void {
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', ...message }));
  }

  async call(method: string, params: Record<string, unknown> = {}): Promise<RpcMessage> {
    const id = randomUUID();
    this.send({ id, method, params });
    return this.waitFor((m) => m.id === id && m.method === undefined, `the answer to ${method}`);
  }

  /** The next server request of `method` after the ones already taken. */
  async serverRequest(method: string, after = 0): Promise<RpcMessage> {
    return this.waitFor((m) => m.method === method && this.received.indexOf(m) >= after, method);
  }

  waitFor(match: (m: RpcMessage) => boolean, what: string, timeoutMs = 5_000): Promise<RpcMessage> {
    const find = () => this.received.find(match);
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = find();
        if (!m) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(m);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; received ${this.received.map((m) => m.method ?? `result:${String(m.id)}`).join(', ')}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  waitClosed(): Promise<{ code: number }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve) => this.ws.once('close', (code: number) => resolve({ code })));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const done = this.waitClosed();
    this.ws.close();
    await done;
  }
}

async function eventually(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const SIP = (user: string): string => `sip:${user}@sip.telnyx.com`;
const on = (id: string) => (p: Record<string, unknown>) => p.call_control_id === id;
const cid = (label: string): string => `${label}-${randomUUID()}`;

describe('the /rtc telnyx_rtc endpoint', () => {
  let sim: Simulator;
  let receiver: WebhookReceiver;
  let backend: SdkTelnyxAdapter;
  let wsUrl: string;
  const clients: RtcTestClient[] = [];

  const connect = async (): Promise<RtcTestClient> => {
    const client = await RtcTestClient.open(wsUrl);
    clients.push(client);
    return client;
  };
  const agent = async (): Promise<{ client: RtcTestClient; user: string; token: string }> => {
    const credential = await backend.createCredential({ name: `agent-${randomUUID()}` });
    const { id, sip_username: user } = credential;
    if (!id || !user) throw new Error('the credential has no id or sip_username');
    const token = await backend.createCredentialToken(id);
    const client = await connect();
    const login = await client.call('login', { login_token: token, reconnection: false });
    expect(login.result).toMatchObject({ message: 'logged in', sessid: expect.any(String) });
    return { client, user, token };
  };
  const answeredCaller = async (from = '+15553334444') => {
    const caller = sim.world.placeCaller({ from, talkMs: null, callerIdName: 'Ada' });
    await receiver.waitForEvent('call.initiated', on(caller.callControlId));
    await backend.answer(caller.callControlId, {}, cid('answer'));
    return caller.callControlId;
  };
  const dialAgent = (user: string, linkTo: string) =>
    backend.dial(
      {
        to: SIP(user),
        from: '+15550100000',
        link_to: linkTo,
        bridge_intent: true,
        bridge_on_answer: true,
        timeout_secs: 60,
        client_state: Buffer.from('{"offer":1}').toString('base64'),
        custom_headers: [{ name: 'X-Interaction-Id', value: 'int-1' }],
      },
      cid('offer'),
    );

  beforeAll(async () => {
    sim = await createSimulator({ scale: 1, seed: 8, inboundAnswerTimeoutMs: 3_600_000 });
    receiver = await WebhookReceiver.start({ publicKeyBase64: sim.publicKeyBase64 });
    sim.control.setWebhookUrls({ webhookUrl: receiver.url });
    sim.world.setCallee('default', { answerAfterMs: 100 });
    backend = new SdkTelnyxAdapter(loadTelnyxConfig({ TELNYX_MAX_RETRIES: '0' }, embeddedFromSimulator(sim)));
    wsUrl = `${sim.url.replace(/^http/, 'ws')}/rtc`;
  });

  afterEach(async () => {
    sim.rtc.setMediaPeer(undefined);
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  it('refuses requests before login and a bad token, then closes the socket', async () => {
    const client = await connect();
    expect((await client.call('telnyx_rtc.gatewayState')).error).toEqual({ code: -32000, message: 'Authentication Required' });
    expect((await client.call('login', { login_token: 'not.a.jwt' })).error).toEqual({ code: -32001, message: 'Authentication Failure' });
    expect((await client.waitClosed()).code).toBe(1008);
  });

  it('logs in with a token, says clientReady, answers gatewayState REGED and pings, and registers a webrtc device', async () => {
    const { client, user } = await agent();
    await client.serverRequest('telnyx_rtc.clientReady');
    expect((await client.call('telnyx_rtc.gatewayState')).result).toEqual({ params: { state: 'REGED' } });
    expect((await client.call('telnyx_rtc.ping')).result).toBeDefined();
    expect((await client.call('telnyx_rtc.nonsense')).error).toMatchObject({ code: -32601 });
    expect(sim.world.snapshot().devices).toContainEqual({ sipUsername: user, kind: 'webrtc', busy: false });
    await client.close();
    // The socket's close is handled after the client sees it; wait for the registry to follow.
    await eventually(() => !sim.world.snapshot().devices.some((d) => d.sipUsername === user), 'unregistration');
  });

  it('logs in with the credential sip_username and password', async () => {
    const credential = await backend.createCredential({ name: 'password-login' });
    const client = await connect();
    const login = await client.call('login', { login: credential.sip_username, passwd: credential.sip_password });
    expect(credential.sip_password).toBeTruthy();
    expect(login.result).toMatchObject({ message: 'logged in' });
  });

  it('rings the browser with the dial’s ids, headers and client_state; answer, hold, DTMF, updateMedia and bye reach the network', async () => {
    const { client, user } = await agent();
    const customer = await answeredCaller();
    const offer = await dialAgent(user, customer);

    const invite = await client.serverRequest('telnyx_rtc.invite');
    expect(invite.params).toMatchObject({
      caller_id_number: '+15553334444',
      callee_id_number: user,
      telnyx_call_control_id: offer.call_control_id,
      telnyx_session_id: offer.call_session_id,
      telnyx_leg_id: offer.call_leg_id,
      client_state: Buffer.from('{"offer":1}').toString('base64'),
      dialogParams: { custom_headers: [{ name: 'X-Interaction-Id', value: 'int-1' }] },
    });
    const sdp = String(invite.params?.sdp);
    expect(sdp).toMatch(/a=setup:actpass/);
    expect(sdp).toMatch(/a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(sdp).toMatch(/a=ice-ufrag:/);
    expect(sdp).not.toMatch(/a=candidate/);
    const callID = String(invite.params?.callID);
    const dialogParams = { callID };

    expect((await client.call('telnyx_rtc.answer', { sdp: 'v=0\r\n', dialogParams })).result).toMatchObject({ callID });
    await receiver.waitForEvent('call.answered', on(offer.call_control_id));
    await receiver.waitForEvent('call.bridged', on(offer.call_control_id));
    await receiver.waitForEvent('call.bridged', on(customer));

    expect((await client.call('telnyx_rtc.modify', { action: 'hold', dialogParams })).result).toMatchObject({ holdState: 'held' });
    expect((await client.call('telnyx_rtc.modify', { action: 'toggleHold', dialogParams })).result).toMatchObject({ holdState: 'active' });

    expect((await client.call('telnyx_rtc.info', { dtmf: '7', dialogParams })).result).toBeDefined();
    expect((await receiver.waitForEvent('call.dtmf.received', on(offer.call_control_id))).payload.digit).toBe('7');

    const restart = await client.call('telnyx_rtc.modify', { action: 'updateMedia', callID, sdp: placeholderOffer(), dialogParams });
    expect(String(restart.result?.sdp)).toMatch(/a=setup:active[\s\S]*a=rtpmap:111 opus\/48000\/2/);

    expect((await client.call('telnyx_rtc.bye', { cause: 'NORMAL_CLEARING', causeCode: 16, dialogParams })).result).toMatchObject({ callID });
    expect((await receiver.waitForEvent('call.hangup', on(offer.call_control_id))).payload).toMatchObject({ hangup_cause: 'normal_clearing', hangup_source: 'callee' });
    expect(receiver.legEvents(offer.call_control_id).map((e) => e.event_type)).toEqual([
      'call.initiated',
      'call.answered',
      'call.bridged',
      'call.dtmf.received',
      'call.hangup',
    ]);
  });

  it('sends bye when the network hangs up, and a declined invite ends the leg user_busy', async () => {
    const { client, user } = await agent();
    const customer = await answeredCaller();
    const offer = await dialAgent(user, customer);
    const invite = await client.serverRequest('telnyx_rtc.invite');
    const dialogParams = { callID: String(invite.params?.callID) };
    await client.call('telnyx_rtc.answer', { sdp: 'v=0\r\n', dialogParams });
    await receiver.waitForEvent('call.bridged', on(offer.call_control_id));
    await backend.hangup(offer.call_control_id, {}, cid('hangup'));
    const bye = await client.serverRequest('telnyx_rtc.bye');
    expect(bye.params).toEqual({ callID: dialogParams.callID, cause: 'NORMAL_CLEARING', causeCode: 16 });

    const second = await dialAgent(user, await answeredCaller('+15553335555'));
    const ringing = await client.waitFor((m) => m.method === 'telnyx_rtc.invite' && m.params?.telnyx_call_control_id === second.call_control_id, 'second invite');
    await client.call('telnyx_rtc.bye', { cause: 'USER_BUSY', causeCode: 17, dialogParams: { callID: String(ringing.params?.callID) } });
    expect((await receiver.waitForEvent('call.hangup', on(second.call_control_id))).payload).toMatchObject({ hangup_cause: 'user_busy', hangup_source: 'callee' });
  });

  it('tells the browser a ringing call was cancelled', async () => {
    const { client, user } = await agent();
    const customer = await answeredCaller();
    const offer = await dialAgent(user, customer);
    const invite = await client.serverRequest('telnyx_rtc.invite');
    await backend.hangup(offer.call_control_id, {}, cid('cancel'));
    const bye = await client.serverRequest('telnyx_rtc.bye');
    expect(bye.params).toEqual({ callID: invite.params?.callID, cause: 'ORIGINATOR_CANCEL', causeCode: 487 });
  });

  it('parks the browser’s newCall as an outgoing leg and answers it with the media peer’s SDP once bridged', async () => {
    const { client, user } = await agent();
    const answers: string[] = [];
    sim.rtc.setMediaPeer({
      answerFor: (_call, offer, reason) => {
        answers.push(reason);
        return offer.replace('a=setup:actpass', 'a=setup:active');
      },
    });
    const callID = randomUUID();
    const created = await client.call('telnyx_rtc.invite', {
      sdp: placeholderOffer(),
      dialogParams: { callID, destination_number: '+15557778888', caller_id_name: 'Agent', custom_headers: [{ name: 'X-RTC-CALLID', value: callID }] },
    });
    expect(created.result).toMatchObject({ callID, message: 'CALL CREATED' });
    const initiated = await receiver.waitForEvent('call.initiated', (p) => p.direction === 'outgoing' && p.from === SIP(user));
    expect(initiated.payload).toMatchObject({
      state: 'parked',
      to: '+15557778888',
      connection_id: sim.options.credentialConnectionId,
      custom_headers: [{ name: 'X-RTC-CALLID', value: callID }],
    });
    const parked = String(initiated.payload.call_control_id);
    await backend.dial({ to: '+15557778888', from: '+15550100000', link_to: parked, bridge_intent: true, bridge_on_answer: true }, cid('out'));
    const answer = await client.serverRequest('telnyx_rtc.answer');
    expect(answer.params).toMatchObject({ callID, telnyx_call_control_id: parked });
    expect(String(answer.params?.sdp)).toMatch(/a=setup:active/);
    expect(answers).toEqual(['invite']);
    expect(sim.rtc.calls().find((c) => c.callID === callID)).toMatchObject({ direction: 'outbound', state: 'active', media: 'peer' });

    await client.call('telnyx_rtc.bye', { cause: 'NORMAL_CLEARING', causeCode: 16, dialogParams: { callID } });
    expect((await receiver.waitForEvent('call.hangup', on(parked))).payload).toMatchObject({ hangup_cause: 'normal_clearing', hangup_source: 'caller' });
  });

  it('rings only the last socket registered for a username, and a closed socket ends its answered calls', async () => {
    const first = await agent();
    const second = await connect();
    await second.call('login', { login_token: first.token });
    const customer = await answeredCaller();
    const offer = await dialAgent(first.user, customer);
    const invite = await second.serverRequest('telnyx_rtc.invite');
    expect(first.client.received.some((m) => m.method === 'telnyx_rtc.invite')).toBe(false);

    await second.call('telnyx_rtc.answer', { sdp: 'v=0\r\n', dialogParams: { callID: String(invite.params?.callID) } });
    await receiver.waitForEvent('call.bridged', on(offer.call_control_id));
    await second.close();
    expect((await receiver.waitForEvent('call.hangup', on(offer.call_control_id))).payload).toMatchObject({ hangup_cause: 'normal_clearing', hangup_source: 'callee' });

    // The first socket was replaced, not re-registered: the username now has no device.
    const again = await dialAgent(first.user, await answeredCaller('+15553336666'));
    expect((await receiver.waitForEvent('call.hangup', on(again.call_control_id))).payload).toMatchObject({ hangup_cause: 'not_found' });
  });

  it('shows sessions and takes a queued far-end offer on the control API', async () => {
    const { user, client } = await agent();
    const auth = { authorization: `Bearer ${sim.controlKey}`, 'content-type': 'application/json' };
    const queued = placeholderOffer().replace('s=-', 's=queued');
    const put = await fetch(`${sim.url}/sim/rtc/users/${user}/next-offer`, { method: 'PUT', headers: auth, body: JSON.stringify({ sdp: queued }) });
    expect(await put.json()).toEqual({ queued: 1 });
    const offer = await dialAgent(user, await answeredCaller());
    const invite = await client.serverRequest('telnyx_rtc.invite');
    expect(invite.params?.sdp).toBe(queued);
    const view = (await (await fetch(`${sim.url}/sim/rtc`, { headers: auth })).json()) as { path: string; sessions: { sipUsername: string; calls: { callControlId: string; media: string }[] }[] };
    expect(view.path).toBe('/rtc');
    expect(view.sessions.find((s) => s.sipUsername === user)?.calls).toEqual([expect.objectContaining({ callControlId: offer.call_control_id, media: 'queued' })]);
    expect((await fetch(`${sim.url}/sim/rtc`)).status).toBe(401);
  });
});
