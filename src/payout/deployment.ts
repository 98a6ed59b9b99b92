import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/**
 * Which outboxes a deployment keeps is the deployment's choice, not each process's. The service
 * processes (`payouts api`, `worker`, `all`) publish at start whether they have NOTIFY_URL and
 * LEDGER_DATABASE_URL, in `<prefix>:deployment`; a process outside the service (the operator CLI, a
 * backend using the library, `import`, `demo`) follows what was published, so an operator's
 * `payouts resolve` in a shell without those settings is still notified and still reaches the
 * ledger (a ledger missing one change of a payout never lets it be archived).
 *
 * The service processes push by their own settings alone, as each should have the same ones; one
 * whose settings differ from what another published is warned about at its start.
 */

/** The published choice, as its hash's fields: '1' on, '0' off. */
const FIELDS = { notify: 'notify', ledger: 'ledger', by: 'by' } as const;

/** The deployment's hash, beside the notification outbox (`<prefix>:outbox`): the scripts derive it from that key. */
export const deploymentKey = (base: string) => `${base}:deployment`;

/**
 * Lua: whether the deployment published `field` ('notify' or 'ledger') as on, given the notification
 * outbox's key (`<base>:outbox`, keys.ts), whose prefix it shares (one hash tag on a cluster).
 */
export const DEPLOYMENT_LUA = `
local function deployment_has(outbox_key, field)
  return redis.call('HGET', string.sub(outbox_key, 1, #outbox_key - #':outbox') .. ':deployment', field) == '1'
end
`;

export interface Outboxes {
  notify: boolean;
  ledger: boolean;
}

/**
 * The outboxes argument of the record's scripts (scripts.ts): `n` and `l` push by this process's
 * settings; `N` and `L` push when the deployment published them, for a process that follows it.
 */
export function outboxLetters(own: Outboxes, followDeployment: boolean): string {
  const follow = (on: boolean, letter: string) => (!on && followDeployment ? letter : '');
  return `${own.notify ? 'n' : follow(own.notify, 'N')}${own.ledger ? 'l' : follow(own.ledger, 'L')}`;
}

/** Drops notifications from an outboxes argument, whether by setting or by following. */
export const withoutNotify = (letters: string) => letters.replace(/[nN]/g, '');

/**
 * A service process's start: publishes its settings as the deployment's, and warns when another
 * process published other ones (the processes of one deployment should share their settings). A
 * Redis that refuses the write is logged, not a failed start.
 */
export async function publishDeployment(
  redis: Redis,
  key: string,
  own: Outboxes & { part: string },
  logger: Logger,
): Promise<void> {
  const by = `${own.part} pid ${process.pid} on ${hostname()} at ${new Date().toISOString()}`;
  let published: (string | null)[];
  try {
    published = await redis.hmget(key, FIELDS.notify, FIELDS.ledger, FIELDS.by);
    const fields = [
      FIELDS.notify,
      own.notify ? '1' : '0',
      FIELDS.ledger,
      own.ledger ? '1' : '0',
      FIELDS.by,
      by,
    ];
    await redis.hset(key, ...fields);
  } catch (err) {
    // A Redis refusing writes (a replica, OOM) must not stop the start: reads still answer, and the
    // CLI and the library follow what was published before.
    logger.warn(
      { err, key },
      "could not publish this process's notification and ledger settings; tried at its next start",
    );
    return;
  }
  const [notify = null, ledger = null, before = null] = published;
  const was = before ?? 'another process';
  const differs = [
    notify !== null && (notify === '1') !== own.notify ? differing('NOTIFY_URL', own.notify, was) : undefined,
    ledger !== null && (ledger === '1') !== own.ledger
      ? differing('LEDGER_DATABASE_URL', own.ledger, was)
      : undefined,
  ].filter((d) => d !== undefined);
  if (differs.length > 0) {
    logger.warn(
      { differs },
      `settings differ between this deployment's processes: ${differs.join('; ')}. Give each the same settings: ` +
        'each pushes changes by its own, and the CLI and the library follow the last one started',
    );
  }
}

const differing = (setting: string, here: boolean, was: string) =>
  here ? `${setting} is set here but not in ${was}` : `${setting} is not set here but was in ${was}`;
