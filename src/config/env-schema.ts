import { z } from 'zod';
import type { RedisDurability } from './types.js';

/** Every setting's name, type, range and default, as read from the environment (one zod schema). */

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
/** The URL's user and password decode (a literal % must be written %25), as the driver decodes them. */
const decodableCredentials = (url: string) => {
  try {
    const { username, password } = new URL(url);
    decodeURIComponent(username);
    decodeURIComponent(password);
    return true;
  } catch {
    return false;
  }
};
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
export const base64Key = z
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

export const envSchema = z.object({
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
    z
      .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
      .refine(decodableCredentials, {
        error: 'its user or password has a % that starts no escape: write a literal % as %25',
      })
      .optional(),
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

export type Env = z.infer<typeof envSchema>;

/** The names of every setting, so deployment files can be checked against the schema. */
export const SETTING_NAMES: readonly string[] = Object.keys(envSchema.shape);
