import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * For the casino's side: whether a notification really comes from this system. The header is
 * `X-Payout-Signature: sha256=<hex HMAC-SHA256 of the raw body with NOTIFY_SECRET>`; it carries no
 * timestamp, so there is nothing to hold against a clock. A replayed notification is harmless when
 * the receiver orders and deduplicates by `payout.seq`, as the README says to.
 *
 * Pass the body exactly as received (the bytes, before any JSON parsing): a re-serialized body does
 * not match. Compared in constant time.
 */
export function verifyNotification(
  rawBody: string | Uint8Array,
  header: string | readonly string[] | undefined,
  secret: string,
): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string' || secret === '') return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(value.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!.toLowerCase(), 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(given, expected);
}
