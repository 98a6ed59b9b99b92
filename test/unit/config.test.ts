import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig, secretsOf } from '../../src/config.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const production = {
  GATEWAY_URL: 'https://gateway.example.test',
  MERCHANT_KEY: 'test-merchant-key',
  SIGNATURE_SALT: 'test-salt-value',
  API_KEYS: 'test-api-key-0123456789',
  DASHBOARD_USER: 'ops',
  DASHBOARD_PASSWORD: 'test-dashboard-password',
  PAYLOAD_KEY: KEY,
};

const failure = (env: Record<string, string | undefined>) => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('config', () => {
  test('sandbox mode needs nothing and generates run-local secrets', () => {
    const config = loadConfig({});
    expect(config.gateway.sandbox).toBe(true);
    expect(config.gateway.url).toBe('http://127.0.0.1:3100');
    expect(config.sandbox.callbackUrl).toBe('http://127.0.0.1:3000/v1/callbacks/gateway');
    expect(config.generated).toEqual([
      'MERCHANT_KEY',
      'SIGNATURE_SALT',
      'API_KEYS',
      'DASHBOARD_USER',
      'DASHBOARD_PASSWORD',
      'PAYLOAD_KEY',
    ]);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.queuePrefix).toBe('payouts');
    expect(config.port).toBe(3000);
    expect(config.payloadKeys.current.key).toHaveLength(32);
    // separate sandbox-mode processes must agree on the payload key
    expect(loadConfig({}).payloadKeys.current.id).toBe(config.payloadKeys.current.id);
  });

  test('a full production environment parses', () => {
    const config = loadConfig({ ...production, WORKER_CONCURRENCY: '7', PORT: '8080' });
    expect(config.gateway.sandbox).toBe(false);
    expect(config.gateway.url).toBe('https://gateway.example.test');
    expect(config.worker.concurrency).toBe(7);
    expect(config.port).toBe(8080);
    expect(config.generated).toEqual([]);
    expect(config.gateway.resendOnUnknown).toBe(false);
    expect(secretsOf(config)).toEqual(
      expect.arrayContaining(['test-merchant-key', 'test-salt-value', 'test-api-key-0123456789', KEY]),
    );
  });

  test('callbacks are verified with SIGNATURE_SALT unless CALLBACK_SIGNATURE_SALT names another', () => {
    expect(loadConfig(production).gateway.callbackSalt).toBe('test-salt-value');
    expect(loadConfig({ ...production, CALLBACK_SIGNATURE_SALT: ' ' }).gateway.callbackSalt).toBe(
      'test-salt-value',
    );
    const own = loadConfig({ ...production, CALLBACK_SIGNATURE_SALT: 'test-callback-salt' });
    expect(own.gateway).toMatchObject({ salt: 'test-salt-value', callbackSalt: 'test-callback-salt' });
    expect(secretsOf(own)).toContain('test-callback-salt');
  });

  test.each([
    [undefined, { level: 'acknowledged' }],
    ['', { level: 'acknowledged' }],
    ['acknowledged', { level: 'acknowledged' }],
    ['fsync', { level: 'fsync' }],
    [' replicas:1 ', { level: 'replicas', replicas: 1 }],
    ['replicas:12', { level: 'replicas', replicas: 12 }],
  ])('REDIS_DURABILITY=%j reads as %j', (value, expected) => {
    expect(loadConfig({ ...production, REDIS_DURABILITY: value }).durability).toEqual({
      ...expected,
      timeoutMs: 1_000,
    });
  });

  test.each(['replicas:0', 'replicas:', 'replicas:x', 'replicas', 'always', 'FSYNC', 'replicas:100'])(
    'REDIS_DURABILITY=%s is refused with the levels it may be',
    (value) => {
      expect(failure({ ...production, REDIS_DURABILITY: value }).message).toBe(
        'Invalid setting REDIS_DURABILITY: must be acknowledged, fsync or replicas:N (N from 1 to 99)',
      );
    },
  );

  test('a short API key is accepted (the start warns about it)', () => {
    expect(loadConfig({ ...production, API_KEYS: 'short, also-short' }).api.keys).toEqual([
      'short',
      'also-short',
    ]);
  });

  test('every key lives under QUEUE_PREFIX; on a Redis Cluster the prefix becomes a hash tag', () => {
    expect(loadConfig({ ...production, QUEUE_PREFIX: 'casino-a' }).queuePrefix).toBe('casino-a');
    expect(loadConfig({ ...production, QUEUE_PREFIX: 'test:run-7' }).queuePrefix).toBe('test:run-7');
    expect(loadConfig({ ...production, QUEUE_PREFIX: 'casino-a', REDIS_CLUSTER: 'true' }).queuePrefix).toBe(
      '{casino-a}',
    );
    // One the operator tagged already is kept as given.
    expect(
      loadConfig({ ...production, QUEUE_PREFIX: 'x{casino-a}', REDIS_CLUSTER: 'true' }).queuePrefix,
    ).toBe('x{casino-a}');
  });

  test('every setting docker-compose passes through empty takes its default', () => {
    const compose = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
    const passedEmpty = [...compose.matchAll(/^ {2}([A-Z_]+): \$\{\1:-\}$/gm)].map((m) => m[1]!);
    expect(passedEmpty).toEqual(expect.arrayContaining(['WORKER_CONCURRENCY', 'PAYOUT_MAX_ATTEMPTS']));
    const empty = Object.fromEntries(passedEmpty.map((name) => [name, '']));
    const { generated: _a, ...withEmpty } = loadConfig({ ...production, ...empty });
    const { generated: _b, ...withoutThem } = loadConfig(production);
    expect(withEmpty).toEqual(withoutThem);
  });

  test.each([
    ['MERCHANT_KEY', { MERCHANT_KEY: undefined }, 'is required when GATEWAY_URL is set'],
    ['SIGNATURE_SALT', { SIGNATURE_SALT: '' }, 'is required when GATEWAY_URL is set'],
    ['API_KEYS', { API_KEYS: undefined }, 'is required'],
    ['API_KEYS', { API_KEYS: ' , ' }, 'at least one key'],
    ['DASHBOARD_USER', { DASHBOARD_USER: undefined }, 'is required'],
    [
      'DASHBOARD_USER',
      { DASHBOARD_USER: undefined, DASHBOARD_PASSWORD: undefined },
      'DASHBOARD_USER and DASHBOARD_PASSWORD, or OPERATORS, are required when GATEWAY_URL is set',
    ],
    ['DASHBOARD_PASSWORD', { DASHBOARD_PASSWORD: undefined }, 'is required'],
    ['PAYLOAD_KEY', { PAYLOAD_KEY: undefined }, 'is required'],
    ['PAYLOAD_KEY', { PAYLOAD_KEY: Buffer.alloc(16).toString('base64') }, '32 bytes'],
    ['PAYLOAD_KEY', { PAYLOAD_KEY: 'not base64 !!' }, '32 bytes'],
    ['PAYLOAD_OLD_KEYS', { PAYLOAD_OLD_KEYS: 'abc' }, '32 bytes'],
    ['GATEWAY_URL', { GATEWAY_URL: 'ftp://x' }, 'http(s) URL'],
    [
      'LEDGER_DATABASE_URL',
      { LEDGER_DATABASE_URL: 'postgres://ledger:50%off@127.0.0.1/ledger' },
      'write a literal % as %25',
    ],
    ['REDIS_URL', { REDIS_URL: 'http://localhost' }, 'redis://'],
    ['PORT', { PORT: 'eighty' }, 'whole number'],
    ['PORT', { PORT: '70000' }, 'at most 65535'],
    ['WORKER_CONCURRENCY', { WORKER_CONCURRENCY: '0' }, 'at least 1'],
    ['GATEWAY_TIMEOUT_MS', { GATEWAY_TIMEOUT_MS: '1.5' }, 'whole number'],
    ['PAYOUT_MAX_ATTEMPTS', { PAYOUT_MAX_ATTEMPTS: '-3' }, 'at least 1'],
    ['RESEND_ON_UNKNOWN', { RESEND_ON_UNKNOWN: 'maybe' }, 'true or false'],
    ['QUEUE_PREFIX', { QUEUE_PREFIX: 'has space' }, 'letters'],
    ['QUEUE_PREFIX', { QUEUE_PREFIX: 'glob*' }, 'letters'],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }, 'Invalid'],
    ['NOTIFY_SECRET', { NOTIFY_URL: 'https://casino.example.test/hook' }, 'go together'],
    ['NOTIFY_URL', { NOTIFY_SECRET: 'test-notify-secret' }, 'go together'],
    ['SANDBOX_TIME_SCALE', { SANDBOX_TIME_SCALE: '0' }, 'greater than 0'],
    [
      'RETRY_MAX_DELAY_MS',
      { RETRY_BASE_DELAY_MS: '5000', RETRY_MAX_DELAY_MS: '1000' },
      'RETRY_BASE_DELAY_MS',
    ],
  ])('%s: %j is refused with one line naming it', (variable, patch, detail) => {
    const err = failure({ ...production, ...patch });
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(`Invalid setting ${variable}: `);
    expect(err.message).toContain(detail);
    expect(err.message).not.toContain('\n');
  });

  test('a bad setting message never echoes a secret value', () => {
    const err = failure({ ...production, PAYLOAD_KEY: 'c2hvcnQtc2VjcmV0LXZhbHVl' });
    expect(err.message).not.toContain('c2hvcnQtc2VjcmV0LXZhbHVl');
  });
});

describe('currency settings', () => {
  test('unset: the gateway’s documented whole-unit list, and every currency whose unit is confirmed', () => {
    const { currencies } = loadConfig(production);
    expect(currencies.wholeUnit).toEqual(['JPY', 'CLP', 'ECS', 'VND', 'KRW', 'ISK', 'PYG']);
    expect(currencies.payout).toBeUndefined();
    expect(currencies.payoutRefusal('EUR')).toBeUndefined();
  });

  test.each([
    {
      env: { PAYOUT_CURRENCIES: 'EUR,USD' },
      payout: ['EUR', 'USD'],
      wholeUnit: ['JPY', 'CLP', 'ECS', 'VND', 'KRW', 'ISK', 'PYG'],
    },
    {
      env: { PAYOUT_CURRENCIES: ' EUR , JPY ' },
      payout: ['EUR', 'JPY'],
      wholeUnit: ['JPY', 'CLP', 'ECS', 'VND', 'KRW', 'ISK', 'PYG'],
    },
    {
      env: { PAYOUT_CURRENCIES: '  ' },
      payout: undefined,
      wholeUnit: ['JPY', 'CLP', 'ECS', 'VND', 'KRW', 'ISK', 'PYG'],
    },
    { env: { GATEWAY_WHOLE_UNIT_CURRENCIES: 'JPY,UGX' }, payout: undefined, wholeUnit: ['JPY', 'UGX'] },
    {
      env: { GATEWAY_WHOLE_UNIT_CURRENCIES: 'JPY,KWD', PAYOUT_CURRENCIES: 'KWD' },
      payout: ['KWD'],
      wholeUnit: ['JPY', 'KWD'],
    },
  ])('$env parses', ({ env, payout, wholeUnit }) => {
    const { currencies } = loadConfig({ ...production, ...env });
    expect(currencies.payout).toEqual(payout);
    expect(currencies.wholeUnit).toEqual(wholeUnit);
  });

  test('a whole-unit currency is read in whole units; one left off the list is refused again', () => {
    const { currencies } = loadConfig({ ...production, GATEWAY_WHOLE_UNIT_CURRENCIES: 'KWD,UGX' });
    expect(currencies.exponent('KWD')).toBe(0);
    expect(currencies.exponent('UGX')).toBe(0);
    expect(currencies.unitRefusal('JPY')).toContain('JPY has no minor unit in ISO 4217');
  });

  test.each([
    ['PAYOUT_CURRENCIES', { PAYOUT_CURRENCIES: 'eur' }, '"eur" is not a currency code'],
    ['PAYOUT_CURRENCIES', { PAYOUT_CURRENCIES: 'EUR;USD' }, '"EUR;USD" is not a currency code'],
    ['PAYOUT_CURRENCIES', { PAYOUT_CURRENCIES: 'EUR,,USD' }, 'an empty entry is not a currency code'],
    ['PAYOUT_CURRENCIES', { PAYOUT_CURRENCIES: 'EUR,ZZZ' }, 'ZZZ is not an active ISO 4217 currency code'],
    ['PAYOUT_CURRENCIES', { PAYOUT_CURRENCIES: 'ECS' }, 'ECS is not an active ISO 4217 currency code'],
    ['PAYOUT_CURRENCIES', { PAYOUT_CURRENCIES: 'EUR,KWD' }, 'KWD has 3 decimal places in ISO 4217'],
    [
      'PAYOUT_CURRENCIES',
      { PAYOUT_CURRENCIES: 'JPY', GATEWAY_WHOLE_UNIT_CURRENCIES: 'KRW' },
      'GATEWAY_WHOLE_UNIT_CURRENCIES lists JPY',
    ],
    [
      'GATEWAY_WHOLE_UNIT_CURRENCIES',
      { GATEWAY_WHOLE_UNIT_CURRENCIES: 'JPY KRW' },
      '"JPY KRW" is not a currency code',
    ],
    ['GATEWAY_WHOLE_UNIT_CURRENCIES', { GATEWAY_WHOLE_UNIT_CURRENCIES: 'JPY,' }, 'an empty entry'],
  ])('%s: %j is refused with one line naming it', (variable, patch, detail) => {
    const err = failure({ ...production, ...patch });
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(`Invalid setting ${variable}: `);
    expect(err.message).toContain(detail);
    expect(err.message).not.toContain('\n');
  });
});
