import { maskWalletData, walletData } from './common.js';
import type { PaymentMethod } from './types.js';

export const ecopayz = {
  id: 'ecopayz',
  title: 'EcoPayz',
  payout: walletData,
  deposit: undefined,
  examples: { payout: { wallet: '1100383615' } },
  mask: maskWalletData,
} as const satisfies PaymentMethod;
