import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { cardPayout } from '../../helpers/requests.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * RESEND_ON_UNKNOWN=true with attempts running out. A gateway of the test's own over real HTTP:
 * each request it receives is answered 504 (an unknown outcome: it may have created the payout),
 * and after `answers` requests it stops listening, so the next attempt is certainly not sent.
 */
async function gatewayAnswering504(
  answers: number,
): Promise<{ url: string; received: () => number; server: Server }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(504, { 'content-type': 'text/plain' }).end('gateway timeout');
      if (received >= answers) {
        server.close();
        server.closeAllConnections();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: () => received,
    server,
  };
}

let sys: TestSystem | undefined;
let gateway: Awaited<ReturnType<typeof gatewayAnswering504>> | undefined;
afterEach(async () => {
  await sys?.close();
  gateway?.server.close();
  gateway?.server.closeAllConnections();
});

describe('resending unknown outcomes, out of attempts', () => {
  test.each([
    ['every attempt unknown', 2, /^attempts_exhausted_outcome_unknown: unknown_resend: http_504/],
    ['unknown, then not sent', 1, /^attempts_exhausted_outcome_unknown: not_sent: ECONNREFUSED/],
  ])('%s: needs_review, never failed as not_sent', async (_name, answers, reason) => {
    gateway = await gatewayAnswering504(answers);
    sys = await startTestSystem({
      env: { GATEWAY_URL: gateway.url, RESEND_ON_UNKNOWN: 'true', PAYOUT_MAX_ATTEMPTS: '2' },
    });
    const body = cardPayout();
    await sys.system.producer.enqueuePayout(body);

    const reviewed = await sys.waitFor(
      body.external_id,
      (p) => p.status !== 'queued' && p.status !== 'sending' && p.status !== 'retry_scheduled',
    );
    expect(reviewed.status).toBe('needs_review');
    expect(reviewed.reason).toMatch(reason);
    expect(reviewed.attempts).toBe(2);
    expect(gateway.received()).toBe(answers);
  });
});

describe('a payout waiting to be resent after an unknown outcome', () => {
  test('cannot be cancelled: the earlier attempt may have created it', async () => {
    gateway = await gatewayAnswering504(1);
    sys = await startTestSystem({
      env: {
        GATEWAY_URL: gateway.url,
        RESEND_ON_UNKNOWN: 'true',
        RETRY_BASE_DELAY_MS: '60000',
        RETRY_MAX_DELAY_MS: '60000',
      },
    });
    const body = cardPayout();
    await sys.system.producer.enqueuePayout(body);
    await sys.waitFor(body.external_id, (p) => p.status === 'retry_scheduled');

    const res = await sys.operatorRequest('POST', `/v1/payouts/${body.external_id}/cancel`, {
      note: 'player asked',
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('transition_refused');
    expect(res.body.error.message).toMatch(/may have reached the gateway/);
    const after = await sys.request('GET', `/v1/payouts/${body.external_id}`);
    expect(after.body.status).toBe('retry_scheduled');
    expect(after.body.history.map((h: { event: string }) => h.event)).not.toContain('cancel');
  });
});
