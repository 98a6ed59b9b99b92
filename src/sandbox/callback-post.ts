import http from 'node:http';
import https from 'node:https';
import axios from 'axios';

/**
 * One callback attempt: the signed body POSTed to the merchant, and what came back in a word. Kept-alive
 * agents, no proxy and no redirects, as a gateway's own sender would.
 */

/** One callback attempt may take this long before it counts as failed (real time, not scaled). */
const CALLBACK_TIMEOUT_MS = 10_000;

export interface CallbackPoster {
  /** `ok`, `http_<status>`, `not_ok_body` (200 without `{"result":"ok"}`), or `network_error:<code>`. */
  attempt(body: string): Promise<string>;
  /** Aborts what is in flight and closes the connections. */
  close(): void;
}

export function createCallbackPoster(url: string | undefined): CallbackPoster {
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true });
  const abort = new AbortController();
  const client = axios.create({
    httpAgent,
    httpsAgent,
    proxy: false,
    maxRedirects: 0,
    timeout: CALLBACK_TIMEOUT_MS,
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    headers: { 'Content-Type': 'application/json' },
    signal: abort.signal,
  });

  return {
    async attempt(body) {
      try {
        const res = await client.post<string>(url!, body);
        if (res.status !== 200) return `http_${res.status}`;
        return acknowledges(res.data) ? 'ok' : 'not_ok_body';
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        return `network_error:${typeof code === 'string' ? code : 'unknown'}`;
      }
    },
    close() {
      abort.abort();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function acknowledges(body: string | undefined): boolean {
  try {
    const parsed: unknown = JSON.parse(body ?? '');
    return typeof parsed === 'object' && parsed !== null && (parsed as { result?: unknown }).result === 'ok';
  } catch {
    return false;
  }
}
