import type { PayoutState } from '../payout/states.js';
import type { BatchCounts, BatchResult } from '../producer/batches.js';
import type { PayoutPage } from '../producer/payout-list.js';
import type { PayoutView } from '../producer/view.js';
import { send, type Transport } from './transport.js';

/**
 * A typed client of the HTTP API for Node backends (another process, another machine), beside the
 * in-process `createPayoutClient`. It depends on nothing but Node's own fetch.
 *
 * `createPayout` is safe to call again and again: a request that may not have been answered (a
 * network error, a timeout, a 503) is sent again with the same external_id and the very same body,
 * which the API answers 200 with the payout if the first one was recorded. It never invents a new
 * external_id, so a retry can never pay twice, nor turn into a 409. The tries are transport.ts's,
 * the errors errors.ts's.
 */

export { PayoutApiError, PayoutNetworkError } from './errors.js';

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

export function createPayoutHttpClient(options: HttpClientOptions): PayoutHttpClient {
  const transport: Transport = {
    base: options.baseUrl.replace(/\/+$/, ''),
    credentials: options,
    timeoutMs: options.timeoutMs ?? 30_000,
    retries: options.retries ?? 5,
    firstDelayMs: options.retryDelayMs ?? 500,
    maxDelayMs: options.maxRetryDelayMs ?? 30_000,
  };
  const call = (method: string, path: string, body?: string) => send(transport, method, path, body, true);

  return {
    async createPayout(request) {
      const { status, json } = await call('POST', '/v1/payouts', JSON.stringify(request));
      return { created: status === 202, payout: json as PayoutView };
    },
    async getPayout(externalId) {
      return (await call('GET', `/v1/payouts/${encodeURIComponent(externalId)}`)).json as PayoutView;
    },
    async listPayouts(query = {}) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query))
        if (value !== undefined) params.set(key, String(value));
      const qs = params.size > 0 ? `?${params}` : '';
      return (await call('GET', `/v1/payouts${qs}`)).json as PayoutPage;
    },
    async createBatch(payouts) {
      return (await call('POST', '/v1/payout-batches', JSON.stringify({ payouts }))).json as BatchResult;
    },
    async getBatch(batchId) {
      return (await call('GET', `/v1/payout-batches/${encodeURIComponent(batchId)}`)).json as BatchCounts;
    },
  };
}
