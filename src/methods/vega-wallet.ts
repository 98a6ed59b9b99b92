import { z } from 'zod';
import { hide, keepLast4, maskFields, secret, text } from './common.js';
import type { PaymentMethod } from './types.js';

const vegaWalletData = z.strictObject({ wallet: text(), password: secret });

export const vegaWallet = {
  id: 'vega_wallet',
  title: 'VegaWallet',
  payout: vegaWalletData,
  deposit: vegaWalletData,
  mask: maskFields({ wallet: keepLast4, password: hide }),
} as const satisfies PaymentMethod;
