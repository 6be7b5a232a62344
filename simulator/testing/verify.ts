import { createPublicKey, verify, type KeyObject } from 'node:crypto';

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function ed25519PublicKey(publicKeyBase64: string): KeyObject {
  const raw = Buffer.from(publicKeyBase64, 'base64');
  if (raw.length !== 32) throw new Error(`an Ed25519 public key has 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

/**
 * Telnyx webhook check with node:crypto: Ed25519 over `${timestamp}|${rawBody}`, timestamp within
 * ±toleranceSec of `nowSec`.
 */
export function verifyTelnyxSignature(
  key: KeyObject,
  rawBody: Buffer | string,
  headers: Record<string, string | string[] | undefined>,
  options: { nowSec?: number; toleranceSec?: number } = {},
): boolean {
  const sig = single(headers['telnyx-signature-ed25519']);
  const ts = single(headers['telnyx-timestamp']);
  if (!sig || !ts || !/^\d+$/.test(ts)) return false;
  const now = options.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(ts)) > (options.toleranceSec ?? 300)) return false;
  const signature = Buffer.from(sig, 'base64');
  if (signature.length !== 64) return false;
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  return verify(null, Buffer.concat([Buffer.from(`${ts}|`, 'utf8'), body]), key, signature);
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
