import { createHmac, randomUUID } from 'node:crypto';
import { jobIdFor } from '../methods/index.js';

/**
 * Notifications to the casino backend. Every status change is written to an outbox list in the same
 * Lua script as the change itself; the relay turns outbox entries into jobs of the notifications
 * queue, whose worker POSTs them, signed, until the receiver answers 2xx. At least once, and each
 * carries the payout's sequence number so the receiver can order them and drop repeats.
 */

export const NOTIFICATIONS_QUEUE = 'notifications';

export interface NotificationJobData {
  /** The payout it is about; absent for an operator event (see `outboxEntry`). */
  externalId?: string;
  /** The payout's change it reports; 0 for an operator event. */
  seq: number;
  /** The exact body that is signed and sent. */
  body: string;
}

/**
 * An outbox entry of an event that is no payout's change (an operator event, src/controls): the body
 * as it is to be delivered, and an id that names its delivery job, so two relays add it once.
 */
export const outboxEntry = (body: string): string => JSON.stringify({ event_id: randomUUID(), body });

/** The delivery job of a payout's change `seq`: one id per change, so two relays add it once. */
export const notificationJobId = (externalId: string, seq: number): string =>
  `${jobIdFor(externalId)}-n${seq}`;

/** The event a change is notified as: `payout.<state>`, or `payout.contradiction` for a contradicting report. */
export const notificationEvent = (change: { to: string; contradiction?: boolean }): string =>
  change.contradiction ? 'payout.contradiction' : `payout.${change.to}`;

/** `sha256=<hex HMAC-SHA256 of the raw body>`, the X-Payout-Signature header's value. */
export const signNotification = (secret: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;

/**
 * Backoff between deliveries: 1 s doubling, capped at an hour. Tried until a 2xx (DESIGN.md), so a
 * casino endpoint that is down for days still gets every change once it is back; meanwhile the
 * deliveries wait, delayed, in the notifications queue (Bull Board).
 */
const DELIVERY_BASE_MS = 1_000;
const DELIVERY_MAX_MS = 3_600_000;
/** Without end, in effect: at one try an hour, a billion tries last longer than any deployment. */
export const DELIVERY_ATTEMPTS = 1_000_000_000;
export const DELIVERY_TIMEOUT_MS = 10_000;
/** How many delivered notifications the queue keeps (the newest); older ones leave it. */
export const DELIVERED_KEPT = 1_000;

export const deliveryDelay = (attemptsMade: number): number =>
  Math.min(DELIVERY_MAX_MS, DELIVERY_BASE_MS * 2 ** Math.max(0, attemptsMade - 1));
