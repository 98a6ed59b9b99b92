import { type Expected, mismatchOf } from './answer-match.js';
import type { GatewayAnswer, GatewayOutcome } from './outcome.js';
import { parseRetryAfter } from './retry-after.js';
import {
  DUPLICATE_ERROR_CODE,
  gatewayAnswerSchema,
  gatewayErrorSchema,
  MAX_MESSAGE_LENGTH,
  safeText,
} from './schemas.js';

/**
 * The one place that decides what a gateway call ended as (DESIGN.md "Money safety"). It sees only
 * the facts below, never the request, its headers or its signature, so nothing it returns can carry
 * them. When a fact does not settle the question, the answer is `unknown`: the gateway may have
 * created the payout, and sending again could pay twice.
 */

/** Which gateway endpoint a call went to; only creating endpoints can be refused as duplicates. */
export type GatewayEndpoint = 'payout' | 'deposit' | 'status' | 'balances';

/** What happened on the wire, reduced to what classification needs. */
export type Exchange =
  | {
      kind: 'answered';
      endpoint: GatewayEndpoint;
      httpStatus: number;
      /** The Retry-After header as received, if any. */
      retryAfter?: string | undefined;
      /** The body text; `undefined` when it could not be read to the end. */
      body: string | undefined;
      /** Why the body could not be read (read_timeout, ECONNRESET, ...), when it could not. */
      bodyError?: string | undefined;
      /** When the answer arrived (ms since the epoch), to read an HTTP-date Retry-After. */
      receivedAt: number;
    }
  | {
      kind: 'no_answer';
      endpoint: GatewayEndpoint;
      /**
       * False only when no byte of the request can have reached the gateway: the connection (TCP, and
       * the TLS handshake for https) was never established. Anything later may have arrived.
       */
      mayHaveArrived: boolean;
      /** `connect_timeout`, `read_timeout`, or the socket error's code (ECONNREFUSED, ECONNRESET, ...). */
      code: string;
    };

/** The code of a status request's refusal that means the gateway has no order with that order_id. */
export const ORDER_NOT_FOUND = 'order_not_found';

export type { Expected } from './answer-match.js';
export { DEFAULT_RETRY_AFTER_MS, MAX_RETRY_AFTER_MS, parseRetryAfter } from './retry-after.js';
export { MAX_MESSAGE_LENGTH, safeText };

/** Every outcome except the four that a 2xx answer produces. */
export type FailureOutcome = Exclude<
  GatewayOutcome,
  { kind: 'accepted' | 'final' | 'unknown_status' | 'other_transaction' }
>;

/** Classifies one call to payout, deposit or status. */
export function classify(exchange: Exchange, expected: Expected = {}): GatewayOutcome {
  if (exchange.kind === 'answered' && httpClassOf(exchange.httpStatus) === 'success') {
    if (exchange.bodyError !== undefined) {
      return unknown(
        exchange.httpStatus,
        exchange.bodyError,
        `gateway answered HTTP ${exchange.httpStatus} but the answer was cut off: the gateway may have acted on it`,
      );
    }
    return classifyAnswer(exchange.httpStatus, exchange.body, expected);
  }
  return classifyFailure(exchange);
}

/**
 * Classifies everything but a 2xx answer, for every endpoint (balances reads its 2xx body itself).
 * A 2xx given here is `unknown`: the caller should have read it.
 */
export function classifyFailure(exchange: Exchange): FailureOutcome {
  if (exchange.kind === 'no_answer') {
    // The phase decides, not the code: ECONNRESET or EHOSTUNREACH can happen on either side of the
    // write, and only an unestablished connection proves that nothing arrived.
    return exchange.mayHaveArrived
      ? { kind: 'unknown', code: exchange.code, message: describeNetwork(exchange.code, true) }
      : { kind: 'not_sent', code: exchange.code, message: describeNetwork(exchange.code, false) };
  }
  const { httpStatus, endpoint } = exchange;
  const creates = endpoint === 'payout' || endpoint === 'deposit';
  const cls = httpClassOf(httpStatus);
  switch (cls) {
    case 'success':
      return unknown(
        httpStatus,
        'unread_answer',
        `gateway answered HTTP ${httpStatus}; the answer was not read`,
      );
    case 'redirect':
      // A redirected POST is not followed: we cannot know what the gateway did with the first one.
      return unknown(httpStatus, 'redirect', `gateway answered HTTP ${httpStatus} (redirect, not followed)`);
    case 'later':
      return {
        kind: 'retry_later',
        httpStatus,
        retryAfterMs: parseRetryAfter(exchange.retryAfter, exchange.receivedAt),
        message: `gateway answered HTTP ${httpStatus}: try again later`,
      };
    case 'conflict': {
      const error = readError(exchange.body);
      if (creates) return duplicate(httpStatus, error.message);
      return rejected(httpStatus, error);
    }
    case 'refused':
      return classifyRefusal(httpStatus, endpoint, exchange.body);
    case 'server_error':
      return unknown(
        httpStatus,
        `http_${httpStatus}`,
        withDetail(`gateway answered HTTP ${httpStatus}`, readError(exchange.body).message),
      );
    case 'unexpected':
      return unknown(httpStatus, `http_${httpStatus}`, `gateway answered an unexpected HTTP ${httpStatus}`);
    default:
      return assertNever(cls);
  }
}

/** A 4xx other than 409 and 429: refused, unless it names an order the gateway does not have, or a duplicate. */
function classifyRefusal(
  httpStatus: number,
  endpoint: GatewayEndpoint,
  body: string | undefined,
): FailureOutcome {
  // SPEC.md leaves the status endpoint's errors open; a 404 there is read as an order_id the
  // gateway has no order for (the sandbox answers exactly that: 404 order_not_found).
  if (endpoint === 'status' && httpStatus === 404) {
    return {
      kind: 'rejected',
      httpStatus,
      code: ORDER_NOT_FOUND,
      message: 'the gateway does not know this order (HTTP 404)',
    };
  }
  const error = readError(body);
  // A structured code, never message text, says the refusal is about an existing external_id.
  const creates = endpoint === 'payout' || endpoint === 'deposit';
  if (creates && error.code === DUPLICATE_ERROR_CODE) return duplicate(httpStatus, error.message);
  return rejected(httpStatus, error);
}

type HttpClass = 'success' | 'redirect' | 'later' | 'conflict' | 'refused' | 'server_error' | 'unexpected';

function httpClassOf(status: number): HttpClass {
  if (status >= 200 && status <= 299) return 'success';
  if (status >= 300 && status <= 399) return 'redirect';
  // 503 is "come back later"; 500, 502 and 504 may hide a created payout (server_error).
  if (status === 429 || status === 503) return 'later';
  if (status === 409) return 'conflict';
  if (status >= 400 && status <= 499) return 'refused';
  if (status >= 500 && status <= 599) return 'server_error';
  return 'unexpected';
}

function classifyAnswer(httpStatus: number, body: string | undefined, expected: Expected): GatewayOutcome {
  const parsed = gatewayAnswerSchema.safeParse(parseJson(body));
  if (!parsed.success) {
    return unknown(
      httpStatus,
      'malformed_answer',
      `gateway answered HTTP ${httpStatus} without a valid order`,
    );
  }
  const answer: GatewayAnswer = parsed.data;
  const mismatch = mismatchOf(httpStatus, answer, expected);
  if (mismatch) return mismatch;
  const { status } = answer;
  switch (status) {
    case 1:
    case 2:
    case 3:
      return { kind: 'accepted', answer: { ...answer, status } };
    case 4:
    case 5:
    case 6:
      return { kind: 'final', answer: { ...answer, status } };
    case 7:
      return { kind: 'unknown_status', answer: { ...answer, status } };
    default:
      return assertNever(status);
  }
}

interface ErrorInfo {
  code: string | undefined;
  message: string | undefined;
}

/** Reads a code and a message from an error body's known fields only; never echoes anything else. */
function readError(body: string | undefined): ErrorInfo {
  const parsed = gatewayErrorSchema.safeParse(parseJson(body));
  if (!parsed.success) return { code: undefined, message: undefined };
  const e = parsed.data;
  const raw =
    typeof e.error === 'object'
      ? { code: e.error.code ?? e.code, message: e.error.message ?? e.message }
      : { code: e.code, message: e.message ?? e.error };
  return {
    code: raw.code !== undefined && /^[A-Za-z0-9_.-]{1,64}$/.test(raw.code) ? raw.code : undefined,
    message: raw.message === undefined ? undefined : safeText(raw.message),
  };
}

function parseJson(body: string | undefined): unknown {
  if (body === undefined || body === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const withDetail = (text: string, detail: string | undefined) => (detail ? `${text}: ${detail}` : text);

const unknown = (httpStatus: number, code: string, message: string): FailureOutcome => ({
  kind: 'unknown',
  httpStatus,
  code,
  message,
});

const duplicate = (httpStatus: number, detail: string | undefined): FailureOutcome => ({
  kind: 'duplicate',
  httpStatus,
  message: withDetail(`gateway refused the external_id as already used (HTTP ${httpStatus})`, detail),
});

const rejected = (httpStatus: number, error: ErrorInfo): FailureOutcome => ({
  kind: 'rejected',
  httpStatus,
  code: error.code ?? `http_${httpStatus}`,
  message: withDetail(`gateway refused the request (HTTP ${httpStatus})`, error.message),
});

const NETWORK_MESSAGES: Record<string, string> = {
  ENOTFOUND: 'the gateway host name did not resolve',
  EAI_AGAIN: 'the gateway host name could not be resolved now',
  ECONNREFUSED: 'the gateway refused the connection',
  EHOSTUNREACH: 'the gateway host is unreachable',
  ENETUNREACH: 'the network to the gateway is unreachable',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed while writing',
  connect_timeout: 'connecting to the gateway timed out',
  read_timeout: 'the gateway did not answer in time',
  client_closed: 'the gateway client is closed',
};

function describeNetwork(code: string, mayHaveArrived: boolean): string {
  const what = NETWORK_MESSAGES[code] ?? `network error ${code}`;
  return mayHaveArrived
    ? `${what} after the request was sent: the gateway may have acted on it`
    : `${what} before the request was sent`;
}

function assertNever(value: never): never {
  throw new Error(`unhandled case: ${String(value)}`);
}
