import { emailData, maskEmailData } from './common.js';
import type { PaymentMethod } from './types.js';

export const kakaopay = {
  id: 'kakaopay',
  title: 'KakaoPay',
  payout: emailData,
  deposit: emailData,
  mask: maskEmailData,
} as const satisfies PaymentMethod;
