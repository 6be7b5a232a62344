import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { TelnyxWebhookReceivedData } from '../../api/webhooks/webhookIntake';
import { signWebhook, unixSeconds } from '../support/telnyxSigning';
import { callWebhooks } from './callScript';
import { startWebhookServer, type WebhookServer } from './harness';

type Headers = Record<string, string>;

type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; byte: number }
  | { kind: 'dropHeader'; name: 'telnyx-signature-ed25519' | 'telnyx-timestamp' }
  | { kind: 'shiftTimestamp'; by: number }
  | { kind: 'randomSignature'; bytes: Uint8Array }
  | { kind: 'signatureText'; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('dropHeader' as const), name: fc.constantFrom('telnyx-signature-ed25519' as const, 'telnyx-timestamp' as const) }),
  fc.record({ kind: fc.constant('shiftTimestamp' as const), by: fc.integer({ min: -400, max: 400 }).filter((by) => by !== 0) }),
  fc.record({ kind: fc.constant('randomSignature' as const), bytes: fc.uint8Array({ minLength: 0, maxLength: 80 }) }),
  fc.record({ kind: fc.constant('signatureText' as const), text: fc.string({ maxLength: 100 }) }),
);

const apply = (body: Buffer, headers: Headers, change: Mutation): [Buffer, Headers] => {
  switch (change.kind) {
    case 'flip': {
      if (body.length === 0) return [body, headers];
      const copy = Buffer.from(body);
      copy[change.at % copy.length] ^= change.mask;
      return [copy, headers];
    }
    case 'truncate':
      return [body.subarray(0, body.length === 0 ? 0 : change.at % body.length), headers];
    case 'insert': {
      const at = change.at % (body.length + 1);
      return [Buffer.concat([body.subarray(0, at), Buffer.from([change.byte]), body.subarray(at)]), headers];
    }
    case 'dropHeader': {
      const { [change.name]: _dropped, ...rest } = headers;
      return [body, rest];
    }
    case 'shiftTimestamp':
      return headers['telnyx-timestamp'] === undefined ? [body, headers] : [body, { ...headers, 'telnyx-timestamp': String(Number(headers['telnyx-timestamp']) + change.by) }];
    case 'randomSignature':
      return [body, { ...headers, 'telnyx-signature-ed25519': Buffer.from(change.bytes).toString('base64') }];
    case 'signatureText':
      // fetch refuses header values it cannot send; keep what an HTTP client could put on the wire.
      return [body, { ...headers, 'telnyx-signature-ed25519': change.text.replace(/[^\x20-\x7e]/g, '').trim() }];
  }
};

const post = async (server: WebhookServer, body: Buffer, headers: Headers): Promise<{ status: number; json: Record<string, unknown> }> => {
  const response = await fetch(`${server.url}/webhooks/telnyx`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: new Uint8Array(body) });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text) as Record<string, unknown> };
};

describe('webhook intake under random mutation (fast-check)', () => {
  let server: WebhookServer;

  beforeAll(async () => {
    server = await startWebhookServer();
  });

  afterAll(async () => {
    await server.close();
  });

  it('answers 401 to any change of a signed delivery and never appends', async () => {
    const [webhook] = callWebhooks(randomUUID(), 1);
    const original = Buffer.from(webhook.body(), 'utf8');
    const timestamp = String(unixSeconds());
    const signed: Headers = { 'telnyx-signature-ed25519': signWebhook(server.keys.privateKey, original, timestamp), 'telnyx-timestamp': timestamp };
    const headBefore = await server.store.headPosition();

    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), async (changes, upperCaseNames) => {
        let body: Buffer = original;
        let headers: Headers = signed;
        for (const change of changes) [body, headers] = apply(body, headers, change);
        fc.pre(!(body.equals(original) && headers['telnyx-signature-ed25519'] === signed['telnyx-signature-ed25519'] && headers['telnyx-timestamp'] === timestamp));
        if (upperCaseNames) headers = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]));

        const answer = await post(server, body, headers);

        expect(answer.status).toBe(401);
        expect(answer.json).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
        expect(await server.store.headPosition()).toBe(headBefore);
      }),
      { numRuns: 150 },
    );

    expect((await post(server, original, signed)).json).toMatchObject({ status: 'appended' });
  });

  it('answers 400 or stores exactly what was sent when a changed body is signed correctly', async () => {
    const [webhook] = callWebhooks(randomUUID(), 1);
    const original = Buffer.from(webhook.body(), 'utf8');

    const byteChange: fc.Arbitrary<Mutation> = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    );
    const changedBody: fc.Arbitrary<Buffer> = fc.array(byteChange, { minLength: 1, maxLength: 3 }).map((changes) =>
      changes.reduce((body: Buffer, change) => apply(body, {}, change)[0], original),
    );
    const anyBytes: fc.Arbitrary<Buffer> = fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes));

    await fc.assert(
      fc.asyncProperty(
        fc.oneof(changedBody, anyBytes),
        async (body: Buffer) => {
          const headBefore = await server.store.headPosition();
          const timestamp = String(unixSeconds());

          const answer = await post(server, body, { 'telnyx-signature-ed25519': signWebhook(server.keys.privateKey, body, timestamp), 'telnyx-timestamp': timestamp });

          expect([200, 400]).toContain(answer.status);
          const head = await server.store.headPosition();
          if (answer.status === 400 || answer.json.status === 'duplicate') {
            expect(head).toBe(headBefore);
          } else {
            const [stored] = await server.store.readAll({ fromPosition: headBefore });
            expect(Buffer.from((stored.data as TelnyxWebhookReceivedData).raw, 'utf8').equals(body)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
