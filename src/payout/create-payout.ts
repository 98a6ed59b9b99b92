import { runScript } from '../redis.js';
import { CREATE_KEYS, type CreateInput, createArgs } from './create-args.js';
import { acceptCreated } from './create-record.js';
import { CREATE } from './create-script.js';
import type { PayoutRecord } from './record.js';
import { canonicalJson, isDigestOf, requestDigest, seal } from './sealing.js';
import type { CreateResult, StoreContext } from './store-types.js';

export { CUSTOMER_WINDOW_MS } from './create-args.js';

/**
 * A new payout, in one script: the record, its sealed payment data, its first history entry, its
 * index, the approval rules and limits applied, the customer's window counted; or what is there
 * already for its external_id (the same request, another body, only its tombstone, or a deposit).
 */
export async function createPayout(
  ctx: StoreContext,
  get: (externalId: string) => Promise<PayoutRecord | undefined>,
  input: CreateInput,
): Promise<CreateResult> {
  const { redis, now, payloadKeys } = ctx;
  const { method, request, notBefore } = input;
  const id = request.external_id;
  const at = now();
  // The normalized request, keyed: "the same request again" is told from "another body" by it.
  // not_before only when given, so requests made before it existed keep their digest.
  const canonical = canonicalJson({ method, request, ...(notBefore ? { not_before: notBefore } : {}) });
  const digest = requestDigest(payloadKeys, canonical);
  const sealed =
    request.payment_data !== undefined
      ? seal(payloadKeys, id, JSON.stringify(request.payment_data))
      : undefined;
  const write = { input, at, digest, sealed };
  const res = (await runScript(redis, CREATE, CREATE_KEYS, ...createArgs(ctx, write))) as [
    number,
    string?,
    string?,
  ];
  if (res[0] === -2) return { outcome: 'over_cap', maxAmount: Number(res[1]) };
  if (res[0] === -3) return { outcome: 'held_by_deposit' };
  if (res[0] === 1) return acceptCreated(ctx, write, res);
  const same = isDigestOf(payloadKeys, canonical, res[1] ?? '');
  if (res[2] === 'archived') return { outcome: 'archived', same };
  const record = await get(id);
  if (!record) throw new Error(`payout ${id} vanished right after it was found`);
  return { outcome: same ? 'existing' : 'conflict', record };
}
