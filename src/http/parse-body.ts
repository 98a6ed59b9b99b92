import type { z } from 'zod';
import { ValidationError } from '../errors.js';
import { toIssues } from '../methods/index.js';

/** zod's issues in the API's 422 shape: each names its field by a dotted path. */
export const zodIssues = (error: z.ZodError) =>
  error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message }));

/** The body parsed by `schema`, or a ValidationError (422) naming every bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ValidationError(zodIssues(parsed.error));
  return parsed.data;
}

/**
 * The query string parsed by `schema`, or a ValidationError (422) naming every bad parameter as
 * `GET /v1/payouts?limit=x` does (`limit`), an unknown one included (`foo`), never as `body`.
 */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) {
    const issues = toIssues(parsed.error.issues, '', 'unknown parameter: this route does not take it');
    throw new ValidationError(issues.map((i) => ({ path: i.path || 'query', message: i.message })));
  }
  return parsed.data;
}
