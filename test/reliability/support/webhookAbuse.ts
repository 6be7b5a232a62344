import { request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { DEFAULT_MAX_BODY_BYTES } from '../../../api/webhooks/webhookRouter';
import { legIds, signWebhook, unixSeconds, webhookBody, type TelnyxSigningKeys } from '../../support/telnyxSigning';
import type { WebhookServer } from '../../webhooks/harness';

/** What the intake must answer to one abusive delivery. */
export interface Expected {
  status: number;
  reason: string;
}

/** How the delivery is signed; the timestamp is taken when it is sent. */
export type Signing =
  /** With the server's key, `offsetSeconds` away from now or with `timestampText` as the timestamp header. */
  | { kind: 'server'; offsetSeconds?: number; timestampText?: string }
  /** Correctly, with a key the server does not trust. */
  | { kind: 'foreign'; keyIndex: number }
  /** The server's signature of another body (a captured signature replayed on a changed body). */
  | { kind: 'replayed'; signedBody: Buffer }
  /** 64 random bytes as the signature. */
  | { kind: 'forged'; signature: Uint8Array }
  /** Headers left out (`absent`) or sent empty. */
  | { kind: 'unsigned'; drop: Array<'signature' | 'timestamp'>; absent: boolean };

export interface AbusiveDelivery {
  category: string;
  body: Buffer;
  signing: Signing;
  headers?: Record<string, string>;
  expected: Expected;
}

export interface Answer {
  status: number;
  reason: string | undefined;
  body: Record<string, unknown>;
}

export const BODY_LIMIT = DEFAULT_MAX_BODY_BYTES;

// ---- valid webhooks, the material most cases start from ------------------------------------------

const EVENTS: Array<[string, Record<string, unknown>]> = [
  ['call.initiated', { from: '+15551230000', to: '+15559870000', direction: 'incoming', state: 'parked' }],
  ['call.answered', {}],
  ['call.dtmf.received', { digit: '2' }],
  ['call.gather.ended', { digits: '2', status: 'valid' }],
  ['call.enqueued', { queue: 'support', current_position: 1 }],
  ['call.hangup', { hangup_cause: 'normal_clearing', hangup_source: 'caller' }],
];

export interface WebhookFields {
  id: string;
  callSessionId: string;
  event: number;
  attempt: number;
}

/** A webhook the intake would store: a fresh id, a known call event with a valid payload. */
export const validWebhook: fc.Arbitrary<WebhookFields> = fc.record({
  id: fc.uuid(),
  callSessionId: fc.uuid(),
  event: fc.nat({ max: EVENTS.length - 1 }),
  attempt: fc.integer({ min: 1, max: 5 }),
});

/** The envelope as an object, to break one field of it. */
export const envelopeOf = (fields: WebhookFields, extraPayload: Record<string, unknown> = {}): Record<string, unknown> => {
  const [eventType, extra] = EVENTS[fields.event];
  return JSON.parse(webhookBody({ id: fields.id, eventType, attempt: fields.attempt, payload: { ...legIds(fields.callSessionId), ...extra, ...extraPayload } })) as Record<string, unknown>;
};

export const bodyOf = (fields: WebhookFields, extraPayload: Record<string, unknown> = {}): Buffer => Buffer.from(JSON.stringify(envelopeOf(fields, extraPayload)), 'utf8');

// ---- an oracle for the bytes the signature check lets through -------------------------------------

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** What a correctly signed body is, before its shape is looked at. */
export const bodyKind = (body: Buffer): 'invalid_utf8' | 'malformed_json' | 'json' => {
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    return 'invalid_utf8';
  }
  try {
    JSON.parse(text);
    return 'json';
  } catch {
    return 'malformed_json';
  }
};

/** True for a parsed value that could pass as a webhook envelope (record_type 'event' under data). */
const looksLikeEnvelope = (value: unknown): boolean => {
  if (typeof value !== 'object' || value === null) return false;
  const data = (value as { data?: unknown }).data;
  return typeof data === 'object' && data !== null && (data as { record_type?: unknown }).record_type === 'event';
};

const signedByServer = (category: string, body: Buffer, expected: Expected, headers?: Record<string, string>): AbusiveDelivery => ({
  category,
  body,
  signing: { kind: 'server' },
  expected,
  ...(headers ? { headers } : {}),
});

const validation = (reason: string): Expected => ({ status: 400, reason });
const unauthenticated = (reason: string): Expected => ({ status: 401, reason });

// ---- the categories ------------------------------------------------------------------------------

/** Text that is not JSON: a cut webhook, a webhook with JSON's usual mistakes, any string JSON.parse refuses. */
const malformedJson: fc.Arbitrary<AbusiveDelivery> = fc
  .oneof(
    fc.tuple(validWebhook, fc.nat()).map(([fields, at]) => {
      const body = bodyOf(fields);
      return body.subarray(0, at % (body.length - 1));
    }),
    fc
      .tuple(
        validWebhook,
        fc.constantFrom<Array<(text: string) => string>>(
          (t) => `${t.slice(0, -1)},}`,
          (t) => t.replace(/"/g, "'"),
          (t) => t.replace('"attempt":', '"attempt":NaN,"x":'),
          (t) => `// a comment\n${t}`,
          (t) => `\uFEFF${t}`,
          (t) => `${t}${t}`,
          (t) => `${t}x`,
          (t) => t.replace(/"data"/, 'data'),
          (t) => t.replace(/:/, '::'),
        ),
      )
      .map(([fields, change]) => Buffer.from(change(bodyOf(fields).toString('utf8')), 'utf8')),
    fc.string({ maxLength: 300, unit: 'binary' }).map((text) => Buffer.from(text, 'utf8')),
  )
  .filter((body) => bodyKind(body) === 'malformed_json')
  .map((body) => signedByServer('malformedJson', body, validation('malformed_json')));

/** Random bytes, signed: whatever they are, they are refused for what they are. */
const randomBytes: fc.Arbitrary<AbusiveDelivery> = fc.uint8Array({ maxLength: 4096 }).map((bytes) => {
  const body = Buffer.from(bytes);
  const kind = bodyKind(body);
  return signedByServer('randomBytes', body, validation(kind === 'json' ? 'invalid_envelope' : kind));
});

const BAD_UTF8: number[][] = [[0xff], [0xfe], [0x80], [0xc0, 0xaf], [0xc1, 0xbf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc3], [0xe2, 0x82]];

/** A webhook the intake would store but for an invalid UTF-8 sequence somewhere in it, or written in Latin-1. */
const notUtf8: fc.Arbitrary<AbusiveDelivery> = fc
  .oneof(
    fc.tuple(validWebhook, fc.constantFrom(...BAD_UTF8), fc.nat()).map(([fields, sequence, at]) => {
      const body = bodyOf(fields);
      const position = at % (body.length + 1);
      return Buffer.concat([body.subarray(0, position), Buffer.from(sequence), body.subarray(position)]);
    }),
    validWebhook.map((fields) => Buffer.from(JSON.stringify(envelopeOf(fields, { caller_name: 'Zoë Müller-Café' })), 'latin1')),
  )
  .map((body) => signedByServer('notUtf8', body, validation('invalid_utf8')));

type Breakage = (envelope: { data: Record<string, unknown>; meta?: Record<string, unknown> }) => unknown;

const BROKEN_ENVELOPES: Breakage[] = [
  ({ data }) => ({ data: { ...data, id: undefined } }),
  ({ data }) => ({ data: { ...data, id: '' } }),
  ({ data }) => ({ data: { ...data, id: 'x'.repeat(257) } }),
  ({ data }) => ({ data: { ...data, id: 42 } }),
  ({ data }) => ({ data: { ...data, record_type: 'call' } }),
  ({ data }) => ({ data: { ...data, event_type: 'call answered' } }),
  ({ data }) => ({ data: { ...data, event_type: `call.${'x'.repeat(130)}` } }),
  ({ data }) => ({ data: { ...data, occurred_at: 'yesterday' } }),
  ({ data }) => ({ data: { ...data, occurred_at: 1767268800 } }),
  ({ data }) => ({ data: { ...data, payload: null } }),
  ({ data }) => ({ data: { ...data, payload: ['call_session_id'] } }),
  ({ data, meta }) => ({ data, meta: { ...meta, attempt: 0 } }),
  ({ data, meta }) => ({ data, meta: { ...meta, attempt: 1.5 } }),
  ({ data, meta }) => ({ data, meta: { ...meta, delivered_to: null } }),
  ({ data }) => ({ data: [data] }),
  ({ data }) => [{ data }],
  ({ data }) => ({ payload: data }),
];

const BROKEN_PAYLOADS: Array<(payload: Record<string, unknown>) => Record<string, unknown>> = [
  ({ call_session_id: _dropped, ...rest }) => rest,
  (payload) => ({ ...payload, call_session_id: '' }),
  (payload) => ({ ...payload, call_session_id: 7 }),
  ({ call_control_id: _dropped, ...rest }) => rest,
  (payload) => ({ ...payload, call_control_id: { id: 'v3:x' } }),
];

/** Valid JSON that is not a webhook: any JSON value, an envelope with one field broken, a call event whose payload lacks what callstream relies on. */
const wrongShape: fc.Arbitrary<AbusiveDelivery> = fc.oneof(
  fc
    .jsonValue()
    .filter((value) => !looksLikeEnvelope(value))
    .map((value) => signedByServer('wrongShape', Buffer.from(JSON.stringify(value) ?? 'null', 'utf8'), validation('invalid_envelope'))),
  fc.tuple(validWebhook, fc.constantFrom(...BROKEN_ENVELOPES)).map(([fields, breakage]) => {
    const envelope = envelopeOf(fields) as { data: Record<string, unknown>; meta?: Record<string, unknown> };
    return signedByServer('wrongShape', Buffer.from(JSON.stringify(breakage(envelope)), 'utf8'), validation('invalid_envelope'));
  }),
  fc.tuple(validWebhook, fc.constantFrom(...BROKEN_PAYLOADS)).map(([fields, breakage]) => {
    const envelope = envelopeOf(fields) as { data: { payload: Record<string, unknown> } };
    envelope.data.payload = breakage(envelope.data.payload);
    return signedByServer('wrongShape', Buffer.from(JSON.stringify(envelope), 'utf8'), validation('invalid_payload'));
  }),
);

/** A webhook padded past the body limit, correctly signed: it would be stored if the limit did not hold. */
const huge: fc.Arbitrary<AbusiveDelivery> = fc.tuple(validWebhook, fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT * 4 })).map(([fields, size]) => {
  const bare = bodyOf(fields, { padding: '' }).length;
  return signedByServer('huge', bodyOf(fields, { padding: 'x'.repeat(size - bare) }), { status: 413, reason: 'body_too_large' });
});

const unsigned: fc.Arbitrary<AbusiveDelivery> = fc
  .tuple(validWebhook, fc.constantFrom<Array<Array<'signature' | 'timestamp'>>>(['signature'], ['timestamp'], ['signature', 'timestamp']), fc.boolean())
  .map(([fields, drop, absent]) => ({
    category: 'unsigned',
    body: bodyOf(fields),
    signing: { kind: 'unsigned', drop, absent },
    expected: unauthenticated(drop.includes('signature') ? 'missing_signature' : 'missing_timestamp'),
  }));

/** Signed with the right key, more than the 300 s tolerance (and a margin for the clock ticking) away from now. */
const staleOrFuture: fc.Arbitrary<AbusiveDelivery> = fc
  .tuple(validWebhook, fc.integer({ min: 310, max: 10 * 365 * 24 * 3600 }), fc.boolean())
  .map(([fields, seconds, stale]) => ({
    category: 'staleOrFuture',
    body: bodyOf(fields),
    signing: { kind: 'server', offsetSeconds: stale ? -seconds : seconds },
    expected: unauthenticated(stale ? 'stale_timestamp' : 'future_timestamp'),
  }));

/** Timestamps that are not Unix seconds, signed over exactly that text. */
const badTimestamp: fc.Arbitrary<AbusiveDelivery> = fc
  .tuple(
    validWebhook,
    fc.oneof(
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.integer({ min: 16, max: 40 }).map((digits) => '9'.repeat(digits)),
      fc.constantFrom('-5', '+1767268800', '1767268800.5', '0x69566A00', '1.7e9', '17 67 26 88 00', 'Infinity', 'NaN', '１７６７２６８８００'),
    ),
  )
  // What fetch puts on the wire: no control characters, no surrounding whitespace.
  .map(([fields, text]) => [fields, text.replace(/[^\x20-\x7e]/g, '').trim()] as const)
  .filter(([, text]) => text !== '' && !(/^\d+$/.test(text) && Number.isSafeInteger(Number(text))))
  .map(([fields, text]) => ({ category: 'badTimestamp', body: bodyOf(fields), signing: { kind: 'server', timestampText: text }, expected: unauthenticated('invalid_timestamp') }));

/** The server's valid signature of one webhook sent with another (another webhook, or the same one changed). */
const replayedSignature: fc.Arbitrary<AbusiveDelivery> = fc
  .tuple(
    validWebhook,
    fc.oneof(
      validWebhook.map((other) => (_: WebhookFields) => other),
      fc.integer({ min: 6, max: 99 }).map((attempt) => (fields: WebhookFields) => ({ ...fields, attempt })),
      fc.uuid().map((callSessionId) => (fields: WebhookFields) => ({ ...fields, callSessionId })),
    ),
  )
  .map(([fields, change]) => [bodyOf(fields), bodyOf(change(fields))] as const)
  .filter(([signed, sent]) => !signed.equals(sent))
  .map(([signed, sent]) => ({ category: 'replayedSignature', body: sent, signing: { kind: 'replayed', signedBody: signed }, expected: unauthenticated('signature_mismatch') }));

/** Signed correctly by a key the server does not trust, or carrying 64 random bytes as the signature. */
const foreignKey = (foreignKeys: number): fc.Arbitrary<AbusiveDelivery> =>
  fc.oneof(
    fc.tuple(validWebhook, fc.nat({ max: foreignKeys - 1 })).map(([fields, keyIndex]): AbusiveDelivery => ({
      category: 'foreignKey',
      body: bodyOf(fields),
      signing: { kind: 'foreign', keyIndex },
      expected: unauthenticated('signature_mismatch'),
    })),
    fc.tuple(validWebhook, fc.uint8Array({ minLength: 64, maxLength: 64 })).map(([fields, signature]): AbusiveDelivery => ({
      category: 'foreignKey',
      body: bodyOf(fields),
      signing: { kind: 'forged', signature },
      expected: unauthenticated('signature_mismatch'),
    })),
  );

/** A correctly signed webhook declared compressed though it is not (400), or in an encoding the intake does not know (415). */
const badEncoding: fc.Arbitrary<AbusiveDelivery> = fc.tuple(validWebhook, fc.constantFrom('gzip', 'deflate', 'br', 'compress', 'x-unknown', 'gzip, gzip')).map(([fields, encoding]) =>
  signedByServer('badEncoding', bodyOf(fields), ['gzip', 'deflate', 'br'].includes(encoding) ? validation('unreadable_body') : { status: 415, reason: 'unreadable_body' }, {
    'content-encoding': encoding,
  }),
);

/** Every category, in the order the campaign runs them; `huge` runs fewer cases (each is up to 1 MiB). */
export const webhookCategories = (foreignKeys: number): Array<{ name: string; arbitrary: fc.Arbitrary<AbusiveDelivery>; share: number }> => [
  { name: 'malformedJson', arbitrary: malformedJson, share: 1 },
  { name: 'randomBytes', arbitrary: randomBytes, share: 1 },
  { name: 'notUtf8', arbitrary: notUtf8, share: 1 },
  { name: 'wrongShape', arbitrary: wrongShape, share: 1 },
  { name: 'huge', arbitrary: huge, share: 0.25 },
  { name: 'unsigned', arbitrary: unsigned, share: 1 },
  { name: 'staleOrFuture', arbitrary: staleOrFuture, share: 1 },
  { name: 'badTimestamp', arbitrary: badTimestamp, share: 1 },
  { name: 'replayedSignature', arbitrary: replayedSignature, share: 1 },
  { name: 'foreignKey', arbitrary: foreignKey(foreignKeys), share: 1 },
  { name: 'badEncoding', arbitrary: badEncoding, share: 1 },
];

// ---- sending --------------------------------------------------------------------------------------

/** The headers of a delivery, signed at the moment it is sent. */
export const headersFor = (delivery: AbusiveDelivery, server: WebhookServer, foreign: readonly TelnyxSigningKeys[]): Record<string, string> => {
  const now = unixSeconds();
  const signing = delivery.signing;
  const signed = (key: TelnyxSigningKeys, body: Buffer, timestamp: string): Record<string, string> => ({
    'telnyx-signature-ed25519': signWebhook(key.privateKey, body, timestamp),
    'telnyx-timestamp': timestamp,
  });
  let headers: Record<string, string>;
  switch (signing.kind) {
    case 'server':
      headers = signed(server.keys, delivery.body, signing.timestampText ?? String(now + (signing.offsetSeconds ?? 0)));
      break;
    case 'foreign':
      headers = signed(foreign[signing.keyIndex], delivery.body, String(now));
      break;
    case 'replayed':
      headers = signed(server.keys, signing.signedBody, String(now));
      break;
    case 'forged':
      headers = { 'telnyx-signature-ed25519': Buffer.from(signing.signature).toString('base64'), 'telnyx-timestamp': String(now) };
      break;
    case 'unsigned': {
      headers = signed(server.keys, delivery.body, String(now));
      for (const name of signing.drop) {
        const header = name === 'signature' ? 'telnyx-signature-ed25519' : 'telnyx-timestamp';
        if (signing.absent) delete headers[header];
        else headers[header] = '';
      }
      break;
    }
  }
  return { 'content-type': 'application/json', ...headers, ...delivery.headers };
};

/** POSTs raw bytes with exactly these headers (the harness's deliver always adds both signature headers). */
export const post = async (server: WebhookServer, body: Buffer, headers: Record<string, string>, path = '/webhooks/telnyx'): Promise<Answer> => {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers, body: new Uint8Array(body) });
  const text = await response.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Anything but a JSON answer fails the campaign's expectations, with the text to look at.
    json = { notJson: text.slice(0, 500) };
  }
  const reason = (json.error as { reason?: string } | undefined)?.reason;
  return { status: response.status, reason, body: json };
};

export interface StreamedUpload {
  status: number;
  body: string;
  bytesSent: number;
  /** The most this process's Buffer memory (memoryUsage().arrayBuffers) stayed above its start after a full GC, at each checkpoint. */
  retainedAfterGc: number;
  checkpoints: number;
}

/** V8's gc(), exposed at run time when node was started without --expose-gc. */
const collectGarbage = (): (() => void) => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
};

/**
 * Streams `totalBytes` as a chunked request body (no Content-Length, so only counting can stop it),
 * one reused chunk at a time with backpressure. Every `checkEvery` bytes it pauses, lets the server
 * read what is in flight, collects garbage and notes how much Buffer memory this process still
 * holds: the server runs in this process, so a server that kept the body would show it there.
 */
export const streamUpload = (url: string, totalBytes: number, checkEvery: number): Promise<StreamedUpload> =>
  new Promise((resolve, reject) => {
    const gc = collectGarbage();
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    chunk.write('{"data":');
    gc();
    const baseline = process.memoryUsage().arrayBuffers;
    let retained = 0;
    let checkpoints = 0;
    let nextCheck = checkEvery;
    let bytesSent = 0;
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } });
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => (body += text));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, bytesSent, retainedAfterGc: retained, checkpoints }));
    });
    const pump = (): void => {
      while (bytesSent < totalBytes) {
        if (bytesSent >= nextCheck) {
          nextCheck += checkEvery;
          setTimeout(() => {
            gc();
            retained = Math.max(retained, process.memoryUsage().arrayBuffers - baseline);
            checkpoints += 1;
            pump();
          }, 20);
          return;
        }
        bytesSent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
