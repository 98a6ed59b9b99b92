import { randomUUID } from 'node:crypto';
import type { GatewayRequest } from '../methods/index.js';
import { runScript } from '../redis.js';
import { listContradicted, readContradictions } from './contradictions.js';
import { createPayout } from './create-payout.js';
import { createDurabilityGuard } from './durability.js';
import { decodeEntry, entryTail, type HistoryEntry, type HistoryExtras } from './history.js';
import { CONTRADICTIONS_KEPT, payoutKeys } from './keys.js';
import { movePayout } from './move.js';
import { type PageQuery, readPage } from './page.js';
import { type PayoutRecord, recordFrom } from './record.js';
import { NOTE } from './scripts.js';
import { open } from './sealing.js';
import { type Actor, PAYOUT_STATES, type PayoutEvent, type PayoutState } from './states.js';
import type {
  ClaimResult,
  PayoutStoreOptions,
  StoreContext,
  TransitionOptions,
  TransitionResult,
} from './store-types.js';

export type { HistoryEntry } from './history.js';
export type { Customer, PayoutRecord } from './record.js';

/**
 * The payout record: the one module that writes payout state. Every write is one Lua script, so a
 * state, its history entry, its index and its notification are recorded together or not at all.
 * Its parts: create-payout.ts (a new payout), move.ts (a move by the transition table),
 * store-types.ts (its options and answers); the reads and notes are here.
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createPayoutStore(options: PayoutStoreOptions) {
  const { redis, payloadKeys, logger } = options;
  const keys = payoutKeys(options.queuePrefix);
  const now = options.now ?? Date.now;
  /** The outboxes every change is pushed to (scripts.ts). */
  const outboxes = `${options.notify ? 'n' : ''}${options.ledger ? 'l' : ''}`;
  const ctx: StoreContext = { redis, keys, now, outboxes, payloadKeys, logger, options };
  // On the store's own connection: a WAIT covers only what its connection wrote.
  const durability = createDurabilityGuard({
    redis,
    probeKey: keys.durabilityProbe,
    setting: options.durability ?? { level: 'acknowledged', timeoutMs: 1_000 },
  });

  const create = (input: Parameters<typeof createPayout>[2]) => createPayout(ctx, get, input);
  const move = (
    externalId: string,
    event: PayoutEvent,
    opts: TransitionOptions,
    claim?: { dueBy: number; token: string },
  ) => movePayout(ctx, externalId, event, opts, claim);

  async function get(externalId: string): Promise<PayoutRecord | undefined> {
    const [hashRes, payloadRes] =
      (await redis.pipeline().hgetall(keys.record(externalId)).get(keys.payload(externalId)).exec()) ?? [];
    if (hashRes?.[0]) throw hashRes[0];
    if (payloadRes?.[0]) throw payloadRes[0];
    const h = (hashRes?.[1] ?? {}) as Record<string, string>;
    if (!h.status) return undefined;
    return recordFrom(externalId, h, (payloadRes?.[1] as string | null) ?? undefined);
  }

  async function history(externalId: string): Promise<HistoryEntry[]> {
    const raw = await redis.get(keys.history(externalId));
    return raw ? raw.split('\n').map(decodeEntry) : [];
  }

  /** The gateway request exactly as first accepted: the same body on every attempt. */
  function gatewayRequest(record: PayoutRecord): GatewayRequest {
    const request: GatewayRequest = {
      payment_system: record.paymentSystem,
      external_id: record.externalId,
      amount: record.amount,
      currency: record.currency,
      customer: record.customer,
    };
    if (record.sealedPayload !== undefined) {
      request.payment_data = JSON.parse(open(payloadKeys, record.externalId, record.sealedPayload)) as Record<
        string,
        string
      >;
    }
    return request;
  }

  /**
   * Moves a payout by the transition table, atomically. Refused (ok: false) when the current state is
   * not one the event starts from, or when the event needs the holder's token and it does not match.
   */
  async function transition(
    externalId: string,
    event: Exclude<PayoutEvent, 'claim'>,
    opts: TransitionOptions,
  ): Promise<TransitionResult> {
    // Taking a payout to send it has one way in, with its due-time check and its token: claim().
    if ((event as PayoutEvent) === 'claim')
      throw new Error('a payout is claimed with claim(), not transition()');
    const moved = await move(externalId, event, opts);
    if (!moved.ok) {
      const { heldBy: _h, nextAttemptAt: _n, since: _s, ...refused } = moved;
      return refused;
    }
    const { token: _cleared, approvalRecorded, ...result } = moved;
    return approvalRecorded ? { ...result, approvalRecorded: true } : result;
  }

  /**
   * A worker takes a payout to send it: `queued` or a due `retry_scheduled` -> `sending`, under the
   * token it names (a fresh UUID unless it is repeating a claim whose answer it never got), returning
   * the record as it now is. Refused with what the worker needs to decide next: the current holder's
   * token for a payout already `sending`, the due time of one not yet due (`next_attempt_at` later
   * than `dueBy`).
   *
   * A payout already `sending` under the very token named is the caller's own claim, made by a call
   * whose answer was lost (a command resent after a reconnect, or the worker trying again): a worker
   * sends only once its claim has answered, so nothing was sent under it, and it is handed back as it
   * is, atomically. Name only a token of your own, and never one another call may be holding.
   */
  async function claim(
    externalId: string,
    dueBy: number,
    token: string = randomUUID(),
  ): Promise<ClaimResult> {
    if (!UUID.test(token)) throw new Error('a claim token must be a UUID');
    const moved = await move(externalId, 'claim', { actor: 'worker' }, { dueBy, token });
    if (!moved.ok) return moved;
    const flat = moved.fields ?? [];
    const h: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
    const record = recordFrom(externalId, h, moved.payload ?? undefined);
    if (moved.retaken) {
      logger.warn(
        { external_id: externalId, attempt: moved.attempts },
        "payout claim recognised as this worker's own after its answer was lost; nothing was sent under it",
      );
    }
    return {
      ok: true,
      record,
      token: moved.token,
      attempts: moved.attempts,
      ...(moved.probe ? { probe: true as const } : {}),
    };
  }

  /**
   * Records a history entry that does not move the state: a contradicting gateway report, which is
   * notified like a change, or a late answer, which is not (the casino learns nothing new from it).
   */
  async function note(
    externalId: string,
    entry: { event: HistoryEntry['event']; actor: Actor } & HistoryExtras,
  ): Promise<number | undefined> {
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
      extras.contradiction ? outboxes : outboxes.replace('n', ''),
      extras.contradiction ? '1' : '0',
      String(options.contradictionsKept ?? CONTRADICTIONS_KEPT),
    )) as number;
    return seq === -1 ? undefined : seq;
  }

  /** external_ids in a state, oldest move first, with the time of that move. */
  async function list(
    state: PayoutState,
    opts: { limit?: number; before?: number; offset?: number } = {},
  ): Promise<{ externalId: string; since: number }[]> {
    const raw = await redis.zrangebyscore(
      keys.stateIndex(state),
      '-inf',
      opts.before ?? '+inf',
      'WITHSCORES',
      'LIMIT',
      opts.offset ?? 0,
      opts.limit ?? 100,
    );
    const out: { externalId: string; since: number }[] = [];
    for (let i = 0; i < raw.length; i += 2) out.push({ externalId: raw[i]!, since: Number(raw[i + 1]) });
    return out;
  }

  async function counts(): Promise<Record<PayoutState, number>> {
    const pipeline = redis.pipeline();
    for (const s of PAYOUT_STATES) pipeline.zcard(keys.stateIndex(s));
    const res = await pipeline.exec();
    // A failed read is an error, never a zero: a zero would tell operators the queue is empty.
    const failed = res?.find(([err]) => err);
    if (!res || failed) throw failed?.[0] ?? new Error('counting payouts by state failed');
    return Object.fromEntries(PAYOUT_STATES.map((s, i) => [s, Number(res[i]?.[1] ?? 0)])) as Record<
      PayoutState,
      number
    >;
  }

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
    create,
    get,
    history,
    gatewayRequest,
    transition,
    claim,
    note,
    list,
    page,
    contradictions,
    listArchivedContradiction,
    counts,
  };
}
