import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { PayoutError } from '../errors.js';
import { listUnknownCallbacks } from '../feedback/callbacks.js';
import { createLogger } from '../logger.js';
import { isPayoutState, PAYOUT_STATES } from '../payout/states.js';
import { connectProducer } from '../producer/connect.js';
import type { PayoutView } from '../producer/view.js';
import { waitUntilReady } from '../redis.js';
import { migrateKeys } from './migrate-keys.js';

/**
 * Operator commands of the `payouts` CLI. They talk to Redis directly, through the same record
 * module and state machine as the API, and record the operator in the history.
 */

type Out = { out: (s: string) => void; err: (s: string) => void };
const stdio: Out = { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) };

/** How long a command waits for Redis to answer before it gives up. */
const REDIS_WAIT_MS = 5_000;

async function withStore<T>(
  config: Config,
  fn: (deps: ReturnType<typeof connectProducer>) => Promise<T>,
): Promise<T> {
  // A fail-fast connection: in an outage the command says so and exits, instead of waiting for Redis.
  const deps = connectProducer(
    config,
    createLogger({ level: 'warn', destination: process.stderr as never }),
    'request',
  );
  try {
    await waitUntilReady(deps.redis, REDIS_WAIT_MS);
    return await fn(deps);
  } finally {
    await deps.close();
  }
}

const age = (iso: string, now = Date.now()) => {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
};

export function formatPayout(p: PayoutView): string {
  const lines = [
    `${p.external_id}  ${p.status.toUpperCase()}${p.reason ? `  (${p.reason})` : ''}`,
    `  method ${p.method} / ${p.payment_system}   amount ${p.amount} ${p.currency}   customer ${p.customer_id}`,
    `  order_id ${p.order_id ?? '-'}   gateway_status ${p.gateway_status ?? '-'}   attempts ${p.attempts}`,
    `  created ${p.created_at}   updated ${p.updated_at} (${age(p.updated_at)} ago)`,
    `  payment_data ${JSON.stringify(p.payment_data)}`,
    '  history:',
    ...p.history.map(
      (h) =>
        `    ${h.seq}. ${h.at}  ${h.from ?? '-'} -> ${h.to}  ${h.event} by ${h.actor}${h.who ? ` (${h.who})` : ''}` +
        `${h.attempt ? `  attempt ${h.attempt}` : ''}${h.gateway_status ? `  gateway ${h.gateway_status}` : ''}` +
        `${h.reason ? `  ${h.reason}` : ''}${h.note ? `  note: ${h.note}` : ''}${h.contradiction ? '  !! CONTRADICTION' : ''}`,
    ),
  ];
  return lines.join('\n');
}

/** Runs an operator action, printing the result or a one-line error; exit 1 on a refused action. */
async function act(fn: () => Promise<string>, io: Out): Promise<number> {
  try {
    io.out(await fn());
    return 0;
  } catch (err) {
    if (err instanceof PayoutError) {
      io.err(`payouts: ${err.message}`);
      return err.httpStatus === 404 ? 4 : 1;
    }
    throw err;
  }
}

export async function status(config: Config, args: string[], io = stdio): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' } },
  });
  const id = positionals[0];
  if (!id) {
    io.err('usage: payouts status <external_id> [--json]');
    return 2;
  }
  return withStore(config, ({ producer }) =>
    act(async () => {
      const p = await producer.getPayout(id);
      return values.json ? JSON.stringify(p, null, 2) : formatPayout(p);
    }, io),
  );
}

export async function list(config: Config, args: string[], io = stdio): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      status: { type: 'string', default: 'needs_review' },
      limit: { type: 'string', default: '100' },
      json: { type: 'boolean' },
    },
  });
  const state = values.status;
  const limit = Number(values.limit);
  if (!isPayoutState(state)) {
    io.err(`payouts: --status must be one of ${PAYOUT_STATES.join(', ')}`);
    return 2;
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    io.err('payouts: --limit must be a whole number from 1 to 10000');
    return 2;
  }
  return withStore(config, async ({ store }) => {
    const entries = await store.list(state, { limit });
    const rows = [];
    for (const { externalId, since } of entries) {
      const r = await store.get(externalId);
      if (r)
        rows.push({
          external_id: externalId,
          status: r.status,
          since: new Date(since).toISOString(),
          reason: r.reason ?? null,
          order_id: r.orderId ?? null,
          amount: r.amount,
          currency: r.currency,
          method: r.method,
        });
    }
    if (values.json) io.out(JSON.stringify(rows, null, 2));
    else {
      io.out(`${rows.length} payout(s) ${state}${rows.length === limit ? ` (first ${limit})` : ''}`);
      for (const r of rows) {
        io.out(
          `  ${r.external_id}  ${age(r.since)} in ${state}  ${r.amount} ${r.currency} ${r.method}  order ${r.order_id ?? '-'}  ${r.reason ?? ''}`,
        );
      }
    }
    return 0;
  });
}

export async function cancel(config: Config, args: string[], io = stdio): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { note: { type: 'string' }, who: { type: 'string' } },
  });
  const id = positionals[0];
  if (!id) {
    io.err('usage: payouts cancel <external_id> [--note text] [--who name]');
    return 2;
  }
  return withStore(config, ({ producer }) =>
    act(async () => {
      const p = await producer.cancelPayout(id, {
        actor: 'operator',
        who: values.who ?? userInfo().username,
        ...(values.note ? { note: values.note } : {}),
      });
      return `cancelled ${p.external_id}`;
    }, io),
  );
}

export async function resolve(config: Config, args: string[], io = stdio): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { as: { type: 'string' }, note: { type: 'string' }, who: { type: 'string' } },
  });
  const id = positionals[0];
  const as = values.as;
  if (!id || (as !== 'succeeded' && as !== 'failed' && as !== 'resend') || !values.note?.trim()) {
    io.err('usage: payouts resolve <external_id> --as succeeded|failed|resend --note "why" [--who name]');
    return 2;
  }
  return withStore(config, ({ producer }) =>
    act(async () => {
      const p = await producer.resolvePayout(id, {
        as,
        note: values.note!.trim(),
        who: values.who ?? userInfo().username,
      });
      return as === 'resend'
        ? `${p.external_id} queued to be sent again`
        : `${p.external_id} resolved as ${p.status}`;
    }, io),
  );
}

export async function callbacks(config: Config, args: string[], io = stdio): Promise<number> {
  const { values } = parseArgs({ args, options: { limit: { type: 'string', default: '100' } } });
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    io.err('payouts: --limit must be a whole number from 1 to 10000');
    return 2;
  }
  return withStore(config, async ({ redis, store }) => {
    const kept = await listUnknownCallbacks(redis, store, limit);
    io.out(`${kept.length} callback(s) for unknown external_ids, newest first`);
    for (const c of kept) io.out(`  ${JSON.stringify(c)}`);
    return 0;
  });
}

export async function migrateKeysCommand(config: Config, args: string[], io = stdio): Promise<number> {
  const { values } = parseArgs({ args, options: { 'dry-run': { type: 'boolean' } } });
  const dryRun = values['dry-run'] ?? false;
  return withStore(config, async ({ redis }) => {
    const { moved, conflicts, unexpected } = await migrateKeys(redis, config.queuePrefix, { dryRun });
    io.out(`${dryRun ? 'would move' : 'moved'} ${moved} key(s) to the current layout`);
    for (const key of conflicts) io.err(`payouts: left ${key}: its new name is taken`);
    for (const key of unexpected) io.err(`payouts: left ${key}: not a history or payload of this layout`);
    return conflicts.length + unexpected.length > 0 ? 1 : 0;
  });
}
