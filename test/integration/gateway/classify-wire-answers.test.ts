import http from 'node:http';
import { describe, expect, test } from 'vitest';
import { MAX_RETRY_AFTER_MS } from '../../../src/gateway/classify.js';
import {
  client,
  closeAfterEach,
  httpServer,
  httpUrl,
  inSeconds,
  listen,
  MERCHANT_KEY,
  ORDER,
  portOf,
  type Reply,
  request,
  SALT,
  tcpServer,
  validAnswer,
} from './wire-fixture.js';

/**
 * The classifier through the real client, against raw servers on 127.0.0.1 that answer in every way
 * the wire allows: status lines, bodies, broken bodies. Each row: a server, the outcome the client
 * must report.
 */

closeAfterEach();

describe('status lines and bodies', () => {
  test.each<[string, Reply, Record<string, unknown>]>([
    [
      '200 parsed',
      { status: 200, body: validAnswer },
      { kind: 'accepted', answer: { order_id: ORDER, status: 1 } },
    ],
    [
      '200 malformed JSON',
      { status: 200, body: '{"status":1,' },
      { kind: 'unknown', httpStatus: 200, code: 'malformed_answer' },
    ],
    [
      '200 without order_id',
      { status: 200, body: '{"status":1}' },
      { kind: 'unknown', code: 'malformed_answer' },
    ],
    ['200 with status 9', { status: 200, body: `{"status":9,"order_id":"${ORDER}"}` }, { kind: 'unknown' }],
    ['200 empty', { status: 200 }, { kind: 'unknown', httpStatus: 200 }],
    ['201 parsed', { status: 201, body: validAnswer }, { kind: 'accepted' }],
    ['200 final', { status: 200, body: `{"status":4,"order_id":"${ORDER}"}` }, { kind: 'final' }],
    [
      '200 unknown status',
      { status: 200, body: `{"status":7,"order_id":"${ORDER}"}` },
      { kind: 'unknown_status' },
    ],
    [
      '301 not followed',
      { status: 301, headers: { Location: '/elsewhere/' } },
      { kind: 'unknown', httpStatus: 301, code: 'redirect' },
    ],
    [
      '400',
      { status: 400, body: '{"error":{"code":"bad_request","message":"amount"}}' },
      { kind: 'rejected', httpStatus: 400, code: 'bad_request' },
    ],
    ['401', { status: 401, body: '{"error":"Unauthorized"}' }, { kind: 'rejected', httpStatus: 401 }],
    [
      '404 with HTML',
      { status: 404, body: '<html>Not found</html>' },
      { kind: 'rejected', httpStatus: 404, code: 'http_404' },
    ],
    ['409', { status: 409, body: '{"error":"exists"}' }, { kind: 'duplicate', httpStatus: 409 }],
    [
      '422',
      { status: 422, body: '{"error":{"code":"validation_failed","message":"customer.country"}}' },
      { kind: 'rejected', httpStatus: 422 },
    ],
    [
      '422 duplicate code',
      { status: 422, body: '{"error":{"code":"duplicate_external_id"}}' },
      { kind: 'duplicate', httpStatus: 422 },
    ],
    [
      '429 with seconds',
      { status: 429, headers: { 'Retry-After': '3' } },
      { kind: 'retry_later', httpStatus: 429, retryAfterMs: 3000 },
    ],
    [
      '503 capped',
      { status: 503, headers: { 'Retry-After': '3600' } },
      { kind: 'retry_later', retryAfterMs: MAX_RETRY_AFTER_MS },
    ],
    ['500', { status: 500, body: '{"error":"boom"}' }, { kind: 'unknown', httpStatus: 500 }],
    ['502', { status: 502, body: '<html>Bad gateway</html>' }, { kind: 'unknown', httpStatus: 502 }],
    ['503 no Retry-After', { status: 503 }, { kind: 'retry_later', httpStatus: 503, retryAfterMs: 1000 }],
    ['504', { status: 504 }, { kind: 'unknown', httpStatus: 504 }],
  ])('%s', async (_name, reply, expected) => {
    const port = await httpServer(reply);
    await expect(client(httpUrl(port)).payout(request)).resolves.toMatchObject(expected);
  });

  test('429 with an HTTP-date', async () => {
    const port = await httpServer({ status: 429, headers: { 'Retry-After': inSeconds(60) } });
    const outcome = await client(httpUrl(port)).payout(request);
    expect(outcome.kind).toBe('retry_later');
    const { retryAfterMs } = outcome as { retryAfterMs: number };
    // HTTP-dates have whole seconds: between 58 and 60 s from now.
    expect(retryAfterMs).toBeGreaterThanOrEqual(58_000);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  test('the request carries MERCHANT_KEY, JSON and a valid signature; no retry, no redirect followed', async () => {
    const seen: { headers: http.IncomingHttpHeaders; body: string; url: string | undefined }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        seen.push({ headers: req.headers, body, url: req.url });
        res.writeHead(307, { Location: '/v2/payment/payout/' });
        res.end();
      });
    });
    const port = portOf(await listen(server));
    const outcome = await client(httpUrl(port)).payout(request);
    expect(outcome).toMatchObject({ kind: 'unknown', code: 'redirect' });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('/v2/payment/payout/');
    expect(seen[0]!.headers.merchant_key).toBe(MERCHANT_KEY);
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    const { verify } = await import('../../../src/gateway/signature.js');
    const sent = JSON.parse(seen[0]!.body);
    expect(sent).toMatchObject({ ...request, signature: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(verify(sent, SALT)).toBe(true);
  });
});

describe('broken bodies', () => {
  test('a 2xx whose body is cut off is unknown', async () => {
    const port = await httpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '500' });
      res.write(validAnswer.slice(0, 20));
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await expect(client(httpUrl(port)).payout(request)).resolves.toMatchObject({
      kind: 'unknown',
      httpStatus: 200,
    });
  });

  test('a 2xx whose body stalls past the read timeout is unknown', async () => {
    const port = await httpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"status":1,');
    });
    await expect(client(httpUrl(port)).payout(request)).resolves.toMatchObject({
      kind: 'unknown',
      httpStatus: 200,
    });
  });

  test('a 4xx whose body is cut off is still a refusal', async () => {
    const port = await httpServer((_req, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json', 'Content-Length': '500' });
      res.write('{"error":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await expect(client(httpUrl(port)).payout(request)).resolves.toMatchObject({
      kind: 'rejected',
      httpStatus: 400,
    });
  });

  test('an oversized answer is not read: unknown', async () => {
    const port = await httpServer({ status: 200, body: `{"pad":"${'x'.repeat(2 * 1024 * 1024)}"}` });
    await expect(client(httpUrl(port)).payout(request)).resolves.toMatchObject({ kind: 'unknown' });
  });

  test('garbage instead of HTTP after the request was written is unknown', async () => {
    const port = await tcpServer((socket) => {
      socket.once('data', () => socket.end('NOT HTTP AT ALL\r\n\r\n'));
    });
    await expect(client(httpUrl(port)).payout(request)).resolves.toMatchObject({ kind: 'unknown' });
  });
});
