import type { Config } from '../config.js';
import { refuse } from './act.js';
import { parseCommand } from './args.js';
import { migrateKeys } from './migrate-keys.js';
import { stdio, withStore } from './with-store.js';

/**
 * `payouts migrate-keys [--dry-run]`: an earlier version's history and payload keys moved to the
 * current layout (migrate-keys.ts); exit 1 when a key had to be left where it is.
 */

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
