import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** An Ed25519 key pair in the shapes Telnyx uses: the public key as base64 of its 32 raw bytes. */
export interface TelnyxSigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyBase64: string;
}

export const generateTelnyxKeys = (): TelnyxSigningKeys => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  // The SPKI DER of an Ed25519 key is a fixed 12-byte prefix followed by the 32 raw key bytes.
  return { privateKey, publicKey, publicKeyBase64: spki.subarray(spki.length - 32).toString('base64') };
};

/** Signs `${timestamp}|${body}` the way Telnyx does; returns the base64 signature. */
export const signWebhook = (privateKey: KeyObject, body: string | Buffer, timestamp: number | string): string =>
  sign(null, Buffer.concat([Buffer.from(`${timestamp}|`, 'utf8'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')]), privateKey).toString('base64');

export const unixSeconds = (date: Date = new Date()): number => Math.floor(date.getTime() / 1000);

/** The two Telnyx headers for a body signed at `timestamp` (default: now). */
export const signedHeaders = (
  privateKey: KeyObject,
  body: string | Buffer,
  timestamp: number | string = unixSeconds(),
): { 'telnyx-signature-ed25519': string; 'telnyx-timestamp': string } => ({
  'telnyx-signature-ed25519': signWebhook(privateKey, body, timestamp),
  'telnyx-timestamp': String(timestamp),
});

export interface WebhookFields {
  id: string;
  eventType: string;
  occurredAt?: string;
  payload?: Record<string, unknown>;
  attempt?: number;
  deliveredTo?: string;
}

/** A v2 webhook body (reference/telnyx.md §1.1) as Telnyx would serialise it. */
export const webhookBody = (fields: WebhookFields): string =>
  JSON.stringify({
    data: {
      record_type: 'event',
      id: fields.id,
      event_type: fields.eventType,
      occurred_at: fields.occurredAt ?? '2026-01-01T12:00:00.000000Z',
      payload: fields.payload ?? {},
    },
    meta: { attempt: fields.attempt ?? 1, delivered_to: fields.deliveredTo ?? 'http://127.0.0.1/webhooks/telnyx' },
  });

/** The ids every call event carries, for one leg of a call session. */
export const legIds = (callSessionId: string, leg = 'a'): Record<string, string> => ({
  call_control_id: `v3:${callSessionId}-${leg}`,
  call_leg_id: `${callSessionId.slice(0, 24)}-${leg}`,
  call_session_id: callSessionId,
  connection_id: '1234567890',
});
