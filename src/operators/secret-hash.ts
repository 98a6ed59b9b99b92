import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Operators' secrets are stored only as a slow hash (scrypt), written
 * `scrypt.<log2 N>.<r>.<p>.<salt>.<key>` with base64url salt and key. Dots rather than the usual `$`
 * separators: the hash lives in an environment variable, where shells and compose files expand `$`;
 * and it holds neither `:` nor `,`, which separate OPERATORS entries.
 */

const PREFIX = 'scrypt';
/** N = 2^14, r = 8, p = 1 (scrypt's usual interactive cost): about 50 ms per check, 16 MiB of memory. */
const LOG2_N = 14;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const B64URL = /^[A-Za-z0-9_-]+$/;

export const SECRET_HASH_FORMAT = 'scrypt.<log2 N>.<r>.<p>.<salt>.<key> (what `payouts hash-secret` prints)';

interface Parsed {
  log2N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

/** The hash's parameters, or undefined when it is not one `hashSecret` could have written. */
export function parseSecretHash(hash: string): Parsed | undefined {
  const parts = hash.split('.');
  if (parts.length !== 6 || parts[0] !== PREFIX) return undefined;
  const [log2N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const [salt, key] = [parts[4]!, parts[5]!];
  if (
    ![log2N, r, p].every(Number.isInteger) ||
    log2N < 10 ||
    log2N > 20 ||
    r < 1 ||
    r > 32 ||
    p < 1 ||
    p > 16
  )
    return undefined;
  if (!B64URL.test(salt) || !B64URL.test(key)) return undefined;
  const parsed = { log2N, r, p, salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url') };
  return parsed.salt.length >= 8 && parsed.key.length >= 16 ? parsed : undefined;
}

const derive = (secret: string, p: Omit<Parsed, 'key'>, bytes: number) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(
      secret,
      p.salt,
      bytes,
      { N: 2 ** p.log2N, r: p.r, p: p.p, maxmem: 256 * 2 ** p.log2N * p.r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );

/** A new hash of `secret`, with a fresh random salt. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(secret, { log2N: LOG2_N, r: R, p: P, salt }, KEY_BYTES);
  return [PREFIX, LOG2_N, R, P, salt.toString('base64url'), key.toString('base64url')].join('.');
}

/** Whether `secret` is the one `hash` was made from; compared in constant time. */
export async function verifySecret(secret: string, hash: string): Promise<boolean> {
  const parsed = parseSecretHash(hash);
  if (!parsed) return false;
  const key = await derive(secret, parsed, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}
