import type { Config } from '../config.js';
import { createAuditLog } from '../operators/audit.js';
import { act, refuse } from './act.js';
import { parseCommand } from './args.js';
import { cliUser } from './cli-user.js';
import { stdio, withStore } from './with-store.js';

/**
 * `payouts cancel <external_id> [--note text]`: a payout not yet sent cancelled by the operator,
 * recorded in its history and in the audit log.
 */

const CANCEL = {
  usage: 'payouts cancel <external_id> [--note text]',
  positionals: ['external_id'],
  options: { note: { type: 'string' } },
  expects: { note: '--note "why"' },
} as const;

export async function cancel(config: Config, args: string[], io = stdio): Promise<number> {
  const parsed = parseCommand(CANCEL, args);
  if (!parsed.ok) return refuse(io, parsed.message);
  const { values } = parsed;
  const id = parsed.positionals[0]!;
  return withStore(config, ({ producer, redis }) => {
    const audit = createAuditLog({ redis, queuePrefix: config.queuePrefix });
    return act(async () => {
      const who = cliUser();
      const before = (await producer.getPayout(id)).status;
      const p = await producer.cancelPayout(id, {
        actor: 'operator',
        who,
        ...(values.note ? { note: values.note } : {}),
      });
      await audit.record({
        who,
        via: 'cli',
        action: 'payout.cancel',
        target: id,
        before: { status: before },
        after: { status: p.status, reason: p.reason },
        ...(values.note ? { note: values.note } : {}),
      });
      return `cancelled ${p.external_id}`;
    }, io);
  });
}
