import { apiErrorFrom, PayoutNetworkError } from './errors.js';

/**
 * How the client's requests reach the API: one try with its timeout, and the tries again (network
 * errors, timeouts, 503) with the very same body, pausing with backoff and jitter or as Retry-After
 * says.
 */

/** Where requests go and how they are tried, the options' defaults applied. */
export interface Transport {
  /** The base URL without a trailing slash. */
  base: string;
  /** The client's options: the key is read at each request, as it always was. */
  credentials: { readonly apiKey: string };
  timeoutMs: number;
  /** Tries after the first. */
  retries: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

interface Answer {
  status: number;
  json: unknown;
  retryAfter: number | undefined;
}

const isRetryableStatus = (status: number) => status === 503;

const headers = (transport: Transport, body: boolean) => ({
  authorization: `Bearer ${transport.credentials.apiKey}`,
  accept: 'application/json',
  ...(body ? { 'content-type': 'application/json' } : {}),
});

/** One request; the body text is made once by the caller so every try sends the same bytes. */
async function once(transport: Transport, method: string, path: string, body?: string): Promise<Answer> {
  const res = await fetch(`${transport.base}${path}`, {
    method,
    headers: headers(transport, body !== undefined),
    ...(body !== undefined ? { body } : {}),
    signal: AbortSignal.timeout(transport.timeoutMs),
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

const pause = (transport: Transport, attempt: number, retryAfter: number | undefined) => {
  const { firstDelayMs, maxDelayMs } = transport;
  const backoff = Math.min(maxDelayMs, firstDelayMs * 2 ** attempt);
  const jittered = backoff - Math.random() * (backoff / 2);
  const ms = Math.min(maxDelayMs, Math.max(jittered, retryAfter ?? 0));
  return new Promise((resolve) => setTimeout(resolve, ms));
};

/**
 * Sends until answered: a network error, a timeout or a 503 is tried again with the same body
 * (`retry` true, for idempotent requests), any other answer is returned as it is.
 */
export async function send(
  transport: Transport,
  method: string,
  path: string,
  body: string | undefined,
  retry: boolean,
): Promise<Answer> {
  for (let attempt = 0; ; attempt++) {
    let answer: Answer | undefined;
    let lost: unknown;
    try {
      answer = await once(transport, method, path, body);
    } catch (err) {
      lost = err;
    }
    const again = retry && attempt < transport.retries;
    if (answer && !(isRetryableStatus(answer.status) && again)) {
      if (answer.status >= 200 && answer.status < 300) return answer;
      throw apiErrorFrom(answer.status, answer.json);
    }
    if (!again) {
      throw new PayoutNetworkError(
        `no answer from ${transport.base}${path} after ${attempt + 1} tries; send the same request again`,
        { cause: lost },
      );
    }
    await pause(transport, attempt, answer?.retryAfter);
  }
}
