import { z } from 'zod';
import { type Currencies, DEFAULT_CURRENCIES } from '../currency/index.js';
import { amountHint } from './amount-hint.js';
import { currency as currencySchema, type customer, MAIN_ONLY, mainRequest, notBefore } from './common.js';
import { toIssues } from './issues.js';
import { getMethod, isMethodId, methodIds } from './registry.js';
import type { Direction, Issue, MethodId, PaymentData, PaymentDataSpec, PaymentMethod } from './types.js';

/** The gateway's `customer` object after validation (trimmed). */
export type Customer = z.output<typeof customer>;

/** Exactly what the gateway receives, before signing: the main request plus payment_data when the method takes some. */
export type GatewayRequest = z.output<typeof mainRequest> & { payment_data?: PaymentData };

/** What a client submits for a payout or a deposit: the gateway's fields plus our `method`. */
export type PayoutInput = z.input<typeof mainRequest> & {
  method: MethodId;
  payment_data?: Readonly<Record<string, string>>;
};

/** Either a request ready for the gateway or every issue found; `issues` is never empty. */
export type ValidationResult =
  | {
      ok: true;
      method: MethodId;
      request: GatewayRequest;
      /** A scheduled payout: not sent before this time (normalized ISO, UTC). Never sent to the gateway. */
      notBefore?: string;
    }
  | { ok: false; issues: Issue[] };

/** `method` and `payment_data` are checked on their own, once the method is known. */
const envelope = mainRequest.extend({
  method: z.unknown().optional(),
  payment_data: z.unknown().optional(),
  not_before: notBefore.optional(),
});

const noPaymentData = z.strictObject({}).optional();

/** A hostile body with thousands of unknown keys should not produce a response larger than itself. */
const MAX_ISSUES = 100;

/** Applies wherever a schema has no message of its own; it never quotes the input. */
const fallbackMessage = (issue: z.core.$ZodRawIssue): string | undefined => {
  // A missing enum field is reported as invalid_value, a missing string as invalid_type.
  const missing =
    issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
  if (missing) return 'is required';
  if (issue.code !== 'invalid_type') return undefined;
  const article = /^[aeiou]/.test(issue.expected) ? 'an' : 'a';
  return `must be ${article} ${issue.expected}`;
};

/**
 * `schema`'s verdict on `value`, its issues worded by `error`. zod (4.6) runs a parse given its own
 * error map about three times slower than one without, valid or not; almost every request is valid,
 * so the map is given only to a second parse of what the first refused.
 */
function parseWorded<S extends z.ZodType>(schema: S, value: unknown, error: z.core.$ZodErrorMap) {
  const quick = schema.safeParse(value);
  return quick.success ? quick : schema.safeParse(value, { error });
}

function failed(issues: readonly Issue[]): ValidationResult {
  const seen = new Set<string>();
  const unique = issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length <= MAX_ISSUES) return { ok: false, issues: unique };
  return {
    ok: false,
    issues: [
      ...unique.slice(0, MAX_ISSUES),
      { path: '', message: `${unique.length - MAX_ISSUES} more issues not shown` },
    ],
  };
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own properties only: an inherited `method` or `currency` is not something the client sent. */
function ownField(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** The request's currency when it is a valid code, whatever else is wrong with the request. */
function validCurrency(input: Record<string, unknown>): string | undefined {
  const currency = currencySchema.safeParse(ownField(input, 'currency'));
  return currency.success ? currency.data : undefined;
}

/** An amount sent as text or with decimals gets the conversion for its currency (amount-hint.ts). */
function withAmountHint(issues: Issue[], input: Record<string, unknown>, currencies: Currencies): Issue[] {
  const hint = amountHint(ownField(input, 'amount'), validCurrency(input), currencies);
  if (hint === undefined) return issues;
  return issues.map((issue) => (issue.path === 'amount' ? { path: 'amount', message: hint } : issue));
}

function resolveMethod(
  value: unknown,
  direction: Direction,
): { method: PaymentMethod; spec: PaymentDataSpec } | Issue {
  if (value === undefined) {
    return { path: 'method', message: `is required: one of ${methodIds.join(', ')}` };
  }
  if (!isMethodId(value)) return { path: 'method', message: `must be one of: ${methodIds.join(', ')}` };
  const method = getMethod(value);
  const spec = method[direction];
  if (spec === undefined) return { path: 'method', message: `${method.id} does not offer ${direction}s` };
  return { method, spec };
}

function checkPaymentData(
  method: PaymentMethod,
  spec: PaymentDataSpec,
  value: unknown,
  direction: Direction,
): { issues: Issue[]; paymentData?: PaymentData } {
  if (spec === MAIN_ONLY) {
    const takesNone = `${method.id} ${direction}s take no payment_data`;
    const result = parseWorded(noPaymentData, value, () => takesNone);
    return { issues: result.success ? [] : toIssues(result.error.issues, 'payment_data', takesNone) };
  }
  const result = parseWorded(spec, value, fallbackMessage);
  if (result.success) return { issues: [], paymentData: result.data };
  const unknownField = `unknown field: ${method.id} ${direction}s do not take it`;
  return { issues: toIssues(result.error.issues, 'payment_data', unknownField) };
}

/**
 * The schema library runs length checks on any value that has a `length`, even one that failed its
 * type check, and a JSON object like `{"length":{"toString":""}}` makes such a check throw. A client's
 * body must never become a 500, so whatever the library throws on is refused as unreadable.
 */
function validateRequest(input: unknown, direction: Direction, currencies: Currencies): ValidationResult {
  try {
    return validateOrThrow(input, direction, currencies);
  } catch {
    return failed([
      {
        path: '',
        message: 'the request holds a value that cannot be read (an object where text is expected?)',
      },
    ]);
  }
}

/**
 * Payouts answer to the deployment's allow-list as well as to the unit rule; deposits only to the unit
 * rule, since PAYOUT_CURRENCIES names what this deployment pays out.
 */
function currencyRefusal(code: string, direction: Direction, currencies: Currencies): string | undefined {
  return direction === 'payout' ? currencies.payoutRefusal(code) : currencies.unitRefusal(code);
}

function validateOrThrow(input: unknown, direction: Direction, currencies: Currencies): ValidationResult {
  if (!isJsonObject(input)) return failed([{ path: '', message: 'the request must be a JSON object' }]);

  const issues: Issue[] = [];
  const target = resolveMethod(ownField(input, 'method'), direction);
  if ('path' in target) issues.push(target);

  const main = parseWorded(envelope, input, fallbackMessage);
  if (!main.success) {
    issues.push(...withAmountHint(toIssues(main.error.issues, '', 'unknown field'), input, currencies));
  }

  // Without a method there is no schema for payment_data; its issues come once the method is fixed.
  if ('path' in target) return failed(issues);

  const { method, spec } = target;
  const checked = checkPaymentData(method, spec, ownField(input, 'payment_data'), direction);
  issues.push(...checked.issues);
  const { paymentData } = checked;

  if (direction === 'deposit' && ownField(input, 'not_before') !== undefined) {
    issues.push({ path: 'not_before', message: 'deposits are sent at once; not_before is for payouts' });
  }

  // The main request's own check already read the currency when it passed whole.
  const currency = main.success ? main.data.currency : validCurrency(input);
  const refusal = currency !== undefined ? currencyRefusal(currency, direction, currencies) : undefined;
  if (refusal !== undefined) issues.push({ path: 'currency', message: refusal });
  if (paymentData !== undefined && method.refine !== undefined && currency !== undefined) {
    method.refine({ direction, currency, paymentData }, (issue) => issues.push(issue));
  }

  if (!main.success || issues.length > 0) return failed(issues);
  const { payment_system, external_id, amount, currency: code, customer } = main.data;
  const request: GatewayRequest = { payment_system, external_id, amount, currency: code, customer };
  if (paymentData !== undefined) request.payment_data = paymentData;
  const scheduled = main.data.not_before;
  if (scheduled === undefined) return { ok: true, method: method.id, request };
  return { ok: true, method: method.id, request, notBefore: new Date(scheduled).toISOString() };
}

/**
 * Checks a payout request end to end (method, main fields, payment_data, cross-field rules, the
 * currency's unit and the deployment's allow-list) and returns every issue found. Never throws,
 * whatever JSON value it is given.
 * @param currencies the deployment's currency rules; @defaultValue the rules of unset settings
 */
export function validatePayoutRequest(
  input: unknown,
  currencies: Currencies = DEFAULT_CURRENCIES,
): ValidationResult {
  return validateRequest(input, 'payout', currencies);
}

/** As {@link validatePayoutRequest}, for the deposit endpoint; methods without deposits are refused. */
export function validateDepositRequest(
  input: unknown,
  currencies: Currencies = DEFAULT_CURRENCIES,
): ValidationResult {
  return validateRequest(input, 'deposit', currencies);
}
