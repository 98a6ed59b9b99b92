import { z } from 'zod';
import { email, maskEmail, maskFields } from './common.js';
import type { PaymentMethod } from './types.js';

/** SticPay names its wallets by the owner's e-mail address. */
export const sticpay = {
  id: 'sticpay',
  title: 'SticPay',
  payout: z.strictObject({ wallet: email }),
  deposit: undefined,
  examples: { payout: { wallet: 'john@example.com' } },
  mask: maskFields({ wallet: maskEmail }),
} as const satisfies PaymentMethod;
