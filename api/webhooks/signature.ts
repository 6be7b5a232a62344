import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { CallstreamError } from '../core/errors';

/** Telnyx signs `${telnyx-timestamp}|${raw body}` with Ed25519 (reference/telnyx.md §2). */
export const SIGNATURE_HEADER = 'telnyx-signature-ed25519';
export const TIMESTAMP_HEADER = 'telnyx-timestamp';
/** The tolerance the telnyx SDK hard-codes, in both directions. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
// Strict, padded base64 of exactly 64 bytes: the SDK rejects anything else, so do we.
const SIGNATURE_BASE64 = /^[A-Za-z0-9+/]{86}==$/;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DIGITS = /^\d+$/;

export type SignatureFailureReason =
  | 'missing_signature'
  | 'missing_timestamp'
  | 'invalid_timestamp'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'invalid_signature_encoding'
  | 'invalid_signature_length'
  | 'signature_mismatch';

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: SignatureFailureReason; message: string };

const fail = (reason: SignatureFailureReason, message: string): SignatureCheck => ({ ok: false, reason, message });
const MISMATCH = fail('signature_mismatch', 'signature does not match the timestamp and body');

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

export class WebhookSignatureError extends CallstreamError {
  constructor(
    readonly reason: SignatureFailureReason,
    message: string,
  ) {
    super('UNAUTHENTICATED', message);
  }
}

export class InvalidPublicKeyError extends CallstreamError {
  constructor(message: string) {
    super('VALIDATION', message);
  }
}

export interface SignatureVerifierOptions {
  /** Base64 of the 32 raw bytes of the account's Ed25519 public key (Mission Control). */
  publicKey: string;
  clock?: () => Date;
  toleranceSeconds?: number;
}

/** Case-insensitive header lookup; an empty value counts as absent (as in the SDK). */
export const headerValue = (headers: HeaderBag, name: string): string | undefined => {
  const direct = headers[name];
  const value = direct !== undefined ? direct : findHeaderIgnoringCase(headers, name);
  const first = typeof value === 'string' ? value : value?.[0];
  return first === undefined || first === '' ? undefined : first;
};

const findHeaderIgnoringCase = (headers: HeaderBag, name: string): string | readonly string[] | undefined => {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === lower) return headers[key];
  }
  return undefined;
};

export const ed25519PublicKeyFromBase64 = (publicKey: string): KeyObject => {
  const trimmed = publicKey.trim();
  if (!STRICT_BASE64.test(trimmed)) throw new InvalidPublicKeyError('Telnyx public key is not valid base64');
  const raw = Buffer.from(trimmed, 'base64');
  if (raw.length !== 32) throw new InvalidPublicKeyError(`Telnyx public key must decode to 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
};

export class TelnyxSignatureVerifier {
  private readonly key: KeyObject;
  private readonly clock: () => Date;
  private readonly toleranceSeconds: number;

  constructor(options: SignatureVerifierOptions) {
    this.key = ed25519PublicKeyFromBase64(options.publicKey);
    this.clock = options.clock ?? (() => new Date());
    this.toleranceSeconds = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  }

  check(rawBody: Buffer, headers: HeaderBag): SignatureCheck {
    const prepared = this.prepare(rawBody, headers);
    if ('ok' in prepared) return prepared;
    return verify(null, prepared.signed, this.key, prepared.signature) ? { ok: true, timestamp: prepared.timestamp } : MISMATCH;
  }

  /**
   * The same check with the Ed25519 verification run on libuv's thread pool, so the event loop
   * stays free for other requests while it runs (it is most of the cost of a webhook).
   */
  checkAsync(rawBody: Buffer, headers: HeaderBag): Promise<SignatureCheck> {
    const prepared = this.prepare(rawBody, headers);
    if ('ok' in prepared) return Promise.resolve(prepared);
    return new Promise((resolve) => {
      verify(null, prepared.signed, this.key, prepared.signature, (error, valid) => {
        resolve(!error && valid ? { ok: true, timestamp: prepared.timestamp } : MISMATCH);
      });
    });
  }

  /** Everything but the signature itself: a failure, or the bytes and signature to verify. */
  private prepare(rawBody: Buffer, headers: HeaderBag): SignatureCheck | { signed: Buffer; signature: Buffer; timestamp: number } {
    const signature = headerValue(headers, SIGNATURE_HEADER);
    if (signature === undefined) return fail('missing_signature', `missing header ${SIGNATURE_HEADER}`);
    const timestampText = headerValue(headers, TIMESTAMP_HEADER);
    if (timestampText === undefined) return fail('missing_timestamp', `missing header ${TIMESTAMP_HEADER}`);

    const timestamp = DIGITS.test(timestampText) ? Number(timestampText) : Number.NaN;
    if (!Number.isSafeInteger(timestamp)) return fail('invalid_timestamp', `${TIMESTAMP_HEADER} is not a Unix time in seconds`);
    const nowSeconds = Math.floor(this.clock().getTime() / 1000);
    if (nowSeconds - timestamp > this.toleranceSeconds) return fail('stale_timestamp', `${TIMESTAMP_HEADER} is more than ${this.toleranceSeconds} s old`);
    if (timestamp - nowSeconds > this.toleranceSeconds) return fail('future_timestamp', `${TIMESTAMP_HEADER} is more than ${this.toleranceSeconds} s ahead`);

    if (!SIGNATURE_BASE64.test(signature)) {
      return STRICT_BASE64.test(signature)
        ? fail('invalid_signature_length', `${SIGNATURE_HEADER} must hold a 64-byte signature`)
        : fail('invalid_signature_encoding', `${SIGNATURE_HEADER} is not base64`);
    }
    // The timestamp text is signed exactly as received, then the raw body bytes.
    const signed = Buffer.concat([Buffer.from(`${timestampText}|`, 'utf8'), rawBody]);
    return { signed, signature: Buffer.from(signature, 'base64'), timestamp };
  }

  /** Throws WebhookSignatureError instead of returning a failure. */
  assertValid(rawBody: Buffer, headers: HeaderBag): number {
    const result = this.check(rawBody, headers);
    if (!result.ok) throw new WebhookSignatureError(result.reason, result.message);
    return result.timestamp;
  }
}

