import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { createGatewayClient, type GatewayClient } from '../../../src/gateway/client.js';
import type { GatewayRequest } from '../../../src/methods/index.js';

/**
 * What the classifier's wire tests share: the request, raw servers on 127.0.0.1 (each on a port the
 * system gives) and clients, all closed after each test (closeAfterEach).
 */

export const MERCHANT_KEY = 'wire-merchant-key';
export const SALT = 'wire-salt-value';
export const CONNECT_TIMEOUT_MS = 300;
export const READ_TIMEOUT_MS = 400;

export const request: GatewayRequest = {
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
export const ORDER = '175042241278345064345373647881';
export const validAnswer = JSON.stringify({ status: 1, type: 2, external_id: 'po-wire-1', order_id: ORDER });

const closers: (() => Promise<void> | void)[] = [];

/** Registers the file's afterEach that closes every server, socket and client the test made. */
export function closeAfterEach(): void {
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
}

export const portOf = (server: net.Server) => (server.address() as AddressInfo).port;

export async function listen<T extends net.Server>(server: T): Promise<T> {
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
export async function tcpServer(onSocket: (socket: net.Socket) => void): Promise<number> {
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

export interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export async function httpServer(
  reply: Reply | ((req: http.IncomingMessage, res: http.ServerResponse) => void),
) {
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

export function client(baseUrl: string, ca?: string): GatewayClient {
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

export const httpUrl = (port: number) => `http://127.0.0.1:${port}`;
export const httpsUrl = (port: number) => `https://127.0.0.1:${port}`;
export const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toUTCString();
