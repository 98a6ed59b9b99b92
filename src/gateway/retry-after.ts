/** How long a 429 or 503 asks us to wait: its Retry-After header, read within bounds. */

/** Used when a 429/503 carries no readable Retry-After. */
export const DEFAULT_RETRY_AFTER_MS = 1_000;
/** A Retry-After further away than this is capped: the worker's own backoff takes over from there. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/** Retry-After as delta-seconds or an HTTP-date, in ms from `now`, within [0, MAX_RETRY_AFTER_MS]. */
export function parseRetryAfter(header: string | undefined, now: number): number {
  const text = header?.trim();
  if (!text) return DEFAULT_RETRY_AFTER_MS;
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    // Only the HTTP-date forms, which all name a weekday or GMT; Date.parse alone accepts "1.5".
    if (!/[A-Za-z]/.test(text)) return DEFAULT_RETRY_AFTER_MS;
    // asctime dates carry no zone; HTTP dates are always GMT.
    const at = Date.parse(/\b(GMT|UTC)\b/i.test(text) ? text : `${text} GMT`);
    if (Number.isNaN(at)) return DEFAULT_RETRY_AFTER_MS;
    ms = at - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
