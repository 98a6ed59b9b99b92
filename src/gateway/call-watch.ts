import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Exchange, GatewayEndpoint } from './classify.js';

/**
 * One gateway call as the wire sees it: which connections were established (a request written on
 * one may have arrived, which is the line between `not_sent` and `unknown`), the connect and read
 * timers, and the answer's status line, read off the native request that axios's transport makes.
 */

/** Sockets whose connection (and TLS handshake) completed: a request written on one may arrive. */
const establishedSockets = new WeakSet<Duplex>();

export class WatchedHttpAgent extends http.Agent {
  override createConnection(
    options: http.ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const socket = super.createConnection(options, callback);
    socket?.once('connect', () => establishedSockets.add(socket));
    return socket;
  }
}

export class WatchedHttpsAgent extends https.Agent {
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

/**
 * Watches one call on the wire: whether its connection was established (the line between `not_sent`
 * and `unknown`), the connect and read timers, and the answer's status line.
 */
export class CallWatch {
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

  /** axios's `transport`: the native request, with this call's watchers attached. */
  readonly transport = {
    request: (options: http.RequestOptions, onResponse: (res: http.IncomingMessage) => void) => {
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
    },
  };

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

  /** The exchange of a call whose promise rejected: never built from the axios error itself. */
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

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Za-z0-9_]{1,48}$/.test(code) ? code : 'network_error';
}
