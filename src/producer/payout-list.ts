import { z } from 'zod';
import { methodIds } from '../methods/index.js';
import type { PagePosition } from '../payout/page.js';
import { MAX_EXAMINED } from '../payout/page.js';
import { PAYOUT_STATES, type PayoutState } from '../payout/states.js';
import type { PayoutStore } from '../payout/store.js';
import { type PayoutHold, type PayoutView, payoutViewSchema, toView } from './view.js';

/**
 * GET /v1/payouts: a page of payouts, newest change first, and the opaque cursor that continues it.
 */

export const LIST_MAX_LIMIT = 500;

const CURSOR_MESSAGE = 'is not a cursor this API gave (pass next_cursor back as it is)';

/** The cursor: base64url of `<score>:<external_id>`, the position the page ended at. */
export const encodeCursor = (p: PagePosition) =>
  Buffer.from(`${p.score}:${p.externalId}`, 'utf8').toString('base64url');

function decodeCursor(raw: string): PagePosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(raw)) return undefined;
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  const m = /^(\d{1,16}):([^\s:][^\s]{0,199})$/.exec(text);
  if (!m) return undefined;
  const score = Number(m[1]);
  return Number.isSafeInteger(score) ? { score, externalId: m[2]! } : undefined;
}

const DAY_MS = 86_400_000;
const day = z.iso.date({ error: 'must be a day, YYYY-MM-DD' });
/** Midnight (UTC) starting a day given as YYYY-MM-DD. */
const startOf = (d: string) => Date.parse(`${d}T00:00:00.000Z`);

export const listQuery = z
  .object({
    status: z.enum(PAYOUT_STATES).optional().describe('only payouts in this state'),
    customer_id: z.string().min(1).max(200).optional().describe("only this customer's payouts"),
    method: z
      .enum(methodIds as [string, ...string[]], { error: `must be one of ${methodIds.join(', ')}` })
      .optional()
      .describe('only payouts of this method'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a currency code in upper case, e.g. USD')
      .optional()
      .describe('only payouts in this currency'),
    from: day.optional().describe('only payouts created on this day (UTC) or later'),
    to: day.optional().describe('only payouts created on this day (UTC) or earlier'),
    limit: z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1)
      .max(LIST_MAX_LIMIT)
      .default(50)
      .describe(`payouts per page, 1 to ${LIST_MAX_LIMIT}`),
    cursor: z
      .string()
      .transform((raw, ctx) => {
        const position = decodeCursor(raw);
        if (!position) ctx.addIssue({ code: 'custom', message: CURSOR_MESSAGE });
        return position;
      })
      .optional()
      .describe('the next_cursor of the page before'),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], error: 'must not be before from' });

export type ListQuery = z.output<typeof listQuery>;

const listItemSchema = payoutViewSchema.omit({ history: true }).meta({ id: 'PayoutListItem' });

export const payoutPageSchema = z
  .object({
    payouts: z.array(listItemSchema).describe('newest change first, each without its history'),
    next_cursor: z
      .string()
      .nullable()
      .describe('pass it as `cursor` for the next page; null when nothing is left'),
  })
  .meta({ id: 'PayoutPage' });

export const LIST_DESCRIPTION =
  'Newest change first: ordered by when each payout entered its current state, latest first (a payout that ' +
  'changes while you page moves to the front, so a walk that started before sees it once at most). ' +
  'from and to are days (UTC), both included, of when each payout was created. ' +
  `With customer_id, method, currency, from or to, at most ${MAX_EXAMINED.toLocaleString('en')} payouts are ` +
  'examined per request: a page may ' +
  'then hold fewer than `limit` payouts, even none, with a next_cursor to go on from. Only a null next_cursor ' +
  'means the end.';

export interface PayoutPage {
  payouts: Omit<PayoutView, 'history'>[];
  next_cursor: string | null;
}

/** The page's payouts as the API shows them; one moved out of the asked state since the read is left out. */
export async function listPayouts(
  store: PayoutStore,
  holdOf: ((paymentSystem: string) => Promise<PayoutHold | undefined>) | undefined,
  q: ListQuery,
): Promise<PayoutPage> {
  const page = await store.page({
    state: q.status as PayoutState | undefined,
    customerId: q.customer_id,
    method: q.method,
    currency: q.currency,
    createdFrom: q.from === undefined ? undefined : startOf(q.from),
    createdBefore: q.to === undefined ? undefined : startOf(q.to) + DAY_MS,
    limit: q.limit,
    after: q.cursor,
  });
  const holds = new Map<string, Promise<PayoutHold | undefined>>();
  const holdFor = (paymentSystem: string) => {
    if (!holdOf) return Promise.resolve(undefined);
    const known = holds.get(paymentSystem);
    if (known) return known;
    const hold = holdOf(paymentSystem);
    holds.set(paymentSystem, hold);
    return hold;
  };
  const seen = new Set<string>();
  const records = await Promise.all(page.entries.map((e) => store.get(e.externalId)));
  const payouts: Omit<PayoutView, 'history'>[] = [];
  for (const record of records) {
    // Gone (archived) since the index was read, or read twice while it moved between states.
    if (!record || seen.has(record.externalId)) continue;
    if (q.status && record.status !== q.status) continue;
    seen.add(record.externalId);
    const waiting = record.status === 'queued' || record.status === 'retry_scheduled';
    const hold = waiting ? await holdFor(record.paymentSystem) : undefined;
    const { history: _none, ...item } = toView(record, [], hold);
    payouts.push(item);
  }
  return { payouts, next_cursor: page.next ? encodeCursor(page.next) : null };
}
