import { afterAll, beforeAll, vi } from 'vitest';
import {
  type Direction,
  type MethodId,
  methodIds,
  validateDepositRequest,
  validatePayoutRequest,
} from '../../../src/methods/index.js';
import { AZN_BANK_NAMES } from '../../../src/methods/p2p-card.js';
import { mainFields, NOW, requestFor } from './fixtures.js';

/** What the validation rules' tests share: the validators by direction, the clock, the messages. */

export const validate = { payout: validatePayoutRequest, deposit: validateDepositRequest };

export const validators = [
  { direction: 'payout', validate: validatePayoutRequest },
  { direction: 'deposit', validate: validateDepositRequest },
] as const;

/** Date is NOW for the whole file (card expiry reads the clock); registers the file's beforeAll/afterAll. */
export function freezeClockAtNow(): void {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterAll(() => {
    vi.useRealTimers();
  });
}

export const CARD_DIGITS = 'must be 12 to 19 digits, without spaces or dashes';
export const LUHN = 'is not a valid card number (the check digit does not match)';
export const MONTH = 'must be two digits from 01 to 12, e.g. 06';
export const YEAR = 'must be four digits, e.g. 2028';
export const EXPIRED = 'the card has expired';
export const CVV_REFUSED = 'card security codes (cvv) are never accepted for payouts';
export const PHONE = 'must be 994 followed by 9 digits, e.g. 994934331504';
export const EMAIL = 'must be an e-mail address, e.g. john@example.com';
export const AZN_BANKS = `for AZN must be one of: ${AZN_BANK_NAMES.join(', ')}`;

export type Row = {
  name: string;
  method: MethodId;
  direction: Direction;
  patch: Record<string, unknown>;
  main?: Record<string, unknown>;
  issues: { path: string; message: string }[];
};

export const AMOUNT = 'must be a positive whole number of minor units, at most 2^53 - 1';
export const CURRENCY = 'must be an active ISO 4217 currency code in upper case, e.g. USD';
export const COUNTRY = 'must be an ISO 3166-1 alpha-2 country code in upper case, e.g. LV';
export const METHOD = `must be one of: ${methodIds.join(', ')}`;
export const METHOD_REQUIRED = `is required: one of ${methodIds.join(', ')}`;
export const NOT_INTEGER = 'must be an integer: amounts are in minor units (11.00 USD is 1100)';
export const NOT_NUMBER =
  'must be a JSON number, not text: amounts are integers in minor units (11.00 USD is 1100)';

/** cis_transfer takes no payment_data either way, so only the main fields can fail. */
export function mainOnlyRequest(main: Record<string, unknown>): Record<string, unknown> {
  return requestFor('cis_transfer', 'payout', {}, main);
}

export function withCustomer(customer: Record<string, unknown>): Record<string, unknown> {
  return { customer: { ...mainFields.customer, ...customer } };
}
