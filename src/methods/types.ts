import type { z } from 'zod';

/**
 * The payment methods the gateway offers, under the ids our API uses (SPEC.md marks the ids as ours).
 * The registry is typed against this union, so adding an id here without a module is a compile error.
 */
export type MethodId =
  | 'bank_card'
  | 'p2p_card'
  | 'vega_wallet'
  | 'jeton_wallet'
  | 'ecopayz'
  | 'sticpay'
  | 'emanat'
  | 'm10_wallet'
  | 'cash'
  | 'cis_transfer'
  | 'bank_transfer'
  | 'kakaopay'
  | 'toss'
  | 'payco';

/** Which gateway endpoint a request is for; methods may differ between the two. */
export type Direction = 'payout' | 'deposit';

/**
 * One reason a request was refused.
 *
 * `path` is dotted (`payment_data.phone`, `customer.country`, `amount`); `''` means the body as a whole.
 * `message` never repeats the submitted value, because that value may be a card number or a password.
 */
export type Issue = { path: string; message: string };

/** payment_data as the gateway receives it: the gateway documents every field as a string. */
export type PaymentData = Readonly<Record<string, string>>;

/**
 * Validates and normalizes one direction's payment_data. Every schema is strict (unknown fields are
 * refused) because whatever passes is signed and sent to the gateway as is.
 */
export type PaymentDataSchema = z.ZodType<PaymentData, unknown>;

/** Marks a direction that takes the main request only: payment_data must be absent or `{}`. */
export type MainOnly = 'main_only';

/** What one direction of a method expects in payment_data. */
export type PaymentDataSpec = PaymentDataSchema | MainOnly;

/**
 * What a cross-field rule may look at. Only fields that already passed their own checks are given, so
 * a rule never has to re-validate them.
 */
export interface RefineInput {
  readonly direction: Direction;
  /** A valid ISO 4217 code. */
  readonly currency: string;
  /** The normalized payment_data, as the method's schema returned it. */
  readonly paymentData: PaymentData;
}

/** Reports one issue from a cross-field rule; paths are dotted and absolute (`payment_data.bank_name`). */
export type AddIssue = (issue: Issue) => void;

/** The shape every method module exports; the rest of the system asks the registry, never a module. */
export interface PaymentMethod {
  readonly id: MethodId;
  /** A human-readable name for dashboards and messages. */
  readonly title: string;
  readonly payout: PaymentDataSpec;
  /** `undefined` when the gateway does not offer deposits with this method. */
  readonly deposit: PaymentDataSpec | undefined;
  /**
   * Rules that need more than payment_data (e.g. p2p_card's AZN bank list depends on the currency).
   * Runs only for a direction that takes payment_data, once that payment_data and the currency are valid.
   */
  readonly refine?: (input: RefineInput, addIssue: AddIssue) => void;
  /**
   * A valid payment_data for each direction that takes one: the API reference shows it, and a test
   * checks that it passes the method's own schema.
   */
  readonly examples: { readonly payout?: PaymentData; readonly deposit?: PaymentData };
  /**
   * What operators may see of payment_data. Only fields the method names are returned, so a secret
   * that slipped into the input (cvv, an unknown field) can never reach the output.
   */
  readonly mask: (paymentData: unknown) => Record<string, string>;
}
