import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { Queue } from 'bullmq';
import { expect, test } from 'vitest';
import { verifySecret } from '../../../src/operators/secret-hash.js';
import { QUEUE } from '../../../src/queues.js';
import { deploymentSettings } from '../../helpers/cli-process.js';
import { deletePrefix, testRedis } from '../../helpers/redis.js';

const payouts = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });

test.each(['--help', '-h', 'help'])('payouts %s prints the usage on stdout and exits 0', (flag) => {
  const run = payouts(flag);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^usage: payouts <command>/);
  expect(run.stdout).toContain('resolve');
  expect(run.stdout).toMatch(/approve <external_id> .*recorded as the OS user/);
  expect(run.stdout).toMatch(/decline <external_id> .*recorded as the OS user/);
  expect(run.stderr).not.toContain('unknown command');
});

test('an unknown command is named on stderr, with the usage, and exits 2', () => {
  const run = payouts('pay-everyone');
  expect(run.status).toBe(2);
  expect(run.stderr).toContain("payouts: unknown command 'pay-everyone'");
  expect(run.stderr).toContain('usage: payouts <command>');
});

/** The settings of a deployment on the test Redis, for a command run by hand. */
const deployment = (overrides: Record<string, string>) => ({
  ...process.env,
  ...deploymentSettings(`test-cli-${randomBytes(4).toString('hex')}`),
  LOG_LEVEL: 'warn',
  ...overrides,
});

test('a start that fails (its port taken) exits 1 and leaves no worker behind', async () => {
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const env = deployment({ HOST: '127.0.0.1', PORT: String((taken.address() as AddressInfo).port) });
  // A start that hangs instead of exiting is killed, and fails the exit-code check below.
  const run = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'all'], { env });
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (status) => {
      clearTimeout(kill);
      resolve({ status, stderr });
    });
  });
  taken.close();
  expect(run.status).toBe(1);
  expect(run.stderr).toContain(
    'is already in use (PORT): stop what listens there, or set PORT to a free port',
  );
  const redis = testRedis();
  const queue = new Queue(QUEUE.payouts, { connection: redis, prefix: env.QUEUE_PREFIX });
  expect(await queue.getWorkersCount()).toBe(0);
  await queue.close();
  await deletePrefix(redis, env.QUEUE_PREFIX);
  redis.disconnect();
}, 40_000);

test('an operator command says so when Redis does not answer, instead of waiting for it', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'status', 'po-1'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: deployment({ REDIS_URL: 'redis://127.0.0.1:9' }),
  });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('Redis did not answer within 5000 ms');
});

test.each([
  ['one trailing newline ignored', 'a long operator secret\n'],
  ['no newline', 'a long operator secret'],
  ['a Windows newline', 'a long operator secret\r\n'],
])('payouts hash-secret: %s; no settings needed, the secret never printed', async (_name, input) => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'hash-secret'], {
    input,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, GATEWAY_URL: 'https://gateway.example.test' },
  });
  expect(run.status).toBe(0);
  const hash = run.stdout.trim();
  expect(await verifySecret('a long operator secret', hash)).toBe(true);
  expect(await verifySecret('a long operator secret\n', hash)).toBe(false);
  expect(run.stdout + run.stderr).not.toContain('operator secret');
});

test('payouts hash-secret refuses an empty secret', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'hash-secret'], {
    input: '\n',
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('no secret on standard input');
});

test('payouts rules and limits: set, validated, shown, and audited under the OS user', async () => {
  const env = deployment({});
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      encoding: 'utf8',
      timeout: 30_000,
      env,
    });
  try {
    const bad = run('limits', 'set', '{"limits":[{"currency":"EUR","max_amount":0}]}');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('limits.0.max_amount');
    const kwd = run('rules', 'set', '{"rules":[{"currency":"KWD","min_amount":100,"approvals":1}]}');
    expect(kwd.status).toBe(2);
    expect(kwd.stderr).toContain('rules.0.currency: no payout can be made in KWD');
    const set = run(
      'rules',
      'set',
      '{"rules":[{"currency":"EUR","min_amount":100000,"approvals":2}],"note":"cli"}',
    );
    expect(set.status).toBe(0);
    expect(JSON.parse(set.stdout).rules).toEqual([
      { currency: 'EUR', min_amount: 100000, approvals: 2, min_amount_display: '1,000.00 EUR' },
    ]);
    expect(JSON.parse(run('rules').stdout).rules).toHaveLength(1);
    const audit = JSON.parse(run('audit', '--json').stdout);
    expect(audit.entries[0]).toMatchObject({
      who: userInfo().username,
      via: 'cli',
      action: 'controls.approval_rules',
      before: [],
      note: 'cli',
    });
  } finally {
    const redis = testRedis();
    await deletePrefix(redis, env.QUEUE_PREFIX);
    redis.disconnect();
  }
});
