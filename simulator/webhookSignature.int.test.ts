import { generateKeyPairSync } from 'node:crypto';
import Telnyx from 'telnyx';
import { createSimulator, type Simulator } from './index';
import { WebhookReceiver, type ReceivedWebhook } from './testing/webhookReceiver';
import { ed25519PublicKey, verifyTelnyxSignature } from './testing/verify';

describe('simulator webhook signatures', () => {
  let sim: Simulator;
  let receiver: WebhookReceiver;
  let hook: ReceivedWebhook;
  const otherKeyBase64 = (() => {
    const der = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
    return der.subarray(der.length - 32).toString('base64');
  })();

  beforeAll(async () => {
    sim = await createSimulator({ webhooks: { concurrency: 1 } });
    receiver = await WebhookReceiver.start({ publicKeyBase64: sim.publicKeyBase64 });
    sim.control.setWebhookUrls({ webhookUrl: receiver.url });
    sim.world.placeCaller({ from: '+15557654321' });
    const initiated = await receiver.waitForEvent('call.initiated');
    hook = receiver.received.find((h) => h.envelope.data.id === initiated.id)!;
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await sim.close();
    await receiver.close();
  });

  it('sends the v2 envelope Telnyx sends', () => {
    const { data, meta } = hook.envelope;
    expect(data.record_type).toBe('event');
    expect(data.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(data.event_type).toBe('call.initiated');
    expect(data.occurred_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(data.payload).toMatchObject({
      direction: 'incoming',
      state: 'parked',
      from: '+15557654321',
      to: sim.options.mainNumber,
      connection_id: sim.options.connectionId,
      client_state: null,
    });
    expect(String(data.payload.call_control_id)).toMatch(/^v3:/);
    expect(meta).toEqual({ attempt: 1, delivered_to: receiver.url });
    expect(hook.headers['user-agent']).toBe('telnyx-webhooks');
    expect(hook.headers['content-type']).toBe('application/json');
  });

  it('verifies with node:crypto and with the SDK (await client.webhooks.unwrap)', async () => {
    expect(hook.verified).toBe(true);
    expect(verifyTelnyxSignature(ed25519PublicKey(sim.publicKeyBase64), hook.raw, hook.headers)).toBe(true);
    const client = new Telnyx({ apiKey: 'unused', publicKey: sim.publicKeyBase64, baseURL: sim.apiBaseUrl });
    const event = await client.webhooks.unwrap(hook.raw, { headers: hook.headers });
    expect('data' in event && event.data && 'event_type' in event.data ? event.data.event_type : undefined).toBe('call.initiated');
  });

  it('serves the public key it prints', async () => {
    const res = await fetch(`${sim.url}/sim/public-key`);
    expect(await res.json()).toEqual({ public_key: sim.publicKeyBase64 });
    expect(Buffer.from(sim.publicKeyBase64, 'base64')).toHaveLength(32);
  });

  it('fails verification after a one-byte change', async () => {
    const i = hook.raw.indexOf('parked');
    const tampered = `${hook.raw.slice(0, i)}P${hook.raw.slice(i + 1)}`;
    expect(tampered).toHaveLength(hook.raw.length);
    expect(verifyTelnyxSignature(ed25519PublicKey(sim.publicKeyBase64), tampered, hook.headers)).toBe(false);
    const client = new Telnyx({ apiKey: 'unused', publicKey: sim.publicKeyBase64 });
    await expect(client.webhooks.unwrap(tampered, { headers: hook.headers })).rejects.toThrow(/signature/i);
  });

  it('fails verification 301 s after the timestamp', async () => {
    const ts = Number(hook.headers['telnyx-timestamp']);
    const key = ed25519PublicKey(sim.publicKeyBase64);
    expect(verifyTelnyxSignature(key, hook.raw, hook.headers, { nowSec: ts + 300 })).toBe(true);
    expect(verifyTelnyxSignature(key, hook.raw, hook.headers, { nowSec: ts + 301 })).toBe(false);
    const client = new Telnyx({ apiKey: 'unused', publicKey: sim.publicKeyBase64 });
    const spy = jest.spyOn(Date, 'now').mockReturnValue((ts + 301) * 1000);
    await expect(client.webhooks.unwrap(hook.raw, { headers: hook.headers })).rejects.toThrow(/too old/i);
    spy.mockRestore();
  });

  it('fails verification without the signature or timestamp header', async () => {
    const key = ed25519PublicKey(sim.publicKeyBase64);
    const client = new Telnyx({ apiKey: 'unused', publicKey: sim.publicKeyBase64 });
    for (const name of ['telnyx-signature-ed25519', 'telnyx-timestamp']) {
      const headers = { ...hook.headers };
      delete headers[name];
      expect(verifyTelnyxSignature(key, hook.raw, headers)).toBe(false);
      await expect(client.webhooks.unwrap(hook.raw, { headers })).rejects.toThrow(/Missing required header/);
    }
  });

  it('fails verification with another key', async () => {
    expect(verifyTelnyxSignature(ed25519PublicKey(otherKeyBase64), hook.raw, hook.headers)).toBe(false);
    const client = new Telnyx({ apiKey: 'unused', publicKey: otherKeyBase64 });
    await expect(client.webhooks.unwrap(hook.raw, { headers: hook.headers })).rejects.toThrow(/signature/i);
  });

  it('signs each retry afresh with its own timestamp and attempt number', async () => {
    let first = true;
    receiver.respondWith(() => {
      if (first) {
        first = false;
        return 500;
      }
      return 200;
    });
    sim.world.placeCaller({ from: '+15550001111' });
    await receiver.waitUntil(
      () => receiver.received.filter((h) => h.envelope.data.payload.from === '+15550001111' && h.envelope.data.event_type === 'call.initiated').length === 2,
      'a redelivered call.initiated',
    );
    const [a, b] = receiver.received.filter((h) => h.envelope.data.payload.from === '+15550001111' && h.envelope.data.event_type === 'call.initiated');
    expect(a!.status).toBe(500);
    expect(b!.status).toBe(200);
    expect(b!.envelope.data.id).toBe(a!.envelope.data.id);
    expect(b!.envelope.meta.attempt).toBe(2);
    expect(b!.headers['telnyx-signature-ed25519']).not.toBe(a!.headers['telnyx-signature-ed25519']);
    expect(b!.verified).toBe(true);
    receiver.respondWith(() => 200);
  });
});
