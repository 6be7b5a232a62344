import Telnyx from 'telnyx';
import { generateTelnyxKeys, signedHeaders, signWebhook, unixSeconds, webhookBody } from '../../test/support/telnyxSigning';
import { ed25519PublicKeyFromBase64, InvalidPublicKeyError, TelnyxSignatureVerifier, WebhookSignatureError, type HeaderBag, type SignatureCheck } from './signature';

const keys = generateTelnyxKeys();
const now = new Date('2026-03-01T10:00:00.000Z');
const nowSeconds = unixSeconds(now);
const verifier = new TelnyxSignatureVerifier({ publicKey: keys.publicKeyBase64, clock: () => now });
const body = webhookBody({ id: '0f6b7a36-2f86-4c59-9d1e-6a7c0a0a0001', eventType: 'call.answered', payload: { call_session_id: 's1', call_control_id: 'v3:c1' } });
const raw = Buffer.from(body, 'utf8');

const reasonOf = (result: SignatureCheck): string => (result.ok ? 'ok' : result.reason);

describe('Telnyx Ed25519 signature verification', () => {
  it('accepts a body signed with the account key', () => {
    expect(verifier.check(raw, signedHeaders(keys.privateKey, body, nowSeconds))).toEqual({ ok: true, timestamp: nowSeconds });
  });

  it('rejects a one-byte change of the body', () => {
    const headers = signedHeaders(keys.privateKey, body, nowSeconds);
    const changed = Buffer.from(raw);
    changed[changed.length - 3] ^= 0x01;
    expect(reasonOf(verifier.check(changed, headers))).toBe('signature_mismatch');
  });

  it('rejects the signature of a different timestamp', () => {
    const headers = { ...signedHeaders(keys.privateKey, body, nowSeconds), 'telnyx-timestamp': String(nowSeconds - 1) };
    expect(reasonOf(verifier.check(raw, headers))).toBe('signature_mismatch');
  });

  it('accepts timestamps up to 300 s away and rejects 301 s old or ahead', () => {
    expect(reasonOf(verifier.check(raw, signedHeaders(keys.privateKey, body, nowSeconds - 300)))).toBe('ok');
    expect(reasonOf(verifier.check(raw, signedHeaders(keys.privateKey, body, nowSeconds + 300)))).toBe('ok');
    expect(reasonOf(verifier.check(raw, signedHeaders(keys.privateKey, body, nowSeconds - 301)))).toBe('stale_timestamp');
    expect(reasonOf(verifier.check(raw, signedHeaders(keys.privateKey, body, nowSeconds + 301)))).toBe('future_timestamp');
  });

  it('rejects missing headers, empty headers and a malformed timestamp', () => {
    const headers = signedHeaders(keys.privateKey, body, nowSeconds);
    expect(reasonOf(verifier.check(raw, { 'telnyx-timestamp': headers['telnyx-timestamp'] }))).toBe('missing_signature');
    expect(reasonOf(verifier.check(raw, { 'telnyx-signature-ed25519': headers['telnyx-signature-ed25519'] }))).toBe('missing_timestamp');
    expect(reasonOf(verifier.check(raw, { ...headers, 'telnyx-signature-ed25519': '' }))).toBe('missing_signature');
    expect(reasonOf(verifier.check(raw, { ...headers, 'telnyx-timestamp': '1.7e9' }))).toBe('invalid_timestamp');
    expect(reasonOf(verifier.check(raw, { ...headers, 'telnyx-timestamp': `-${nowSeconds}` }))).toBe('invalid_timestamp');
  });

  it('rejects a signature made with another key', () => {
    const other = generateTelnyxKeys();
    expect(reasonOf(verifier.check(raw, signedHeaders(other.privateKey, body, nowSeconds)))).toBe('signature_mismatch');
  });

  it('tells a signature of the wrong length from one that is not base64', () => {
    const headers = signedHeaders(keys.privateKey, body, nowSeconds);
    expect(reasonOf(verifier.check(raw, { ...headers, 'telnyx-signature-ed25519': Buffer.alloc(63).toString('base64') }))).toBe('invalid_signature_length');
    expect(reasonOf(verifier.check(raw, { ...headers, 'telnyx-signature-ed25519': headers['telnyx-signature-ed25519'].replace(/.$/, '!') }))).toBe(
      'invalid_signature_encoding',
    );
  });

  it('finds the headers whatever their case, and takes the first of repeated ones', () => {
    const headers = signedHeaders(keys.privateKey, body, nowSeconds);
    const mixedCase: HeaderBag = { 'Telnyx-Signature-Ed25519': headers['telnyx-signature-ed25519'], 'TELNYX-TIMESTAMP': [headers['telnyx-timestamp'], '1'] };
    expect(reasonOf(verifier.check(raw, mixedCase))).toBe('ok');
  });

  it('gives the same verdicts when verifying on the thread pool', async () => {
    const headers = signedHeaders(keys.privateKey, body, nowSeconds);
    const changed = Buffer.from(body.replace('call.answered', 'call.answerex'));
    expect(await verifier.checkAsync(raw, headers)).toEqual(verifier.check(raw, headers));
    expect(await verifier.checkAsync(changed, headers)).toEqual(verifier.check(changed, headers));
    expect(reasonOf(await verifier.checkAsync(changed, headers))).toBe('signature_mismatch');
    expect(reasonOf(await verifier.checkAsync(raw, {}))).toBe('missing_signature');
  });

  it('throws a typed error from assertValid', () => {
    expect(() => verifier.assertValid(raw, {})).toThrow(WebhookSignatureError);
    expect(verifier.assertValid(raw, signedHeaders(keys.privateKey, body, nowSeconds))).toBe(nowSeconds);
  });

  it('refuses a public key that is not 32 bytes of base64', () => {
    expect(() => ed25519PublicKeyFromBase64(Buffer.alloc(31).toString('base64'))).toThrow(InvalidPublicKeyError);
    expect(() => ed25519PublicKeyFromBase64('not base64!')).toThrow(InvalidPublicKeyError);
  });
});

describe('agreement with the telnyx SDK (webhooks.unwrap)', () => {
  const client = new Telnyx({ apiKey: 'KEY_UNUSED_OFFLINE', publicKey: keys.publicKeyBase64 });
  const liveVerifier = new TelnyxSignatureVerifier({ publicKey: keys.publicKeyBase64 });

  const sdkAccepts = async (payload: string, headers: Record<string, string>, key?: string): Promise<boolean> => {
    try {
      await client.webhooks.unwrap(payload, { headers, key });
      return true;
    } catch (error) {
      if ((error as Error).name === 'TelnyxWebhookVerificationError') return false;
      // unwrap parses only after the signature passed: a body that is not JSON was still accepted.
      if (error instanceof SyntaxError) return true;
      throw error;
    }
  };

  const other = generateTelnyxKeys();
  // The SDK reads the wall clock, so offsets stay clear of the 300 s edge by ten seconds.
  const cases: Array<{ name: string; build: (ts: number) => { payload: string; headers: Record<string, string> } }> = [
    { name: 'valid', build: (ts) => ({ payload: body, headers: signedHeaders(keys.privateKey, body, ts) }) },
    { name: 'valid, 290 s old', build: (ts) => ({ payload: body, headers: signedHeaders(keys.privateKey, body, ts - 290) }) },
    { name: 'valid, 290 s ahead', build: (ts) => ({ payload: body, headers: signedHeaders(keys.privateKey, body, ts + 290) }) },
    { name: 'one byte changed', build: (ts) => ({ payload: body.replace('call.answered', 'call.answerec'), headers: signedHeaders(keys.privateKey, body, ts) }) },
    { name: '310 s old', build: (ts) => ({ payload: body, headers: signedHeaders(keys.privateKey, body, ts - 310) }) },
    { name: '310 s ahead', build: (ts) => ({ payload: body, headers: signedHeaders(keys.privateKey, body, ts + 310) }) },
    { name: 'no signature header', build: (ts) => ({ payload: body, headers: { 'telnyx-timestamp': String(ts) } }) },
    { name: 'no timestamp header', build: (ts) => ({ payload: body, headers: { 'telnyx-signature-ed25519': signWebhook(keys.privateKey, body, ts) } }) },
    { name: 'another key', build: (ts) => ({ payload: body, headers: signedHeaders(other.privateKey, body, ts) }) },
    { name: 'short signature', build: (ts) => ({ payload: body, headers: { 'telnyx-signature-ed25519': Buffer.alloc(32).toString('base64'), 'telnyx-timestamp': String(ts) } }) },
    { name: 'signature not base64', build: (ts) => ({ payload: body, headers: { 'telnyx-signature-ed25519': '*'.repeat(88), 'telnyx-timestamp': String(ts) } }) },
    { name: 'timestamp with a fraction', build: (ts) => ({ payload: body, headers: signedHeaders(keys.privateKey, body, `${ts}.5`) }) },
    { name: 'upper-case header names', build: (ts) => {
      const headers = signedHeaders(keys.privateKey, body, ts);
      return { payload: body, headers: { 'Telnyx-Signature-Ed25519': headers['telnyx-signature-ed25519'], 'Telnyx-Timestamp': headers['telnyx-timestamp'] } };
    } },
    { name: 'empty body', build: (ts) => ({ payload: '', headers: signedHeaders(keys.privateKey, '', ts) }) },
    { name: 'non-ASCII body', build: (ts) => {
      const payload = body.replace('call.answered', 'call.answered\u00e9\u{1F4DE}');
      return { payload, headers: signedHeaders(keys.privateKey, payload, ts) };
    } },
  ];

  it.each(cases)('agrees on: $name', async ({ build }) => {
    const { payload, headers } = build(unixSeconds());
    const sdk = await sdkAccepts(payload, headers);
    expect(liveVerifier.check(Buffer.from(payload, 'utf8'), headers).ok).toBe(sdk);
    expect((await liveVerifier.checkAsync(Buffer.from(payload, 'utf8'), headers)).ok).toBe(sdk);
  });

  it('accepts the valid cases and rejects the others (so agreement is not vacuous)', async () => {
    const ts = unixSeconds();
    const verdicts = await Promise.all(cases.map(async ({ name, build }) => [name, await sdkAccepts(build(ts).payload, build(ts).headers)] as const));
    expect(verdicts.filter(([, accepted]) => accepted).map(([name]) => name)).toEqual([
      'valid',
      'valid, 290 s old',
      'valid, 290 s ahead',
      'upper-case header names',
      'empty body',
      'non-ASCII body',
    ]);
  });

  it('agrees when the key is passed to unwrap instead of the client', async () => {
    const headers = signedHeaders(other.privateKey, body, unixSeconds());
    const withOtherKey = new TelnyxSignatureVerifier({ publicKey: other.publicKeyBase64 });
    expect(withOtherKey.check(raw, headers).ok).toBe(true);
    expect(await sdkAccepts(body, headers, other.publicKeyBase64)).toBe(true);
    expect(await sdkAccepts(body, headers)).toBe(false);
  });
});
