import { z } from 'zod';
import { hide, keep, keepLast4, maskFields, text, unlessMissing } from './common.js';
import type { PaymentMethod } from './types.js';

const DELIVERY_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The format alone lets through 2025-02-30 25:61:00; the gateway would have to guess what that means. */
function isRealDateTime(value: string): boolean {
  const [, ...fields] = DELIVERY_TIME.exec(value) ?? [];
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = fields.map(Number);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59
  );
}

const cashData = z.strictObject({
  address: text(),
  messenger: z.enum(['Telegram', 'WhatsApp'], { error: unlessMissing('must be Telegram or WhatsApp') }),
  username: text(),
  // The gateway wants the flag as a string, so a JSON boolean is refused rather than converted.
  asap: z.enum(['true', 'false'], { error: unlessMissing('must be the string "true" or "false"') }),
  delivery_time: z
    .string()
    .regex(DELIVERY_TIME, { error: 'must be YYYY-MM-DD HH:mm:ss, e.g. 2025-01-11 12:28:28', abort: true })
    .refine(isRealDateTime, 'is not a real calendar date and time'),
});

export const cash = {
  id: 'cash',
  title: 'Cash',
  payout: cashData,
  deposit: cashData,
  // The home address is the most identifying field and no operator task needs it (the gateway's courier
  // has it); the username may be a WhatsApp phone number, so it is masked like one.
  examples: {
    payout: {
      address: 'Street 12',
      messenger: 'Telegram',
      username: 'john_doe',
      asap: 'false',
      delivery_time: '2030-01-11 12:28:28',
    },
    deposit: {
      address: 'Street 12',
      messenger: 'Telegram',
      username: 'john_doe',
      asap: 'false',
      delivery_time: '2030-01-11 12:28:28',
    },
  },
  mask: maskFields({
    address: hide,
    messenger: keep,
    username: keepLast4,
    asap: keep,
    delivery_time: keep,
  }),
} as const satisfies PaymentMethod;
