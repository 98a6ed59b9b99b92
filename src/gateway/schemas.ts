import { z } from 'zod';
import { maskCardNumber } from '../methods/common.js';
import type { GatewayAnswer } from './outcome.js';

/**
 * The gateway's wire shapes, as far as SPEC.md documents them. Parsing is tolerant where tolerance
 * cannot move money (a numeric string for a number), strict where a wrong reading could (an order_id
 * that lost digits, a status outside 1-7). Unknown fields are dropped: they are never kept anywhere.
 */

/** Text taken from the gateway's answers is cut to this many characters. */
export const MAX_MESSAGE_LENGTH = 200;

/**
 * Makes a text from the gateway safe to keep: control characters out, every standalone run of 13-19
 * digits masked (Luhn or not: a mistyped card is still card data), long hex runs (a signature)
 * hidden, and the length cut.
 */
export function safeText(text: string): string {
  // Most texts (names, reasons) hold no digit and no control character: nothing to mask.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
  if (text.length <= MAX_MESSAGE_LENGTH && !/[\d\u0000-\u001f\u007f]/.test(text)) return text.trim();
  const clean = text
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])/g, (run) => {
      const digits = run.replace(/\D/g, '');
      return `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;
    })
    .replace(/\b[0-9a-fA-F]{32,}\b/g, '[hex]')
    .trim();
  return clean.length > MAX_MESSAGE_LENGTH ? `${clean.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : clean;
}

const digitString = (v: unknown) => (typeof v === 'string' && /^\d{1,3}$/.test(v) ? Number(v) : v);

const statusSchema = z.preprocess(digitString, z.literal([1, 2, 3, 4, 5, 6, 7]));

/** The gateway's order ids are 30-digit strings; a JSON number that long has lost digits. */
export const orderIdSchema = z.union([
  z
    .string()
    .trim()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/),
  z
    .number()
    .int()
    .nonnegative()
    .refine((n) => Number.isSafeInteger(n))
    .transform(String),
]);

const shortText = (max: number) =>
  z.union([z.string(), z.number()]).transform((v) => String(v).slice(0, max));

/** display_data: strings kept, card masked, anything card-shaped elsewhere masked too. */
const displayDataSchema = z.record(z.string(), z.unknown()).transform((raw) => {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const text = String(value);
    out[key] =
      key === 'card' || key === 'card_number'
        ? maskCardNumber(text.replace(/[ -]/g, '').slice(0, 64))
        : safeText(text);
  }
  return out;
});

/** A 2xx answer of payout, deposit or status (SPEC.md "Responses"). */
export const gatewayAnswerSchema = z.object({
  status: statusSchema,
  type: z.preprocess(digitString, z.number().int()).optional(),
  external_id: z.string().max(256).optional(),
  order_id: orderIdSchema,
  // Read only to be compared with the payout's own (a status answer about another amount is not ours).
  amount: shortText(32).optional(),
  currency: shortText(8).optional(),
  redirect: z.string().max(4096).optional(),
  display_data: displayDataSchema.optional(),
  reason_code: shortText(16).optional(),
  reason: shortText(2000).transform(safeText).optional(),
}) satisfies z.ZodType<GatewayAnswer, unknown>;

/**
 * Error bodies are undocumented. These are the shapes we read a code and a message from; anything
 * else is treated as "no readable body". Only these fields are ever looked at.
 */
export const gatewayErrorSchema = z.object({
  error: z
    .union([z.string(), z.object({ code: z.string().optional(), message: z.string().optional() })])
    .optional(),
  code: z.string().optional(),
  message: z.string().optional(),
});

/** The structured error code that says the external_id is already known (ours, and the sandbox's). */
export const DUPLICATE_ERROR_CODE = 'duplicate_external_id';
