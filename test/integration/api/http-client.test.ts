import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createPayoutHttpClient, PayoutApiError, PayoutNetworkError } from '../../../src/client/index.js';
import { cardPayout } from '../../helpers/requests.js';
import { freePort, startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * The HTTP client against the real API, through a proxy that loses answers on demand: a request whose
 * answer was lost is sent again with the same body, and ends 200 or 202, never 409.
 */

let sys: TestSystem;
let proxy: Server;
let proxyUrl: string;
/** What the proxy does with each next request: pass, drop the connection, or answer 503. */
let plan: ('pass' | 'drop-after' | 'drop-before' | '503')[] = [];
const bodies: string[] = [];

beforeAll(async () => {
  sys = await startTestSystem({ parts: ['api'] });
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method === 'POST') bodies.push(body);
    const step = plan.shift() ?? 'pass';
    if (step === 'drop-before') return req.socket.destroy();
    if (step === '503') {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' });
      return res.end('{"error":{"code":"store_unavailable","message":"outcome unknown"}}');
    }
    const answer = await fetch(`${sys.api}${req.url}`, {
      method: req.method ?? 'GET',
      headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' },
      ...(req.method === 'POST' ? { body } : {}),
    });
    const text = await answer.text();
    // The API recorded it; the client never hears so.
    if (step === 'drop-after') return req.socket.destroy();
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(text);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await sys?.close();
});

const client = (retries = 5) =>
  createPayoutHttpClient({
    baseUrl: proxyUrl,
    apiKey: sys.apiKey,
    retries,
    retryDelayMs: 10,
    timeoutMs: 10_000,
  });

test.each([
  { name: 'a dropped connection before the API saw it', steps: ['drop-before'] as const, created: true },
  { name: 'a 503', steps: ['503'] as const, created: true },
  { name: 'an answer lost after the API recorded it', steps: ['drop-after'] as const, created: false },
  { name: 'all three in a row', steps: ['drop-before', '503', 'drop-after'] as const, created: false },
])('$name: sent again with the same body, never a 409', async ({ steps, created }) => {
  bodies.length = 0;
  plan = [...steps];
  const request = cardPayout();
  const res = await client().createPayout(request);
  expect(res.created).toBe(created);
  expect(res.payout).toMatchObject({
    external_id: request.external_id,
    status: 'queued',
    amount: request.amount,
  });
  expect(bodies).toHaveLength(steps.length + 1);
  expect(new Set(bodies).size).toBe(1);
});

test('out of tries: a network error saying to send the same request again', async () => {
  plan = ['drop-before', 'drop-before', 'drop-before'];
  await expect(client(2).createPayout(cardPayout())).rejects.toBeInstanceOf(PayoutNetworkError);
});

test('an error answer is thrown as it came: 422 with its issues, not retried', async () => {
  bodies.length = 0;
  plan = [];
  const err = await client()
    .createPayout({ ...cardPayout(), amount: '11.00' })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(PayoutApiError);
  expect(err).toMatchObject({ status: 422, code: 'validation_failed', retryable: false });
  expect((err as PayoutApiError).issues.map((i) => i.path)).toEqual(['amount']);
  expect(bodies).toHaveLength(1);
});

test('get, and a batch read back', async () => {
  plan = [];
  const request = cardPayout();
  const batch = await client().createBatch([request]);
  expect(batch.results).toEqual([{ external_id: request.external_id, status: 202 }]);
  expect(await client().getBatch(batch.batch_id)).toEqual({
    batch_id: batch.batch_id,
    counts: { queued: 1 },
  });
  expect((await client().getPayout(request.external_id)).status).toBe('queued');
  await expect(client().getPayout('po-never')).rejects.toMatchObject({ status: 404, code: 'not_found' });
});
