import countries from 'i18n-iso-countries';
import { z } from 'zod';
import type { MainOnly } from './types.js';

/** The marker for a direction that takes the main request only (see {@link MainOnly}). */
export const MAIN_ONLY: MainOnly = 'main_only';

// ---------------------------------------------------------------------------------------------
// Messages and small helpers

/**
 * Schema-level messages would also replace "is required" for a missing field; yielding on a missing
 * input lets the caller's fallback say that instead.
 */
export function unlessMissing(message: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? undefined : message);
}

/**
 * A cross-field check only makes sense once the fields it reads passed their own checks; without this
 * an invalid month would be reported twice, once as malformed and once as expired. zod runs a check
 * with `when` even after the object itself was refused (null, an array), so that case is excluded too;
 * unknown keys are not, so a missing field is still reported beside them.
 */
export function whenFieldsValid(...fields: readonly string[]) {
  return (payload: z.core.ParsePayload): boolean =>
    payload.issues.every((issue) => {
      const field = issue.path?.[0];
      if (field === undefined) return issue.code === 'unrecognized_keys';
      return !fields.includes(String(field));
    });
}

// ---------------------------------------------------------------------------------------------
// Text

/**
 * The gateway documents no lengths; 255 fits every real name, id and address we know of and keeps a
 * hostile body from filling Redis and logs.
 */
export const MAX_TEXT_LENGTH = 255;

/**
 * Control characters have no place in a name, an id or a note: they can forge lines in logs and
 * dashboards, and escape sequences in an operator's terminal.
 */
const CONTROL_CHARACTER = /\p{Cc}/u;
export const noControlCharacters = (value: string) => !CONTROL_CHARACTER.test(value);
export const NO_CONTROL_CHARACTERS = 'must not contain control characters';

/** A required free-text field, trimmed so that what we sign is what the person meant. */
export function text(max = MAX_TEXT_LENGTH) {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine(noControlCharacters, NO_CONTROL_CHARACTERS);
}

/** A wallet password is sent as typed: trimming or refusing characters could make it wrong. */
export const secret = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`);

// ---------------------------------------------------------------------------------------------
// Main request

/**
 * external_id is our idempotency key and becomes part of Redis keys, BullMQ job ids and URLs
 * (`GET /v1/payouts/:external_id`), so it is limited to characters that need no escaping in any of them.
 */
export const EXTERNAL_ID_PATTERN = /^[A-Za-z0-9._~:-]{1,255}$/;

/** The message for an external_id outside {@link EXTERNAL_ID_PATTERN}; it names the allowed set. */
export const EXTERNAL_ID_MESSAGE =
  'must be 1 to 255 characters, each a letter A-Z or a-z, a digit 0-9, or one of . _ ~ : -';

const externalId = z.string().regex(EXTERNAL_ID_PATTERN, EXTERNAL_ID_MESSAGE);

/**
 * The BullMQ job id for a payout.
 *
 * BullMQ refuses job ids that contain ':' (its key separator) or are all digits (they clash with its
 * own counters). The `p-` prefix rules out all digits, and ':' becomes `%3A`. Because '%' is outside
 * {@link EXTERNAL_ID_PATTERN}, no valid external_id contains `%3A` of its own, so two different valid
 * external_ids never share a job id.
 */
export function jobIdFor(externalId: string): string {
  return `p-${externalId.replaceAll(':', '%3A')}`;
}

const AMOUNT_MESSAGE = 'must be a positive whole number of minor units, at most 2^53 - 1';

/** Minor units: anything above 2^53 - 1 would silently lose precision in JSON and JavaScript. */
const amount = z.number().int({ error: AMOUNT_MESSAGE, abort: true }).positive(AMOUNT_MESSAGE);

const CURRENCY_MESSAGE = 'must be an active ISO 4217 currency code in upper case, e.g. USD';

/**
 * zod keeps the ISO 4217 list of active codes current. Whether an amount in the currency can be paid
 * (its unit, and codes such as XXX or XTS that are not money) is the currency rules' call, in validate.ts.
 */
export const currency = z
  .currencyCode({ error: unlessMissing(CURRENCY_MESSAGE) })
  .meta({ id: 'Currency', description: 'ISO 4217, upper case', examples: ['USD'] });

/** `Intl.DisplayNames` accepts ZZ, UK and EU; a maintained list of assigned codes does not. */
const COUNTRY_CODES: ReadonlySet<string> = new Set(Object.keys(countries.getAlpha2Codes()));

const country = z
  .string()
  .refine(
    (code) => COUNTRY_CODES.has(code),
    'must be an ISO 3166-1 alpha-2 country code in upper case, e.g. LV',
  )
  .describe('ISO 3166-1 alpha-2, upper case, e.g. LV');

/** The gateway's `customer` object; all four fields are required. */
export const customer = z
  .strictObject({
    customer_id: text().describe("the player's id in the casino"),
    country,
    first_name: text(),
    last_name: text(),
  })
  .meta({ id: 'Customer' });

/** The fields every deposit and payout carries, whatever the method. */
export const mainRequest = z.strictObject({
  payment_system: text().describe("the gateway's payment system, e.g. TEST_PS"),
  external_id: externalId.describe(
    'the idempotency key: the same request again answers 200, another body under it 409',
  ),
  amount: amount.describe(
    'an integer in minor units: 11.00 USD is 1100; whole units in the currencies the gateway takes so (GATEWAY_WHOLE_UNIT_CURRENCIES, by default JPY, CLP, VND, KRW, ISK, PYG): 1,100 JPY is 1100',
  ),
  currency: currency.describe(
    'ISO 4217, upper case. Refused (422) where the gateway has not confirmed the unit: ISO minor units other than two digits (KWD, BHD, CLF, UGX, XOF, …) unless on GATEWAY_WHOLE_UNIT_CURRENCIES; payouts also only in PAYOUT_CURRENCIES when it is set',
  ),
  customer,
});

/** How far ahead a payout may be scheduled: further is more likely a typo in the year than a plan. */
export const NOT_BEFORE_MAX_DAYS = 90;

/**
 * A payout is not sent before this time (ISO 8601 with a time zone: `2026-12-24T09:00:00Z`). Ours, not
 * the gateway's: it is never sent to it.
 */
export const notBefore = z
  .string({ error: 'must be an ISO 8601 time with a time zone, e.g. 2026-12-24T09:00:00Z' })
  .pipe(
    z.iso.datetime({
      offset: true,
      error: 'must be an ISO 8601 time with a time zone, e.g. 2026-12-24T09:00:00Z',
    }),
  )
  .refine(
    (value) => Date.parse(value) <= Date.now() + NOT_BEFORE_MAX_DAYS * 86_400_000,
    `must be at most ${NOT_BEFORE_MAX_DAYS} days ahead`,
  )
  .describe(
    'optional: the payout is not sent before this time (a scheduled payout); ISO 8601 with a time zone',
  );

// ---------------------------------------------------------------------------------------------
// payment_data fragments

const cardNumber = z
  .string()
  .regex(/^\d{12,19}$/, 'must be 12 to 19 digits, without spaces or dashes')
  .pipe(z.creditCard('is not a valid card number (the check digit does not match)'));

/** The card fields both card methods send. */
export const cardFields = { card_number: cardNumber, card_holder: text() };

/** Expiry as the gateway's example writes it: `06` and `2028`, both strings. */
export const cardExpiryFields = {
  exp_year: z.string().regex(/^\d{4}$/, 'must be four digits, e.g. 2028'),
  exp_month: z.string().regex(/^(0[1-9]|1[0-2])$/, 'must be two digits from 01 to 12, e.g. 06'),
};

export const cvv = z.string().regex(/^\d{3,4}$/, 'must be 3 or 4 digits');

/**
 * A card is valid through the last day of its expiry month, so one expiring this month still passes.
 * UTC decides which month it is: the gateway's time zone is not documented.
 */
export const unexpiredCard = z.superRefine<{ exp_year: string; exp_month: string }>(
  (card, ctx) => {
    const now = new Date();
    const year = Number(card.exp_year);
    const currentYear = now.getUTCFullYear();
    if (year < currentYear) {
      ctx.addIssue({ code: 'custom', path: ['exp_year'], message: 'the card has expired' });
    } else if (year === currentYear && Number(card.exp_month) < now.getUTCMonth() + 1) {
      ctx.addIssue({ code: 'custom', path: ['exp_month'], message: 'the card has expired' });
    }
  },
  { when: whenFieldsValid('exp_year', 'exp_month') },
);

/** The gateway validates Emanat and M10 phones with exactly this pattern. */
export const phone = z.string().regex(/^994\d{9}$/, 'must be 994 followed by 9 digits, e.g. 994934331504');

/** 254 is the longest address SMTP can deliver to (RFC 5321); checking it first keeps the format check cheap. */
export const email = z
  .string()
  .max(254, { error: 'must be at most 254 characters', abort: true })
  .pipe(z.email('must be an e-mail address, e.g. john@example.com'));

/** payment_data of the wallets identified by an id alone. */
export const walletData = z.strictObject({ wallet: text() });

/** payment_data of the wallets identified by a phone number. */
export const phoneData = z.strictObject({ phone });

/** payment_data of the methods identified by an e-mail address. */
export const emailData = z.strictObject({ email });

// ---------------------------------------------------------------------------------------------
// Masks

/** Shows that a secret was given without hinting at its length. */
export const HIDDEN = '********';

/** Turns one payment_data value into what operators may see. */
export type Masker = (value: string) => string;

export const keep: Masker = (value) => value;

export const hide: Masker = () => HIDDEN;

export const keepLast4: Masker = (value) =>
  value.length > 4 ? '*'.repeat(value.length - 4) + value.slice(-4) : '*'.repeat(value.length);

/**
 * `411111******1111`. The first six (the issuer) are shown only while at least six digits stay
 * hidden: on a 12-digit card, six plus four would leave two digits, which the check digit nearly gives away.
 */
export const maskCardNumber: Masker = (value) => {
  if (!/^\d{12,19}$/.test(value)) return keepLast4(value);
  const shownFirst = value.length >= 16 ? 6 : 0;
  return value.slice(0, shownFirst) + '*'.repeat(value.length - shownFirst - 4) + value.slice(-4);
};

/** `994*****1504`: the country prefix is no secret, the last four let support match a complaint. */
export const maskPhone: Masker = (value) =>
  /^994\d{9}$/.test(value) ? `994*****${value.slice(-4)}` : keepLast4(value);

/** `j***@example.com`: a fixed number of stars so the local part's length is not shown. */
export const maskEmail: Masker = (value) => {
  const at = value.lastIndexOf('@');
  if (at < 1) return HIDDEN;
  const [first = ''] = value;
  return `${first}***${value.slice(at)}`;
};

/**
 * Builds a method's mask from a field-to-masker table. Only fields named in the table are returned, and
 * only when they hold strings, so anything unexpected in the input is dropped rather than shown.
 */
export function maskFields(maskers: Readonly<Record<string, Masker>>) {
  return (paymentData: unknown): Record<string, string> => {
    const masked: Record<string, string> = {};
    if (typeof paymentData !== 'object' || paymentData === null) return masked;
    for (const [field, maskValue] of Object.entries(maskers)) {
      const value: unknown = Object.hasOwn(paymentData, field)
        ? (paymentData as Record<string, unknown>)[field]
        : undefined;
      if (typeof value === 'string') masked[field] = maskValue(value);
    }
    return masked;
  };
}

export const maskWalletData = maskFields({ wallet: keepLast4 });
export const maskPhoneData = maskFields({ phone: maskPhone });
export const maskEmailData = maskFields({ email: maskEmail });
