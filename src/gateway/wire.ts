import http from 'node:http';
import https from 'node:https';
import type { Duplex, Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { Exchange, GatewayEndpoint } from './classify.js';

/**
 * One HTTP exchange with the gateway, on node:http directly: one request, never repeated, no redirect
 * followed, no proxy; the answer read as text (up to MAX_ANSWER_BYTES, gzip/deflate/br decoded). What
 * happened is reported as an `Exchange` for classify.ts: whether the connection was established (the
 * line between `not_sent` and `unknown`), the connect and read timeouts, the status line.
 *
 * axios did this before, through a transport of ours; its per-request work (merging configs,
 * building an error object per call, interceptors) was a tenth of a millisecond of each payout.
 */

/** Idle keep-alive sockets are closed after this, before a typical server (5 s) closes them under us. */
const FREE_SOCKET_TIMEOUT_MS = 4_000;
/** Gateway answers are small; a bigger body is not read (and a 2xx then counts as `unknown`). */
export const MAX_ANSWER_BYTES = 1024 * 1024;
/** The code of an answer cut off for being over MAX_ANSWER_BYTES (the one axios gave it). */
const TOO_LARGE = 'ERR_BAD_RESPONSE';

/** Sockets whose connection (and TLS handshake) completed: a request written on one may arrive. */
const establishedSockets = new WeakSet<Duplex>();

class WatchedHttpAgent extends http.Agent {
  override createConnection(
    options: http.ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const socket = super.createConnection(options, callback);
    socket?.once('connect', () => establishedSockets.add(socket));
    return socket;
  }
}

class WatchedHttpsAgent extends https.Agent {
  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const socket = super.createConnection(options, callback);
    socket?.once('secureConnect', () => establishedSockets.add(socket));
    return socket;
  }
}

const readyEvent = (secure: boolean) => (secure ? 'secureConnect' : 'connect');

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Za-z0-9_]{1,48}$/.test(code) ? code : 'network_error';
}

/**
 * Watches one call on the wire: whether its connection was established, the connect and read
 * timers, and the answer's status line.
 */
class CallWatch {
  established = false;
  timedOut: 'connect_timeout' | 'read_timeout' | undefined;
  errorCode: string | undefined;
  httpStatus: number | undefined;
  retryAfter: string | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private readTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly secure: boolean,
    private readonly connectTimeoutMs: number,
    private readonly timeoutMs: number,
  ) {}

  /** The native request, with this call's watchers attached. */
  request(options: http.RequestOptions, onResponse: (res: http.IncomingMessage) => void) {
    const req = (this.secure ? https : http).request(options, (res) => {
      this.httpStatus = res.statusCode;
      const retryAfter = res.headers['retry-after'];
      this.retryAfter = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
      onResponse(res);
    });
    req.once('error', (err: NodeJS.ErrnoException) => {
      this.errorCode ??= typeof err.code === 'string' ? err.code : undefined;
    });
    this.connectTimer = setTimeout(() => this.expire(req, 'connect_timeout'), this.connectTimeoutMs);
    req.once('socket', (socket) => {
      if (establishedSockets.has(socket)) this.onEstablished(req);
      else socket.once(readyEvent(this.secure), () => this.onEstablished(req));
    });
    return req;
  }

  private onEstablished(req: http.ClientRequest) {
    if (this.established || this.timedOut) return;
    this.established = true;
    clearTimeout(this.connectTimer);
    this.readTimer = setTimeout(() => this.expire(req, 'read_timeout'), this.timeoutMs);
  }

  private expire(req: http.ClientRequest, reason: 'connect_timeout' | 'read_timeout') {
    this.timedOut ??= reason;
    req.destroy(Object.assign(new Error(reason), { code: reason }));
  }

  done() {
    clearTimeout(this.connectTimer);
    clearTimeout(this.readTimer);
  }

  /** The exchange of a call that ended in an error. */
  failed(endpoint: GatewayEndpoint, err: unknown): Exchange {
    const code = this.timedOut ?? this.errorCode ?? codeOf(err);
    if (this.httpStatus !== undefined) {
      // The status line arrived but the body did not: the status still decides.
      return {
        kind: 'answered',
        endpoint,
        httpStatus: this.httpStatus,
        retryAfter: this.retryAfter,
        body: undefined,
        bodyError: code,
        receivedAt: Date.now(),
      };
    }
    return { kind: 'no_answer', endpoint, mayHaveArrived: this.established, code };
  }
}

/** The answer's body as text, decoded as its Content-Encoding says; rejects past MAX_ANSWER_BYTES. */
function readBody(res: http.IncomingMessage, req: http.ClientRequest): Promise<string> {
  const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
  const stream: Readable =
    encoding === 'gzip' || encoding === 'x-gzip' || encoding === 'deflate'
      ? res.pipe(zlib.createUnzip())
      : encoding === 'br'
        ? res.pipe(zlib.createBrotliDecompress())
        : res;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let ended = false;
    const fail = (err: unknown) => {
      if (ended) return;
      ended = true;
      reject(err);
    };
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) {
        fail(Object.assign(new Error('the answer is over the size read'), { code: TOO_LARGE }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    stream.once('end', () => {
      if (ended) return;
      ended = true;
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    });
    stream.once('error', fail);
    if (stream !== res) res.once('error', fail);
    // Closed before its end: the body was cut off.
    res.once('close', () => {
      if (!res.complete) fail(Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' }));
    });
  });
}

export interface Wire {
  /** One request; never throws: a failure is an Exchange too. */
  exchange(endpoint: GatewayEndpoint, path: string, body: string | undefined): Promise<Exchange>;
  close(): void;
}

export function createWire(options: {
  baseUrl: string;
  headers: Record<string, string>;
  timeoutMs: number;
  connectTimeoutMs: number;
  ca?: string | Buffer | undefined;
}): Wire {
  const base = new URL(options.baseUrl);
  const secure = base.protocol === 'https:';
  const basePath = base.pathname.replace(/\/+$/, '');
  const agentOptions = { keepAlive: true, timeout: FREE_SOCKET_TIMEOUT_MS, scheduling: 'lifo' as const };
  const agent = secure
    ? new WatchedHttpsAgent(options.ca === undefined ? agentOptions : { ...agentOptions, ca: options.ca })
    : new WatchedHttpAgent(agentOptions);
  const target = {
    protocol: base.protocol,
    hostname: base.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: base.port || (secure ? 443 : 80),
    agent,
  };

  async function exchange(endpoint: GatewayEndpoint, path: string, body: string | undefined) {
    const watch = new CallWatch(secure, options.connectTimeoutMs, options.timeoutMs);
    try {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const headers =
          body === undefined
            ? options.headers
            : { ...options.headers, 'Content-Length': String(Buffer.byteLength(body)) };
        const req = watch.request(
          { ...target, method: body === undefined ? 'GET' : 'POST', path: basePath + path, headers },
          (res) => {
            readBody(res, req).then((text) => resolve({ status: res.statusCode ?? 0, body: text }), reject);
          },
        );
        req.once('error', reject);
        req.end(body);
      });
      return {
        kind: 'answered' as const,
        endpoint,
        httpStatus: answer.status,
        retryAfter: watch.retryAfter,
        body: answer.body,
        receivedAt: Date.now(),
      };
    } catch (err) {
      return watch.failed(endpoint, err);
    } finally {
      watch.done();
    }
  }

  return { exchange, close: () => agent.destroy() };
}
