import { randomBytes } from 'node:crypto';
import { afterAll, beforeEach, expect, test } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { cancel } from '../../../src/ops/cancel-command.js';
import { pause } from '../../../src/ops/control-commands.js';
import { withStore } from '../../../src/ops/with-store.js';
import { publishDeployment } from '../../../src/payout/deployment.js';
import { payoutKeys } from '../../../src/payout/keys.js';
import { captureLogger } from '../../helpers/capture-log.js';
import { deploymentSettings } from '../../helpers/cli-process.js';
import { deletePrefix, testRedis } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';

/**
 * The CLI (and the library, which opens the same store) has neither NOTIFY_URL nor
 * LEDGER_DATABASE_URL here, as in an operator's shell: its changes still reach the notification and
 * ledger outboxes when the deployment's service published that it keeps them, and only then.
 */

const prefix = `test-cli-follows-${randomBytes(4).toString('hex')}`;
const keys = payoutKeys(prefix);
const config = loadConfig({ ...deploymentSettings(prefix), LOG_LEVEL: 'silent' });
const redis = testRedis();
const quiet = captureLogger().logger;
const io = { out: () => undefined, err: () => undefined };

const published = (notify: boolean, ledger: boolean) =>
  publishDeployment(redis, keys.deployment, { notify, ledger, part: 'worker' }, quiet);

/** An outbox's entries: `external_id#seq` of a payout's change, the event's name of a control event. */
async function outbox(key: string): Promise<string[]> {
  return (await redis.lrange(key, 0, -1)).map((line) => {
    const e = JSON.parse(line) as { external_id?: string; seq?: number; body?: string };
    return e.body ? (JSON.parse(e.body) as { event: string }).event : `${e.external_id}#${e.seq}`;
  });
}

const enqueued = (externalId: string) =>
  withStore(config, async (deps) => {
    await deps.producer.enqueuePayout(cardPayout({ external_id: externalId }));
    return 0;
  });

beforeEach(async () => {
  await deletePrefix(redis, prefix);
});

afterAll(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

test('with the service keeping both, a payout made and cancelled from the CLI is in both outboxes', async () => {
  await published(true, true);
  await enqueued('follow-1');
  expect(await cancel(config, ['follow-1', '--note', 'player asked'], io)).toBe(0);

  expect(await outbox(keys.outbox)).toEqual(['follow-1#1', 'follow-1#2']);
  expect(await outbox(keys.ledgerOutbox)).toEqual(['follow-1#1', 'follow-1#2']);
});

test('each outbox follows its own setting: a ledger without notifications', async () => {
  await published(false, true);
  await enqueued('follow-2');

  expect(await outbox(keys.outbox)).toEqual([]);
  expect(await outbox(keys.ledgerOutbox)).toEqual(['follow-2#1']);
});

test('a service that keeps neither, or none published yet: nothing is pushed', async () => {
  await enqueued('follow-3');
  await published(false, false);
  expect(await cancel(config, ['follow-3'], io)).toBe(0);

  expect(await outbox(keys.outbox)).toEqual([]);
  expect(await outbox(keys.ledgerOutbox)).toEqual([]);
});

test('a pause from the CLI is notified when the service notifies, not otherwise', async () => {
  await published(false, false);
  expect(await pause(config, ['TEST_PS'], io)).toBe(0);
  expect(await outbox(keys.outbox)).toEqual([]);

  await published(true, false);
  expect(await pause(config, ['OTHER_PS'], io)).toBe(0);
  expect(await outbox(keys.outbox)).toEqual(['payment_system.paused']);
});

test('a late answer noted from outside the service goes to the ledger only, as the service would note it', async () => {
  await published(true, true);
  await enqueued('follow-4');
  await withStore(config, async (deps) => {
    await deps.store.note('follow-4', { event: 'gateway_report', actor: 'callback', reason: 'late' });
    return 0;
  });

  expect(await outbox(keys.outbox)).toEqual(['follow-4#1']);
  expect(await outbox(keys.ledgerOutbox)).toEqual(['follow-4#1', 'follow-4#2']);
});

test('a service process whose settings differ from the one started before it is warned about', async () => {
  await published(true, true);
  const { logger, text } = captureLogger();
  await publishDeployment(redis, keys.deployment, { notify: false, ledger: true, part: 'api' }, logger);

  expect(text()).toContain("settings differ between this deployment's processes: NOTIFY_URL is not set here");
  expect(text()).toContain('worker pid');
  expect(text()).not.toContain('LEDGER_DATABASE_URL');
  expect(await redis.hget(keys.deployment, 'notify')).toBe('0');
});

test('the deployment is read before a script writes: when it cannot be read, the change is not made at all', async () => {
  await enqueued('follow-5');
  await redis.set(keys.deployment, 'not a hash');
  await expect(cancel(config, ['follow-5'], io)).rejects.toThrow(/WRONGTYPE/);

  await redis.del(keys.deployment);
  expect(await redis.hget(keys.record('follow-5'), 'status')).toBe('queued');
  expect((await redis.get(keys.history('follow-5')))?.split('\n')).toHaveLength(1);
});
