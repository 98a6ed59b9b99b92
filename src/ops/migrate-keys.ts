import type { Redis } from 'ioredis';
import { payoutKeys } from '../payout/keys.js';

/**
 * Moves the keys of a deployment written by a version that put the external_id first
 * (`payout:<id>:history`, `payout:<id>:payload`, `deposit:<id>:history`) to today's layout, where it
 * comes last (keys.ts). Run once, with every process of the old version stopped: each key moves by
 * RENAMENX, atomically, and one whose new name is taken is left where it is and reported.
 *
 * Under the old layout a key ending in `:history` or `:payload` is told apart from the record of a
 * payout whose external_id ends that way by its type: records are hashes, histories and payloads
 * strings, a deposit's history a list.
 */

export interface KeyMigration {
  moved: number;
  /** Old keys whose new name already existed: left in place, for an operator to look at. */
  conflicts: string[];
}

const SCAN_COUNT = 1_000;

export async function migrateKeys(
  redis: Redis,
  queuePrefix: string,
  opts: { dryRun?: boolean } = {},
): Promise<KeyMigration> {
  const keys = payoutKeys(queuePrefix);
  const moves: [kind: string, suffix: string, type: string, to: (id: string) => string][] = [
    ['payout', ':history', 'string', keys.history],
    ['payout', ':payload', 'string', keys.payload],
    ['deposit', ':history', 'list', (id) => `${queuePrefix}:deposit-history:${id}`],
  ];
  const out: KeyMigration = { moved: 0, conflicts: [] };
  for (const [kind, suffix, type, to] of moves) {
    const start = `${queuePrefix}:${kind}:`;
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(
        cursor,
        'MATCH',
        `${globSafe(start)}*${suffix}`,
        'COUNT',
        SCAN_COUNT,
      );
      cursor = next;
      for (const key of found) {
        if ((await redis.type(key)) !== type) continue;
        const target = to(key.slice(start.length, -suffix.length));
        if (opts.dryRun) {
          if (await redis.exists(target)) out.conflicts.push(key);
          else out.moved++;
          continue;
        }
        if ((await redis.renamenx(key, target)) === 1) out.moved++;
        else out.conflicts.push(key);
      }
    } while (cursor !== '0');
  }
  return out;
}

/** A literal for SCAN's MATCH: the prefix may hold characters that are special there. */
const globSafe = (literal: string) => literal.replace(/[*?[\]\\]/g, '\\$&');
