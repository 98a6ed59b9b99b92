import { z } from 'zod';
import { keep, keepLast4, maskFields, text } from './common.js';
import type { PaymentMethod } from './types.js';

const owner = { owner_name: text(), owner_native_name: text() };

export const bankTransfer = {
  id: 'bank_transfer',
  title: 'Bank transfer',
  // The source describes account_number as "Phone number"; SPEC.md reads it as the account number.
  payout: z.strictObject({
    account_number: text(),
    ...owner,
    bank_name: text(),
    branch_name: text(),
    bank_code: text(),
  }),
  deposit: z.strictObject(owner),
  examples: {
    payout: {
      account_number: '1234567890',
      owner_name: 'John Doe',
      owner_native_name: 'John Doe',
      bank_name: 'Test Bank',
      branch_name: 'Central',
      bank_code: 'TB001',
    },
    deposit: { owner_name: 'John Doe', owner_native_name: 'John Doe' },
  },
  mask: maskFields({
    account_number: keepLast4,
    owner_name: keep,
    owner_native_name: keep,
    bank_name: keep,
    branch_name: keep,
    bank_code: keep,
  }),
} as const satisfies PaymentMethod;
