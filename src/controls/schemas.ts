import { z } from 'zod';
import { type Currencies, formatAmount } from '../currency/index.js';
import {
  currency,
  type MethodId,
  methodIds,
  NO_CONTROL_CHARACTERS,
  noControlCharacters,
} from '../methods/index.js';

/**
 * The shapes of the controls an admin sets (DESIGN.md, PUT /v1/controls/...). Amounts are minor
 * units. Both lists are stored whole, as validated here, and read by the payout create script. Each is
 * built for the deployment's currency rules (`config.currencies`), once, where it is used.
 */

const minor = (what: string) =>
  z
    .number({ error: `${what} must be a whole number of minor units` })
    .int(`${what} must be a whole number of minor units`)
    .positive(`${what} must be greater than 0`)
    .max(Number.MAX_SAFE_INTEGER, `${what} is too large`);

/** Kept in the audit log and copied to the ledger (which takes no NUL in text), as payouts' notes are. */
const note = z.string().trim().max(1000).refine(noControlCharacters, NO_CONTROL_CHARACTERS).optional();

/**
 * A control's currency: one a payout can be made in, by the very check payouts get (the unit rule and
 * PAYOUT_CURRENCIES). A rule or a limit in any other would never meet a payout, and its amounts could
 * not even be shown in major units.
 */
const payoutCurrency = (currencies: Currencies) =>
  currency.check((ctx) => {
    if (ctx.issues.length > 0) return;
    const refusal = currencies.payoutRefusal(ctx.value);
    if (refusal === undefined) return;
    ctx.issues.push({
      code: 'custom',
      input: ctx.value,
      message: `no payout can be made in ${ctx.value}: ${refusal}`,
    });
  });

const approvalRuleFor = (currencies: Currencies) =>
  z.strictObject({
    currency: payoutCurrency(currencies),
    method: z
      .enum(methodIds as [MethodId, ...MethodId[]], { error: 'must be a payment method id' })
      .optional(),
    min_amount: minor('min_amount'),
    approvals: z.union([z.literal(1), z.literal(2)], { error: 'must be 1 or 2' }),
  });
export type ApprovalRule = z.infer<ReturnType<typeof approvalRuleFor>>;

/** PUT /v1/controls/approval-rules' body (and `payouts rules set`'s) under the deployment's currency rules. */
export const approvalRulesBodyFor = (currencies: Currencies) =>
  z.strictObject({
    rules: z
      .array(approvalRuleFor(currencies), {
        error: 'must be a list of rules (an empty list removes every rule)',
      })
      .max(500, 'at most 500 rules')
      .superRefine((rules, ctx) => {
        const seen = new Set<string>();
        rules.forEach((r, i) => {
          const key = `${r.currency}|${r.method ?? ''}|${r.min_amount}`;
          if (seen.has(key)) {
            ctx.addIssue({
              code: 'custom',
              path: [i],
              message: 'another rule has the same currency, method and min_amount',
            });
          }
          seen.add(key);
        });
      }),
    note,
  });

const limitFor = (currencies: Currencies) =>
  z
    .strictObject({
      currency: payoutCurrency(currencies),
      max_amount: minor('max_amount').optional(),
      per_customer_24h: z
        .strictObject({
          count: z
            .number({ error: 'count must be a whole number' })
            .int('count must be a whole number')
            .min(1, 'count must be at least 1')
            .max(1_000_000, 'count must be at most 1000000')
            .optional(),
          amount: minor('amount').optional(),
        })
        .refine((l) => l.count !== undefined || l.amount !== undefined, 'give count, amount or both')
        .optional(),
    })
    .refine(
      (l) => l.max_amount !== undefined || l.per_customer_24h !== undefined,
      'give max_amount, per_customer_24h or both',
    );
export type Limit = z.infer<ReturnType<typeof limitFor>>;

/** PUT /v1/controls/limits' body (and `payouts limits set`'s) under the deployment's currency rules. */
export const limitsBodyFor = (currencies: Currencies) =>
  z.strictObject({
    limits: z
      .array(limitFor(currencies), { error: 'must be a list of limits (an empty list removes every limit)' })
      .max(500, 'at most 500 limits')
      .superRefine((limits, ctx) => {
        const seen = new Set<string>();
        limits.forEach((l, i) => {
          if (seen.has(l.currency))
            ctx.addIssue({ code: 'custom', path: [i, 'currency'], message: 'one entry per currency' });
          seen.add(l.currency);
        });
      }),
    note,
  });

/** A rule as operators read it: the threshold in major units beside the integer. */
export const describeRule = (r: ApprovalRule, currencies: Currencies) => ({
  ...r,
  min_amount_display: formatAmount(r.min_amount, r.currency, currencies),
});

/** A limit as operators read it: each amount in major units beside the integer. */
export const describeLimit = (l: Limit, currencies: Currencies) => ({
  ...l,
  ...(l.max_amount !== undefined
    ? { max_amount_display: formatAmount(l.max_amount, l.currency, currencies) }
    : {}),
  ...(l.per_customer_24h?.amount !== undefined
    ? { per_customer_24h_amount_display: formatAmount(l.per_customer_24h.amount, l.currency, currencies) }
    : {}),
});
