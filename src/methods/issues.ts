import type { z } from 'zod';
import type { Issue } from './types.js';

/**
 * An unknown key is named in the issue path only when it looks like a field name: a client that put a
 * card number or an e-mail address in the key position must not see it echoed back or logged. Field
 * names never hold six digits in a row; anything that does may carry a card number (`x4111…`).
 */
const PRINTABLE_FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const DIGIT_RUN = /\d{6}/;
const printable = (key: string) => PRINTABLE_FIELD_NAME.test(key) && !DIGIT_RUN.test(key);

function joinPath(...segments: readonly string[]): string {
  return segments.filter((segment) => segment !== '').join('.');
}

/**
 * zod's issues in the API's shape, each path under `prefix` (`''`: at the top): every unknown key is an
 * issue of its own, at its own path, saying `unknownField`.
 */
export function toIssues(
  zodIssues: readonly z.core.$ZodIssue[],
  prefix: string,
  unknownField: string,
): Issue[] {
  return zodIssues.flatMap((issue) => {
    const path = joinPath(prefix, ...issue.path.map(String));
    if (issue.code !== 'unrecognized_keys') return [{ path, message: issue.message }];
    return issue.keys.map((key) =>
      printable(key)
        ? { path: joinPath(path, key), message: unknownField }
        : { path, message: `${unknownField} (its name is not shown)` },
    );
  });
}
