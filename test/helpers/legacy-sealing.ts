import { createCipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Values written the way they were before the sealing and digest keys were derived from PAYLOAD_KEY,
 * for tests that such records stay readable and replayable.
 */

/** A value sealed the way it was before keys were derived: `v1`, PAYLOAD_KEY itself, a 16-byte tag. */
export function legacySeal(k: { id: string; key: Buffer }, externalId: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', k.key, iv);
  cipher.setAAD(Buffer.from(externalId, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ct].map((b) => b.toString('base64'));
  return ['v1', k.id, ...parts].join('.');
}

/** A request digest as it was made before keys were derived: `<key id>:<HMAC with PAYLOAD_KEY>`. */
export const legacyDigest = (k: { id: string; key: Buffer }, canonical: string) =>
  `${k.id}:${createHmac('sha256', k.key).update(canonical, 'utf8').digest('base64url')}`;
