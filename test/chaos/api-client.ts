import type { SecretScanner } from './secrets.js';

/**
 * The harness's calls to the API's HTTP door, with the run's API key; every answer is scanned for
 * the run's secrets.
 */

export interface ApiClient {
  /** The API's base URL. */
  url: string;
  /** The headers of an authenticated JSON request. */
  bearer: Record<string, string>;
  post(path: string, body: unknown): Promise<{ status: number; text: string }>;
}

export function apiClient(url: string, apiKey: string, scanner: SecretScanner): ApiClient {
  const bearer = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  return {
    url,
    bearer,
    async post(path, body) {
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: bearer,
        body: JSON.stringify(body),
      });
      const text = await res.text();
      scanner.scan('http', `http:POST ${path}`, text);
      return { status: res.status, text };
    },
  };
}
