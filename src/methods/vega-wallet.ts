import { z } from 'zod';
import { hide, keepLast4, maskFields, secret, text } from './common.js';
import type { PaymentMethod } from './types.js';

const vegaWalletData = z.strictObject({ wallet: text(), password: secret });

export const vegaWallet = {
  id: 'vega_wallet',
  title: 'VegaWallet',
  payout: vegaWalletData,
  deposit: vegaWalletData,
  examples: {
    payout: { wallet: 'U000060', password: 'wallet-password' },
    deposit: { wallet: 'U000060', password: 'wallet-password' },
  },
  mask: maskFields({ wallet: keepLast4, password: hide }),
} as const satisfies PaymentMethod;
