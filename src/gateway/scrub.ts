import type { GatewayOutcome } from './outcome.js';

/**
 * Secrets never leave through what the gateway says: a gateway that echoes our key or salt in an
 * error message must not put them into a payout's history, a log line or a notification.
 */

/** Replaces each secret value wherever it appears; card numbers were masked when the answer was parsed. */
export function secretScrubber(secrets: readonly string[]): (text: string) => string {
  const values = secrets.filter((s) => s !== '');
  return (text) => values.reduce((t, s) => (t.includes(s) ? t.replaceAll(s, '[REDACTED]') : t), text);
}

/** Replaces any secret value in the text the gateway supplied (messages, reasons, display_data). */
export function scrubOutcome<T extends GatewayOutcome>(outcome: T, scrub: (text: string) => string): T {
  if ('message' in outcome) {
    const message = scrub(outcome.message);
    return message === outcome.message ? outcome : { ...outcome, message };
  }
  if (!('answer' in outcome)) return outcome;
  const { answer } = outcome;
  const texts = [answer.reason, answer.redirect, ...Object.values(answer.display_data ?? {})];
  if (texts.every((text) => text === undefined || scrub(text) === text)) return outcome;
  const clean = <V extends string | undefined>(text: V): V =>
    text === undefined ? text : (scrub(text) as V);
  const scrubbed = { ...answer, reason: clean(answer.reason), redirect: clean(answer.redirect) };
  if (answer.display_data !== undefined) {
    scrubbed.display_data = Object.fromEntries(
      Object.entries(answer.display_data).map(([k, v]) => [k, clean(v)]),
    );
  }
  if (scrubbed.reason === undefined) delete scrubbed.reason;
  if (scrubbed.redirect === undefined) delete scrubbed.redirect;
  return { ...outcome, answer: scrubbed };
}
