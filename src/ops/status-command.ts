import type { Config } from '../config.js';
import { type Currencies, showAmount } from '../currency/index.js';
import { createProducer } from '../producer/producer.js';
import type { PayoutView } from '../producer/view.js';
import { act, refuse } from './act.js';
import { parseCommand } from './args.js';
import { controlsFor } from './control-commands.js';
import { span } from './span.js';
import { stdio, withStore } from './with-store.js';

/**
 * `payouts status <external_id> [--json]`: one payout as an operator reads it: its state and reason,
 * what holds it while a pause or a breaker does, its masked data and its whole history.
 */

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
