import { z } from 'zod';
import {
  cardExpiryFields,
  cardFields,
  cvv,
  keep,
  maskCardNumber,
  maskFields,
  unexpiredCard,
} from './common.js';
import type { PaymentMethod } from './types.js';

/**
 * Named in the schema, not left to the generic unknown-field refusal, because a client sending a cvv
 * with a payout needs to learn that it must never collect one for payouts at all.
 */
const CVV_REFUSED = 'card security codes (cvv) are never accepted for payouts';

const card = { ...cardFields, ...cardExpiryFields };

export const bankCard = {
  id: 'bank_card',
  title: 'Bank card',
  payout: z
    .strictObject({ ...card, cvv: z.never({ error: CVV_REFUSED }).optional() })
    .check(unexpiredCard)
    // cvv can only be absent by now; dropping the key keeps the output all strings, as PaymentData says.
    .transform(({ cvv: _absent, ...payout }) => payout),
  deposit: z.strictObject({ ...card, cvv }).check(unexpiredCard),
  // Expiry stays visible: it explains "expired card" declines and is not sensitive authentication data.
  examples: {
    payout: { card_number: '4111111111111111', card_holder: 'John Doe', exp_year: '2035', exp_month: '06' },
    deposit: {
      ...{ card_number: '4111111111111111', card_holder: 'John Doe', exp_year: '2035', exp_month: '06' },
      cvv: '123',
    },
  },
  mask: maskFields({ card_number: maskCardNumber, card_holder: keep, exp_year: keep, exp_month: keep }),
} as const satisfies PaymentMethod;
