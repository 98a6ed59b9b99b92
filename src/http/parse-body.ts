import type { z } from 'zod';
import { ValidationError } from '../errors.js';

/** zod's issues in the API's 422 shape: each names its field by a dotted path. */
export const zodIssues = (error: z.ZodError) =>
  error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message }));

/** The body parsed by `schema`, or a ValidationError (422) naming every bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ValidationError(zodIssues(parsed.error));
  return parsed.data;
}
