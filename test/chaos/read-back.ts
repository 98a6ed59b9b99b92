import type { ApiClient } from './api-client.js';
import { sleep } from './run-context.js';
import type { SecretScanner } from './secrets.js';

/** An accepted payout as `GET /v1/payouts/:id` answered after the drain (the body parsed when 200). */
export type PayoutViews = Map<string, { status: number; body: any }>;

/**
 * Every accepted payout read back through the API, twelve at a time, each answer scanned for the
 * run's secrets; a payout the API could not be asked about after six tries is kept with status 0.
 */
export async function readEveryPayout(
  client: ApiClient,
  scanner: SecretScanner,
  ids: readonly string[],
): Promise<PayoutViews> {
  const views: PayoutViews = new Map();
  let i = 0;
  const reader = async () => {
    while (i < ids.length) {
      const id = ids[i++]!;
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await fetch(`${client.url}/v1/payouts/${id}`, { headers: client.bearer });
          const text = await res.text();
          scanner.scan('http', 'http:GET /v1/payouts/:id', text);
          views.set(id, { status: res.status, body: res.status === 200 ? JSON.parse(text) : text });
          break;
        } catch (err) {
          if (attempt >= 5) {
            views.set(id, { status: 0, body: String(err) });
            break;
          }
          await sleep(200);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 12 }, reader));
  return views;
}
