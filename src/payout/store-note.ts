import { runScript } from '../redis.js';
import { withoutNotify } from './deployment.js';
import { entryTail, type HistoryEntry, type HistoryExtras } from './history.js';
import { CONTRADICTIONS_KEPT } from './keys.js';
import { NOTE } from './scripts.js';
import type { Actor } from './states.js';
import type { StoreContext } from './store-types.js';

/**
 * Records a history entry that does not move the state: a contradicting gateway report, which is
 * notified like a change, or a late answer, which is not (the casino learns nothing new from it).
 */
export async function notePayout(
  ctx: StoreContext,
  externalId: string,
  entry: { event: HistoryEntry['event']; actor: Actor } & HistoryExtras,
): Promise<number | undefined> {
  const { redis, keys, now, outboxes, options } = ctx;
  const { event, actor, ...extras } = entry;
  const at = now();
  const seq = (await runScript(
    redis,
    NOTE,
    5,
    keys.record(externalId),
    keys.history(externalId),
    keys.outbox,
    keys.ledgerOutbox,
    keys.contradictions,
    entryTail(event, actor, extras),
    String(at),
    externalId,
    // A late answer tells the casino nothing new: it goes to the ledger, not to notifications.
    extras.contradiction ? outboxes : withoutNotify(outboxes),
    extras.contradiction ? '1' : '0',
    String(options.contradictionsKept ?? CONTRADICTIONS_KEPT),
  )) as number;
  return seq === -1 ? undefined : seq;
}
