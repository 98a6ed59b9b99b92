import type { Config } from '../config.js';
import { listUnknownCallbacks } from '../feedback/callbacks.js';
import { refuse } from './act.js';
import { parseCommand, wholeNumber } from './args.js';
import { stdio, withStore } from './with-store.js';

/**
 * `payouts callbacks [--limit N]`: the gateway callbacks kept for external_ids we do not know,
 * newest first.
 */

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
