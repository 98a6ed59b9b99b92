import { z } from 'zod';
import { MAIN_ONLY, maskPhoneData, phone, whenFieldsValid } from './common.js';
import type { PaymentMethod } from './types.js';

/**
 * The gateway's table calls the field `phone_number` while its example and validation say `phone`
 * (SPEC.md): we accept either and always send `phone`.
 */
const emanatPayout = z
  .strictObject({ phone: phone.optional(), phone_number: phone.optional() })
  .superRefine(
    (data, ctx) => {
      if (data.phone === undefined && data.phone_number === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['phone'],
          message: 'is required (phone_number is accepted too)',
        });
      } else if (
        data.phone !== undefined &&
        data.phone_number !== undefined &&
        data.phone !== data.phone_number
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['phone_number'],
          message: 'differs from phone; send one of the two',
        });
      }
    },
    { when: whenFieldsValid('phone', 'phone_number') },
  )
  .transform((data) => ({ phone: (data.phone ?? data.phone_number)! }));

export const emanat = {
  id: 'emanat',
  title: 'Emanat',
  payout: emanatPayout,
  deposit: MAIN_ONLY,
  examples: { payout: { phone: '994934331504' } },
  mask: maskPhoneData,
} as const satisfies PaymentMethod;
