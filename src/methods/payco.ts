import { emailData, maskEmailData } from './common.js';
import type { PaymentMethod } from './types.js';

export const payco = {
  id: 'payco',
  title: 'PAYCO',
  payout: emailData,
  deposit: emailData,
  examples: { payout: { email: 'john@example.com' }, deposit: { email: 'john@example.com' } },
  mask: maskEmailData,
} as const satisfies PaymentMethod;
