import { z } from 'zod';

/**
 * The pieces every route's documentation is made of: the one error shape, what each error status
 * means here with an example, and `responses()`, which a route passes as its `schema.response`.
 * /docs and docs/openapi.json are generated from these and from the zod schemas the routes validate
 * with; a test refuses a route that documents no response, or a status without a body.
 *
 * Response schemas are documentation (the serializer writes JSON as is); tests check real answers
 * against them.
 */

export const issueSchema = z
  .object({
    path: z
      .string()
      .describe('dotted path of the field (`payment_data.phone`); empty for the body as a whole'),
    message: z.string().describe('what is wrong, never repeating the value sent'),
  })
  .meta({ id: 'Issue' });

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('stable, for programs'),
      message: z.string().describe('for people'),
      issues: z.array(issueSchema).optional(),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 502 | 503;

const error = (code: string, message: string, issues?: { path: string; message: string }[]) => ({
  error: { code, message, ...(issues ? { issues } : {}) },
});

/** What each error status means on this API, with a body it may carry. Routes may say more. */
const ERRORS: Record<ErrorStatus, { description: string; example: unknown }> = {
  400: {
    description: 'The body is not JSON (or is empty where one is needed).',
    example: error('invalid_json', 'the request body is not valid JSON'),
  },
  401: {
    description: 'No valid API key: `Authorization: Bearer <key>`.',
    example: error('unauthorized', 'a valid API key is required: Authorization: Bearer <key>'),
  },
  403: {
    description:
      "The credential is valid but may not do this: an integration key on an operator route, or an operator below the route's role.",
    example: error(
      'operator_credential_required',
      'this action needs an operator credential (HTTP Basic name:secret, role operator or above); an integration key may only create and read payouts, batches and deposits',
    ),
  },
  404: {
    description: 'No such payout.',
    example: error('not_found', 'no payout with external_id po-1001'),
  },
  409: {
    description:
      "The external_id was accepted before with another body (`issues` name the fields that differ, never their values), or it belongs to a deposit: deposits and payouts share the gateway's external_id. Nothing was changed.",
    example: error(
      'external_id_conflict',
      'payout po-1001 already exists with a different request: amount differs from the request first accepted under this external_id',
      [{ path: 'amount', message: 'differs from the request first accepted' }],
    ),
  },
  413: {
    description: 'The body is larger than BODY_LIMIT_BYTES.',
    example: error('body_too_large', 'the request body is too large'),
  },
  415: {
    description: 'The body is not `application/json`.',
    example: error('unsupported_media_type', 'send the body as application/json'),
  },
  422: {
    description: 'The request is invalid; each issue names a field. Nothing was stored.',
    example: error('validation_failed', 'the request is invalid: amount, payment_data.card_number', [
      {
        path: 'amount',
        message: 'must be a JSON number, not text: amounts are integers in minor units (11.00 USD is 1100)',
      },
      { path: 'payment_data.card_number', message: 'must be 12 to 19 digits, without spaces or dashes' },
    ]),
  },
  502: {
    description: 'The gateway was called and its outcome is unknown.',
    example: error('gateway_outcome_unknown', 'the gateway did not answer in time; the outcome is unknown'),
  },
  503: {
    description:
      'Redis could not be reached, or did not make the write durable in time: the outcome is unknown. Retry the same request (same external_id, same body): it is always safe.',
    example: error(
      'store_unavailable',
      'the payout store is unavailable: outcome unknown, retry the same request (same external_id and body)',
    ),
  },
};

/** One documented answer: a body schema, an example of it, and what it means. */
export interface Documented {
  description: string;
  content: { 'application/json': { schema: z.ZodType; example?: unknown } };
}

/** A successful answer; without `example`, the schema's own (`.meta({ examples: [...] })`) shows. */
export function ok(description: string, schema: z.ZodType, example?: unknown): Documented {
  return {
    description,
    content: { 'application/json': { schema, ...(example !== undefined ? { example } : {}) } },
  };
}

/** An error answer in the API's one error shape, with the status's example unless given another. */
export function failure(status: ErrorStatus, more?: { description?: string; example?: unknown }): Documented {
  const base = ERRORS[status];
  return ok(more?.description ?? base.description, errorSchema, more?.example ?? base.example);
}

/**
 * A route's `schema.response`: its successes, then its errors by status, each with the standard
 * meaning unless the route says more.
 */
export function responses(
  successes: Record<number, Documented>,
  errors: readonly (ErrorStatus | [ErrorStatus, { description?: string; example?: unknown }])[],
): Record<number, Documented> {
  const out: Record<number, Documented> = { ...successes };
  for (const entry of errors) {
    const [status, more] = Array.isArray(entry) ? entry : [entry, undefined];
    out[status] = failure(status, more);
  }
  return out;
}

/** Every error a request with a JSON body may meet before its route runs. */
export const BODY_ERRORS = [400, 413, 415] as const satisfies readonly ErrorStatus[];

/** The integration key's security requirement, for `schema.security`. */
export const BEARER = [{ bearer: [] }];

/** An operator's HTTP Basic login, for `schema.security`. */
export const OPERATOR = [{ operator: [] }];

/** What an operator route may answer besides its own: no login (401), a key or a role too low (403). */
export const OPERATOR_ERRORS = [401, 403, 503] as const satisfies readonly ErrorStatus[];
