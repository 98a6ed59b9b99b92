import { expect, test, vi } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { callbacks, cancel, list, migrateKeysCommand, resolve, status } from '../../../src/ops/commands.js';
import { demo } from '../../../src/ops/demo.js';
import { PAYOUT_STATES } from '../../../src/payout/states.js';

// Sandbox mode (no secrets needed) on a Redis nothing answers: a refused command line never reaches it.
const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:9' });
const commands = { status, list, resolve, cancel, callbacks, 'migrate-keys': migrateKeysCommand };
const STATES = PAYOUT_STATES.join('|');

test.each<[keyof typeof commands, string[], string]>([
  ['status', [], 'missing <external_id>'],
  ['status', ['po-1', 'po-2'], "unexpected argument 'po-2'"],
  ['status', ['po-1', '--jsn'], 'unknown option --jsn (this command takes --json)'],
  ['status', ['po-1', '--json=yes'], '--json takes no value'],
  ['list', ['--status'], `--status needs a value: --status ${STATES}`],
  ['list', ['--status', 'retry'], `--status must be one of ${PAYOUT_STATES.join(', ')}, not 'retry'`],
  ['list', ['--limit', '0'], "--limit must be a whole number from 1 to 10000, not '0'"],
  ['list', ['--limit', 'ten'], "--limit must be a whole number from 1 to 10000, not 'ten'"],
  ['list', ['--offset', '1.5'], "--offset must be a whole number from 0 to 9007199254740991, not '1.5'"],
  ['list', ['needs_review'], "unexpected argument 'needs_review'"],
  [
    'list',
    ['--state', 'queued'],
    'unknown option --state (this command takes --status, --limit, --offset, --json)',
  ],
  ['resolve', ['--as', 'failed', '--note', 'x'], 'missing <external_id>'],
  ['resolve', ['po-1', '--note', 'x'], 'missing --as: succeeded, failed or resend'],
  [
    'resolve',
    ['po-1', '--as', 'succeed', '--note', 'x'],
    "--as must be succeeded, failed or resend, not 'succeed'",
  ],
  ['resolve', ['po-1', '--as', 'failed'], "missing --note: say why, it is kept in the payout's history"],
  [
    'resolve',
    ['po-1', '--as', 'failed', '--note', '  '],
    "missing --note: say why, it is kept in the payout's history",
  ],
  ['resolve', ['po-1', '--as'], '--as needs a value: --as succeeded|failed|resend'],
  ['cancel', [], 'missing <external_id>'],
  ['cancel', ['po-1', '--note'], '--note needs a value: --note "why"'],
  // Who acted is the OS user running the command, never a name given on the command line.
  ['cancel', ['po-1', '--who', 'alice'], 'unknown option --who (this command takes --note)'],
  [
    'resolve',
    ['po-1', '--as', 'failed', '--note', 'x', '--who', 'alice'],
    'unknown option --who (this command takes --as, --note, --force)',
  ],
  ['callbacks', ['--limit', '100000'], "--limit must be a whole number from 1 to 10000, not '100000'"],
  ['migrate-keys', ['--dry'], 'unknown option --dry (this command takes --dry-run)'],
])('payouts %s %j: "%s", with the usage, exit 2', async (name, args, problem) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await commands[name](config, args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  expect(code).toBe(2);
  expect(out).toEqual([]);
  const [first, usage] = err.join('\n').split('\n');
  expect(first).toBe(`payouts: ${problem}`);
  expect(usage).toMatch(new RegExp(`^usage: payouts ${name} `));
});

test.each([
  [['0'], "per-scenario must be 1 to 100, not '0'"],
  [['many'], "per-scenario must be 1 to 100, not 'many'"],
  [['2', '3'], "unexpected argument '3'"],
])('payouts demo %j: "%s", exit 2', async (args, problem) => {
  const written: string[] = [];
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    expect(await demo(config, args)).toBe(2);
  } finally {
    write.mockRestore();
  }
  expect(written.join('')).toBe(
    `payouts: ${problem}\nusage: payouts demo [per-scenario]: per-scenario is a whole number from 1 to 100 (default 1)\n`,
  );
});
