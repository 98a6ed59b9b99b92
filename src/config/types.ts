import type { Currencies } from '../currency/index.js';
import type { OperatorAccount } from '../operators/accounts.js';

/** The shape of the parsed settings every part of the system receives. */

/**
 * What "written" means before an irreversible step (a 202, a send, a callback's `{"result":"ok"}`):
 * Redis answered; the write is on the primary's disk (AOF with `appendfsync always`); or N replicas
 * acknowledged it (WAIT).
 */
export type RedisDurability =
  | { level: 'acknowledged' }
  | { level: 'fsync' }
  | { level: 'replicas'; replicas: number };

export interface PayloadKey {
  /** Fingerprint stored beside each ciphertext, so old keys can be found after a rotation. */
  id: string;
  key: Buffer;
}

export interface Config {
  redisUrl: string;
  /** REDIS_URL is a seed node of a Redis Cluster. */
  redisCluster: boolean;
  /** What must hold before an irreversible step, and how long to wait for it. */
  durability: RedisDurability & { timeoutMs: number };
  /** Every Redis key of one deployment lives under it. */
  queuePrefix: string;
  host: string;
  port: number;
  /** A worker process without the API serves /metrics, /healthz and /readyz here. */
  metricsPort: number | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  gateway: {
    /** Where payouts are sent; in sandbox mode the built-in sandbox's URL. */
    url: string;
    /** True when GATEWAY_URL is unset and the built-in sandbox stands in for the gateway. */
    sandbox: boolean;
    merchantKey: string;
    salt: string;
    /** The salt the gateway signs its callbacks with: SPEC.md leaves open whether it is the same. */
    callbackSalt: string;
    timeoutMs: number;
    connectTimeoutMs: number;
    rateLimitPerSecond: number;
    /** Resend after an unknown outcome: only for a gateway confirmed to deduplicate external_id. */
    resendOnUnknown: boolean;
  };
  console: {
    /** The session cookie is Secure: the console is reached over TLS (a terminating proxy). */
    secureCookie: boolean;
    /** A console session unused this long ends. */
    idleTimeoutMs: number;
  };
  sandbox: {
    port: number;
    callbackUrl: string;
    /** Multiplies the sandbox's delays and callback schedule; 0.001 makes 45 s into 45 ms. */
    timeScale: number;
    duplicates: 'replay' | 'refuse';
  };
  api: { keys: string[]; bodyLimitBytes: number };
  /** POST /v1/payout-batches: payouts per request, and the body limit of that route alone. */
  batch: { maxPayouts: number; bodyLimitBytes: number };
  /** DASHBOARD_USER/DASHBOARD_PASSWORD: one more admin (also in `operators`); unset when OPERATORS is. */
  dashboard: { user: string; password: string } | undefined;
  /** Every operator account, the dashboard's admin included. */
  operators: OperatorAccount[];
  /**
   * How long a payout waits in awaiting_approval before it is cancelled (`approval_expired`).
   * @defaultValue 24 h
   */
  approvalTimeoutMs: number;
  payloadKeys: { current: PayloadKey; previous: PayloadKey[] };
  notify: { url: string; secret: string } | undefined;
  /** The PostgreSQL ledger (LEDGER_DATABASE_URL); undefined: no ledger, finished payouts stay in Redis. */
  ledger:
    | {
        url: string;
        /** A finished payout leaves Redis this long after its last change, once the ledger holds it. */
        retentionMs: number;
        /** Apply pending schema migrations when the system starts (`payouts migrate` always can). */
        migrateOnStart: boolean;
      }
    | undefined;
  worker: {
    concurrency: number;
    /** How long a job's lock lasts without renewal; a dead worker's jobs are picked up after it. */
    lockMs: number;
    maxAttempts: number;
    retryBaseDelayMs: number;
    retryMaxDelayMs: number;
  };
  reconcile: { afterMs: number; intervalMs: number; reviewDeadlineMs: number };
  /** What `amount` means in each currency for this gateway, which currencies are paid out, and their display. */
  currencies: Currencies;
  /**
   * The circuit breaker of each payment_system (src/controls/breakers.ts): `threshold` attempts in a
   * row that reached no answer (not sent, 429/503, unknown), the first at most `windowMs` before the
   * last, stop sending to that system for `cooldownMs`; then one payout probes.
   */
  breaker: {
    /** @defaultValue 10; 0 turns the breakers off */
    threshold: number;
    /** @defaultValue 60000 */
    windowMs: number;
    /** @defaultValue 30000 */
    cooldownMs: number;
  };
  /** Names of settings that were generated for this run (sandbox mode only). */
  generated: string[];
}
