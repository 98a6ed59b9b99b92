import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig, secretsOf } from '../../../src/config.js';
import { parseOperatorEntries } from '../../../src/operators/accounts.js';
import { createAuthenticator } from '../../../src/operators/authenticate.js';
import { roleAtLeast } from '../../../src/operators/roles.js';
import { hashSecret, verifySecret } from '../../../src/operators/secret-hash.js';

const production = {
  GATEWAY_URL: 'https://gateway.example.test',
  MERCHANT_KEY: 'test-merchant-key',
  SIGNATURE_SALT: 'test-salt-value',
  API_KEYS: 'test-api-key-0123456789',
  PAYLOAD_KEY: Buffer.alloc(32, 7).toString('base64'),
};

// One hash for every entry: scrypt is slow on purpose.
const hash = await hashSecret('correct horse battery');

describe('secret hashes', { timeout: 30_000 }, () => {
  test('a hash verifies its own secret and nothing else, and never holds : or ,', async () => {
    expect(hash).toMatch(/^scrypt\.14\.8\.1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(await verifySecret('correct horse battery', hash)).toBe(true);
    expect(await verifySecret('correct horse battery ', hash)).toBe(false);
    expect(await verifySecret('correct horse battery', 'scrypt.15.8.1.AAAA.BBBB')).toBe(false);
  });

  test('two hashes of one secret differ (a fresh salt each)', async () => {
    expect(await hashSecret('correct horse battery')).not.toBe(hash);
  });
});

describe('OPERATORS entries', () => {
  test('name:role:hash, separated by commas or lines, with comments', () => {
    const accounts = parseOperatorEntries(
      `ana:viewer:${hash}, bo:admin:${hash}\n# on call\ncy:approver:${hash}`,
    );
    expect(accounts.map((a) => [a.name, a.role])).toEqual([
      ['ana', 'viewer'],
      ['bo', 'admin'],
      ['cy', 'approver'],
    ]);
  });

  test.each([
    ['a missing hash', 'ana:viewer', 'entry 1 (ana) must be name:role:hash'],
    ['an unknown role', `ana:root:${hash}`, 'the role must be one of viewer, operator, approver, admin'],
    ['a hash in clear', 'ana:viewer:hunter2', 'the hash must be scrypt'],
    ['a bad name', `a na:viewer:${hash}`, 'entry 1: the name must be'],
    ['a name twice', `ana:viewer:${hash},ana:admin:${hash}`, 'entry 2 (ana): the name is given twice'],
  ])('%s is refused, naming the entry', (_name, text, message) => {
    expect(() => parseOperatorEntries(text)).toThrow(message);
  });

  test('a bad entry stops the start with one line naming OPERATORS and never the hash', () => {
    let err: unknown;
    try {
      loadConfig({ ...production, OPERATORS: `ana:root:${hash}` });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^Invalid setting OPERATORS: entry 1 \(ana\)/);
    expect((err as Error).message).not.toContain(hash);
  });

  test('with OPERATORS, the dashboard login is optional outside sandbox mode; without, it is required', () => {
    const config = loadConfig({ ...production, OPERATORS: `ana:admin:${hash}` });
    expect(config.dashboard).toBeUndefined();
    expect(config.operators.map((o) => o.name)).toEqual(['ana']);
    expect(() => loadConfig(production)).toThrow(
      new ConfigError(
        'DASHBOARD_USER',
        'DASHBOARD_USER and DASHBOARD_PASSWORD, or OPERATORS, are required when GATEWAY_URL is set',
      ),
    );
    expect(() => loadConfig(production)).toThrow(
      /^Invalid setting DASHBOARD_USER: DASHBOARD_USER and DASHBOARD_PASSWORD, or OPERATORS, are required when GATEWAY_URL is set$/,
    );
  });

  test('DASHBOARD_USER/PASSWORD is one more admin; its password is a secret the logger scrubs', () => {
    const config = loadConfig({
      ...production,
      OPERATORS: `ana:viewer:${hash}`,
      DASHBOARD_USER: 'ops',
      DASHBOARD_PASSWORD: 'dash-password-123',
    });
    expect(config.operators.map((o) => [o.name, o.role])).toEqual([
      ['ana', 'viewer'],
      ['ops', 'admin'],
    ]);
    expect(secretsOf(config)).toContain('dash-password-123');
  });

  test('sandbox mode generates an admin', () => {
    const config = loadConfig({});
    expect(config.operators).toEqual([
      { name: 'ops', role: 'admin', secret: { plain: config.dashboard?.password } },
    ]);
  });
});

describe('authentication', { timeout: 30_000 }, () => {
  const authenticate = createAuthenticator([
    { name: 'ana', role: 'approver', secret: { hash } },
    { name: 'ops', role: 'admin', secret: { plain: 'dash-password-123' } },
  ]);

  test.each([
    ['ana', 'correct horse battery', { name: 'ana', role: 'approver' }],
    ['ana', 'correct horse battery', { name: 'ana', role: 'approver' }],
    ['ana', 'wrong', undefined],
    ['ops', 'dash-password-123', { name: 'ops', role: 'admin' }],
    ['ops', 'correct horse battery', undefined],
    ['nobody', 'correct horse battery', undefined],
    ['', '', undefined],
  ])('%s with %s', async (name, secret, expected) => {
    expect(await authenticate(name, secret)).toEqual(expected);
  });

  test.each([
    ['viewer', 'viewer', true],
    ['viewer', 'operator', false],
    ['operator', 'viewer', true],
    ['approver', 'operator', true],
    ['approver', 'admin', false],
    ['admin', 'approver', true],
  ] as const)('role %s may act as %s: %s', (held, needed, ok) => {
    expect(roleAtLeast(held, needed)).toBe(ok);
  });
});
