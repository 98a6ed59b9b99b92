import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';

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
  expect(run.stderr).not.toContain('unknown command');
});

test('an unknown command is named on stderr, with the usage, and exits 2', () => {
  const run = payouts('pay-everyone');
  expect(run.status).toBe(2);
  expect(run.stderr).toContain("payouts: unknown command 'pay-everyone'");
  expect(run.stderr).toContain('usage: payouts <command>');
});
