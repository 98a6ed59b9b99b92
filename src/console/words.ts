import type { PayoutState } from '../payout/states.js';
import type { DeliveryStatus } from '../worker/deliveries.js';

/** Each state in the words an operator reads at 3 a.m.: what it means and what happens next. */
export const STATE_WORDS: Record<PayoutState, { meaning: string; next: string }> = {
  awaiting_approval: {
    meaning: 'held by an approval rule or a customer limit; nothing is sent',
    next: 'an approver approves (queued) or declines (rejected); unapproved in time, it is cancelled',
  },
  queued: { meaning: 'accepted, waiting for a worker', next: 'a worker sends it' },
  sending: { meaning: 'a worker is calling the gateway', next: 'the gateway’s answer moves it on' },
  retry_scheduled: {
    meaning: 'the last attempt certainly created nothing',
    next: 'sent again at its next attempt',
  },
  submitted: {
    meaning: 'the gateway accepted it and holds an order',
    next: 'a callback or a status poll brings the final status',
  },
  succeeded: { meaning: 'the gateway paid it', next: 'nothing: final' },
  failed: {
    meaning: 'the gateway declined it, or it never reached the gateway',
    next: 'nothing: final; the casino may return the funds',
  },
  rejected: { meaning: 'refused before any money could move', next: 'nothing: final' },
  needs_review: {
    meaning: 'the outcome is unknown: the gateway may or may not have paid',
    next: 'a callback or a status poll decides, or an operator resolves it after checking with the gateway',
  },
  cancelled: { meaning: 'cancelled before it was sent', next: 'nothing: final' },
} as const;

/** A notification's delivery in words. */
export const DELIVERY_WORDS: Record<DeliveryStatus, string> = {
  delivered: 'delivered',
  retrying: 'not delivered yet: tried again with backoff',
  waiting: 'waiting to be sent',
  sending: 'being sent',
  given_up: 'given up',
  not_in_queue: 'not in the queue',
};

/** How long ago, in the largest whole unit: `4 min`, `2 h`, `3 d`. */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}
