import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The gateway's request signature (SPEC.md "Signature"): SHA-1, lower-case hex, over the canonical
 * string of the parameters followed directly by the salt. The canonical string holds card numbers
 * and, with the salt, is a secret: it is returned for tests and never logged.
 */

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The gateway's parameters nest two levels (`customer`, `payment_data`). Anything much deeper is not
 * a gateway message, and following it would let a caller exhaust the stack before the check.
 */
const MAX_DEPTH = 8;

/** The parameters nest deeper than any gateway message: they cannot carry a valid signature. */
export class SignatureDepthError extends Error {
  override readonly name = 'SignatureDepthError';
}

function valueString(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new SignatureDepthError(`parameters nest deeper than ${MAX_DEPTH} levels`);
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (const v of value) items.push(valueString(v, depth + 1));
    return items.sort(compare).join(';');
  }
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const names = Object.keys(obj).sort(compare);
    let out = '';
    for (let i = 0; i < names.length; i++) {
      const k = names[i]!;
      out += `${i > 0 ? ';' : ''}${k}:${valueString(obj[k], depth + 1)}`;
    }
    return out;
  }
  return String(value);
}

/**
 * The string that is hashed (without the salt): `name:value;` for each non-blank parameter, sorted by
 * name. Built with plain loops: it is computed for every request the gateway is sent.
 */
export function canonicalString(params: Record<string, unknown>): string {
  const pairs: [string, string][] = [];
  for (const name of Object.keys(params)) {
    if (name === 'signature') continue;
    const value = valueString(params[name], 1);
    if (value.trim() !== '') pairs.push([name.toLowerCase(), value]);
  }
  pairs.sort(([a], [b]) => compare(a, b));
  let out = '';
  for (const [name, value] of pairs) out += `${name}:${value};`;
  return out;
}

/** The signature the gateway expects for these parameters (any `signature` field is ignored). */
export function sign(params: Record<string, unknown>, salt: string): string {
  return createHash('sha1')
    .update(canonicalString(params) + salt, 'utf8')
    .digest('hex');
}

/** True when `params.signature` is the right signature; compared in constant time. */
export function verify(params: Record<string, unknown>, salt: string): boolean {
  const given = params.signature;
  if (typeof given !== 'string' || !/^[0-9a-fA-F]{40}$/.test(given)) return false;
  let expected: Buffer;
  try {
    expected = Buffer.from(sign(params, salt), 'hex');
  } catch (err) {
    if (err instanceof SignatureDepthError) return false;
    throw err;
  }
  return timingSafeEqual(expected, Buffer.from(given.toLowerCase(), 'hex'));
}

/** The parameters with their signature added, ready to send. */
export function withSignature<T extends Record<string, unknown>>(
  params: T,
  salt: string,
): T & { signature: string } {
  return { ...params, signature: sign(params, salt) };
}
