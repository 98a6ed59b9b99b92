import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { CLOSED_PORT } from '../../helpers/system.js';
import {
  CONNECT_TIMEOUT_MS,
  client,
  closeAfterEach,
  httpsUrl,
  httpUrl,
  listen,
  portOf,
  READ_TIMEOUT_MS,
  request,
  tcpServer,
  validAnswer,
} from './wire-fixture.js';

/**
 * The classifier through the real client, against raw servers on 127.0.0.1 whose connections fail
 * before or after the request was written, over HTTP and over TLS. Each row: a server, the outcome the
 * client must report.
 */

closeAfterEach();

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
