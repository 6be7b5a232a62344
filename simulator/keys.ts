import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The simulator's Ed25519 identity: it signs webhooks and telephony-credential tokens. */
export interface SigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Base64 of the 32 raw public key bytes: the value Telnyx shows in Mission Control. */
  publicKeyBase64: string;
}

export function loadSigningKeys(options: { privateKeyPem?: string; keyFile?: string }): SigningKeys {
  if (options.privateKeyPem) return fromPrivate(createPrivateKey(options.privateKeyPem));
  if (options.keyFile && existsSync(options.keyFile)) return fromPrivate(createPrivateKey(readFileSync(options.keyFile, 'utf8')));
  const { privateKey } = generateKeyPairSync('ed25519');
  if (options.keyFile) {
    mkdirSync(dirname(options.keyFile), { recursive: true });
    writeFileSync(options.keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  }
  return fromPrivate(privateKey);
}

function fromPrivate(privateKey: KeyObject): SigningKeys {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('The simulator key must be an Ed25519 private key');
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey, publicKeyBase64: spki.subarray(spki.length - 32).toString('base64') };
}

/** Telnyx's scheme: Ed25519 over the UTF-8 bytes of `${timestamp}|${rawBody}`, base64. */
export function signWebhook(keys: SigningKeys, timestamp: string, rawBody: string): string {
  return sign(null, Buffer.from(`${timestamp}|${rawBody}`, 'utf8'), keys.privateKey).toString('base64');
}
