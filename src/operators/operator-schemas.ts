import { z } from 'zod';
import { BODY_ERRORS, OPERATOR_ERRORS, ok, responses } from '../http/contract.js';
import { EXTERNAL_ID_PATTERN } from '../methods/index.js';
import { payoutViewSchema } from '../producer/view.js';
import { STREAM_ID } from './audit.js';

/** What the operators' routes read (the external_id, the bodies, the audit query) and answer. */

export const params = z.object({ external_id: z.string().regex(EXTERNAL_ID_PATTERN) });

const refused = (message: string) => ({ error: { code: 'transition_refused', message } });

/** What a payout action answers. */
export const actionResponses = (done: string, conflict: string, example: string) =>
  responses({ 200: ok(done, payoutViewSchema) }, [
    ...BODY_ERRORS,
    ...OPERATOR_ERRORS,
    404,
    [409, { description: conflict, example: refused(example) }],
    422,
  ]);

export const auditPage = z
  .object({
    entries: z.array(
      z.object({
        id: z.string(),
        at: z.iso.datetime(),
        who: z.string(),
        via: z.string(),
        action: z.string(),
        target: z.string(),
        before: z.unknown(),
        after: z.unknown(),
        note: z.string().optional(),
      }),
    ),
    next_cursor: z.string().nullable(),
  })
  .meta({
    examples: [
      {
        entries: [
          {
            id: '1764756000000-0',
            at: '2026-12-03T10:00:00.000Z',
            who: 'alice',
            via: 'api',
            action: 'payout.cancel',
            target: 'po-1001',
            before: { status: 'queued' },
            after: { status: 'cancelled', reason: 'cancelled' },
            note: 'player asked',
          },
        ],
        next_cursor: null,
      },
    ],
  });

const note = z.string({ error: 'must be text' }).trim().max(1000, 'at most 1000 characters');
/** `who` was once how a caller named itself; it is accepted and ignored so older clients keep working. */
const ignoredWho = z.unknown().optional();
export const noteBody = z.strictObject({ note: note.optional(), who: ignoredWho }).optional();
export const resolveBody = z.strictObject({
  as: z.enum(['succeeded', 'failed', 'resend'], { error: 'must be succeeded, failed or resend' }),
  note: z
    .string({ error: 'a note saying why is required' })
    .trim()
    .min(1, 'a note saying why is required')
    .max(1000, 'at most 1000 characters'),
  force: z.boolean({ error: 'must be true or false' }).optional(),
  who: ignoredWho,
});
export const auditQuery = z.strictObject({
  limit: z.coerce
    .number({ error: 'must be a whole number from 1 to 500' })
    .int('must be a whole number from 1 to 500')
    .min(1, 'must be a whole number from 1 to 500')
    .max(500, 'must be a whole number from 1 to 500')
    .default(100),
  cursor: z.string().regex(STREAM_ID, 'must be a next_cursor from an earlier page').optional(),
});
