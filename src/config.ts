import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type Currencies, createCurrencies, DEFAULT_WHOLE_UNIT_CURRENCIES } from './currency/index.js';
import { type OperatorAccount, parseOperatorEntries } from './operators/accounts.js';

/**
 * The only module that reads `process.env`. Everything else receives a `Config`.
 *
 * Sandbox mode (GATEWAY_URL unset): the built-in sandbox gateway is used, and the settings that are
 * otherwise required get run-local values. The gateway secrets and the payload key are fixed, plainly
 * fake development values so that separate `api`, `worker` and `sandbox` processes agree; the API key
 * and the dashboard password are random per run and printed at start.
 */

const SANDBOX_MERCHANT_KEY = 'sandbox-merchant-key-not-a-secret';
const SANDBOX_SALT = 'sandbox-salt-not-a-secret';
const SANDBOX_PAYLOAD_KEY = createHash('sha256').update('sandbox payload key, not a secret').digest();

/** A setting that is missing or malformed; its message is one line naming the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Invalid setting ${variable}: ${detail}`);
  }
}

/** API keys shorter than this are accepted, with a warning at start: they are easy to guess. */
export const API_KEY_MIN_LENGTH = 16;

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(blankToUndefined, z.string().optional());
const int = (min: number, max: number, dflt: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .default(dflt),
  );
const bool = (dflt: boolean) =>
  z.preprocess(
    blankToUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
      .default(dflt ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  );
/** A comma-separated list of currency codes; spaces around the commas are allowed, nothing else. */
const currencyList = z.preprocess(
  blankToUndefined,
  z
    .string()
    .transform((s, ctx) => {
      const codes = s.split(',').map((code) => code.trim());
      const bad = codes.find((code) => !/^[A-Z]{3}$/.test(code));
      if (bad === undefined) return codes;
      const shown = bad === '' ? 'an empty entry' : `"${bad.slice(0, 20)}"`;
      ctx.addIssue({
        code: 'custom',
        message: `${shown} is not a currency code: use three-letter codes in upper case separated by commas, e.g. EUR,USD`,
      });
      return z.NEVER;
    })
    .optional(),
);
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const base64Key = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const buf = /^[A-Za-z0-9+/]+={0,2}$/.test(s) ? Buffer.from(s, 'base64') : Buffer.alloc(0);
    if (buf.length !== 32) {
      ctx.addIssue({ code: 'custom', message: 'must be base64 of exactly 32 bytes' });
      return z.NEVER;
    }
    return buf;
  });

const envSchema = z.object({
  REDIS_URL: z.preprocess(
    blankToUndefined,
    z
      .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
      .default('redis://127.0.0.1:6379'),
  ),
  REDIS_CLUSTER: bool(false),
  REDIS_DURABILITY: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .default('acknowledged')
      .transform((v, ctx): RedisDurability => {
        if (v === 'acknowledged' || v === 'fsync') return { level: v };
        const replicas = /^replicas:([1-9][0-9]?)$/.exec(v);
        if (replicas) return { level: 'replicas', replicas: Number(replicas[1]) };
        ctx.addIssue({
          code: 'custom',
          message: 'must be acknowledged, fsync or replicas:N (N from 1 to 99)',
        });
        return z.NEVER;
      }),
  ),
  REDIS_DURABILITY_TIMEOUT_MS: int(10, 60_000, 1_000),
  QUEUE_PREFIX: z.preprocess(
    blankToUndefined,
    z
      .string()
      // No glob characters (* ? [ ] or a backslash), so a SCAN of the prefix matches its keys and nothing else.
      .regex(/^[A-Za-z0-9_{}.:-]{1,64}$/, 'must be 1-64 characters of letters, digits, _ . : - { }')
      .default('payouts'),
  ),
  HOST: z.preprocess(blankToUndefined, z.string().default('127.0.0.1')),
  PORT: int(0, 65535, 3000),
  METRICS_PORT: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(0, 'must be at least 0')
      .max(65535, 'must be at most 65535')
      .optional(),
  ),
  LOG_LEVEL: z.preprocess(
    blankToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  GATEWAY_URL: z.preprocess(blankToUndefined, httpUrl.optional()),
  GATEWAY_TIMEOUT_MS: int(100, 300_000, 30_000),
  GATEWAY_CONNECT_TIMEOUT_MS: int(50, 60_000, 5_000),
  GATEWAY_RATE_LIMIT_PER_SECOND: int(1, 100_000, 2_000),
  RESEND_ON_UNKNOWN: bool(false),
  CONSOLE_SECURE_COOKIE: bool(false),
  CONSOLE_IDLE_MINUTES: int(1, 24 * 60, 30),
  MERCHANT_KEY: optionalString,
  SIGNATURE_SALT: optionalString,
  CALLBACK_SIGNATURE_SALT: optionalString,
  SANDBOX_PORT: int(0, 65535, 3100),
  SANDBOX_CALLBACK_URL: z.preprocess(blankToUndefined, httpUrl.optional()),
  SANDBOX_TIME_SCALE: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a number' })
      .positive('must be greater than 0')
      .max(1, 'must be at most 1')
      .default(1),
  ),
  SANDBOX_DUPLICATES: z.preprocess(
    blankToUndefined,
    z.enum(['replay', 'refuse'], { error: 'must be replay or refuse' }).default('replay'),
  ),
  API_KEYS: optionalString,
  BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024, 64 * 1024),
  BATCH_MAX_PAYOUTS: int(1, 10_000, 1_000),
  BATCH_BODY_LIMIT_BYTES: int(1024, 64 * 1024 * 1024, 4 * 1024 * 1024),
  DASHBOARD_USER: optionalString,
  DASHBOARD_PASSWORD: optionalString,
  OPERATORS: optionalString,
  OPERATORS_FILE: optionalString,
  APPROVAL_TIMEOUT_MS: int(1_000, 30 * 86_400_000, 86_400_000),
  PAYLOAD_KEY: z.preprocess(blankToUndefined, base64Key.optional()),
  PAYLOAD_OLD_KEYS: optionalString,
  NOTIFY_URL: z.preprocess(blankToUndefined, httpUrl.optional()),
  NOTIFY_SECRET: optionalString,
  LEDGER_DATABASE_URL: z.preprocess(
    blankToUndefined,
    z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
  ),
  PAYOUT_RETENTION_DAYS: int(1, 36_500, 7),
  LEDGER_MIGRATE_ON_START: bool(true),
  WORKER_CONCURRENCY: int(1, 1000, 50),
  WORKER_LOCK_MS: int(1_000, 600_000, 30_000),
  PAYOUT_MAX_ATTEMPTS: int(1, 100, 8),
  RETRY_BASE_DELAY_MS: int(10, 3_600_000, 2_000),
  RETRY_MAX_DELAY_MS: int(100, 86_400_000, 600_000),
  RECONCILE_AFTER_MS: int(1_000, 7 * 86_400_000, 10 * 60_000),
  RECONCILE_INTERVAL_MS: int(1_000, 86_400_000, 5 * 60_000),
  REVIEW_DEADLINE_MS: int(1_000, 30 * 86_400_000, 26 * 3_600_000),
  PAYOUT_CURRENCIES: currencyList,
  GATEWAY_WHOLE_UNIT_CURRENCIES: currencyList,
  BREAKER_THRESHOLD: int(0, 10_000, 10),
  BREAKER_WINDOW_MS: int(1_000, 3_600_000, 60_000),
  BREAKER_COOLDOWN_MS: int(1_000, 3_600_000, 30_000),
});

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

/** Names a secret-bearing key so it can be stored beside ciphertexts without revealing it. */
export const payloadKeyId = (key: Buffer): string =>
  createHash('sha256').update(key).digest('hex').slice(0, 12);

/**
 * Parses the settings once. Throws a `ConfigError` naming the first bad variable.
 * @param env the environment to read; `process.env` by default.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? 'environment'), issue.message);
  }
  const e = parsed.data;
  const sandbox = e.GATEWAY_URL === undefined;
  const generated: string[] = [];
  const required = (name: string, value: string | undefined, sandboxValue: () => string): string => {
    if (value !== undefined) return value;
    if (!sandbox) throw new ConfigError(name, 'is required when GATEWAY_URL is set');
    generated.push(name);
    return sandboxValue();
  };
  const randomToken = () => randomBytes(18).toString('base64url');

  const merchantKey = required('MERCHANT_KEY', e.MERCHANT_KEY, () => SANDBOX_MERCHANT_KEY);
  const salt = required('SIGNATURE_SALT', e.SIGNATURE_SALT, () => SANDBOX_SALT);
  const apiKeys = required('API_KEYS', e.API_KEYS, randomToken)
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  if (apiKeys.length === 0) throw new ConfigError('API_KEYS', 'must hold at least one key');
  const operators = operatorAccounts(e.OPERATORS, e.OPERATORS_FILE);
  // With named operators, the shared dashboard login is optional; without them it is the one admin.
  // Sandbox mode always has one, generated, so a first run can act at once.
  const dashboard =
    operators.length > 0 && !sandbox && e.DASHBOARD_USER === undefined && e.DASHBOARD_PASSWORD === undefined
      ? undefined
      : {
          user: required('DASHBOARD_USER', e.DASHBOARD_USER, () => 'ops'),
          password: required('DASHBOARD_PASSWORD', e.DASHBOARD_PASSWORD, randomToken),
        };
  if (dashboard && operators.some((o) => o.name === dashboard.user)) {
    throw new ConfigError('DASHBOARD_USER', `names an operator of OPERATORS (${dashboard.user}) again`);
  }
  if (dashboard)
    operators.push({ name: dashboard.user, role: 'admin', secret: { plain: dashboard.password } });

  let payloadKey = e.PAYLOAD_KEY;
  if (payloadKey === undefined) {
    if (!sandbox) throw new ConfigError('PAYLOAD_KEY', 'is required when GATEWAY_URL is set');
    generated.push('PAYLOAD_KEY');
    payloadKey = SANDBOX_PAYLOAD_KEY;
  }
  const previous = (e.PAYLOAD_OLD_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '')
    .map((k) => {
      const r = base64Key.safeParse(k);
      if (!r.success)
        throw new ConfigError('PAYLOAD_OLD_KEYS', 'each key must be base64 of exactly 32 bytes');
      return { id: payloadKeyId(r.data), key: r.data };
    });

  if ((e.NOTIFY_URL === undefined) !== (e.NOTIFY_SECRET === undefined)) {
    throw new ConfigError(
      e.NOTIFY_URL === undefined ? 'NOTIFY_URL' : 'NOTIFY_SECRET',
      'NOTIFY_URL and NOTIFY_SECRET go together: set both or neither',
    );
  }
  if (e.RETRY_MAX_DELAY_MS < e.RETRY_BASE_DELAY_MS) {
    throw new ConfigError('RETRY_MAX_DELAY_MS', 'must be at least RETRY_BASE_DELAY_MS');
  }

  const currencies = currencySettings(e.GATEWAY_WHOLE_UNIT_CURRENCIES, e.PAYOUT_CURRENCIES);

  const callbackHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? '127.0.0.1' : e.HOST;
  return {
    redisUrl: e.REDIS_URL,
    redisCluster: e.REDIS_CLUSTER,
    durability: { ...e.REDIS_DURABILITY, timeoutMs: e.REDIS_DURABILITY_TIMEOUT_MS },
    // On a Redis Cluster every key of the deployment must share one slot: the prefix becomes a hash tag.
    queuePrefix: e.REDIS_CLUSTER && !e.QUEUE_PREFIX.includes('{') ? `{${e.QUEUE_PREFIX}}` : e.QUEUE_PREFIX,
    host: e.HOST,
    port: e.PORT,
    metricsPort: e.METRICS_PORT,
    logLevel: e.LOG_LEVEL,
    gateway: {
      url: (e.GATEWAY_URL ?? `http://127.0.0.1:${e.SANDBOX_PORT}`).replace(/\/+$/, ''),
      sandbox,
      merchantKey,
      salt,
      callbackSalt: e.CALLBACK_SIGNATURE_SALT ?? salt,
      timeoutMs: e.GATEWAY_TIMEOUT_MS,
      connectTimeoutMs: e.GATEWAY_CONNECT_TIMEOUT_MS,
      rateLimitPerSecond: e.GATEWAY_RATE_LIMIT_PER_SECOND,
      resendOnUnknown: e.RESEND_ON_UNKNOWN,
    },
    console: { secureCookie: e.CONSOLE_SECURE_COOKIE, idleTimeoutMs: e.CONSOLE_IDLE_MINUTES * 60_000 },
    sandbox: {
      port: e.SANDBOX_PORT,
      callbackUrl: e.SANDBOX_CALLBACK_URL ?? `http://${callbackHost}:${e.PORT}/v1/callbacks/gateway`,
      timeScale: e.SANDBOX_TIME_SCALE,
      duplicates: e.SANDBOX_DUPLICATES,
    },
    api: { keys: apiKeys, bodyLimitBytes: e.BODY_LIMIT_BYTES },
    batch: { maxPayouts: e.BATCH_MAX_PAYOUTS, bodyLimitBytes: e.BATCH_BODY_LIMIT_BYTES },
    dashboard,
    operators,
    approvalTimeoutMs: e.APPROVAL_TIMEOUT_MS,
    payloadKeys: { current: { id: payloadKeyId(payloadKey), key: payloadKey }, previous },
    notify: e.NOTIFY_URL && e.NOTIFY_SECRET ? { url: e.NOTIFY_URL, secret: e.NOTIFY_SECRET } : undefined,
    ledger: e.LEDGER_DATABASE_URL
      ? {
          url: e.LEDGER_DATABASE_URL,
          retentionMs: e.PAYOUT_RETENTION_DAYS * 86_400_000,
          migrateOnStart: e.LEDGER_MIGRATE_ON_START,
        }
      : undefined,
    worker: {
      concurrency: e.WORKER_CONCURRENCY,
      lockMs: e.WORKER_LOCK_MS,
      maxAttempts: e.PAYOUT_MAX_ATTEMPTS,
      retryBaseDelayMs: e.RETRY_BASE_DELAY_MS,
      retryMaxDelayMs: e.RETRY_MAX_DELAY_MS,
    },
    reconcile: {
      afterMs: e.RECONCILE_AFTER_MS,
      intervalMs: e.RECONCILE_INTERVAL_MS,
      reviewDeadlineMs: e.REVIEW_DEADLINE_MS,
    },
    currencies,
    breaker: {
      threshold: e.BREAKER_THRESHOLD,
      windowMs: e.BREAKER_WINDOW_MS,
      cooldownMs: e.BREAKER_COOLDOWN_MS,
    },
    generated,
  };
}

/**
 * Codes in GATEWAY_WHOLE_UNIT_CURRENCIES need not be active (the gateway's own list names ECS, withdrawn
 * in 2000): a code no request can carry changes nothing. PAYOUT_CURRENCIES must name only currencies
 * that can be paid, so a typo or an unconfirmed unit stops the start instead of refusing every payout.
 */
function currencySettings(wholeUnit: string[] | undefined, payout: string[] | undefined): Currencies {
  const currencies = createCurrencies({ wholeUnit: wholeUnit ?? DEFAULT_WHOLE_UNIT_CURRENCIES, payout });
  for (const code of payout ?? []) {
    if (!z.currencyCode().safeParse(code).success) {
      throw new ConfigError('PAYOUT_CURRENCIES', `${code} is not an active ISO 4217 currency code`);
    }
    const refusal = currencies.unitRefusal(code);
    if (refusal !== undefined) throw new ConfigError('PAYOUT_CURRENCIES', refusal);
  }
  return currencies;
}

/** OPERATORS entries, then those of the file OPERATORS_FILE names. */
function operatorAccounts(inline: string | undefined, file: string | undefined): OperatorAccount[] {
  const parse = (name: string, text: string) => {
    try {
      return parseOperatorEntries(text);
    } catch (err) {
      throw new ConfigError(name, (err as Error).message);
    }
  };
  const accounts = inline === undefined ? [] : parse('OPERATORS', inline);
  if (file === undefined) return accounts;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('OPERATORS_FILE', `cannot read ${file} (${(err as NodeJS.ErrnoException).code})`);
  }
  const fromFile = parse('OPERATORS_FILE', text);
  const twice = fromFile.find((a) => accounts.some((b) => b.name === a.name));
  if (twice) throw new ConfigError('OPERATORS_FILE', `names ${twice.name}, already in OPERATORS`);
  return [...accounts, ...fromFile];
}

/** Every secret value of a config, for the logger's last line of defence. */
export const secretsOf = (config: Config): string[] =>
  [
    config.gateway.merchantKey,
    config.gateway.salt,
    config.gateway.callbackSalt,
    config.dashboard?.password,
    ...config.api.keys,
    config.payloadKeys.current.key.toString('base64'),
    ...config.payloadKeys.previous.map((k) => k.key.toString('base64')),
    config.notify?.secret,
    config.ledger ? decodeURIComponent(new URL(config.ledger.url).password) : undefined,
  ].filter((s): s is string => typeof s === 'string' && s.length >= 6);

/** The names of every setting, so deployment files can be checked against the schema. */
export const SETTING_NAMES: readonly string[] = Object.keys(envSchema.shape);
