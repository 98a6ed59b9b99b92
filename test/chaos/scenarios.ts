import type { MethodId } from '../../src/methods/index.js';
import { methodIds } from '../../src/methods/index.js';
import { requestFor } from '../unit/methods/fixtures.js';
import type { ApprovalPlan } from './approvals.js';
import type { RunSecrets } from './secrets.js';

/**
 * The fault mix: what each payout's customer_id asks the sandbox to do (docs/sandbox.md "Outcomes on
 * demand"), and the state it should end in when nothing else interferes. A worker killed mid-send can
 * still leave any of them in needs_review (with a reason); that is allowed, a wrong final state is not.
 */

export type ExpectedEnd = 'succeeded' | 'failed' | 'needs_review';

export interface ScenarioDef {
  name: string;
  /** Directives appended to the customer_id. */
  marker: string;
  weight: number;
  expected: ExpectedEnd;
}

export const SCENARIOS: readonly ScenarioDef[] = [
  { name: 'success', marker: '', weight: 16, expected: 'succeeded' },
  { name: 'success_instant', marker: '+instant', weight: 4, expected: 'succeeded' },
  { name: 'decline', marker: '+decline', weight: 5, expected: 'failed' },
  { name: 'decline_instant', marker: '+decline=054+instant', weight: 3, expected: 'failed' },
  { name: 'error', marker: '+error', weight: 3, expected: 'failed' },
  { name: '503_then_ok', marker: '+503x2+retry-after=1', weight: 6, expected: 'succeeded' },
  { name: '429_then_ok', marker: '+429x1+retry-after=1', weight: 5, expected: 'succeeded' },
  { name: '429_then_decline', marker: '+429x2+retry-after=1+decline', weight: 2, expected: 'failed' },
  { name: '500_after_create', marker: '+500', weight: 5, expected: 'succeeded' },
  { name: '500_after_create_decline', marker: '+500+decline', weight: 2, expected: 'failed' },
  { name: 'drop_after_create', marker: '+drop', weight: 5, expected: 'succeeded' },
  { name: 'drop_after_create_error', marker: '+drop+error', weight: 2, expected: 'failed' },
  { name: 'unknown_then_success', marker: '+unknown', weight: 4, expected: 'succeeded' },
  { name: 'unknown_then_decline', marker: '+unknown+decline', weight: 3, expected: 'failed' },
  { name: 'early_callback', marker: '+early-callback', weight: 4, expected: 'succeeded' },
  {
    name: 'early_callback_decline',
    marker: '+early-callback+instant+decline',
    weight: 2,
    expected: 'failed',
  },
  { name: 'dup_callback', marker: '+dup-callback', weight: 4, expected: 'succeeded' },
  { name: 'stale_callback', marker: '+stale-callback', weight: 4, expected: 'succeeded' },
  {
    name: 'dup_and_stale_decline',
    marker: '+dup-callback+stale-callback+decline',
    weight: 2,
    expected: 'failed',
  },
  { name: 'no_callback', marker: '+no-callback', weight: 5, expected: 'succeeded' },
  { name: 'no_callback_decline', marker: '+no-callback+decline', weight: 3, expected: 'failed' },
  { name: 'unknown_no_callback', marker: '+unknown+no-callback', weight: 3, expected: 'succeeded' },
  { name: 'slow_settle', marker: '+delay=1500', weight: 3, expected: 'succeeded' },
  // The answer is lost and no callback ever comes: only an operator can decide (no order_id to poll).
  { name: 'drop_no_callback', marker: '+drop+no-callback', weight: 1, expected: 'needs_review' },
];

/** The sandbox's seeded PRNG: the same seed plans the same run. */
export { seededRandom } from '../../src/sandbox/faults.js';

export interface PlannedPayout {
  index: number;
  externalId: string;
  scenario: ScenarioDef;
  method: MethodId;
  /** The POST /v1/payouts body, sent unchanged on every retry. */
  body: Record<string, unknown>;
  /** Held for approval, and what the approvers do with it (approvals.ts); none for most. */
  approval?: ApprovalPlan;
}

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)]!;

function pickScenario(random: () => number): ScenarioDef {
  const total = SCENARIOS.reduce((s, x) => s + x.weight, 0);
  let r = random() * total;
  for (const s of SCENARIOS) {
    r -= s.weight;
    if (r < 0) return s;
  }
  return SCENARIOS[0]!;
}

/** payment_data overrides carrying the run's own secrets, so the scan can find them if they leak. */
function secretPatch(method: MethodId, secrets: RunSecrets, random: () => number): Record<string, unknown> {
  switch (method) {
    case 'bank_card':
      return { card_number: pick(secrets.cards, random), exp_year: '2099' };
    case 'p2p_card':
      return { card_number: pick(secrets.cards, random) };
    case 'vega_wallet':
      return { password: pick(secrets.walletPasswords, random) };
    default:
      return {};
  }
}

/**
 * N payouts spread over every payment method and the fault mix. Every scenario appears at least once
 * when N allows, so a small CI run still covers the whole mix.
 */
export function planPayouts(
  n: number,
  runId: string,
  secrets: RunSecrets,
  random: () => number,
): PlannedPayout[] {
  const out: PlannedPayout[] = [];
  for (let i = 0; i < n; i++) {
    const scenario = i < SCENARIOS.length ? SCENARIOS[i]! : pickScenario(random);
    // Card and wallet methods carry the secrets: give them a larger share than 3 in 14.
    const method: MethodId =
      random() < 0.35
        ? pick(['bank_card', 'p2p_card', 'vega_wallet'] as const, random)
        : pick(methodIds, random);
    const externalId = `chaos-${runId}-${String(i).padStart(5, '0')}`;
    const body = requestFor(method, 'payout', secretPatch(method, secrets, random), {
      payment_system: 'TEST_PS',
      external_id: externalId,
      amount: 1_000 + Math.floor(random() * 500_000),
      currency: 'USD',
      customer: {
        customer_id: `player-${i}${scenario.marker}`,
        country: 'LV',
        first_name: 'Chaos',
        last_name: 'Monkey',
      },
    });
    out.push({ index: i, externalId, scenario, method, body });
  }
  return out;
}

/** Card deposits (with a cvv) and wallet deposits (with a password): the secrets deposits carry. */
export function planDeposits(runId: string, secrets: RunSecrets): { externalId: string; body: unknown }[] {
  const customer = { customer_id: 'depositor-1', country: 'LV', first_name: 'Chaos', last_name: 'Monkey' };
  const cards = secrets.cvvs.map((cvv, i) => {
    const externalId = `chaos-${runId}-dep-card-${i}`;
    return {
      externalId,
      body: requestFor(
        'bank_card',
        'deposit',
        { card_number: secrets.cards[i % secrets.cards.length], exp_year: '2099', cvv },
        { external_id: externalId, amount: 5_000 + i, customer },
      ),
    };
  });
  const wallets = secrets.walletPasswords.slice(0, 2).map((password, i) => {
    const externalId = `chaos-${runId}-dep-wallet-${i}`;
    return {
      externalId,
      body: requestFor('vega_wallet', 'deposit', { password }, { external_id: externalId, customer }),
    };
  });
  return [...cards, ...wallets];
}

/** Payouts carrying a cvv: the API must refuse them (422) without echoing or storing the cvv. */
export function planCvvPayouts(runId: string, secrets: RunSecrets): { externalId: string; body: unknown }[] {
  return secrets.cvvs.slice(0, 2).map((cvv, i) => {
    const externalId = `chaos-${runId}-cvv-${i}`;
    return {
      externalId,
      body: requestFor(
        'bank_card',
        'payout',
        { card_number: secrets.cards[i % secrets.cards.length], exp_year: '2099', cvv },
        { external_id: externalId },
      ),
    };
  });
}
