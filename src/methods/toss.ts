import { emailData, maskEmailData } from './common.js';
import type { PaymentMethod } from './types.js';

export const toss = {
  id: 'toss',
  title: 'Toss',
  payout: emailData,
  deposit: emailData,
  examples: { payout: { email: 'john@example.com' }, deposit: { email: 'john@example.com' } },
  mask: maskEmailData,
} as const satisfies PaymentMethod;
