import type { Redis } from 'ioredis';
import type { Currencies } from '../currency/index.js';
import type { Logger } from '../logger.js';
import type { GatewayReport } from '../payout/gateway-report.js';
import type { PayoutStore } from '../payout/store.js';
import type { ArchiveReader } from '../producer/view.js';

/** What the callback route works with, and the results it counts. */

export type CallbackResult =
  | 'ok'
  | 'not_durable'
  | 'bad_signature'
  | 'invalid'
  | 'unknown_id'
  | 'contradiction'
  | 'unchanged';

/** Applies a type-1 callback; supplied by the deposits module. */
export type DepositReportHandler = (
  externalId: string,
  report: GatewayReport,
) => Promise<'applied' | 'unchanged' | 'contradiction' | 'unknown_deposit'>;

export interface CallbackDeps {
  store: PayoutStore;
  redis: Redis;
  /** The salt callbacks are signed with (CALLBACK_SIGNATURE_SALT, by default SIGNATURE_SALT). */
  salt: string;
  logger: Logger;
  onDepositReport?: DepositReportHandler;
  onContradiction?: (externalId: string) => void;
  /** For metrics: one call per callback with its result. */
  onResult?: (result: CallbackResult) => void;
  /** How a contradicting callback's amounts are logged (`config.currencies`). */
  currencies?: Currencies;
  /** Where payouts archived out of Redis are (the ledger): their callbacks are checked against it. */
  archive?: ArchiveReader;
  /** Whether notifications are configured: an archived payout's contradiction is notified too. */
  notify?: boolean;
}
