import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { cardPayout } from '../../helpers/requests.js';
import { useStore } from './store-fixture.js';

const { redis, store, log, createPayout } = useStore('store-claim');

describe('payout record', () => {
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
    const other = await store.claim(external_id, Date.now());
    expect(other).toMatchObject({ ok: false, current: 'sending', heldBy: token });
    const claimedAt = (other as { since?: number }).since!;
    await new Promise((r) => setTimeout(r, 20));
    // The same token again (the command resent, or the worker's next try): the claim is its own.
    const again = await store.claim(external_id, Date.now(), token);
    if (!again.ok) throw new Error(`own claim refused: ${again.current}`);
    expect(again).toMatchObject({ token, attempts: 1, record: { status: 'sending', token } });
    expect(store.gatewayRequest(again.record).payment_data).toEqual(cardPayout().payment_data);
    // Handing it back wrote only its time: one claim, one attempt, the same seq.
    expect((await store.history(external_id)).map((e) => e.event)).toEqual(['created', 'claim']);
    expect(again.record.seq).toBe(2);
    expect((await store.get(external_id))!.seq).toBe(2);
    // Its holder sends from now on, so a second delivery's wait counts from the claim taken back.
    const since = ((await store.claim(external_id, Date.now())) as { since?: number }).since!;
    expect(since).toBeGreaterThanOrEqual(claimedAt + 20);
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
});
