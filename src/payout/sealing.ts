import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import type { PayloadKey } from '../config.js';

/**
 * payment_data at rest: AES-256-GCM with a key derived from the current PAYLOAD_KEY, the key's id
 * stored beside the ciphertext so older keys (PAYLOAD_OLD_KEYS) still open what they sealed. The
 * external_id is bound in as associated data, so a ciphertext moved to another record does not open.
 *
 * The sealing key and the request digest's key are derived from PAYLOAD_KEY by HKDF-SHA256 under
 * labels of their own, so no one key serves two algorithms. Values written before (`v1` seals and
 * digests without a version) used PAYLOAD_KEY itself for both; they are still read and compared.
 */

export interface PayloadKeys {
  current: PayloadKey;
  previous: readonly PayloadKey[];
}

/** The sealed value names a key that is not configured, or its authentication failed. */
export class SealError extends Error {
  override readonly name = 'SealError';
}

/** Seals made with the derived key; `v1` seals (PAYLOAD_KEY itself) are still opened. */
const VERSION = 'v2';
const LEGACY_VERSION = 'v1';
/** The full GCM tag: a shorter one would let a forger try far fewer guesses. */
const AUTH_TAG_BYTES = 16;
const IV_BYTES = 12;
/** Marks a digest made with the derived key; a digest without it is a legacy one (`<key id>:<mac>`). */
const DIGEST_VERSION = 'd2';

/** HKDF labels: each use of PAYLOAD_KEY gets a key of its own. */
const LABELS = {
  seal: 'cabbagino-payouts/payment-data-seal/aes-256-gcm',
  digest: 'cabbagino-payouts/request-digest/hmac-sha256',
  session: 'cabbagino-payouts/console-session/cookie-signature',
} as const;

const derived = new WeakMap<Buffer, Record<keyof typeof LABELS, Buffer>>();

/** The keys derived from one PAYLOAD_KEY, computed once per key. */
function derivedKeys(key: PayloadKey): Record<keyof typeof LABELS, Buffer> {
  let out = derived.get(key.key);
  if (!out) {
    const derive = (label: string) => Buffer.from(hkdfSync('sha256', key.key, Buffer.alloc(0), label, 32));
    out = { seal: derive(LABELS.seal), digest: derive(LABELS.digest), session: derive(LABELS.session) };
    derived.set(key.key, out);
  }
  return out;
}

/** Signs the console's session cookie: the same on every API process, and across restarts. */
export const sessionSecret = (keys: PayloadKeys): string =>
  derivedKeys(keys.current).session.toString('base64');

const keyById = (keys: PayloadKeys, id: string): PayloadKey | undefined =>
  [keys.current, ...keys.previous].find((k) => k.id === id);

/**
 * IVs are cut from a block of CSPRNG output, each 12 bytes used once and never again: asking the
 * generator for 12 bytes per seal cost more than the encryption itself. GCM needs an IV that never
 * repeats under a key; random 96-bit IVs give that, however they are fetched.
 */
const IV_POOL_BYTES = IV_BYTES * 512;
let ivPool = Buffer.alloc(0);
let ivTaken = 0;

function nextIv(): Buffer {
  if (ivTaken + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_POOL_BYTES);
    ivTaken = 0;
  }
  const iv = ivPool.subarray(ivTaken, ivTaken + IV_BYTES);
  ivTaken += IV_BYTES;
  return iv;
}

export function seal(keys: PayloadKeys, externalId: string, plaintext: string): string {
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', derivedKeys(keys.current).seal, iv, {
    authTagLength: AUTH_TAG_BYTES,
  });
  cipher.setAAD(Buffer.from(externalId, 'utf8'));
  // base64 straight from the cipher: the same text as the joined ciphertext's, without the copies.
  const ct = cipher.update(plaintext, 'utf8', 'base64') + cipher.final('base64');
  return `${VERSION}.${keys.current.id}.${iv.toString('base64')}.${cipher.getAuthTag().toString('base64')}.${ct}`;
}

export function open(keys: PayloadKeys, externalId: string, sealed: string): string {
  const [version, id, iv, tag, ct] = sealed.split('.');
  if ((version !== VERSION && version !== LEGACY_VERSION) || !id || !iv || !tag || ct === undefined)
    throw new SealError('sealed payload is malformed');
  const key = keyById(keys, id);
  if (!key) throw new SealError(`sealed with payload key ${id}, which is not configured (PAYLOAD_OLD_KEYS?)`);
  const tagBytes = Buffer.from(tag, 'base64');
  // Node accepts a shorter tag than the one sealed with unless told its length: refuse it outright.
  if (tagBytes.length !== AUTH_TAG_BYTES) throw new SealError('sealed payload has a truncated auth tag');
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      version === VERSION ? derivedKeys(key).seal : key.key,
      Buffer.from(iv, 'base64'),
      { authTagLength: AUTH_TAG_BYTES },
    );
    decipher.setAAD(Buffer.from(externalId, 'utf8'));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new SealError(`sealed payload did not authenticate with payload key ${id}`);
  }
}

/** The key id a sealed value was made with; re-sealing values with an old id completes a rotation. */
export const sealedKeyId = (sealed: string): string | undefined => sealed.split('.')[1];

const mac = (key: Buffer, canonical: string) =>
  createHmac('sha256', key).update(canonical, 'utf8').digest('base64url');

/**
 * A keyed digest of the normalized request, to tell "the same request again" from "another body":
 * `d2:<key id>:<HMAC>`. Keyed, because a plain hash of a card number can be reversed by trying every
 * number.
 */
export function requestDigest(keys: PayloadKeys, canonical: string): string {
  return `${DIGEST_VERSION}:${keys.current.id}:${mac(derivedKeys(keys.current).digest, canonical)}`;
}

/**
 * Whether `digest` is the digest of `canonical`, made with whichever configured key it names: after a
 * PAYLOAD_KEY rotation, a request accepted under an old key (still in PAYLOAD_OLD_KEYS) is still
 * recognised as the same, and so is one accepted before digests used a derived key
 * (`<key id>:<HMAC>`). A digest made with a key no longer configured cannot be compared: false.
 */
export function isDigestOf(keys: PayloadKeys, canonical: string, digest: string): boolean {
  const parts = digest.split(':');
  const [keyId, legacy] =
    parts.length === 3 && parts[0] === DIGEST_VERSION ? [parts[1], false] : [parts[0], true];
  const key = keyById(keys, keyId ?? '');
  if (!key || parts.length !== (legacy ? 2 : 3)) return false;
  const expected = Buffer.from(mac(legacy ? key.key : derivedKeys(key).digest, canonical));
  const given = Buffer.from(parts.at(-1) ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * JSON with object keys sorted at every depth: the same request always gives the same text. Its
 * output is part of every stored digest, so it must never change: undefined fields are left out, an
 * undefined array item is written as nothing, as `Array.prototype.join` did.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += canonicalJson(value[i]) ?? '';
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const names = Object.keys(obj).sort();
  let out = '{';
  for (const name of names) {
    const field = obj[name];
    if (field === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(name)}:${canonicalJson(field)}`;
  }
  return `${out}}`;
}
