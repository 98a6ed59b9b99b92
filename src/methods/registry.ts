import { bankCard } from './bank-card.js';
import { bankTransfer } from './bank-transfer.js';
import { cash } from './cash.js';
import { cisTransfer } from './cis-transfer.js';
import { ecopayz } from './ecopayz.js';
import { emanat } from './emanat.js';
import { jetonWallet } from './jeton-wallet.js';
import { kakaopay } from './kakaopay.js';
import { m10Wallet } from './m10-wallet.js';
import { p2pCard } from './p2p-card.js';
import { payco } from './payco.js';
import { sticpay } from './sticpay.js';
import { toss } from './toss.js';
import type { MethodId, PaymentMethod } from './types.js';
import { vegaWallet } from './vega-wallet.js';

/** Every method by id. The `satisfies` makes a missing method, or one filed under another's id, a compile error. */
export const methods = {
  bank_card: bankCard,
  p2p_card: p2pCard,
  vega_wallet: vegaWallet,
  jeton_wallet: jetonWallet,
  ecopayz,
  sticpay,
  emanat,
  m10_wallet: m10Wallet,
  cash,
  cis_transfer: cisTransfer,
  bank_transfer: bankTransfer,
  kakaopay,
  toss,
  payco,
} as const satisfies { readonly [Id in MethodId]: PaymentMethod & { readonly id: Id } };

/** All method ids, in the registry's order. */
export const methodIds: readonly MethodId[] = Object.freeze(Object.keys(methods) as MethodId[]);

export function isMethodId(value: unknown): value is MethodId {
  return typeof value === 'string' && Object.hasOwn(methods, value);
}

export function getMethod(id: MethodId): PaymentMethod {
  return methods[id];
}

/**
 * What operators may see of a payout's payment_data. Never throws: an unknown method or a value that
 * is not payment_data gives `{}`, because a display path must not fail on a damaged record.
 */
export function maskPaymentData(methodId: string, paymentData: unknown): Record<string, string> {
  if (!isMethodId(methodId)) return {};
  try {
    return getMethod(methodId).mask(paymentData);
  } catch {
    // Only an exotic object (a throwing getter or proxy) gets here; showing nothing is the safe answer.
    return {};
  }
}
