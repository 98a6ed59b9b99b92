import { describe, expect, test } from 'vitest';
import { PAYOUT_EVENTS, type PayoutEvent, TRANSITIONS } from '../../../src/payout/states.js';
import { cardPayout } from '../../helpers/requests.js';
import { TRANSITION_CASES } from '../../helpers/transition-table.js';
import { useStore } from './store-fixture.js';

const { redis, store, prefix, created, createPayout, forceState, claimAsMove } = useStore('store-moves');

describe('payout record', () => {
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
