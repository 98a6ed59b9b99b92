import { maskWalletData, walletData } from './common.js';
import type { PaymentMethod } from './types.js';

export const jetonWallet = {
  id: 'jeton_wallet',
  title: 'JetonWallet',
  payout: walletData,
  deposit: walletData,
  mask: maskWalletData,
} as const satisfies PaymentMethod;
