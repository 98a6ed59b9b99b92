import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { validatePayoutRequest } from '../../../src/methods/index.js';
import { applyGatewayReport } from '../../../src/payout/gateway-report.js';
import { canonicalJson, type PayloadKeys } from '../../../src/payout/sealing.js';
import {
  PAYOUT_EVENTS,
  PAYOUT_STATES,
  type PayoutEvent,
  type PayoutState,
  TRANSITIONS,
} from '../../../src/payout/states.js';
import { createPayoutStore, type PayoutStore } from '../../../src/payout/store.js';
import { captureLogger } from '../../helpers/capture-log.js';
import { legacyDigest, legacySeal } from '../../helpers/legacy-sealing.js';
import { deletePrefix, testPayloadKey, testRedis, uniquePrefix } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';
import { TRANSITION_CASES } from '../../helpers/transition-table.js';

let redis: Redis;
let store: PayoutStore;
const prefix = uniquePrefix('store');
const log = captureLogger();
const payloadKeys = { current: testPayloadKey(), previous: [] };

/** Every external_id this file created, to find their keys anywhere in Redis. */
const created = new Set<string>();

async function createPayout(overrides: Record<string, unknown> = {}) {
  const v = validatePayoutRequest(cardPayout(overrides));
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  created.add(v.request.external_id);
  return store.create({ method: v.method, request: v.request, masked: { card_number: '411111******1111' } });
}

/** Test-only: puts a record into a state directly, as if the transitions had happened. */
async function forceState(externalId: string, state: PayoutState) {
  const keys = store.keys;
  await redis.hset(keys.record(externalId), 'status', state, 'token', 'tok-1');
  for (const s of PAYOUT_STATES) await redis.zrem(keys.stateIndex(s), externalId);
  await redis.zadd(keys.stateIndex(state), Date.now(), externalId);
}

/**
 * A claim, read as a move of the table (claim() is the one way a payout is taken to sending): where
 * it moved from is read back from the history the claim wrote.
 */
async function claimAsMove(externalId: string) {
  const claim = await store.claim(externalId, Date.now());
  if (!claim.ok) return { ok: false, current: claim.current };
  const entry = (await store.history(externalId)).at(-1);
  return { ok: true, from: entry?.from, to: claim.record.status };
}

beforeAll(() => {
  redis = testRedis();
  store = createPayoutStore({ redis, queuePrefix: prefix, payloadKeys, logger: log.logger, notify: true });
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

describe('payout record', () => {
  test('create: new, the same again, another body', async () => {
    const req = cardPayout();
    const first = await createPayout(req);
    if (first.outcome !== 'created') throw new Error(`expected created, got ${first.outcome}`);
    expect(first.record.status).toBe('queued');
    expect((await createPayout(req)).outcome).toBe('existing');
    expect((await createPayout({ ...req, amount: 5 })).outcome).toBe('conflict');
    const history = await store.history(req.external_id);
    expect(history).toEqual([
      expect.objectContaining({ to: 'queued', event: 'created', actor: 'producer', seq: 1 }),
    ]);
  });

  test('create after a PAYLOAD_KEY rotation: the same request is still the same, another body a conflict', async () => {
    const req = cardPayout();
    expect((await createPayout(req)).outcome).toBe('created');
    const v = validatePayoutRequest(req);
    if (!v.ok) throw new Error('invalid fixture');
    const again = (keys: PayloadKeys, request = v.request) =>
      createPayoutStore({ redis, queuePrefix: prefix, payloadKeys: keys, logger: log.logger }).create({
        method: v.method,
        request,
        masked: {},
      });
    const rotated = { current: testPayloadKey(), previous: [payloadKeys.current] };
    expect((await again(rotated)).outcome).toBe('existing');
    expect((await again(rotated, { ...v.request, amount: 5 })).outcome).toBe('conflict');
    // The old key gone: the request can no longer be compared, so it is not taken as the same.
    expect((await again({ current: rotated.current, previous: [] })).outcome).toBe('conflict');
  });

  test('a payout written before keys were derived: its payment_data opens, the same request is the same', async () => {
    const req = cardPayout();
    await createPayout(req);
    const v = validatePayoutRequest(req);
    if (!v.ok) throw new Error('invalid fixture');
    // Rewritten as the previous version wrote it: PAYLOAD_KEY itself for both the seal and the digest.
    const key = payloadKeys.current;
    await redis.set(
      store.keys.payload(req.external_id),
      legacySeal(key, req.external_id, JSON.stringify(req.payment_data)),
    );
    await redis.hset(
      store.keys.record(req.external_id),
      'digest',
      legacyDigest(key, canonicalJson({ method: v.method, request: v.request })),
    );
    const record = (await store.get(req.external_id))!;
    expect(record.sealedPayload?.startsWith('v1.')).toBe(true);
    expect(store.gatewayRequest(record).payment_data).toEqual(req.payment_data);
    expect((await createPayout(req)).outcome).toBe('existing');
    expect((await createPayout({ ...req, amount: 5 })).outcome).toBe('conflict');
  });

  test('50 concurrent identical creates make one record', async () => {
    const req = cardPayout();
    const results = await Promise.all(Array.from({ length: 50 }, () => createPayout(req)));
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'existing')).toHaveLength(49);
    expect(await store.history(req.external_id)).toHaveLength(1);
  });

  test('payment_data is sealed at rest and opens to the same request', async () => {
    const req = cardPayout();
    await createPayout(req);
    const raw = await redis.hgetall(store.keys.record(req.external_id));
    expect(JSON.stringify(raw)).not.toContain('4111111111111111');
    const record = (await store.get(req.external_id))!;
    expect(store.gatewayRequest(record).payment_data).toEqual(req.payment_data);
  });

  test('concurrent claims: exactly one wins, with a token', async () => {
    const { external_id } = cardPayout();
    await createPayout({ external_id });
    const claims = await Promise.all(Array.from({ length: 20 }, () => store.claim(external_id, Date.now())));
    const won = claims.filter((c) => c.ok);
    expect(won).toHaveLength(1);
    expect(won[0]).toMatchObject({ attempts: 1, record: { status: 'sending' } });
    expect(won[0]!.ok && won[0]!.token).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.filter((c) => !c.ok && c.current === 'sending' && c.heldBy === won[0]!.token)).toHaveLength(
      19,
    );
  });

  test('claim: takes a queued payout and returns the record as it now is', async () => {
    const req = cardPayout();
    await createPayout(req);
    const claim = await store.claim(req.external_id, Date.now());
    if (!claim.ok) throw new Error(`claim refused: ${claim.current}`);
    expect(claim.attempts).toBe(1);
    expect(claim.record).toMatchObject({ externalId: req.external_id, status: 'sending', attempts: 1 });
    expect(claim.record.token).toBe(claim.token);
    expect(store.gatewayRequest(claim.record).payment_data).toEqual(req.payment_data);
    expect((await store.history(req.external_id)).at(-1)).toMatchObject({
      from: 'queued',
      to: 'sending',
      event: 'claim',
      actor: 'worker',
      attempt: 1,
      seq: 2,
    });
  });

  test('attempts: absent from a new record (read as 0) until a claim writes it; a record that holds attempts 0, as the previous version wrote it, is claimed to 1', async () => {
    const fresh = cardPayout();
    await createPayout(fresh);
    expect(await redis.hexists(store.keys.record(fresh.external_id), 'attempts')).toBe(0);
    expect(await store.get(fresh.external_id)).toMatchObject({ status: 'queued', attempts: 0, seq: 1 });
    const claim = await store.claim(fresh.external_id, Date.now());
    expect(claim).toMatchObject({ ok: true, attempts: 1, record: { attempts: 1 } });
    expect(await redis.hget(store.keys.record(fresh.external_id), 'attempts')).toBe('1');

    const old = cardPayout();
    await createPayout(old);
    await redis.hset(store.keys.record(old.external_id), 'attempts', '0');
    expect(await store.get(old.external_id)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await store.claim(old.external_id, Date.now())).toMatchObject({ ok: true, attempts: 1 });
    expect((await store.history(old.external_id)).at(-1)).toMatchObject({ to: 'sending', attempt: 1 });
  });

  test('claim: refuses what it must not send, with what the worker needs next', async () => {
    expect(await store.claim('no-such-payout', Date.now())).toEqual({ ok: false, current: undefined });

    const { external_id } = cardPayout();
    await createPayout({ external_id });
    const first = await store.claim(external_id, Date.now());
    if (!first.ok) throw new Error('first claim refused');
    // already sending: the holder's token comes back, so a redelivery can hand the payout to review
    expect(await store.claim(external_id, Date.now())).toMatchObject({
      ok: false,
      current: 'sending',
      heldBy: first.token,
    });

    const due = Date.now() + 60_000;
    await store.transition(external_id, 'retry', {
      actor: 'worker',
      token: first.token,
      reason: 'not_sent: ECONNREFUSED',
      nextAttemptAt: due,
    });
    // not due yet: refused with the due time, nothing moved
    expect(await store.claim(external_id, due - 1)).toEqual({
      ok: false,
      current: 'retry_scheduled',
      nextAttemptAt: due,
    });
    expect((await store.get(external_id))!.status).toBe('retry_scheduled');
    // due: taken, the attempt counted
    const second = await store.claim(external_id, due);
    expect(second).toMatchObject({ ok: true, attempts: 2 });
    expect(second.ok && second.record.nextAttemptAt).toBeUndefined();
  });

  test('claim: a claim whose answer was lost is handed back to the token that made it, and to no other', async () => {
    const { external_id } = cardPayout();
    await createPayout({ external_id });
    const token = randomUUID();
    // The first call ran in Redis; its answer is what the worker never saw.
    expect(await store.claim(external_id, Date.now(), token)).toMatchObject({ ok: true, token });
    // Another worker, or a fresh token: refused, with the holder's token, as before.
    expect(await store.claim(external_id, Date.now())).toMatchObject({
      ok: false,
      current: 'sending',
      heldBy: token,
    });
    // The same token again (the command resent, or the worker's next try): the claim is its own.
    const again = await store.claim(external_id, Date.now(), token);
    if (!again.ok) throw new Error(`own claim refused: ${again.current}`);
    expect(again).toMatchObject({ token, attempts: 1, record: { status: 'sending', token } });
    expect(store.gatewayRequest(again.record).payment_data).toEqual(cardPayout().payment_data);
    // Handing it back wrote nothing: one claim, one attempt, the same seq.
    expect((await store.history(external_id)).map((e) => e.event)).toEqual(['created', 'claim']);
    expect(again.record.seq).toBe(2);
    expect((await store.get(external_id))!.seq).toBe(2);
    expect(log.lines.some((l) => l.includes('recognised as this worker') && l.includes(external_id))).toBe(
      true,
    );
    // Only a token of the claimant's own: an empty or clearing token would leave a holder-less claim.
    for (const bad of ['', '-', 'not-a-uuid']) {
      await expect(store.claim(external_id, Date.now(), bad)).rejects.toThrow(/must be a UUID/);
    }
    // Once the payout has moved on, the token no longer holds anything.
    await store.transition(external_id, 'review', { actor: 'worker', token, reason: 'test' });
    expect(await store.claim(external_id, Date.now(), token)).toEqual({ ok: false, current: 'needs_review' });
  });

  test('a script that fails writes nothing: a history key of the wrong type refuses the move whole', async () => {
    const { external_id } = cardPayout();
    await createPayout({ external_id });
    await redis.del(store.keys.history(external_id));
    await redis.rpush(store.keys.history(external_id), 'not a string');
    await expect(store.claim(external_id, Date.now())).rejects.toThrow(/WRONGTYPE/);
    const record = (await store.get(external_id))!;
    expect(record).toMatchObject({ status: 'queued', attempts: 0, seq: 1 });
    expect(record.token).toBeUndefined();
    expect(await redis.zscore(store.keys.stateIndex('queued'), external_id)).not.toBeNull();
    expect(await redis.zscore(store.keys.stateIndex('sending'), external_id)).toBeNull();
  });

  test('a record whose seq is not a number refuses every move and note, writing nothing', async () => {
    const { external_id } = cardPayout();
    await createPayout({ external_id });
    await redis.hset(store.keys.record(external_id), 'seq', 'not-a-number');
    const historyBefore = await redis.get(store.keys.history(external_id));
    await expect(store.claim(external_id, Date.now())).rejects.toThrow(/malformed seq/);
    await expect(
      store.note(external_id, { event: 'gateway_report', actor: 'operator', note: 'x' }),
    ).rejects.toThrow(/malformed seq/);
    expect(await redis.hmget(store.keys.record(external_id), 'status', 'seq', 'token')).toEqual([
      'queued',
      'not-a-number',
      null,
    ]);
    expect(await redis.get(store.keys.history(external_id))).toBe(historyBefore);
    expect(await redis.zscore(store.keys.stateIndex('sending'), external_id)).toBeNull();
  });

  test('worker decisions need the holder token', async () => {
    const { external_id } = cardPayout();
    await createPayout({ external_id });
    const claim = await store.claim(external_id, Date.now());
    expect(await store.transition(external_id, 'retry', { actor: 'worker', token: 'someone-else' })).toEqual({
      ok: false,
      current: 'sending',
    });
    const moved = await store.transition(external_id, 'retry', {
      actor: 'worker',
      token: claim.ok ? claim.token : '',
      reason: 'not_sent: ECONNREFUSED',
      nextAttemptAt: Date.now() + 1000,
    });
    expect(moved.ok).toBe(true);
    const record = (await store.get(external_id))!;
    expect(record.status).toBe('retry_scheduled');
    expect(record.reason).toBe('not_sent: ECONNREFUSED');
    expect(record.token).toBeUndefined();
  });

  test('a terminal move deletes the sealed payload; indexes follow the state', async () => {
    const { external_id } = cardPayout();
    await createPayout({ external_id });
    await store.claim(external_id, Date.now());
    await store.transition(external_id, 'gateway_success', {
      actor: 'callback',
      gatewayStatus: 4,
      orderId: 'o-1',
    });
    const record = (await store.get(external_id))!;
    expect(record.status).toBe('succeeded');
    expect(record.sealedPayload).toBeUndefined();
    expect(record.orderId).toBe('o-1');
    expect(await redis.zscore(store.keys.stateIndex('succeeded'), external_id)).not.toBeNull();
    expect(await redis.zscore(store.keys.stateIndex('queued'), external_id)).toBeNull();
    expect(await redis.zscore(store.keys.stateIndex('sending'), external_id)).toBeNull();
    const history = await store.history(external_id);
    expect(history.map((h) => [h.from, h.to, h.seq])).toEqual([
      [undefined, 'queued', 1],
      ['queued', 'sending', 2],
      ['sending', 'succeeded', 3],
    ]);
    // every change is in the notification outbox, in order
    const outbox = (await redis.lrange(store.keys.outbox, 0, -1)).map((l) => JSON.parse(l));
    expect(outbox.filter((o) => o.external_id === external_id).map((o) => o.seq)).toEqual([1, 2, 3]);
  });

  test.each(TRANSITION_CASES)('on Redis: %s + %s -> %s', async (state, event, expected) => {
    const { external_id } = cardPayout();
    await createPayout({ external_id });
    await forceState(external_id, state);
    const needsToken = 'needsToken' in TRANSITIONS[event];
    const needsApprovals = 'needsApprovals' in TRANSITIONS[event];
    const res =
      event === 'claim'
        ? await claimAsMove(external_id)
        : await store.transition(external_id, event, {
            actor: 'operator',
            ...(needsToken ? { token: 'tok-1' } : {}),
            ...(needsApprovals ? { approver: 'abel' } : {}),
          });
    const record = (await store.get(external_id))!;
    if (expected === undefined) {
      expect(res).toEqual({ ok: false, current: state });
      expect(record.status).toBe(state);
    } else {
      expect(res).toMatchObject({ ok: true, from: state, to: expected });
      expect(record.status).toBe(expected);
    }
  });

  test('an absent payout is reported as such', async () => {
    const untokened = PAYOUT_EVENTS.filter(
      (e): e is Exclude<PayoutEvent, 'claim'> => e !== 'claim' && !('needsToken' in TRANSITIONS[e]),
    );
    for (const event of untokened) {
      expect(await store.transition('po-absent', event, { actor: 'operator', approver: 'abel' })).toEqual({
        ok: false,
        current: undefined,
      });
    }
  });

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

  test("an external_id never names another payout's keys, whatever it ends with", async () => {
    const base = `po-keys-${randomUUID()}`;
    // Created in the order that used to collide: `X:payload` was X's sealed payload key, `X:history`
    // X's history key.
    const ids = [`${base}:payload`, `${base}:history`, base, `${base}:payload:history`];
    for (const [i, external_id] of ids.entries()) {
      expect((await createPayout({ external_id, amount: 1000 + i })).outcome).toBe('created');
    }
    for (const [i, external_id] of ids.entries()) {
      const record = (await store.get(external_id))!;
      expect(record).toMatchObject({ externalId: external_id, status: 'queued', amount: 1000 + i });
      expect(store.gatewayRequest(record).payment_data).toMatchObject({ card_number: '4111111111111111' });
      expect(await store.history(external_id)).toMatchObject([{ seq: 1, to: 'queued' }]);
    }
    // A terminal move of X deletes X's payload and nothing of `X:payload`.
    const claim = await store.claim(base, Date.now());
    if (!claim.ok) throw new Error('claim refused');
    await store.transition(base, 'reject', { actor: 'worker', token: claim.token, reason: 'test' });
    const other = (await store.get(`${base}:payload`))!;
    expect(other.status).toBe('queued');
    expect(store.gatewayRequest(other).payment_data).toMatchObject({ card_number: '4111111111111111' });
  });

  test('a callback that describes another payout (amount, currency, customer, order) is a contradiction, not applied', async () => {
    const contradictions: string[] = [];
    const deps = { store, logger: log.logger, onContradiction: (id: string) => contradictions.push(id) };
    const { external_id } = cardPayout();
    await createPayout({ external_id, amount: 2000, currency: 'USD' });
    const claim = await store.claim(external_id, Date.now());
    if (!claim.ok) throw new Error('claim refused');
    await applyGatewayReport(deps, external_id, { status: 1, orderId: 'o-1' }, 'worker');
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

  test('every key lives under the prefix', async () => {
    // Searched in the whole of Redis, not under the prefix: a key written elsewhere must show.
    const ours: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 5000);
      cursor = next;
      ours.push(...keys.filter((k) => [...created].some((id) => k.includes(id))));
    } while (cursor !== '0');
    expect(created.size).toBeGreaterThan(10);
    expect(ours.length).toBeGreaterThan(created.size);
    for (const k of ours) expect(k.startsWith(`${prefix}:`), k).toBe(true);
  });
});
