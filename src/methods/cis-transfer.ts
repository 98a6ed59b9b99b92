import { MAIN_ONLY, maskFields } from './common.js';
import type { PaymentMethod } from './types.js';

/** The gateway documents CIS transfers as redirect-only deposits; for payouts it documents no data. */
export const cisTransfer = {
  id: 'cis_transfer',
  title: 'CIS transfer',
  payout: MAIN_ONLY,
  deposit: MAIN_ONLY,
  examples: {},
  mask: maskFields({}),
} as const satisfies PaymentMethod;
