import { describe, expect, test } from 'vitest';
import { applyGatewayReport } from '../../../src/payout/gateway-report.js';
import { cardPayout } from '../../helpers/requests.js';
import { useStore } from './store-fixture.js';

const { store, log, createPayout } = useStore('store-reports');

describe('payout record', () => {
  test('gateway reports: out of order, twice, and a contradiction', async () => {
    const { external_id } = cardPayout();
    await createPayout({ external_id });
    const contradictions: string[] = [];
    const deps = { store, logger: log.logger, onContradiction: (id: string) => contradictions.push(id) };
    await store.claim(external_id, Date.now());
    // the callback arrives before the worker recorded submitted
    expect(await applyGatewayReport(deps, external_id, { status: 4, orderId: 'o-9' }, 'callback')).toEqual({
      result: 'applied',
      from: 'sending',
      to: 'succeeded',
    });
    // the worker's own answer (pending) comes later: moves nothing, but is in the history
    expect(await applyGatewayReport(deps, external_id, { status: 1, orderId: 'o-9' }, 'worker')).toEqual({
      result: 'late',
      current: 'succeeded',
    });
    expect((await store.history(external_id)).at(-1)).toMatchObject({
      event: 'gateway_report',
      actor: 'worker',
      from: 'succeeded',
      to: 'succeeded',
      gateway_status: 1,
      order_id: 'o-9',
      reason: expect.stringMatching(/^answer_after_payout_moved_on: .*status 1 \(order o-9\).*succeeded$/),
    });
    expect((await store.get(external_id))!).toMatchObject({ gatewayStatus: 4, orderId: 'o-9' });
    // the usual race, so the log line is for reading later (info), not a warning at 3 a.m.
    const lateLines = () =>
      log.lines
        .map((l) => JSON.parse(l))
        .filter((l) => l.external_id === external_id && l.current === 'succeeded');
    expect(lateLines()).toEqual([
      expect.objectContaining({
        level: 30,
        gateway_status: 1,
        msg: expect.stringMatching(/came before the worker's answer/),
      }),
    ]);
    // an answer the race does not explain (status 7 for an order the gateway says succeeded) is a warning
    expect(await applyGatewayReport(deps, external_id, { status: 7, orderId: 'o-9' }, 'worker')).toEqual({
      result: 'late',
      current: 'succeeded',
    });
    expect(lateLines().at(-1)).toMatchObject({
      level: 40,
      gateway_status: 7,
      msg: expect.stringMatching(/moved on/),
    });
    // a late answer is no contradiction: the contradictions index does not list it
    const listed = async () => (await store.contradictions(1_000)).newest.map((c) => c.externalId);
    expect(await listed()).not.toContain(external_id);
    // the same answer as recorded adds nothing; a callback or poll refused adds nothing either
    const entries = (await store.history(external_id)).length;
    expect(
      (await applyGatewayReport(deps, external_id, { status: 4, orderId: 'o-9' }, 'worker')).result,
    ).toBe('unchanged');
    expect((await applyGatewayReport(deps, external_id, { status: 3 }, 'callback')).result).toBe('unchanged');
    expect(await store.history(external_id)).toHaveLength(entries);
    // SUCCESS twice: nothing new
    expect((await applyGatewayReport(deps, external_id, { status: 4 }, 'callback')).result).toBe('unchanged');
    // DECLINE after SUCCESS: recorded and raised, not applied
    expect(
      await applyGatewayReport(deps, external_id, { status: 5, reasonCode: '051', reason: 'x' }, 'callback'),
    ).toEqual({ result: 'contradiction', current: 'succeeded' });
    expect(contradictions).toEqual([external_id]);
    expect((await store.get(external_id))!.status).toBe('succeeded');
    const last = (await store.history(external_id)).at(-1)!;
    expect(last).toMatchObject({
      contradiction: true,
      from: 'succeeded',
      to: 'succeeded',
      gateway_status: 5,
    });
    // listed first in the contradictions index, at the time the history gives it
    const index = await store.contradictions(1);
    expect(index.newest).toEqual([{ externalId: external_id, at: Date.parse(last.at) }]);
    expect(index.total).toBeGreaterThanOrEqual(1);
    expect(log.text()).toContain('CONTRADICTION');
    expect(await applyGatewayReport(deps, 'po-never', { status: 4 }, 'callback')).toEqual({
      result: 'unknown_payout',
    });
  });

  describe('one gateway order per payout', () => {
    /** A payout the gateway answered with order `orderId` and `status`, from sending. */
    const withOrder = async (orderId: string, status: 1 | 4 | 7) => {
      const { external_id } = cardPayout();
      await createPayout({ external_id });
      await store.claim(external_id, Date.now());
      const deps = { store, logger: log.logger };
      expect((await applyGatewayReport(deps, external_id, { status, orderId }, 'worker')).result).toBe(
        'applied',
      );
      return external_id;
    };

    test.each([
      // [state the first order left it in, status reported for the second order, actor]
      [1, 4, 'worker'],
      [1, 1, 'reconciler'],
      [4, 4, 'worker'],
      [4, 1, 'worker'],
      [7, 4, 'callback'],
      [7, 5, 'worker'],
    ] as const)(
      'order X at status %i, then order Y at status %i from the %s: a contradiction, X kept',
      async (first, second, actor) => {
        const external_id = await withOrder('o-X', first);
        const before = await store.get(external_id);
        const contradictions: string[] = [];
        const deps = { store, logger: log.logger, onContradiction: (id: string) => contradictions.push(id) };
        expect(
          await applyGatewayReport(deps, external_id, { status: second, orderId: 'o-Y' }, actor),
        ).toEqual({
          result: 'contradiction',
          current: before!.status,
          otherOrder: 'o-X',
        });
        expect(await store.get(external_id)).toMatchObject({
          status: before!.status,
          orderId: 'o-X',
          gatewayStatus: before!.gatewayStatus,
        });
        expect((await store.history(external_id)).at(-1)).toMatchObject({
          event: 'gateway_report',
          actor,
          contradiction: true,
          gateway_status: second,
          order_id: 'o-Y',
          reason: expect.stringMatching(/^second_order: .*order o-Y.*order o-X is recorded.*paid twice/),
        });
        expect(contradictions).toEqual([external_id]);
        expect(log.text()).toContain('CONTRADICTION');
      },
    );

    test('the same order again applies as before; an order is recorded once, by the script that moves', async () => {
      const external_id = await withOrder('o-X', 1);
      expect(
        await applyGatewayReport(
          { store, logger: log.logger },
          external_id,
          { status: 4, orderId: 'o-X' },
          'callback',
        ),
      ).toEqual({ result: 'applied', from: 'submitted', to: 'succeeded' });
      // A move that names no order keeps the recorded one.
      const other = await withOrder('o-Z', 7);
      await store.transition(other, 'resolve_failed', { actor: 'operator', who: 'ann', note: 'checked' });
      expect((await store.get(other))!.orderId).toBe('o-Z');
    });

    test('resend is refused while an order is recorded, unless forced; without an order it is not', async () => {
      const external_id = await withOrder('o-X', 7);
      expect(await store.transition(external_id, 'resend', { actor: 'operator', note: 'x' })).toEqual({
        ok: false,
        current: 'needs_review',
        orderRecorded: 'o-X',
      });
      expect((await store.get(external_id))!.status).toBe('needs_review');
      const forced = await store.transition(external_id, 'resend', {
        actor: 'operator',
        note: 'x',
        force: true,
      });
      expect(forced).toMatchObject({ ok: true, from: 'needs_review', to: 'queued' });
      expect((await store.get(external_id))!.orderId).toBe('o-X');

      const { external_id: none } = cardPayout();
      await createPayout({ external_id: none });
      const claim = await store.claim(none, Date.now());
      if (!claim.ok) throw new Error('claim refused');
      await store.transition(none, 'review', {
        actor: 'worker',
        token: claim.token,
        reason: 'outcome_unknown',
      });
      expect(await store.transition(none, 'resend', { actor: 'operator', note: 'x' })).toMatchObject({
        ok: true,
      });
    });
  });
});
