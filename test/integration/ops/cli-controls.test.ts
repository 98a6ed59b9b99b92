import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { afterAll, expect, test } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { status } from '../../../src/ops/commands.js';
import { controls, pause, resume } from '../../../src/ops/control-commands.js';
import { withStore } from '../../../src/ops/with-store.js';
import { deploymentSettings } from '../../helpers/cli-process.js';
import { deletePrefix, testRedis } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';

/** `payouts pause`, `payouts resume` and `payouts controls` (the pauses and breakers), on the real Redis. */

const prefix = `test-cli-controls-${randomBytes(4).toString('hex')}`;
const config = loadConfig({ ...deploymentSettings(prefix), LOG_LEVEL: 'silent' });

/** Runs a command as the CLI would, capturing what it prints. */
async function run(
  command: typeof pause,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command(config, args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

afterAll(async () => {
  const redis = testRedis();
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

test('pause, see it in payouts controls, resume: the operator recorded is the OS user', async () => {
  const paused = await run(pause, 'TEST_PS', '--note', 'gateway incident #7');
  expect(paused).toMatchObject({ code: 0, stderr: '' });
  expect(paused.stdout).toContain('TEST_PS paused');

  const shown = await run(controls);
  expect(shown.code).toBe(0);
  expect(shown.stdout).toContain('paused: 1');
  expect(shown.stdout).toContain(`by ${userInfo().username}  note: gateway incident #7`);
  expect(shown.stdout).toContain('circuit breakers: all closed (threshold 10)');

  const resumed = await run(resume, 'TEST_PS');
  expect(resumed.stdout).toContain('resumed TEST_PS: 0 held payout(s) woken');
  expect((await run(controls)).stdout).toContain('paused: none');
  expect((await run(resume, 'TEST_PS')).stdout).toContain('TEST_PS was not paused');
});

test('payouts status shows what holds a queued payout while its payment_system is paused, and nothing once resumed', async () => {
  const body = cardPayout({ payment_system: 'HELD_PS' });
  // No worker runs here: the payout stays queued.
  await withStore(config, ({ producer }) => producer.enqueuePayout(body));
  expect((await run(status, body.external_id)).stdout).not.toContain('HELD:');

  await run(pause, 'HELD_PS', '--note', 'gateway incident #8');
  const held = await run(status, body.external_id);
  expect(held.code).toBe(0);
  expect(held.stdout).toMatch(
    new RegExp(
      `HELD: HELD_PS paused since \\S+ by ${userInfo().username} \\(gateway incident #8\\); sent once resumed`,
    ),
  );
  const json = JSON.parse((await run(status, body.external_id, '--json')).stdout);
  expect(json).toMatchObject({ status: 'queued', hold: { reason: 'paused', payment_system: 'HELD_PS' } });

  await run(resume, 'HELD_PS');
  expect((await run(status, body.external_id)).stdout).not.toContain('HELD:');
});

test.each([
  [['pause'], 'missing <payment_system>'],
  [['pause', 'A', 'B'], "unexpected argument 'B'"],
  [['resume', '--note'], '--note needs a value'],
  [['pause', 'A\u001b[2J'], 'without control characters'],
])('payouts %j is refused with exit 2: %s', async ([verb, ...args], message) => {
  const result = await run(verb === 'pause' ? pause : resume, ...args);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(message);
});
