import type { Issue } from '../methods/index.js';

/** What the client throws: the API's own refusal, or no answer at all. */

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

/** The API's error body as a PayoutApiError; a body not in that shape still gives its status. */
export function apiErrorFrom(status: number, json: unknown): PayoutApiError {
  const error = (json as { error?: { code?: unknown; message?: unknown; issues?: unknown } } | undefined)
    ?.error;
  return new PayoutApiError(
    status,
    typeof error?.code === 'string' ? error.code : 'http_error',
    typeof error?.message === 'string' ? error.message : `HTTP ${status}`,
    Array.isArray(error?.issues) ? (error.issues as Issue[]) : [],
  );
}
