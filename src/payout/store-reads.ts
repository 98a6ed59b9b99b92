import type { GatewayRequest } from '../methods/index.js';
import type { HistoryEntry } from './history.js';
import { decodeEntry } from './history.js';
import { type PayoutRecord, recordFrom } from './record.js';
import { open } from './sealing.js';
import { PAYOUT_STATES, type PayoutState } from './states.js';
import type { StoreContext } from './store-types.js';

/** A payout's record with its sealed payload, or undefined when there is none. */
export async function getRecord(ctx: StoreContext, externalId: string): Promise<PayoutRecord | undefined> {
  const { redis, keys } = ctx;
  const [hashRes, payloadRes] =
    (await redis.pipeline().hgetall(keys.record(externalId)).get(keys.payload(externalId)).exec()) ?? [];
  if (hashRes?.[0]) throw hashRes[0];
  if (payloadRes?.[0]) throw payloadRes[0];
  const h = (hashRes?.[1] ?? {}) as Record<string, string>;
  if (!h.status) return undefined;
  return recordFrom(externalId, h, (payloadRes?.[1] as string | null) ?? undefined);
}

/** A payout's history, oldest entry first. */
export async function readHistory(ctx: StoreContext, externalId: string): Promise<HistoryEntry[]> {
  const { redis, keys } = ctx;
  const raw = await redis.get(keys.history(externalId));
  return raw ? raw.split('\n').map(decodeEntry) : [];
}

/** The gateway request exactly as first accepted: the same body on every attempt. */
export function gatewayRequestOf(ctx: StoreContext, record: PayoutRecord): GatewayRequest {
  const { payloadKeys } = ctx;
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

/** external_ids in a state, oldest move first, with the time of that move. */
export async function listState(
  ctx: StoreContext,
  state: PayoutState,
  opts: { limit?: number; before?: number; offset?: number } = {},
): Promise<{ externalId: string; since: number }[]> {
  const { redis, keys } = ctx;
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

/** How many payouts are in each state. */
export async function countStates(ctx: StoreContext): Promise<Record<PayoutState, number>> {
  const { redis, keys } = ctx;
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
