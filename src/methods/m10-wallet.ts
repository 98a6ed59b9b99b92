import { MAIN_ONLY, maskPhoneData, phoneData } from './common.js';
import type { PaymentMethod } from './types.js';

export const m10Wallet = {
  id: 'm10_wallet',
  title: 'M10Wallet',
  payout: phoneData,
  deposit: MAIN_ONLY,
  examples: { payout: { phone: '994934331504' } },
  mask: maskPhoneData,
} as const satisfies PaymentMethod;
