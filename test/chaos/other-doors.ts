import type { ApiClient } from './api-client.js';
import { planCvvPayouts, planDeposits } from './scenarios.js';
import type { RunSecrets } from './secrets.js';

/**
 * The secrets' other doors, before the chaos: card and wallet deposits, and payouts carrying a cvv
 * (which must be refused), so the scan also looks where their data could have gone.
 */

export interface OtherDoors {
  deposits: { externalId: string; body: unknown }[];
  cvvPayouts: { externalId: string; body: unknown }[];
  /** The deposits' answers by HTTP status. */
  depositAnswers: Record<string, number>;
  cvvPayoutAnswers: number[];
}

export async function postOtherDoors(
  client: ApiClient,
  runId: string,
  secrets: RunSecrets,
): Promise<OtherDoors> {
  const deposits = planDeposits(runId, secrets);
  const cvvPayouts = planCvvPayouts(runId, secrets);
  const depositAnswers: Record<string, number> = {};
  for (const d of deposits) {
    const res = await client.post('/v1/deposits', d.body);
    depositAnswers[res.status] = (depositAnswers[res.status] ?? 0) + 1;
  }
  const cvvPayoutAnswers: number[] = [];
  for (const c of cvvPayouts) cvvPayoutAnswers.push((await client.post('/v1/payouts', c.body)).status);
  return { deposits, cvvPayouts, depositAnswers, cvvPayoutAnswers };
}
