import type { Config } from '../config.js';
import { type Currencies, showAmount } from '../currency/index.js';
import { PayoutError } from '../errors.js';
import { listUnknownCallbacks } from '../feedback/callbacks.js';
import { createAuditLog } from '../operators/audit.js';
import { isPayoutState, PAYOUT_STATES } from '../payout/states.js';
import { createProducer } from '../producer/producer.js';
import type { PayoutView } from '../producer/view.js';
import { type CommandSpec, parseCommand, refusal, wholeNumber } from './args.js';
import { cliUser } from './cli-user.js';
import { controlsFor } from './control-commands.js';
import { migrateKeys } from './migrate-keys.js';
import { type Column, formatTable } from './table.js';
import { type Out, stdio, withStore } from './with-store.js';

/**
 * Operator commands of the `payouts` CLI. They talk to Redis directly, through the same record
 * module and state machine as the API, and record the operating-system user (ops/cli-user.ts) in the
 * history and the audit log: whoever can reach Redis can act, so the CLI has no roles.
 */

/** Ages and waits as people say them: `42s`, `5m`, `3h`, `2d`. */
const span = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
};

const describeHold = (h: NonNullable<PayoutView['hold']>): string =>
  h.reason === 'paused'
    ? `${h.payment_system === '*' ? 'every payment_system' : h.payment_system} paused since ${h.since} by ${h.by}${h.note ? ` (${h.note})` : ''}; sent once resumed`
    : `circuit breaker of ${h.payment_system} ${h.reason === 'breaker_open' ? 'open' : 'half open (another payout probes)'} until ${h.until}; sent once it closes`;

export function formatPayout(p: PayoutView, currencies?: Currencies): string {
  const lines = [
    `${p.external_id}  ${p.status.toUpperCase()}${p.reason ? `  (${p.reason})` : ''}`,
    ...(p.hold ? [`  HELD: ${describeHold(p.hold)}`] : []),
    `  method ${p.method} / ${p.payment_system}   amount ${showAmount(p.amount, p.currency, currencies)}   customer ${p.customer_id}`,
    `  order_id ${p.order_id ?? '-'}   gateway_status ${p.gateway_status ?? '-'}   attempts ${p.attempts}`,
    `  created ${p.created_at}   updated ${p.updated_at} (${span(Date.now() - Date.parse(p.updated_at))} ago)`,
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
export async function act(fn: () => Promise<string>, io: Out): Promise<number> {
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

const STATUS = {
  usage: 'payouts status <external_id> [--json]',
  positionals: ['external_id'],
  options: { json: { type: 'boolean' } },
} as const;

export async function status(config: Config, args: string[], io = stdio): Promise<number> {
  const parsed = parseCommand(STATUS, args);
  if (!parsed.ok) return refuse(io, parsed.message);
  const { values } = parsed;
  const id = parsed.positionals[0]!;
  return withStore(config, (deps) => {
    const producer = createProducer({ ...deps, holdOf: controlsFor(config, deps).holdOf });
    return act(async () => {
      const p = await producer.getPayout(id);
      return values.json ? JSON.stringify(p, null, 2) : formatPayout(p, config.currencies);
    }, io);
  });
}

const LIST: CommandSpec<{
  status: { type: 'string' };
  limit: { type: 'string' };
  offset: { type: 'string' };
  json: { type: 'boolean' };
}> = {
  usage: 'payouts list [--status STATE] [--limit N] [--offset N] [--json]',
  options: {
    status: { type: 'string' },
    limit: { type: 'string' },
    offset: { type: 'string' },
    json: { type: 'boolean' },
  },
  expects: {
    status: `--status ${PAYOUT_STATES.join('|')}`,
    limit: '--limit N (1 to 10000)',
    offset: '--offset N',
  },
};

export async function list(config: Config, args: string[], io = stdio): Promise<number> {
  const parsed = parseCommand(LIST, args);
  if (!parsed.ok) return refuse(io, parsed.message);
  const state = parsed.values.status ?? 'needs_review';
  if (!isPayoutState(state))
    return refuse(io, refusal(LIST, `--status must be one of ${PAYOUT_STATES.join(', ')}, not '${state}'`));
  const limit = wholeNumber(LIST, 'limit', parsed.values.limit ?? '100', 1, 10_000);
  if (!limit.ok) return refuse(io, limit.message);
  const offset = wholeNumber(LIST, 'offset', parsed.values.offset ?? '0', 0, Number.MAX_SAFE_INTEGER);
  if (!offset.ok) return refuse(io, offset.message);
  return withStore(config, async ({ store }) => {
    const total = (await store.counts())[state];
    const entries = await store.list(state, { limit: limit.n, offset: offset.n });
    const now = Date.now();
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
          next_attempt_at: r.nextAttemptAt ? new Date(r.nextAttemptAt).toISOString() : null,
        });
    }
    if (parsed.values.json) {
      io.out(JSON.stringify({ status: state, total, offset: offset.n, payouts: rows }, null, 2));
      return 0;
    }
    const shown = rows.length === 0 ? 'none shown' : `${offset.n + 1}-${offset.n + rows.length} shown`;
    const more =
      offset.n + rows.length < total ? `; --offset ${offset.n + rows.length} for the next page` : '';
    io.out(`${total} payout(s) in ${state}, oldest first: ${shown}${more}`);
    if (rows.length === 0) return 0;
    type Row = (typeof rows)[number];
    const columns: Column<Row>[] = [
      { header: 'EXTERNAL_ID', cell: (r) => r.external_id },
      { header: 'FOR', cell: (r) => span(now - Date.parse(r.since)), align: 'right' },
      ...(state === 'retry_scheduled'
        ? [
            {
              header: 'NEXT ATTEMPT',
              cell: (r: Row) =>
                r.next_attempt_at === null
                  ? '-'
                  : Date.parse(r.next_attempt_at) <= now
                    ? 'due now'
                    : `in ${span(Date.parse(r.next_attempt_at) - now)} (${r.next_attempt_at.slice(11, 19)} UTC)`,
            },
          ]
        : []),
      {
        header: 'AMOUNT',
        cell: (r) => showAmount(r.amount, r.currency, config.currencies),
        align: 'right',
      },
      { header: 'METHOD', cell: (r) => r.method },
      { header: 'ORDER_ID', cell: (r) => r.order_id ?? '-' },
      { header: 'REASON', cell: (r) => r.reason ?? '' },
    ];
    for (const line of formatTable(rows, columns)) io.out(`  ${line}`);
    return 0;
  });
}

/** A refused command line: the line and its usage on stderr, exit 2 (usage error). */
function refuse(io: Out, message: string): number {
  io.err(message);
  return 2;
}

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

const CALLBACKS = {
  usage: 'payouts callbacks [--limit N]',
  options: { limit: { type: 'string' } },
  expects: { limit: '--limit N (1 to 10000)' },
} as const;

export async function callbacks(config: Config, args: string[], io = stdio): Promise<number> {
  const parsed = parseCommand(CALLBACKS, args);
  if (!parsed.ok) return refuse(io, parsed.message);
  const limit = wholeNumber(CALLBACKS, 'limit', parsed.values.limit ?? '100', 1, 10_000);
  if (!limit.ok) return refuse(io, limit.message);
  return withStore(config, async ({ redis, store }) => {
    const kept = await listUnknownCallbacks(redis, store, limit.n);
    io.out(`${kept.length} callback(s) for unknown external_ids, newest first`);
    for (const c of kept) io.out(`  ${JSON.stringify(c)}`);
    return 0;
  });
}

const MIGRATE_KEYS = {
  usage: 'payouts migrate-keys [--dry-run]',
  options: { 'dry-run': { type: 'boolean' } },
} as const;

export async function migrateKeysCommand(config: Config, args: string[], io = stdio): Promise<number> {
  const parsed = parseCommand(MIGRATE_KEYS, args);
  if (!parsed.ok) return refuse(io, parsed.message);
  const dryRun = parsed.values['dry-run'] ?? false;
  return withStore(config, async ({ redis }) => {
    const { moved, conflicts, unexpected } = await migrateKeys(redis, config.queuePrefix, { dryRun });
    io.out(`${dryRun ? 'would move' : 'moved'} ${moved} key(s) to the current layout`);
    for (const key of conflicts) io.err(`payouts: left ${key}: its new name is taken`);
    for (const key of unexpected) io.err(`payouts: left ${key}: not a history or payload of this layout`);
    return conflicts.length + unexpected.length > 0 ? 1 : 0;
  });
}
