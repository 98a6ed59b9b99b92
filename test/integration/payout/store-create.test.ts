import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { validatePayoutRequest } from '../../../src/methods/index.js';
import { canonicalJson, type PayloadKeys } from '../../../src/payout/sealing.js';
import { createPayoutStore } from '../../../src/payout/store.js';
import { legacyDigest, legacySeal } from '../../helpers/legacy-sealing.js';
import { testPayloadKey } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';
import { useStore } from './store-fixture.js';

const { redis, store, prefix, log, payloadKeys, createPayout } = useStore('store-create');

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
});
