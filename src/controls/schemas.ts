import { z } from 'zod';
import { formatAmount } from '../currency/index.js';
import {
  currency,
  type MethodId,
  methodIds,
  NO_CONTROL_CHARACTERS,
  noControlCharacters,
} from '../methods/index.js';

/**
 * The shapes of the controls an admin sets (DESIGN.md, PUT /v1/controls/...). Amounts are minor
 * units. Both lists are stored whole, as validated here, and read by the payout create script.
 */

const minor = (what: string) =>
  z
    .number({ error: `${what} must be a whole number of minor units` })
    .int(`${what} must be a whole number of minor units`)
    .positive(`${what} must be greater than 0`)
    .max(Number.MAX_SAFE_INTEGER, `${what} is too large`);

/** Kept in the audit log and copied to the ledger (which takes no NUL in text), as payouts' notes are. */
const note = z.string().trim().max(1000).refine(noControlCharacters, NO_CONTROL_CHARACTERS).optional();

export const approvalRule = z.strictObject({
  currency,
  method: z.enum(methodIds as [MethodId, ...MethodId[]], { error: 'must be a payment method id' }).optional(),
  min_amount: minor('min_amount'),
  approvals: z.union([z.literal(1), z.literal(2)], { error: 'must be 1 or 2' }),
});
export type ApprovalRule = z.infer<typeof approvalRule>;

export const approvalRulesBody = z.strictObject({
  rules: z
    .array(approvalRule, { error: 'must be a list of rules (an empty list removes every rule)' })
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

export const limit = z
  .strictObject({
    currency,
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
export type Limit = z.infer<typeof limit>;

export const limitsBody = z.strictObject({
  limits: z
    .array(limit, { error: 'must be a list of limits (an empty list removes every limit)' })
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
export const describeRule = (r: ApprovalRule) => ({
  ...r,
  min_amount_display: formatAmount(r.min_amount, r.currency),
});

export const describeLimit = (l: Limit) => ({
  ...l,
  ...(l.max_amount !== undefined ? { max_amount_display: formatAmount(l.max_amount, l.currency) } : {}),
  ...(l.per_customer_24h?.amount !== undefined
    ? { per_customer_24h_amount_display: formatAmount(l.per_customer_24h.amount, l.currency) }
    : {}),
});
