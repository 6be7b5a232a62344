import { createHash } from 'node:crypto';

/**
 * RFC 9562 name-based UUIDs (version 5, SHA-1), byte for byte what `uuid`'s v5 gives, hashed by
 * node:crypto over the UTF-8 bytes directly: the ids of every decided event are derived this way,
 * from texts up to tens of kilobytes, and `uuid` converts those to bytes character by character.
 */
export const uuidV5Namespace = (namespace: string): Buffer => {
  const hex = namespace.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new TypeError(`Not a UUID: ${namespace}`);
  return Buffer.from(hex, 'hex');
};

export const uuidV5 = (name: string, namespace: Buffer): string => {
  const hash = createHash('sha1').update(namespace).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};
