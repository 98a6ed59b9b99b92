import { z } from 'zod';
import {
  EXTERNAL_ID_PATTERN,
  methodIds,
  NO_CONTROL_CHARACTERS,
  noControlCharacters,
} from '../methods/index.js';
import { comesBefore, MAX_EXAMINED, type PagePosition } from '../payout/page.js';
import { isTerminal, PAYOUT_STATES, type PayoutState } from '../payout/states.js';
import type { PayoutStore } from '../payout/store.js';
import {
  type ArchivedPage,
  type ArchiveReader,
  type PayoutHold,
  type PayoutView,
  payoutViewSchema,
  toView,
} from './view.js';

/**
 * GET /v1/payouts: a page of payouts, newest change first, and the opaque cursor that continues it.
 */

export const LIST_MAX_LIMIT = 500;

const CURSOR_MESSAGE = 'is not a cursor this API gave (pass next_cursor back as it is)';

/** The cursor: base64url of `<score>:<external_id>`, the position the page ended at. */
export const encodeCursor = (p: PagePosition) =>
  Buffer.from(`${p.score}:${p.externalId}`, 'utf8').toString('base64url');

/** The latest time a JavaScript Date (and so the ledger's query) can hold, in epoch ms. */
const MAX_TIME_MS = 8.64e15;

function decodeCursor(raw: string): PagePosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(raw)) return undefined;
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  // A score that is a time and an external_id as every payout's is (up to 255 characters, a colon
  // anywhere): a cursor this API gave always is; another (a NUL in it, which PostgreSQL takes in no
  // text) is the client's mistake, never the ledger's.
  const m = /^(\d{1,16}):(.*)$/s.exec(text);
  if (!m || !EXTERNAL_ID_PATTERN.test(m[2]!)) return undefined;
  const score = Number(m[1]);
  return Number.isSafeInteger(score) && score <= MAX_TIME_MS ? { score, externalId: m[2]! } : undefined;
}

const DAY_MS = 86_400_000;
const day = z.iso.date({ error: 'must be a day, YYYY-MM-DD' });
/** Midnight (UTC) starting a day given as YYYY-MM-DD. */
const startOf = (d: string) => Date.parse(`${d}T00:00:00.000Z`);

export const listQuery = z
  .object({
    status: z.enum(PAYOUT_STATES).optional().describe('only payouts in this state'),
    customer_id: z
      .string()
      .min(1)
      .max(200)
      // As a payout's customer_id (methods/common.ts): a NUL is also no text PostgreSQL takes.
      .refine(noControlCharacters, NO_CONTROL_CHARACTERS)
      .optional()
      .describe("only this customer's payouts"),
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
  'means the end. With the ledger on, payouts archived out of Redis are listed too, at their place (an ' +
  'unfiltered list or a finished state then needs the ledger to answer: 503 while it cannot).';

export interface PayoutPage {
  payouts: Omit<PayoutView, 'history'>[];
  next_cursor: string | null;
}

/** One payout of a merged page: from a Redis index (read next), or from the archive (read already). */
interface Candidate {
  position: PagePosition;
  archived?: Omit<PayoutView, 'history'>;
}

const inOrder = (a: Candidate, b: Candidate) =>
  comesBefore(a.position, b.position)
    ? -1
    : comesBefore(b.position, a.position)
      ? 1
      : // The same place: a payout marked archived while Redis still holds it; Redis's copy first.
        Number(a.archived !== undefined) - Number(b.archived !== undefined);

/**
 * The Redis page and the archive's page as one, in the list's order. Each source has read up to a
 * frontier (its last position) unless it ran out; nothing past the nearer frontier is kept, so the
 * next page, which starts there, misses nothing from either source.
 */
function merge(
  redis: { entries: PagePosition[]; next: PagePosition | undefined },
  archived: ArchivedPage | undefined,
  limit: number,
): { candidates: Candidate[]; next: PagePosition | undefined } {
  const frontiers = [
    redis.next,
    archived && archived.length === limit ? archived.at(-1)?.position : undefined,
  ];
  let bound: PagePosition | undefined;
  for (const f of frontiers) if (f && (!bound || comesBefore(f, bound))) bound = f;
  const all: Candidate[] = [
    ...redis.entries.map((position) => ({ position })),
    ...(archived ?? []).map((a) => ({ position: a.position, archived: a.payout })),
  ].sort(inOrder);
  const seen = new Set<string>();
  const kept = all.filter((c) => {
    if (seen.has(c.position.externalId) || (bound && comesBefore(bound, c.position))) return false;
    seen.add(c.position.externalId);
    return true;
  });
  if (kept.length > limit) return { candidates: kept.slice(0, limit), next: kept[limit - 1]!.position };
  return { candidates: kept, next: bound };
}

/**
 * The page's payouts as the API shows them; one moved out of the asked state since the read is left
 * out. With an archive (the ledger), archived payouts are merged in at their place; it is asked only
 * when the page may hold finished payouts, so listing live work never waits for it.
 */
export async function listPayouts(
  store: PayoutStore,
  holdOf: ((paymentSystem: string) => Promise<PayoutHold | undefined>) | undefined,
  q: ListQuery,
  archive?: ArchiveReader,
): Promise<PayoutPage> {
  const query = {
    state: q.status as PayoutState | undefined,
    customerId: q.customer_id,
    method: q.method,
    currency: q.currency,
    createdFrom: q.from === undefined ? undefined : startOf(q.from),
    createdBefore: q.to === undefined ? undefined : startOf(q.to) + DAY_MS,
    limit: q.limit,
    after: q.cursor,
  };
  const askArchive = archive !== undefined && (query.state === undefined || isTerminal(query.state));
  const [page, archived] = await Promise.all([
    store.page(query),
    askArchive ? archive.page(query) : undefined,
  ]);
  const { candidates, next } = merge({ entries: page.entries, next: page.next }, archived, q.limit);
  const holds = new Map<string, Promise<PayoutHold | undefined>>();
  const holdFor = (paymentSystem: string) => {
    if (!holdOf) return Promise.resolve(undefined);
    const known = holds.get(paymentSystem);
    if (known) return known;
    const hold = holdOf(paymentSystem);
    holds.set(paymentSystem, hold);
    return hold;
  };
  const items = await Promise.all(
    candidates.map(async (c): Promise<Omit<PayoutView, 'history'> | undefined> => {
      if (c.archived) return c.archived;
      const id = c.position.externalId;
      const record = await store.get(id);
      if (!record) {
        // Archived since the index was read: the archive has it (it is marked before Redis lets go).
        const gone = await archive?.payout(id);
        if (!gone) return undefined;
        const { history: _gone, ...item } = gone;
        return item;
      }
      const waiting = record.status === 'queued' || record.status === 'retry_scheduled';
      const hold = waiting ? await holdFor(record.paymentSystem) : undefined;
      const { history: _none, ...item } = toView(record, [], hold);
      return item;
    }),
  );
  const seen = new Set<string>();
  const payouts: Omit<PayoutView, 'history'>[] = [];
  for (const item of items) {
    // Gone, or read twice while it moved between states, or no longer in the asked state.
    if (!item || seen.has(item.external_id)) continue;
    if (q.status && item.status !== q.status) continue;
    seen.add(item.external_id);
    payouts.push(item);
  }
  return { payouts, next_cursor: next ? encodeCursor(next) : null };
}
