import type { Currencies } from '../currency/index.js';
import type { Logger } from '../logger.js';
import type { FaultOptions, LatencyOptions } from './faults.js';
import type { SandboxOrderStore } from './order-store.js';

/** What a sandbox is started with. */
export interface SandboxOptions {
  /** The MERCHANT_KEY header every request must carry. */
  merchantKey: string;
  /** Verifies requests, and signs callbacks unless `callbackSalt` is given. */
  salt: string;
  /** Signs callbacks. @defaultValue salt */
  callbackSalt?: string | undefined;
  /** Where callbacks are POSTed; without it none are sent. */
  callbackUrl?: string | undefined;
  /** Multiplies the default settle delay and the callback schedule; 0.001 makes 45 s into 45 ms. @defaultValue 1 */
  timeScale?: number | undefined;
  /** A repeated external_id: `replay` the first answer, or `refuse` it with 409 `duplicate_external_id`. @defaultValue 'replay' */
  duplicates?: 'replay' | 'refuse' | undefined;
  logger?: Logger | undefined;
  /** Global fault rates for load tests (markers work regardless). */
  faults?: FaultOptions | undefined;
  /** Delay added to every gateway endpoint's answer, in real milliseconds. @defaultValue 0 */
  latency?: LatencyOptions | number | undefined;
  /** Time from creation to the final status of a pending order, before timeScale. @defaultValue 10000 */
  settleDelayMs?: number | undefined;
  /**
   * The currencies it takes and their units: a sandbox started beside a deployment takes what that
   * deployment may send. @defaultValue the rules of unset settings
   */
  currencies?: Currencies | undefined;
  /** Keeps orders across restarts (order-store.ts); `listen()` loads them. @defaultValue in memory only */
  orders?: SandboxOrderStore | undefined;
}
