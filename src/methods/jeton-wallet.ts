import { maskWalletData, walletData } from './common.js';
import type { PaymentMethod } from './types.js';

export const jetonWallet = {
  id: 'jeton_wallet',
  title: 'JetonWallet',
  payout: walletData,
  deposit: walletData,
  examples: { payout: { wallet: '12345678' }, deposit: { wallet: '12345678' } },
  mask: maskWalletData,
} as const satisfies PaymentMethod;
