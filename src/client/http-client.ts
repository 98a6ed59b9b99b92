import type { Issue } from '../methods/index.js';
import type { PayoutState } from '../payout/states.js';
import type { BatchCounts, BatchResult } from '../producer/batches.js';
import type { PayoutPage } from '../producer/payout-list.js';
import type { PayoutView } from '../producer/view.js';

/**
 * A typed client of the HTTP API for Node backends (another process, another machine), beside the
 * in-process `createPayoutClient`. It depends on nothing but Node's own fetch.
 *
 * `createPayout` is safe to call again and again: a request that may not have been answered (a
 * network error, a timeout, a 503) is sent again with the same external_id and the very same body,
 * which the API answers 200 with the payout if the first one was recorded. It never invents a new
 * external_id, so a retry can never pay twice, nor turn into a 409.
 */

export interface HttpClientOptions {
  /** Where the API listens, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** An integration key (API_KEYS). */
  apiKey: string;
  /** Per request. @defaultValue 30000 */
  timeoutMs?: number;
  /** Tries of one create after its first (network errors, timeouts, 503). @defaultValue 5 */
  retries?: number;
  /** The first pause between tries, doubled each time, up to half taken off at random. @defaultValue 500 */
  retryDelayMs?: number;
  /** The longest pause, whatever Retry-After says. @defaultValue 30000 */
  maxRetryDelayMs?: number;
}

/** An answer of the API that is not a success, in its error shape. */
export class PayoutApiError extends Error {
  override readonly name = 'PayoutApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The fields at fault (422), or that differ from the accepted request (409). */
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
  /** Whether the same request may succeed later (503: the outcome is unknown, send it again). */
  get retryable(): boolean {
    return this.status === 503;
  }
}

/** The request could not be answered at all after every try; the payout may or may not exist. */
export class PayoutNetworkError extends Error {
  override readonly name = 'PayoutNetworkError';
}

export interface PayoutHttpClient {
  /** 202 created or 200 the same request again. Throws PayoutApiError (422, 409, 401...) or PayoutNetworkError. */
  createPayout(request: object): Promise<{ created: boolean; payout: PayoutView }>;
  /** Throws PayoutApiError 404 for an unknown external_id. */
  getPayout(externalId: string): Promise<PayoutView>;
  /**
   * A page of payouts, newest change first; pass `next_cursor` back as `cursor` for the next, until
   * it is null. Filtered by anything but status, a page may be short (even empty) before the end.
   * `from` and `to` are days (YYYY-MM-DD, UTC, both included) of creation.
   */
  listPayouts(query?: {
    status?: PayoutState;
    customer_id?: string;
    method?: string;
    currency?: string;
    from?: string;
    to?: string;
    limit?: number;
    cursor?: string;
  }): Promise<PayoutPage>;
  /** Up to BATCH_MAX_PAYOUTS payouts, each created on its own; retried like createPayout. */
  createBatch(payouts: readonly object[]): Promise<BatchResult>;
  getBatch(batchId: string): Promise<BatchCounts>;
}

const isRetryableStatus = (status: number) => status === 503;

export function createPayoutHttpClient(options: HttpClientOptions): PayoutHttpClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 5;
  const firstDelay = options.retryDelayMs ?? 500;
  const maxDelay = options.maxRetryDelayMs ?? 30_000;

  const headers = (body: boolean) => ({
    authorization: `Bearer ${options.apiKey}`,
    accept: 'application/json',
    ...(body ? { 'content-type': 'application/json' } : {}),
  });

  /** One request; the body text is made once by the caller so every try sends the same bytes. */
  async function once(
    method: string,
    path: string,
    body?: string,
  ): Promise<{ status: number; json: unknown; retryAfter: number | undefined }> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: headers(body !== undefined),
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    const seconds = Number(res.headers.get('retry-after'));
    return {
      status: res.status,
      json,
      retryAfter: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined,
    };
  }

  const pause = (attempt: number, retryAfter: number | undefined) => {
    const backoff = Math.min(maxDelay, firstDelay * 2 ** attempt);
    const jittered = backoff - Math.random() * (backoff / 2);
    const ms = Math.min(maxDelay, Math.max(jittered, retryAfter ?? 0));
    return new Promise((resolve) => setTimeout(resolve, ms));
  };

  function failure(status: number, json: unknown): PayoutApiError {
    const error = (json as { error?: { code?: unknown; message?: unknown; issues?: unknown } } | undefined)
      ?.error;
    return new PayoutApiError(
      status,
      typeof error?.code === 'string' ? error.code : 'http_error',
      typeof error?.message === 'string' ? error.message : `HTTP ${status}`,
      Array.isArray(error?.issues) ? (error.issues as Issue[]) : [],
    );
  }

  /**
   * Sends until answered: a network error, a timeout or a 503 is tried again with the same body
   * (`retry` true, for idempotent requests), any other answer is returned as it is.
   */
  async function send(method: string, path: string, body: string | undefined, retry: boolean) {
    for (let attempt = 0; ; attempt++) {
      let answer: Awaited<ReturnType<typeof once>> | undefined;
      let lost: unknown;
      try {
        answer = await once(method, path, body);
      } catch (err) {
        lost = err;
      }
      const again = retry && attempt < retries;
      if (answer && !(isRetryableStatus(answer.status) && again)) {
        if (answer.status >= 200 && answer.status < 300) return answer;
        throw failure(answer.status, answer.json);
      }
      if (!again) {
        throw new PayoutNetworkError(
          `no answer from ${base}${path} after ${attempt + 1} tries; send the same request again`,
          { cause: lost },
        );
      }
      await pause(attempt, answer?.retryAfter);
    }
  }

  return {
    async createPayout(request) {
      const { status, json } = await send('POST', '/v1/payouts', JSON.stringify(request), true);
      return { created: status === 202, payout: json as PayoutView };
    },
    async getPayout(externalId) {
      return (await send('GET', `/v1/payouts/${encodeURIComponent(externalId)}`, undefined, true))
        .json as PayoutView;
    },
    async listPayouts(query = {}) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query))
        if (value !== undefined) params.set(key, String(value));
      const qs = params.size > 0 ? `?${params}` : '';
      return (await send('GET', `/v1/payouts${qs}`, undefined, true)).json as PayoutPage;
    },
    async createBatch(payouts) {
      return (await send('POST', '/v1/payout-batches', JSON.stringify({ payouts }), true))
        .json as BatchResult;
    },
    async getBatch(batchId) {
      return (await send('GET', `/v1/payout-batches/${encodeURIComponent(batchId)}`, undefined, true))
        .json as BatchCounts;
    },
  };
}
