import { z } from 'zod';
import { DEPOSIT_STATES } from './states.js';
import type { DepositView } from './view.js';

const EXAMPLE_TIME = '2026-12-03T10:00:00.000Z';

/** A deposit as POST /v1/deposits answers it; documentation for /docs. */
export const depositViewSchema = z
  .object({
    external_id: z.string(),
    method: z.string(),
    status: z.enum(DEPOSIT_STATES),
    gateway_status: z.number().int().nullable(),
    order_id: z.string().nullable(),
    redirect: z.string().nullable().describe('where to send the player to complete the deposit'),
    amount: z.number().int().describe('minor units'),
    currency: z.string(),
    payment_data: z.record(z.string(), z.string()).describe('masked'),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({
    id: 'Deposit',
    examples: [
      {
        external_id: 'dep-1001',
        method: 'bank_card',
        status: 'submitted',
        gateway_status: 1,
        order_id: '8f1c2e',
        redirect: 'https://pay.example.com/3ds/8f1c2e',
        amount: 1100,
        currency: 'USD',
        payment_data: {
          card_number: '411111******1111',
          card_holder: 'John Doe',
          exp_year: '2035',
          exp_month: '06',
        },
        created_at: EXAMPLE_TIME,
        updated_at: EXAMPLE_TIME,
      } satisfies DepositView,
    ],
  });
