import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { IClientOptions } from '@telnyx/webrtc';
import { chromium, type Browser, type Page } from 'playwright-core';
import { embeddedFromSimulator, loadTelnyxConfig } from '../../api/infrastructure/telnyx/config';
import { SdkTelnyxAdapter } from '../../api/infrastructure/telnyx/sdkTelnyxAdapter';
import { encodeClientState } from '../../api/infrastructure/telnyx/telnyx';
import { createSimulator, type Simulator } from '../../simulator';
import { WebhookReceiver } from '../../simulator/testing/webhookReceiver';

/**
 * The real @telnyx/webrtc SDK in Debian's Chromium, logged in to the simulator's /rtc endpoint with
 * a simulator-issued token, as an agent softphone: offers ring it, it answers with real media to a
 * far-end RTCPeerConnection in the same page, and its actions produce the webhooks Telnyx sends.
 */

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '..', '..');
const SCREENSHOTS = path.join(ROOT, 'test-output', 'softphone');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`softphone e2e skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
const describeInBrowser = haveChromium ? describe : describe.skip;

/** The SDK reads `host` (IVertoOptions) at run time, but its public options type leaves it out. */
interface SimulatorClientOptions extends IClientOptions {
  host: string;
}

interface Header {
  name: string;
  value: string;
}

interface PageCall {
  id: string;
  state: string;
  direction: 'inbound' | 'outbound';
  remoteCallerNumber: string | null;
  remoteCallerName: string | null;
  destinationNumber: string | null;
  customHeaders: Header[];
  clientState: string | null;
  telnyxCallControlId: string | null;
  cause: string | null;
  causeCode: number | null;
}

interface FarEnd {
  ice: string;
  connection: string;
  iceHistory: string[];
}

/** window.harness in softphone.page.js. */
interface Harness {
  login(options: SimulatorClientOptions): Promise<void>;
  waitCall(match: { id?: string; state?: string; direction?: string; telnyxCallControlId?: string }): Promise<PageCall>;
  answer(id: string): Promise<void>;
  hangup(id: string): Promise<void>;
  hold(id: string): Promise<void>;
  unhold(id: string): Promise<void>;
  dtmf(id: string, digits: string): Promise<void>;
  newCall(destinationNumber: string, customHeaders: Header[]): Promise<string>;
  farOffer(): Promise<string>;
  farAnswered(sdp: string): Promise<void>;
  farAnswerFor(offer: string): Promise<string>;
  waitFarConnected(): Promise<FarEnd>;
  waitFarAudio(): Promise<number>;
  errors(): Promise<string[]>;
  disconnect(): Promise<void>;
}

async function inPage<K extends keyof Harness>(page: Page, method: K, ...args: Parameters<Harness[K]>): Promise<Awaited<ReturnType<Harness[K]>>> {
  const result = await page.evaluate(
    ({ method, args }) => (globalThis as unknown as { harness: Record<string, (...a: unknown[]) => unknown> }).harness[method]!(...args),
    { method, args: args as unknown[] },
  );
  return result as Awaited<ReturnType<Harness[K]>>;
}

/** Serves the test page, its harness and the SDK's browser bundle on 127.0.0.1 (a secure context). */
async function servePage(): Promise<{ url: string; close: () => Promise<void> }> {
  const files: Record<string, { file: string; type: string }> = {
    '/': { file: path.join(__dirname, 'softphone.page.html'), type: 'text/html' },
    '/softphone.page.js': { file: path.join(__dirname, 'softphone.page.js'), type: 'text/javascript' },
    '/bundle.js': { file: path.join(ROOT, 'node_modules', '@telnyx', 'webrtc', 'lib', 'bundle.js'), type: 'text/javascript' },
  };
  const server = http.createServer((req, res) => {
    const entry = files[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
    if (!entry) {
      res.writeHead(404).end();
      return;
    }
    readFile(entry.file).then(
      (body) => res.writeHead(200, { 'content-type': entry.type, 'cache-control': 'no-store' }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const SIP = (user: string): string => `sip:${user}@sip.telnyx.com`;
const on = (id: string) => (p: Record<string, unknown>) => p.call_control_id === id;
const cid = (label: string): string => `${label}-${randomUUID()}`;

describeInBrowser('the real WebRTC SDK in Chromium against the simulator’s /rtc endpoint', () => {
  let sim: Simulator;
  let receiver: WebhookReceiver;
  let backend: SdkTelnyxAdapter;
  let site: { url: string; close: () => Promise<void> };
  let browser: Browser;
  let page: Page;
  let user: string;
  let token: string;
  const pageErrors: string[] = [];

  const screenshot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const types = (id: string): string[] => receiver.legEvents(id).map((e) => e.event_type);

  /** A caller on the main number, answered by the backend, waiting for an agent. */
  const answeredCaller = async (from: string): Promise<string> => {
    const caller = sim.world.placeCaller({ from, callerIdName: 'Ada Lovelace', talkMs: null });
    await receiver.waitForEvent('call.initiated', on(caller.callControlId));
    await backend.answer(caller.callControlId, {}, cid('answer'));
    return caller.callControlId;
  };
  /** The backend offers the customer to the agent's browser, as the product does. */
  const offerToAgent = (customer: string, interactionId: string) =>
    backend.dial(
      {
        to: SIP(user),
        from: '+15550100000',
        from_display_name: 'Ada Lovelace',
        link_to: customer,
        bridge_intent: true,
        bridge_on_answer: true,
        timeout_secs: 60,
        client_state: encodeClientState({ interactionId }),
        custom_headers: [{ name: 'X-Interaction-Id', value: interactionId }],
      },
      cid('offer'),
    );
  const realFarEnd = () =>
    sim.rtc.setMediaPeer({
      offerFor: () => inPage(page, 'farOffer'),
      browserAnswered: (_call, sdp) => inPage(page, 'farAnswered', sdp),
      answerFor: (_call, offer) => inPage(page, 'farAnswerFor', offer),
    });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    sim = await createSimulator({ scale: 1, seed: 27, inboundAnswerTimeoutMs: 3_600_000 });
    receiver = await WebhookReceiver.start({ publicKeyBase64: sim.publicKeyBase64 });
    sim.control.setWebhookUrls({ webhookUrl: receiver.url });
    sim.world.setCallee('default', { answerAfterMs: 300 });
    backend = new SdkTelnyxAdapter(loadTelnyxConfig({ TELNYX_MAX_RETRIES: '0' }, embeddedFromSimulator(sim)));
    const credential = await backend.createCredential({ name: 'softphone-e2e' });
    if (!credential.id || !credential.sip_username) throw new Error('the credential has no id or sip_username');
    user = credential.sip_username;
    token = await backend.createCredentialToken(credential.id);

    site = await servePage();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(site.url);
  }, 60_000);

  afterAll(async () => {
    sim?.rtc.setMediaPeer(undefined);
    if (page) await inPage(page, 'disconnect').catch(() => undefined);
    await browser?.close();
    await site?.close();
    await sim?.close();
    await receiver?.close();
  }, 30_000);

  it('logs the SDK in with a simulator login_token and reaches telnyx.ready', async () => {
    const options: SimulatorClientOptions = {
      login_token: token,
      host: `${sim.url.replace(/^http/, 'ws')}${sim.rtc.path}`,
      iceServers: [],
      enableCallReports: false,
    };
    await inPage(page, 'login', options);
    expect(sim.rtc.sessionViews()).toContainEqual(expect.objectContaining({ sipUsername: user, registered: true }));
    expect(sim.world.snapshot().devices).toContainEqual({ sipUsername: user, kind: 'webrtc', busy: false });
    await screenshot('01-registered');
  }, 30_000);

  it('rings the page with the caller and headers, answers with real media, holds, sends DTMF and hangs up', async () => {
    realFarEnd();
    const customer = await answeredCaller('+15553334444');
    const offer = await offerToAgent(customer, 'int-42');

    const ringing = await inPage(page, 'waitCall', { state: 'ringing', telnyxCallControlId: offer.call_control_id });
    expect(ringing).toMatchObject({
      direction: 'inbound',
      remoteCallerNumber: '+15553334444',
      remoteCallerName: 'Ada Lovelace',
      customHeaders: [{ name: 'X-Interaction-Id', value: 'int-42' }],
      clientState: encodeClientState({ interactionId: 'int-42' }),
    });
    await screenshot('02-ringing');

    await inPage(page, 'answer', ringing.id);
    await inPage(page, 'waitCall', { id: ringing.id, state: 'active' });
    await receiver.waitForEvent('call.answered', on(offer.call_control_id));
    await receiver.waitForEvent('call.bridged', on(offer.call_control_id));
    await receiver.waitForEvent('call.bridged', on(customer));

    const far = await inPage(page, 'waitFarConnected');
    expect(['connected', 'completed']).toContain(far.ice);
    expect(far.connection).toBe('connected');
    expect(await inPage(page, 'waitFarAudio')).toBeGreaterThan(0);
    expect(sim.rtc.calls()).toContainEqual(expect.objectContaining({ callControlId: offer.call_control_id, state: 'active', media: 'peer' }));
    await screenshot('03-active');

    await inPage(page, 'hold', ringing.id);
    await inPage(page, 'waitCall', { id: ringing.id, state: 'held' });
    expect(sim.rtc.calls().find((c) => c.callID === ringing.id)?.held).toBe(true);
    await screenshot('04-held');
    await inPage(page, 'unhold', ringing.id);
    await inPage(page, 'waitCall', { id: ringing.id, state: 'active' });

    await inPage(page, 'dtmf', ringing.id, '4');
    expect((await receiver.waitForEvent('call.dtmf.received', on(offer.call_control_id))).payload.digit).toBe('4');

    await inPage(page, 'hangup', ringing.id);
    await inPage(page, 'waitCall', { id: ringing.id, state: 'destroy' });
    const hangup = await receiver.waitForEvent('call.hangup', on(offer.call_control_id));
    expect(hangup.payload).toMatchObject({ hangup_cause: 'normal_clearing', hangup_source: 'callee' });
    await receiver.waitForEvent('call.hangup', on(customer));
    expect(types(offer.call_control_id)).toEqual(['call.initiated', 'call.answered', 'call.bridged', 'call.dtmf.received', 'call.hangup']);
  }, 60_000);

  it('ends the page’s call when the backend hangs up, and a declined offer ends user_busy', async () => {
    sim.rtc.setMediaPeer(undefined);
    const offer = await offerToAgent(await answeredCaller('+15553335555'), 'int-43');
    const ringing = await inPage(page, 'waitCall', { state: 'ringing', telnyxCallControlId: offer.call_control_id });
    await inPage(page, 'answer', ringing.id);
    await inPage(page, 'waitCall', { id: ringing.id, state: 'active' });
    await receiver.waitForEvent('call.bridged', on(offer.call_control_id));
    expect(sim.rtc.calls()).toContainEqual(expect.objectContaining({ callID: ringing.id, media: 'placeholder' }));

    await backend.hangup(offer.call_control_id, {}, cid('hangup'));
    const ended = await inPage(page, 'waitCall', { id: ringing.id, state: 'destroy' });
    expect(ended).toMatchObject({ cause: 'NORMAL_CLEARING', causeCode: 16 });
    expect((await receiver.waitForEvent('call.hangup', on(offer.call_control_id))).payload).toMatchObject({ hangup_cause: 'normal_clearing', hangup_source: 'caller' });
    await screenshot('05-remote-hangup');

    const declined = await offerToAgent(await answeredCaller('+15553336666'), 'int-44');
    const second = await inPage(page, 'waitCall', { state: 'ringing', telnyxCallControlId: declined.call_control_id });
    await inPage(page, 'hangup', second.id);
    expect((await receiver.waitForEvent('call.hangup', on(declined.call_control_id))).payload).toMatchObject({ hangup_cause: 'user_busy', hangup_source: 'callee' });
    expect(types(declined.call_control_id)).toEqual(['call.initiated', 'call.hangup']);
  }, 60_000);

  it('places a call from the page that arrives parked with direction outgoing, and connects once the backend bridges it', async () => {
    realFarEnd();
    const callId = await inPage(page, 'newCall', '+15557778888', [{ name: 'X-RTC-CALLID', value: 'agent-out-1' }]);
    const initiated = await receiver.waitForEvent('call.initiated', (p) => p.direction === 'outgoing' && p.from === SIP(user));
    expect(initiated.payload).toMatchObject({
      state: 'parked',
      to: '+15557778888',
      connection_id: sim.options.credentialConnectionId,
      custom_headers: expect.arrayContaining([{ name: 'X-RTC-CALLID', value: 'agent-out-1' }]),
    });
    const parked = String(initiated.payload.call_control_id);

    const customer = await backend.dial({ to: '+15557778888', from: '+15550100000', link_to: parked, bridge_intent: true, bridge_on_answer: true }, cid('outbound'));
    await receiver.waitForEvent('call.bridged', on(parked));
    const active = await inPage(page, 'waitCall', { id: callId, state: 'active' });
    expect(active).toMatchObject({ direction: 'outbound', telnyxCallControlId: parked });
    const far = await inPage(page, 'waitFarConnected');
    expect(far.connection).toBe('connected');
    await screenshot('06-outbound-active');

    await inPage(page, 'hangup', callId);
    expect((await receiver.waitForEvent('call.hangup', on(parked))).payload).toMatchObject({ hangup_cause: 'normal_clearing', hangup_source: 'caller' });
    await receiver.waitForEvent('call.hangup', on(customer.call_control_id));
  }, 60_000);

  it('answers a page call with a placeholder SDP when no far end is given: the SDK goes active without media', async () => {
    sim.rtc.setMediaPeer(undefined);
    const callId = await inPage(page, 'newCall', '+15557779999', []);
    const initiated = await receiver.waitForEvent('call.initiated', (p) => p.direction === 'outgoing' && p.to === '+15557779999');
    const parked = String(initiated.payload.call_control_id);
    await backend.dial({ to: '+15557779999', from: '+15550100000', link_to: parked, bridge_intent: true, bridge_on_answer: true }, cid('outbound'));
    await inPage(page, 'waitCall', { id: callId, state: 'active' });
    expect(sim.rtc.calls()).toContainEqual(expect.objectContaining({ callID: callId, media: 'placeholder', state: 'active' }));

    await backend.hangup(parked, {}, cid('hangup'));
    expect(await inPage(page, 'waitCall', { id: callId, state: 'destroy' })).toMatchObject({ cause: 'NORMAL_CLEARING' });
  }, 60_000);

  it('saw no page errors and no SDK errors', async () => {
    expect(pageErrors).toEqual([]);
    expect(await inPage(page, 'errors')).toEqual([]);
  });
});
