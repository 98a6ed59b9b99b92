import type { Config } from '../config.js';
import { createAuditLog } from '../operators/audit.js';
import { act, refuse } from './act.js';
import { parseCommand, refusal } from './args.js';
import { cliUser } from './cli-user.js';
import { stdio, withStore } from './with-store.js';

/**
 * `payouts resolve <external_id> --as succeeded|failed|resend --note "why" [--force]`: an operator's
 * decision on a payout in needs_review, with the reason kept in its history and the audit log.
 */

const RESOLVE = {
  usage: 'payouts resolve <external_id> --as succeeded|failed|resend --note "why" [--force]',
  positionals: ['external_id'],
  options: {
    as: { type: 'string' },
    note: { type: 'string' },
    force: { type: 'boolean' },
  },
  expects: {
    as: '--as succeeded|failed|resend',
    note: '--note "why"',
    force: '--force (resend although the gateway gave an order_id)',
  },
} as const;

export async function resolve(config: Config, args: string[], io = stdio): Promise<number> {
  const parsed = parseCommand(RESOLVE, args);
  if (!parsed.ok) return refuse(io, parsed.message);
  const { values } = parsed;
  const id = parsed.positionals[0]!;
  const as = values.as;
  if (as === undefined) return refuse(io, refusal(RESOLVE, 'missing --as: succeeded, failed or resend'));
  if (as !== 'succeeded' && as !== 'failed' && as !== 'resend')
    return refuse(io, refusal(RESOLVE, `--as must be succeeded, failed or resend, not '${as}'`));
  if (!values.note?.trim())
    return refuse(io, refusal(RESOLVE, "missing --note: say why, it is kept in the payout's history"));
  if (values.force && as !== 'resend')
    return refuse(io, refusal(RESOLVE, '--force applies to --as resend only'));
  return withStore(config, ({ producer, redis }) => {
    const audit = createAuditLog({ redis, queuePrefix: config.queuePrefix });
    return act(async () => {
      const who = cliUser();
      const note = values.note!.trim();
      const p = await producer.resolvePayout(id, { as, note, who, force: values.force === true });
      await audit.record({
        who,
        via: 'cli',
        action: `payout.resolve_${as}`,
        target: id,
        before: { status: 'needs_review' },
        after: { status: p.status, reason: p.reason },
        note,
      });
      return as === 'resend'
        ? `${p.external_id} queued to be sent again`
        : `${p.external_id} resolved as ${p.status}`;
    }, io);
  });
}
