import { describe, expect, test } from 'vitest';
import { status } from '../../../src/ops/commands.js';
import { useFeedbackSystem, withMarker } from './feedback-fixture.js';

const { sys } = useFeedbackSystem();

describe('operator actions', () => {
  const reviewPayout = async () => {
    const body = withMarker('+500+no-callback');
    await sys.request('POST', '/v1/payouts', body);
    await sys.waitFor(body.external_id, (p) => p.status === 'needs_review');
    return body;
  };

  test.each([
    ['succeeded', 'succeeded'],
    ['failed', 'failed'],
  ])('resolve as %s, recorded under the credential, never the body', async (as, final) => {
    const body = await reviewPayout();
    const res = await sys.operatorRequest('POST', `/v1/payouts/${body.external_id}/resolve`, {
      as,
      note: 'checked with the gateway',
      who: 'alice',
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe(final);
    expect(res.body.history.at(-1)).toMatchObject({
      actor: 'operator',
      who: sys.admin.name,
      note: 'checked with the gateway',
      to: final,
    });
  });

  test('resend: sent again with the same external_id', async () => {
    const body = await reviewPayout();
    const res = await sys.operatorRequest('POST', `/v1/payouts/${body.external_id}/resolve`, {
      as: 'resend',
      note: 'gateway confirmed it has nothing',
    });
    expect(res.status).toBe(200);
    await sys.waitFor(
      body.external_id,
      (p) => p.attempts === 2 && p.status !== 'sending' && p.status !== 'queued',
    );
    expect(sys.sandbox.received(body.external_id)?.requests).toBe(2);
    expect(sys.sandbox.received(body.external_id)?.sameBody).toBe(true);
    // The first attempt may still have created it: the payout is marked so for good.
    expect((await sys.system.store.get(body.external_id))?.mayHaveReached).toBe(true);
  });

  test.each([
    ['no note', { as: 'failed' }, 422],
    ['an unknown decision', { as: 'maybe', note: 'x' }, 422],
    ['an extra field', { as: 'failed', note: 'x', amount: 1 }, 422],
  ])('refused: %s', async (_n, payload, code) => {
    const body = await reviewPayout();
    const res = await sys.operatorRequest('POST', `/v1/payouts/${body.external_id}/resolve`, payload);
    expect(res.status).toBe(code);
    expect((await sys.request('GET', `/v1/payouts/${body.external_id}`)).body.status).toBe('needs_review');
  });

  test('resolve refused outside needs_review, and for an unknown id', async () => {
    const body = withMarker('+instant');
    await sys.request('POST', '/v1/payouts', body);
    await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    const res = await sys.operatorRequest('POST', `/v1/payouts/${body.external_id}/resolve`, {
      as: 'failed',
      note: 'x',
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('succeeded');
    expect(
      (await sys.operatorRequest('POST', '/v1/payouts/po-none/resolve', { as: 'failed', note: 'x' })).status,
    ).toBe(404);
  });

  test('CLI: status shows state, history and masked data; unknown ids are a clear error', async () => {
    const body = withMarker('+instant');
    await sys.request('POST', '/v1/payouts', body);
    await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
    expect(await status(sys.config, [body.external_id], io)).toBe(0);
    expect(out.join('\n')).toContain('SUCCEEDED');
    expect(out.join('\n')).toContain('411111******1111');
    expect(out.join('\n')).not.toContain('4111111111111111');
    out.length = 0;
    expect(await status(sys.config, ['po-unknown'], io)).toBe(4);
    expect(out.join('\n')).toContain('no payout with external_id po-unknown');
  });
});
