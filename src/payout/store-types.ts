import type { Redis } from 'ioredis';
import type { Currencies } from '../currency/index.js';
import type { Logger } from '../logger.js';
import type { DurabilitySetting } from './durability.js';
import type { HistoryEntry } from './history.js';
import type { PayoutKeys } from './keys.js';
import type { PayoutRecord } from './record.js';
import type { PayloadKeys } from './sealing.js';
import type { Actor, PayoutState } from './states.js';

/** The payout store's options and the shapes its writes answer with. */

export type CreateResult =
  | { outcome: 'created'; record: PayoutRecord; history: HistoryEntry[] }
  /** Over its currency's hard cap (a limit's max_amount): nothing was written. */
  | { outcome: 'over_cap'; maxAmount: number }
  | { outcome: 'existing'; record: PayoutRecord }
  | { outcome: 'conflict'; record: PayoutRecord }
  /** Only its tombstone is left in Redis (archived to the ledger); `same` tells a replay from another body. */
  | { outcome: 'archived'; same: boolean }
  /** A deposit holds the external_id (the gateway's one merchant order id for both): nothing was written. */
  | { outcome: 'held_by_deposit' };

export interface TransitionOptions {
  actor: Actor;
  /** Required for worker decisions: the token of the claim being acted on. */
  token?: string;
  reason?: string | undefined;
  reasonCode?: string | undefined;
  gatewayStatus?: number | undefined;
  orderId?: string | undefined;
  nextAttemptAt?: number | undefined;
  who?: string | undefined;
  note?: string | undefined;
  /** For the transition log line: how long the step that led here took. */
  durationMs?: number | undefined;
  /** Marks the record for good: this attempt may have reached the gateway (see PayoutRecord). */
  mayHaveReached?: boolean | undefined;
  /** Overrides a rule's `refusedWithOrder`: an operator's explicit decision, with a note. */
  force?: boolean | undefined;
  /** For an event that needs approvals (approve): who approves. */
  approver?: string | undefined;
}

/** Why a transition was refused, beyond the table or the token. */
export interface RefusalDetail {
  /** An earlier attempt may have reached the gateway (see TRANSITIONS). */
  mayHaveReached?: true;
  /** The payout holds this gateway order, and the report named another. */
  otherOrder?: string;
  /** The payout holds this gateway order, and the rule refuses it (refusedWithOrder) unforced. */
  orderRecorded?: string;
  /** This approver has already approved the payout. */
  sameApprover?: true;
}

export type TransitionResult =
  | {
      ok: true;
      from: PayoutState;
      to: PayoutState;
      seq: number;
      attempts: number;
      /** An approval was recorded, short of the approvals needed: the state stayed. */
      approvalRecorded?: true;
    }
  | ({ ok: false; current: PayoutState | undefined } & RefusalDetail);

/**
 * Why a claim left a payout waiting although it was due: its payment_system is paused, or that
 * system's circuit breaker is open (cooling down) or half open (another payout is probing) until `until`.
 */
export type Hold =
  | { kind: 'paused'; paymentSystem: string }
  | { kind: 'breaker_open' | 'breaker_half_open'; paymentSystem: string; until: number };

export type ClaimResult =
  | {
      ok: true;
      record: PayoutRecord;
      token: string;
      attempts: number;
      /** This attempt is the one its payment_system's half-open breaker lets through. */
      probe?: true;
    }
  | {
      ok: false;
      current: PayoutState | undefined;
      /** The holder's token, when the payout is already `sending`. */
      heldBy?: string;
      /** When a `retry_scheduled` payout is due. */
      nextAttemptAt?: number;
      /** For a `sending` payout: when it last changed (claimed, or a note written since). */
      since?: number;
      /** Due, and held by the controls: it stays as it is, and no attempt is counted. */
      hold?: Hold;
    };

export interface PayoutStoreOptions {
  redis: Redis;
  queuePrefix: string;
  payloadKeys: PayloadKeys;
  logger: Logger;
  /** REDIS_DURABILITY, waited for on this store's own connection. @defaultValue acknowledged */
  durability?: DurabilitySetting;
  /** Whether status changes go to the notification outbox (NOTIFY_URL set). */
  notify?: boolean;
  /** Whether changes go to the ledger's outbox (LEDGER_DATABASE_URL set). */
  ledger?: boolean;
  /**
   * A process outside the service (the CLI, the library): changes also go to the outboxes the
   * deployment's service processes published (deployment.ts). @defaultValue false
   */
  followDeployment?: boolean;
  /** Called after every recorded change (`from` null on creation), e.g. for metrics. */
  onTransition?: (from: PayoutState | null, to: PayoutState, method: string) => void;
  /** How amounts are shown in its log lines (`config.currencies`). @defaultValue the rules of unset settings */
  currencies?: Currencies;
  /** How many contradicted payouts the contradictions index keeps. @defaultValue CONTRADICTIONS_KEPT */
  contradictionsKept?: number;
  now?: () => number;
}

/** What the store's parts share: its connection, keys, clock, outboxes, keys for sealing and logger. */
export interface StoreContext {
  redis: Redis;
  keys: PayoutKeys;
  now: () => number;
  /** The outboxes every change is pushed to (scripts.ts): 'n' notifications, 'l' ledger; 'N', 'L' as the deployment has them. */
  outboxes: string;
  payloadKeys: PayloadKeys;
  logger: Logger;
  options: PayoutStoreOptions;
}
