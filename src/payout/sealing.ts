import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { PayloadKey } from '../config.js';

/**
 * payment_data at rest: AES-256-GCM with the current PAYLOAD_KEY, the key's id stored beside the
 * ciphertext so older keys (PAYLOAD_OLD_KEYS) still open what they sealed. The external_id is bound
 * in as associated data, so a ciphertext moved to another record does not open.
 */

export interface PayloadKeys {
  current: PayloadKey;
  previous: readonly PayloadKey[];
}

/** The sealed value names a key that is not configured, or its authentication failed. */
export class SealError extends Error {
  override readonly name = 'SealError';
}

const VERSION = 'v1';

const keyById = (keys: PayloadKeys, id: string): PayloadKey | undefined =>
  [keys.current, ...keys.previous].find((k) => k.id === id);

export function seal(keys: PayloadKeys, externalId: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keys.current.key, iv);
  cipher.setAAD(Buffer.from(externalId, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    VERSION,
    keys.current.id,
    iv.toString('base64'),
    cipher.getAuthTag().toString('base64'),
    ct.toString('base64'),
  ].join('.');
}

export function open(keys: PayloadKeys, externalId: string, sealed: string): string {
  const [version, id, iv, tag, ct] = sealed.split('.');
  if (version !== VERSION || !id || !iv || !tag || ct === undefined)
    throw new SealError('sealed payload is malformed');
  const key = keyById(keys, id);
  if (!key) throw new SealError(`sealed with payload key ${id}, which is not configured (PAYLOAD_OLD_KEYS?)`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(externalId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new SealError(`sealed payload did not authenticate with payload key ${id}`);
  }
}

/** The key id a sealed value was made with; re-sealing values with an old id completes a rotation. */
export const sealedKeyId = (sealed: string): string | undefined => sealed.split('.')[1];

/**
 * A keyed digest of the normalized request, to tell "the same request again" from "another body".
 * Keyed, because a plain hash of a card number can be reversed by trying every number.
 */
export function requestDigest(keys: PayloadKeys, canonical: string, keyId = keys.current.id): string {
  const key = keyById(keys, keyId);
  if (!key) throw new SealError(`request digest made with payload key ${keyId}, which is not configured`);
  return `${key.id}:${createHmac('sha256', key.key).update(canonical, 'utf8').digest('base64url')}`;
}

/**
 * Whether `digest` is the digest of `canonical`, made with whichever configured key it names: after a
 * PAYLOAD_KEY rotation, a request accepted under an old key (still in PAYLOAD_OLD_KEYS) is still
 * recognised as the same. A digest made with a key no longer configured cannot be compared: false.
 */
export function isDigestOf(keys: PayloadKeys, canonical: string, digest: string): boolean {
  const keyId = digest.split(':')[0] ?? '';
  if (!keyById(keys, keyId)) return false;
  return requestDigest(keys, canonical, keyId) === digest;
}

/** JSON with object keys sorted at every depth: the same request always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
