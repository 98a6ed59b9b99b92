import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { GatewayRequest } from '../methods/index.js';
import {
  classify,
  classifyFailure,
  type Exchange,
  type FailureOutcome,
  type GatewayEndpoint,
} from './classify.js';
import type { GatewayOutcome, OutcomeKind } from './outcome.js';
import { withSignature } from './signature.js';

/**
 * The typed Cabbagino client (SPEC.md). One call, one attempt: retries belong to BullMQ (DESIGN.md
 * "Money safety"), so nothing here sends a request twice. Every call ends in a `GatewayOutcome` built
 * by `classify`; it never throws for anything the network or the gateway does, and never lets an axios
 * error (which holds the request's headers and body) escape.
 */

export interface GatewayClientOptions {
  /** The gateway's origin, e.g. `https://api.mvpgateways.com` (paths are appended). */
  baseUrl: string;
  /** Sent as the `MERCHANT_KEY` header. A secret. */
  merchantKey: string;
  /** Signs every request (SPEC.md "Signature"). A secret. */
  salt: string;
  /** Time allowed from an established connection to the last byte of the answer; past it, `unknown`. */
  timeoutMs: number;
  /** Time allowed to resolve, connect and (https) finish the TLS handshake; past it, `not_sent`. */
  connectTimeoutMs: number;
  /** Certificates (PEM) to trust for an https gateway behind a private CA; the system's CAs otherwise. */
  ca?: string | Buffer | undefined;
  /** Receives one debug line per call (endpoint, external_id, outcome) and a warning per `unknown`. */
  logger?: Logger | undefined;
  /** For metrics: called once per call with its outcome kind (`ok` for balances) and duration. */
  onResult?: ((endpoint: GatewayEndpoint, outcome: ResultKind, durationMs: number) => void) | undefined;
}

/** The balances shape is undocumented: a 2xx JSON body is returned as parsed. */
export type BalancesResult = { kind: 'ok'; balances: unknown } | FailureOutcome;
export type ResultKind = OutcomeKind | 'ok';

export interface GatewayClient {
  /** POST /v2/payment/payout/ with the request signed. Never sends twice; see `GatewayOutcome`. */
  payout(request: GatewayRequest): Promise<GatewayOutcome>;
  /** POST /v2/payment/deposit/; an accepted deposit carries `answer.redirect`. */
  deposit(request: GatewayRequest): Promise<GatewayOutcome>;
  /** POST /status/ `{order_id, signature}`: the order's current status, by the gateway's order_id. */
  status(orderId: string): Promise<GatewayOutcome>;
  /** GET /balances/, signed by the MERCHANT_KEY header alone. */
  balances(): Promise<BalancesResult>;
  /** Closes the keep-alive connections; calls made afterwards end `not_sent` (`client_closed`). */
  close(): void;
}

/** The client's options from a parsed Config. */
export function gatewayClientOptions(
  config: Config,
  extra: Pick<GatewayClientOptions, 'logger' | 'onResult'> = {},
): GatewayClientOptions {
  return {
    baseUrl: config.gateway.url,
    merchantKey: config.gateway.merchantKey,
    salt: config.gateway.salt,
    timeoutMs: config.gateway.timeoutMs,
    connectTimeoutMs: config.gateway.connectTimeoutMs,
    ...extra,
  };
}

/** Idle keep-alive sockets are closed after this, before a typical server (5 s) closes them under us. */
const FREE_SOCKET_TIMEOUT_MS = 4_000;
/**
 * TCP keep-alive probes' initial delay: the 60 s axios sets on every request's socket. The agent sets
 * its own on each socket it takes back; were they different (the agent's default is 1 s), every
 * request would change the socket's option twice, each a system call.
 */
const TCP_KEEPALIVE_MS = 60_000;
/** Gateway answers are small; a bigger body is not read (and a 2xx then counts as `unknown`). */
const MAX_ANSWER_BYTES = 1024 * 1024;

export const GATEWAY_PATHS = {
  payout: '/v2/payment/payout/',
  deposit: '/v2/payment/deposit/',
  status: '/status/',
  balances: '/balances/',
} as const satisfies Record<GatewayEndpoint, string>;

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

/**
 * Watches one call on the wire: whether its connection was established (the line between `not_sent`
 * and `unknown`), the connect and read timers, and the answer's status line.
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

export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const { merchantKey, salt, timeoutMs, connectTimeoutMs, logger, onResult } = options;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const secure = new URL(baseUrl).protocol === 'https:';
  const agentOptions = {
    keepAlive: true,
    keepAliveMsecs: TCP_KEEPALIVE_MS,
    timeout: FREE_SOCKET_TIMEOUT_MS,
    scheduling: 'lifo' as const,
  };
  const httpAgent = new WatchedHttpAgent(agentOptions);
  const httpsAgent = new WatchedHttpsAgent(
    options.ca === undefined ? agentOptions : { ...agentOptions, ca: options.ca },
  );
  // Anything built from the gateway's words passes this too: a gateway that echoes our key or salt
  // in an error message must not put them into a payout's history.
  const scrub = secretScrubber([merchantKey, salt]);
  let closed = false;

  const http_: AxiosInstance = axios.create({
    baseURL: baseUrl,
    httpAgent,
    httpsAgent,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', MERCHANT_KEY: merchantKey },
    // Retries, redirects and proxies would each hide what happened to the one request we sent.
    maxRedirects: 0,
    proxy: false,
    validateStatus: () => true,
    responseType: 'text',
    transformRequest: [(data: unknown) => data],
    transformResponse: [(data: unknown) => data],
    maxContentLength: MAX_ANSWER_BYTES,
    decompress: true,
  });

  async function exchange(endpoint: GatewayEndpoint, body: string | undefined): Promise<Exchange> {
    if (closed) return { kind: 'no_answer', endpoint, mayHaveArrived: false, code: 'client_closed' };
    const watch = new CallWatch(secure, connectTimeoutMs, timeoutMs);
    try {
      const res: AxiosResponse<unknown> = await http_.request({
        method: body === undefined ? 'GET' : 'POST',
        url: GATEWAY_PATHS[endpoint],
        data: body,
        transport: watch.transport,
      });
      // The status line and Retry-After as the transport read them off the answer.
      return {
        kind: 'answered',
        endpoint,
        httpStatus: res.status,
        retryAfter: watch.retryAfter,
        body: typeof res.data === 'string' ? res.data : undefined,
        receivedAt: Date.now(),
      };
    } catch (err) {
      return watch.failed(endpoint, err);
    } finally {
      watch.done();
    }
  }

  function report(
    endpoint: GatewayEndpoint,
    externalId: string | undefined,
    outcome: GatewayOutcome | BalancesResult,
    started: number,
  ) {
    const durationMs = performance.now() - started;
    onResult?.(endpoint, outcome.kind, durationMs);
    const unknown = outcome.kind === 'unknown';
    // The debug line's fields are built only when it is written.
    if (!logger || (!unknown && !logger.isLevelEnabled('debug'))) return;
    const fields = {
      endpoint,
      external_id: externalId,
      outcome: outcome.kind,
      httpStatus: 'httpStatus' in outcome ? outcome.httpStatus : undefined,
      code: 'code' in outcome ? outcome.code : undefined,
      durationMs: Math.round(durationMs),
    };
    if (unknown) logger.warn(fields, 'gateway call outcome unknown: it may have been acted on');
    else logger.debug(fields, 'gateway call');
  }

  async function create(endpoint: 'payout' | 'deposit', request: GatewayRequest): Promise<GatewayOutcome> {
    const started = performance.now();
    const body = JSON.stringify(withSignature(request, salt));
    const outcome = scrubOutcome(
      classify(await exchange(endpoint, body), { external_id: request.external_id }),
      scrub,
    );
    report(endpoint, request.external_id, outcome, started);
    return outcome;
  }

  return {
    payout: (request) => create('payout', request),
    deposit: (request) => create('deposit', request),
    async status(orderId) {
      const started = performance.now();
      const body = JSON.stringify(withSignature({ order_id: orderId }, salt));
      const outcome = scrubOutcome(classify(await exchange('status', body), { order_id: orderId }), scrub);
      report(
        'status',
        outcome.kind === 'accepted' || outcome.kind === 'final' || outcome.kind === 'unknown_status'
          ? outcome.answer.external_id
          : undefined,
        outcome,
        started,
      );
      return outcome;
    },
    async balances() {
      const started = performance.now();
      const ex = await exchange('balances', undefined);
      let result: BalancesResult;
      if (ex.kind === 'answered' && ex.httpStatus >= 200 && ex.httpStatus <= 299) {
        const balances = parseJsonOrUndefined(ex.body);
        result =
          balances === undefined
            ? {
                kind: 'unknown',
                httpStatus: ex.httpStatus,
                code: 'malformed_answer',
                message: `gateway answered HTTP ${ex.httpStatus} without JSON`,
              }
            : { kind: 'ok', balances };
      } else {
        result = scrubOutcome(classifyFailure(ex), scrub);
      }
      report('balances', undefined, result, started);
      return result;
    },
    close() {
      closed = true;
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function parseJsonOrUndefined(body: string | undefined): unknown {
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Replaces each secret value wherever it appears; card numbers were masked when the answer was parsed. */
function secretScrubber(secrets: readonly string[]): (text: string) => string {
  const values = secrets.filter((s) => s !== '');
  return (text) => values.reduce((t, s) => (t.includes(s) ? t.replaceAll(s, '[REDACTED]') : t), text);
}

/** Replaces any secret value in the text the gateway supplied (messages, reasons, display_data). */
function scrubOutcome<T extends GatewayOutcome>(outcome: T, scrub: (text: string) => string): T {
  if ('message' in outcome) {
    const message = scrub(outcome.message);
    return message === outcome.message ? outcome : { ...outcome, message };
  }
  if (!('answer' in outcome)) return outcome;
  const { answer } = outcome;
  const texts = [answer.reason, answer.redirect, ...Object.values(answer.display_data ?? {})];
  if (texts.every((text) => text === undefined || scrub(text) === text)) return outcome;
  const clean = <V extends string | undefined>(text: V): V =>
    text === undefined ? text : (scrub(text) as V);
  const scrubbed = { ...answer, reason: clean(answer.reason), redirect: clean(answer.redirect) };
  if (answer.display_data !== undefined) {
    scrubbed.display_data = Object.fromEntries(
      Object.entries(answer.display_data).map(([k, v]) => [k, clean(v)]),
    );
  }
  if (scrubbed.reason === undefined) delete scrubbed.reason;
  if (scrubbed.redirect === undefined) delete scrubbed.redirect;
  return { ...outcome, answer: scrubbed };
}
