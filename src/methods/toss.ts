import { emailData, maskEmailData } from './common.js';
import type { PaymentMethod } from './types.js';

export const toss = {
  id: 'toss',
  title: 'Toss',
  payout: emailData,
  deposit: emailData,
  mask: maskEmailData,
} as const satisfies PaymentMethod;
