import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { MAX_RETRY_AFTER_MS } from '../../../src/gateway/classify.js';
import { createGatewayClient, type GatewayClient } from '../../../src/gateway/client.js';
import type { GatewayRequest } from '../../../src/methods/index.js';
import { CLOSED_PORT } from '../../helpers/system.js';

/**
 * The classifier through the real client, against raw servers on 127.0.0.1 that misbehave in every
 * way the wire allows. Each row: a server, the outcome the client must report.
 */

const MERCHANT_KEY = 'wire-merchant-key';
const SALT = 'wire-salt-value';
const CONNECT_TIMEOUT_MS = 300;
const READ_TIMEOUT_MS = 400;

const request: GatewayRequest = {
  payment_system: 'TEST_PS',
  external_id: 'po-wire-1',
  amount: 1000,
  currency: 'USD',
  customer: { customer_id: 'c-1', country: 'LV', first_name: 'A', last_name: 'B' },
  payment_data: {
    card_number: '4111111111111111',
    card_holder: 'John Doe',
    exp_year: '2030',
    exp_month: '06',
  },
};
const ORDER = '175042241278345064345373647881';
const validAnswer = JSON.stringify({ status: 1, type: 2, external_id: 'po-wire-1', order_id: ORDER });

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const portOf = (server: net.Server) => (server.address() as AddressInfo).port;

async function listen<T extends net.Server>(server: T): Promise<T> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) (server as unknown as http.Server).closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return server;
}

/** A raw TCP server; every socket is tracked so that afterEach can destroy it. */
async function tcpServer(onSocket: (socket: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  const port = portOf(await listen(server));
  // Pushed after the server's close, so it runs first: close() waits for open sockets.
  closers.push(() => {
    for (const s of sockets) s.destroy();
  });
  return port;
}

interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

async function httpServer(reply: Reply | ((req: http.IncomingMessage, res: http.ServerResponse) => void)) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (typeof reply === 'function') return reply(req, res);
      res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  return portOf(await listen(server));
}

function client(baseUrl: string, ca?: string): GatewayClient {
  const c = createGatewayClient({
    baseUrl,
    ca,
    merchantKey: MERCHANT_KEY,
    salt: SALT,
    timeoutMs: READ_TIMEOUT_MS,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
  });
  closers.push(() => c.close());
  return c;
}

const httpUrl = (port: number) => `http://127.0.0.1:${port}`;
const httpsUrl = (port: number) => `https://127.0.0.1:${port}`;
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toUTCString();

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

describe('connections: before the request was written vs after', () => {
  test('connection refused (a port nothing listens on) is not_sent', async () => {
    await expect(client(httpUrl(CLOSED_PORT)).payout(request)).resolves.toMatchObject({
      kind: 'not_sent',
      code: 'ECONNREFUSED',
    });
  });

  test('DNS failure is not_sent', async () => {
    const outcome = await client('http://no-such-host.invalid').payout(request);
    expect(outcome.kind).toBe('not_sent');
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain((outcome as { code: string }).code);
  });

  test('socket destroyed before the request was written (during the TLS handshake) is not_sent', async () => {
    const port = await tcpServer((socket) => socket.destroy());
    await expect(client(httpsUrl(port)).payout(request)).resolves.toMatchObject({ kind: 'not_sent' });
  });

  test('a TLS failure (the server does not speak TLS) is not_sent', async () => {
    const port = await tcpServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    });
    await expect(client(httpsUrl(port)).payout(request)).resolves.toMatchObject({ kind: 'not_sent' });
  });

  test('a connect timeout (the TLS handshake never completes) is not_sent', async () => {
    const port = await tcpServer(() => {});
    const started = Date.now();
    await expect(client(httpsUrl(port)).payout(request)).resolves.toMatchObject({
      kind: 'not_sent',
      code: 'connect_timeout',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 20);
  });

  test('socket destroyed after the request was written is unknown', async () => {
    const port = await tcpServer((socket) => {
      socket.once('data', () => socket.destroy());
    });
    await expect(client(httpUrl(port)).payout(request)).resolves.toMatchObject({ kind: 'unknown' });
  });

  test('socket reset (RST) after the request was written is unknown', async () => {
    const port = await tcpServer((socket) => {
      socket.once('data', () => socket.resetAndDestroy());
    });
    await expect(client(httpUrl(port)).payout(request)).resolves.toMatchObject({
      kind: 'unknown',
      code: 'ECONNRESET',
    });
  });

  test('a read timeout (connected, written, no answer) is unknown, not a connect timeout', async () => {
    const port = await tcpServer((socket) => socket.resume());
    const started = Date.now();
    await expect(client(httpUrl(port)).payout(request)).resolves.toMatchObject({
      kind: 'unknown',
      code: 'read_timeout',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(READ_TIMEOUT_MS - 20);
  });

  test('a reused keep-alive connection that dies after the write is unknown', async () => {
    let requests = 0;
    const port = await tcpServer((socket) => {
      socket.on('data', () => {
        requests += 1;
        if (requests === 1) {
          socket.write(
            `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${validAnswer.length}\r\nConnection: keep-alive\r\n\r\n${validAnswer}`,
          );
        } else {
          socket.destroy();
        }
      });
    });
    const c = client(httpUrl(port));
    await expect(c.payout(request)).resolves.toMatchObject({ kind: 'accepted' });
    await expect(c.payout(request)).resolves.toMatchObject({ kind: 'unknown' });
    expect(requests).toBe(2);
  });

  test('a closed client sends nothing', async () => {
    let connections = 0;
    const port = await tcpServer(() => {
      connections += 1;
    });
    const c = client(httpUrl(port));
    c.close();
    await expect(c.payout(request)).resolves.toMatchObject({ kind: 'not_sent', code: 'client_closed' });
    expect(connections).toBe(0);
  });
});

describe('https: the connection counts once the TLS handshake is done', () => {
  let tls: { key: string; cert: string };
  beforeAll(() => {
    // A throwaway self-signed certificate for 127.0.0.1.
    const dir = mkdtempSync(join(tmpdir(), 'wire-tls-'));
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1']
          .concat(['-addext', 'subjectAltName=IP:127.0.0.1'])
          .concat(['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]),
        { stdio: 'ignore' },
      );
      tls = {
        key: readFileSync(join(dir, 'key.pem'), 'utf8'),
        cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  async function httpsServer(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
    const server = https.createServer(tls, (req, res) => {
      req.resume();
      req.on('end', () => handler(req, res));
    });
    return portOf(await listen(server));
  }

  test('an answer over TLS is read', async () => {
    const port = await httpsServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(validAnswer);
    });
    const c = client(httpsUrl(port), tls.cert);
    await expect(c.payout(request)).resolves.toMatchObject({ kind: 'accepted' });
    // Again on the kept-alive connection.
    await expect(c.payout(request)).resolves.toMatchObject({ kind: 'accepted' });
  });

  test('no answer after the handshake is a read timeout: unknown', async () => {
    const port = await httpsServer(() => {});
    await expect(client(httpsUrl(port), tls.cert).payout(request)).resolves.toMatchObject({
      kind: 'unknown',
      code: 'read_timeout',
    });
  });

  test('an untrusted certificate fails the handshake: not_sent', async () => {
    const port = await httpsServer((_req, res) => res.end(validAnswer));
    await expect(client(httpsUrl(port)).payout(request)).resolves.toMatchObject({ kind: 'not_sent' });
  });
});
