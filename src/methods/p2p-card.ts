import { z } from 'zod';
import { cardFields, keep, MAIN_ONLY, maskCardNumber, maskFields, text } from './common.js';
import type { PaymentMethod } from './types.js';

/**
 * The banks the gateway accepts for AZN card payouts (host-to-host.txt). The source cuts the last
 * entry off as "ATB ban"; SPEC.md reads it as "ATB Bank".
 */
export const AZN_BANK_NAMES = [
  'AccessBank',
  'AFB Bank',
  'AGBank',
  'Amrahbank',
  'AtaBank',
  'Azer Turk Bank',
  'Bank Avrasiya',
  'Bank BTB',
  'Bank of Baku',
  'Bank Respublika',
  'Expressbank',
  'Xalq Bank',
  'Kapital bank',
  'NBCBank',
  'Bank Silk Way',
  'Rabitebank',
  'TuranBank',
  'Yapi Kredi Bank',
  'Ziraat Bank',
  'ИКБ NIKOIL BANK',
  'Bank VTB',
  'ABB Bank',
  'ATB Bank',
] as const;

const aznBankNames: ReadonlySet<string> = new Set(AZN_BANK_NAMES);

export const p2pCard = {
  id: 'p2p_card',
  title: 'P2P bank card',
  payout: z.strictObject({ bank_name: text(), ...cardFields }),
  deposit: MAIN_ONLY,
  // The list depends on the currency, which lives outside payment_data, hence a method-level rule.
  refine: ({ currency, paymentData }, addIssue) => {
    const bankName = paymentData.bank_name;
    if (currency === 'AZN' && bankName !== undefined && !aznBankNames.has(bankName)) {
      addIssue({
        path: 'payment_data.bank_name',
        message: `for AZN must be one of: ${AZN_BANK_NAMES.join(', ')}`,
      });
    }
  },
  examples: { payout: { bank_name: 'Sberbank', card_number: '4111111111111111', card_holder: 'John Doe' } },
  mask: maskFields({ bank_name: keep, card_number: maskCardNumber, card_holder: keep }),
} as const satisfies PaymentMethod;
