import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { validatePayoutRequest } from '../../../src/methods/index.js';
import { applyGatewayReport } from '../../../src/payout/gateway-report.js';
import { createPayoutStore } from '../../../src/payout/store.js';
import { deletePrefix } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';
import { useStore } from './store-fixture.js';

const { redis, store, prefix, log, payloadKeys, createPayout } = useStore('store-contradictions');

/** A payout of 20.00 USD submitted with order o-1, and the report deps that count its contradictions. */
async function submitted() {
  const contradictions: string[] = [];
  const deps = { store, logger: log.logger, onContradiction: (id: string) => contradictions.push(id) };
  const { external_id } = cardPayout();
  await createPayout({ external_id, amount: 2000, currency: 'USD' });
  const claim = await store.claim(external_id, Date.now());
  if (!claim.ok) throw new Error('claim refused');
  await applyGatewayReport(deps, external_id, { status: 1, orderId: 'o-1' }, 'worker');
  return { external_id, deps, contradictions };
}

describe('payout record', () => {
  test('the contradictions index keeps the newest it is allowed, the latest raised first', async () => {
    let clock = 1_000_000;
    const capped = createPayoutStore({
      redis,
      queuePrefix: `${prefix}-capped`,
      payloadKeys,
      logger: log.logger,
      contradictionsKept: 2,
      now: () => clock++,
    });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const v = validatePayoutRequest(cardPayout());
      if (!v.ok) throw new Error(JSON.stringify(v.issues));
      await capped.create({ method: v.method, request: v.request, masked: {} });
      ids.push(v.request.external_id);
    }
    const raise = (id: string) =>
      capped.note(id, { event: 'gateway_report', actor: 'callback', contradiction: true, gateway_status: 5 });
    for (const id of ids) await raise(id);
    // A note that is no contradiction changes nothing; the first payout raised again comes first.
    await capped.note(ids[1]!, { event: 'gateway_report', actor: 'worker', gateway_status: 1 });
    expect((await capped.contradictions(10)).newest.map((c) => c.externalId)).toEqual([ids[2], ids[1]]);
    await raise(ids[0]!);
    const index = await capped.contradictions(10);
    expect(index.total).toBe(2);
    expect(index.newest.map((c) => c.externalId)).toEqual([ids[0], ids[2]]);
    await deletePrefix(redis, `${prefix}-capped`);
  });

  test('any report of a payout failed as not_sent is a contradiction; a declined one only by SUCCESS', async () => {
    const contradictions: string[] = [];
    const deps = { store, logger: log.logger, onContradiction: (id: string) => contradictions.push(id) };
    const failedAs = async (how: 'not_sent' | 'declined') => {
      const { external_id } = cardPayout();
      await createPayout({ external_id });
      const claim = await store.claim(external_id, Date.now());
      if (!claim.ok) throw new Error('claim refused');
      if (how === 'not_sent') {
        await store.transition(external_id, 'give_up', {
          actor: 'worker',
          token: claim.token,
          reason: 'not_sent',
        });
      } else {
        await applyGatewayReport(
          deps,
          external_id,
          { status: 5, orderId: 'o-1', reasonCode: '051' },
          'worker',
        );
      }
      expect((await store.get(external_id))!.status).toBe('failed');
      return external_id;
    };

    // The casino was told nothing reached the gateway: a pending report proves otherwise.
    const notSent = await failedAs('not_sent');
    expect(await applyGatewayReport(deps, notSent, { status: 1, orderId: 'o-2' }, 'callback')).toEqual({
      result: 'contradiction',
      current: 'failed',
    });
    expect(contradictions).toEqual([notSent]);
    expect((await store.history(notSent)).at(-1)).toMatchObject({ contradiction: true, gateway_status: 1 });

    // Declined by the gateway: a late pending report is just out of order.
    const declined = await failedAs('declined');
    expect(await applyGatewayReport(deps, declined, { status: 1, orderId: 'o-1' }, 'callback')).toEqual({
      result: 'unchanged',
      current: 'failed',
    });
    expect(contradictions).toEqual([notSent]);
  });

  test('a callback that describes another payout (amount, currency, customer, order) is a contradiction, not applied', async () => {
    const { external_id, deps, contradictions } = await submitted();
    const own = { amount: '2000', currency: 'usd', customerId: cardPayout().customer.customer_id };

    for (const [payout, orderId, differ] of [
      [{ ...own, amount: '200000' }, 'o-1', 'amount'],
      [{ ...own, currency: 'EUR' }, 'o-1', 'currency'],
      [{ ...own, customerId: 'someone-else' }, 'o-1', 'customer_id'],
      [own, 'o-2', 'order_id'],
    ] as const) {
      const res = await applyGatewayReport(deps, external_id, { status: 4, orderId, payout }, 'callback');
      expect(res, differ).toEqual({ result: 'contradiction', current: 'submitted' });
      expect((await store.history(external_id)).at(-1)!.reason).toContain(`${differ} differ`);
    }
    expect(contradictions).toHaveLength(4);
    expect(await store.get(external_id)).toMatchObject({ status: 'submitted', orderId: 'o-1' });

    // The same payout (currency in any case, the order as recorded) is applied.
    expect(
      await applyGatewayReport(deps, external_id, { status: 4, orderId: 'o-1', payout: own }, 'callback'),
    ).toEqual({ result: 'applied', from: 'submitted', to: 'succeeded' });
    expect(
      await applyGatewayReport(deps, `po-never-${randomUUID()}`, { status: 4, payout: own }, 'callback'),
    ).toEqual({ result: 'unknown_payout' });
  });

  test("a report of another transaction type (a deposit's, under the shared external_id) is a contradiction, not applied", async () => {
    const { external_id, deps, contradictions } = await submitted();

    // A status poll (no account of the payout but its type), a callback, a refund.
    for (const [report, actor] of [
      [{ status: 4, orderId: 'o-1', type: 1 }, 'reconciler'],
      [{ status: 4, orderId: 'o-1', type: 1, payout: { amount: '2000', currency: 'USD' } }, 'callback'],
      [{ status: 4, orderId: 'o-1', type: 3 }, 'callback'],
    ] as const) {
      expect(await applyGatewayReport(deps, external_id, report, actor)).toEqual({
        result: 'contradiction',
        current: 'submitted',
      });
    }
    const raised = (await store.history(external_id)).filter((h) => h.contradiction);
    expect(raised.map((h) => h.reason)).toEqual([
      'gateway reported status 4 (order o-1) of type 1 (deposit) for another transaction under this external_id: type differ',
      'gateway reported status 4 (order o-1) of type 1 (deposit) for another transaction under this external_id: type differ',
      'gateway reported status 4 (order o-1) of type 3 (refund) for another transaction under this external_id: type differ',
    ]);
    expect(raised[0]).toMatchObject({ actor: 'reconciler', gateway_status: 4, order_id: 'o-1' });
    expect(contradictions).toEqual([external_id, external_id, external_id]);

    // The reconciler polls it every run: the same contradiction is not raised again.
    expect(
      await applyGatewayReport(deps, external_id, { status: 4, orderId: 'o-1', type: 1 }, 'reconciler'),
    ).toEqual({ result: 'contradiction', current: 'submitted' });
    expect((await store.history(external_id)).filter((h) => h.contradiction)).toHaveLength(3);
    expect(contradictions).toHaveLength(3);

    // A status answer with another amount or currency is not this payout's either.
    for (const [payout, differ] of [
      [{ amount: '2100' }, 'amount'],
      [{ currency: 'EUR' }, 'currency'],
    ] as const) {
      expect(
        await applyGatewayReport(
          deps,
          external_id,
          { status: 4, orderId: 'o-1', type: 2, payout },
          'reconciler',
        ),
      ).toEqual({ result: 'contradiction', current: 'submitted' });
      expect((await store.history(external_id)).at(-1)!.reason).toContain(`${differ} differ`);
    }
    expect(await store.get(external_id)).toMatchObject({ status: 'submitted', orderId: 'o-1' });

    // Its own report, type 2 (or none), is applied.
    expect(
      await applyGatewayReport(
        deps,
        external_id,
        { status: 4, orderId: 'o-1', type: 2, payout: { amount: '2000', currency: 'usd' } },
        'reconciler',
      ),
    ).toEqual({ result: 'applied', from: 'submitted', to: 'succeeded' });
  });

  test('a payout an operator resolved as failed, reported still processing, is a contradiction', async () => {
    const contradictions: string[] = [];
    const deps = { store, logger: log.logger, onContradiction: (id: string) => contradictions.push(id) };
    const resolvedAs = async (as: 'resolve_succeeded' | 'resolve_failed') => {
      const { external_id } = cardPayout();
      await createPayout({ external_id });
      const claim = await store.claim(external_id, Date.now());
      if (!claim.ok) throw new Error('claim refused');
      await applyGatewayReport(deps, external_id, { status: 7, orderId: 'o-1' }, 'worker');
      const moved = await store.transition(external_id, as, {
        actor: 'operator',
        who: 'ops',
        note: 'read in the merchant portal',
        reason: `resolved_by_operator: ${as === 'resolve_failed' ? 'failed' : 'succeeded'}`,
      });
      expect(moved.ok).toBe(true);
      return external_id;
    };

    const report = (id: string, status: 1 | 2 | 4 | 5 | 7) =>
      applyGatewayReport(deps, id, { status, orderId: 'o-1' }, 'callback').then((r) => r.result);
    // The casino may have returned the funds; the gateway says it may yet pay.
    const failed = await resolvedAs('resolve_failed');
    expect(await report(failed, 1)).toBe('contradiction');
    // The same DECLINE, or the status 7 that sent it to review repeated: nothing new.
    expect(await report(failed, 5)).toBe('unchanged');
    expect(await report(failed, 7)).toBe('unchanged');
    const succeeded = await resolvedAs('resolve_succeeded');
    expect(await report(succeeded, 2)).toBe('unchanged');
    expect(await report(succeeded, 5)).toBe('contradiction');
    expect(contradictions).toEqual([failed, succeeded]);
  });
});
