import { describe, expect, test } from 'vitest';
import { list } from '../../../src/ops/commands.js';
import { useFeedbackSystem, withMarker } from './feedback-fixture.js';

const { sys } = useFeedbackSystem();

describe('reconciler', () => {
  test('resolves a payout whose callback never comes, by polling the status endpoint', async () => {
    const body = withMarker('+no-callback');
    await sys.request('POST', '/v1/payouts', body);
    const done = await sys.waitFor(body.external_id, (p) => p.status === 'succeeded', 20_000);
    expect(done.history.at(-1)).toMatchObject({ actor: 'reconciler', to: 'succeeded' });
    expect(sys.sandbox.received(body.external_id)?.statusRequests).toBeGreaterThanOrEqual(1);
    expect(sys.sandbox.received(body.external_id)?.requests).toBe(1);
  });

  test('a payout unknown past its deadline stays needs_review and is listed with reason and age', async () => {
    const body = withMarker('+drop+no-callback');
    await sys.request('POST', '/v1/payouts', body);
    await sys.waitFor(body.external_id, (p) => p.status === 'needs_review');
    await new Promise((r) => setTimeout(r, 3000));
    const after = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    expect(after.status).toBe('needs_review'); // never written off because time passed
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
    expect(await list(sys.config, ['--status', 'needs_review', '--limit', '10000'], io)).toBe(0);
    const line = out.find((l) => l.includes(body.external_id));
    expect(out[0]).toMatch(/^\d+ payout\(s\) in needs_review, oldest first/);
    // Its age in the state, in the column after the external_id.
    expect(line).toMatch(new RegExp(`^\\s+${body.external_id}\\s+\\d+s\\s`));
    expect(line).toContain('outcome_unknown');
  });
});

describe('reconciler, overdue', () => {
  test('a payout still pending past its deadline goes to needs_review and stays there', async () => {
    const body = withMarker('+delay=600000+no-callback');
    await sys.request('POST', '/v1/payouts', body);
    await sys.waitFor(body.external_id, (p) => p.status === 'needs_review', 20_000);
    // Several reconcile runs (every second here) poll it and hear "pending" again.
    await expect
      .poll(() => sys.sandbox.received(body.external_id)?.statusRequests ?? 0, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(4);
    const after = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    expect(after.status).toBe('needs_review');
    expect(after.reason).toBe('no_final_status_within_deadline');
    const moves = after.history.map((h: { event: string }) => h.event);
    expect(moves.filter((e: string) => e === 'gateway_unknown')).toHaveLength(1);
    expect(moves.at(-1)).toBe('gateway_unknown');
  }, 30_000);
});
