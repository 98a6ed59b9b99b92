import { afterAll, beforeAll, vi } from 'vitest';
import {
  type Direction,
  type MethodId,
  validateDepositRequest,
  validatePayoutRequest,
} from '../../../src/methods/index.js';
import { AZN_BANK_NAMES } from '../../../src/methods/p2p-card.js';
import { NOW } from './fixtures.js';

/** What the validation rules' tests share: the validators by direction, the clock, the messages. */

export const validate = { payout: validatePayoutRequest, deposit: validateDepositRequest };

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
