import type { GatewayRequest } from '../methods/index.js';
import { listContradicted, readContradictions } from './contradictions.js';
import { createPayout } from './create-payout.js';
import { outboxLetters } from './deployment.js';
import { createDurabilityGuard } from './durability.js';
import type { HistoryEntry, HistoryExtras } from './history.js';
import { CONTRADICTIONS_KEPT, payoutKeys } from './keys.js';
import { type PageQuery, readPage } from './page.js';
import type { PayoutRecord } from './record.js';
import type { Actor, PayoutEvent, PayoutState } from './states.js';
import { claimPayout, transitionPayout } from './store-moves.js';
import { notePayout } from './store-note.js';
import { countStates, gatewayRequestOf, getRecord, listState, readHistory } from './store-reads.js';
import type { PayoutStoreOptions, StoreContext, TransitionOptions } from './store-types.js';

export type { HistoryEntry } from './history.js';
export type { Customer, PayoutRecord } from './record.js';

/**
 * The payout record: the one module that writes payout state. Every write is one Lua script, so a
 * state, its history entry, its index and its notification are recorded together or not at all.
 * Its parts: create-payout.ts (a new payout), move.ts (a move by the transition table),
 * store-moves.ts (transition and claim), store-note.ts (an entry that does not move the state),
 * store-reads.ts (records, histories, indexes), store-types.ts (its options and answers).
 */

export { CUSTOMER_WINDOW_MS } from './create-payout.js';
export type {
  ClaimResult,
  CreateResult,
  Hold,
  PayoutStoreOptions,
  RefusalDetail,
  TransitionOptions,
  TransitionResult,
} from './store-types.js';

export type PayoutStore = ReturnType<typeof createPayoutStore>;

export function createPayoutStore(options: PayoutStoreOptions) {
  const { redis, payloadKeys, logger } = options;
  const keys = payoutKeys(options.queuePrefix);
  const now = options.now ?? Date.now;
  /** The outboxes every change is pushed to (scripts.ts, deployment.ts). */
  const outboxes = outboxLetters(
    { notify: options.notify ?? false, ledger: options.ledger ?? false },
    options.followDeployment ?? false,
  );
  const ctx: StoreContext = { redis, keys, now, outboxes, payloadKeys, logger, options };
  // On the store's own connection: a WAIT covers only what its connection wrote.
  const durability = createDurabilityGuard({
    redis,
    probeKey: keys.durabilityProbe,
    setting: options.durability ?? { level: 'acknowledged', timeoutMs: 1_000 },
  });

  const get = (externalId: string): Promise<PayoutRecord | undefined> => getRecord(ctx, externalId);

  /** A page of payouts, newest change first, across states or in one (see page.ts). */
  const page = (query: PageQuery) => readPage(redis, keys, query);

  /** The payouts a gateway report contradicted, the latest raised first (contradictions.ts). */
  const contradictions = (limit: number) => readContradictions(redis, keys, limit);
  /** Lists an archived payout's contradiction, noted in the ledger, with the live ones. */
  const listArchivedContradiction = (externalId: string, at: number) =>
    listContradicted(redis, keys, externalId, at, options.contradictionsKept ?? CONTRADICTIONS_KEPT);

  return {
    keys,
    durability,
    create: (input: Parameters<typeof createPayout>[2]) => createPayout(ctx, get, input),
    get,
    history: (externalId: string): Promise<HistoryEntry[]> => readHistory(ctx, externalId),
    gatewayRequest: (record: PayoutRecord): GatewayRequest => gatewayRequestOf(ctx, record),
    transition: (externalId: string, event: Exclude<PayoutEvent, 'claim'>, opts: TransitionOptions) =>
      transitionPayout(ctx, externalId, event, opts),
    claim: (externalId: string, dueBy: number, token?: string) => claimPayout(ctx, externalId, dueBy, token),
    note: (externalId: string, entry: { event: HistoryEntry['event']; actor: Actor } & HistoryExtras) =>
      notePayout(ctx, externalId, entry),
    list: (state: PayoutState, opts?: { limit?: number; before?: number; offset?: number }) =>
      listState(ctx, state, opts),
    page,
    contradictions,
    listArchivedContradiction,
    counts: () => countStates(ctx),
  };
}
