import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { GatewayRequest } from '../methods/index.js';
import { CallWatch, WatchedHttpAgent, WatchedHttpsAgent } from './call-watch.js';
import {
  classify,
  classifyFailure,
  type Exchange,
  type FailureOutcome,
  type GatewayEndpoint,
} from './classify.js';
import { type GatewayOutcome, GatewayType, type OutcomeKind } from './outcome.js';
import { scrubOutcome, secretScrubber } from './scrub.js';
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

/** What every call of one client shares. */
interface ClientContext {
  options: GatewayClientOptions;
  axios: AxiosInstance;
  secure: boolean;
  agents: { http: WatchedHttpAgent; https: WatchedHttpsAgent };
  scrub: (text: string) => string;
  closed: boolean;
}

export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const ctx = clientContext(options);
  const { salt } = options;
  return {
    payout: (request) => create(ctx, 'payout', request),
    deposit: (request) => create(ctx, 'deposit', request),
    async status(orderId) {
      const started = performance.now();
      const body = JSON.stringify(withSignature({ order_id: orderId }, salt));
      const outcome = scrubOutcome(
        classify(await exchange(ctx, 'status', body), { order_id: orderId }),
        ctx.scrub,
      );
      report(
        ctx,
        'status',
        outcome.kind === 'accepted' || outcome.kind === 'final' || outcome.kind === 'unknown_status'
          ? outcome.answer.external_id
          : undefined,
        outcome,
        started,
      );
      return outcome;
    },
    balances: () => balances(ctx),
    close() {
      ctx.closed = true;
      ctx.agents.http.destroy();
      ctx.agents.https.destroy();
    },
  };
}

/** The keep-alive agents and the one axios instance every call goes through. */
function clientContext(options: GatewayClientOptions): ClientContext {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const agentOptions = {
    keepAlive: true,
    keepAliveMsecs: TCP_KEEPALIVE_MS,
    timeout: FREE_SOCKET_TIMEOUT_MS,
    scheduling: 'lifo' as const,
  };
  const agents = {
    http: new WatchedHttpAgent(agentOptions),
    https: new WatchedHttpsAgent(
      options.ca === undefined ? agentOptions : { ...agentOptions, ca: options.ca },
    ),
  };
  const instance = axios.create({
    baseURL: baseUrl,
    httpAgent: agents.http,
    httpsAgent: agents.https,
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      MERCHANT_KEY: options.merchantKey,
    },
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
  return {
    options,
    axios: instance,
    secure: new URL(baseUrl).protocol === 'https:',
    agents,
    // Anything built from the gateway's words passes this too: a gateway that echoes our key or salt
    // in an error message must not put them into a payout's history.
    scrub: secretScrubber([options.merchantKey, options.salt]),
    closed: false,
  };
}

/** One request, one attempt, on the wire; its result as an Exchange, never an axios error. */
async function exchange(
  ctx: ClientContext,
  endpoint: GatewayEndpoint,
  body: string | undefined,
): Promise<Exchange> {
  if (ctx.closed) return { kind: 'no_answer', endpoint, mayHaveArrived: false, code: 'client_closed' };
  const watch = new CallWatch(ctx.secure, ctx.options.connectTimeoutMs, ctx.options.timeoutMs);
  try {
    const res: AxiosResponse<unknown> = await ctx.axios.request({
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

/** The call's metric, and its log line: debug for each call, a warning for each `unknown`. */
function report(
  ctx: ClientContext,
  endpoint: GatewayEndpoint,
  externalId: string | undefined,
  outcome: GatewayOutcome | BalancesResult,
  started: number,
) {
  const { logger, onResult } = ctx.options;
  const durationMs = performance.now() - started;
  onResult?.(endpoint, outcome.kind, durationMs);
  const unknown = outcome.kind === 'unknown';
  const other = outcome.kind === 'other_transaction';
  // The debug line's fields are built only when it is written.
  if (!logger || (!unknown && !other && !logger.isLevelEnabled('debug'))) return;
  const fields = {
    endpoint,
    external_id: externalId,
    outcome: outcome.kind,
    httpStatus: 'httpStatus' in outcome ? outcome.httpStatus : undefined,
    code: 'code' in outcome ? outcome.code : undefined,
    durationMs: Math.round(durationMs),
  };
  if (unknown) logger.warn(fields, 'gateway call outcome unknown: it may have been acted on');
  else if (other)
    logger.warn(
      { ...fields, answered: outcome.message },
      'the gateway answered about another transaction: outcome of this one unknown',
    );
  else logger.debug(fields, 'gateway call');
}

async function create(
  ctx: ClientContext,
  endpoint: 'payout' | 'deposit',
  request: GatewayRequest,
): Promise<GatewayOutcome> {
  const started = performance.now();
  const body = JSON.stringify(withSignature(request, ctx.options.salt));
  const outcome = scrubOutcome(
    classify(await exchange(ctx, endpoint, body), {
      external_id: request.external_id,
      type: endpoint === 'payout' ? GatewayType.PAYOUT : GatewayType.DEPOSIT,
    }),
    ctx.scrub,
  );
  report(ctx, endpoint, request.external_id, outcome, started);
  return outcome;
}

async function balances(ctx: ClientContext): Promise<BalancesResult> {
  const started = performance.now();
  const ex = await exchange(ctx, 'balances', undefined);
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
    result = scrubOutcome(classifyFailure(ex), ctx.scrub);
  }
  report(ctx, 'balances', undefined, result, started);
  return result;
}

function parseJsonOrUndefined(body: string | undefined): unknown {
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
