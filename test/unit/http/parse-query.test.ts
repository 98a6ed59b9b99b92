import { describe, expect, test } from 'vitest';
import type { z } from 'zod';
import { ValidationError } from '../../../src/errors.js';
import { parseQuery } from '../../../src/http/parse-body.js';
import { reportQuery } from '../../../src/ledger/reports.js';
import { archiveQuery } from '../../../src/ledger/search.js';
import { auditQuery } from '../../../src/operators/operator-schemas.js';
import { listQuery } from '../../../src/producer/payout-list.js';

/** Every route with a query string names a bad or unknown parameter by its name, never `body`. */
const routes: [string, z.ZodType, Record<string, string>, Record<string, string>][] = [
  ['GET /v1/payouts', listQuery, {}, { limit: 'x' }],
  ['GET /v1/audit', auditQuery, {}, { limit: 'x' }],
  ['GET /v1/reports/payouts', reportQuery, { from: '2026-11-01', to: '2026-11-02' }, { format: 'xml' }],
  ['GET /v1/ledger/payouts', archiveQuery, {}, { limit: 'x' }],
];

const issuesOf = (schema: z.ZodType, query: Record<string, string>) => {
  try {
    parseQuery(schema, query);
  } catch (err) {
    if (err instanceof ValidationError) return err.issues;
    throw err;
  }
  throw new Error('the query was accepted');
};

describe.each(routes)('%s', (_route, schema, valid, bad) => {
  test('a valid query is accepted', () => {
    expect(() => parseQuery(schema, valid)).not.toThrow();
  });

  test('an unknown parameter is named, and said to be unknown', () => {
    expect(issuesOf(schema, { ...valid, foo: '1' })).toEqual([
      { path: 'foo', message: 'unknown parameter: this route does not take it' },
    ]);
  });

  test('two unknown parameters are two issues', () => {
    expect(issuesOf(schema, { ...valid, foo: '1', bar: '2' }).map((i) => i.path)).toEqual(['foo', 'bar']);
  });

  test('a bad value of a known parameter is named', () => {
    expect(issuesOf(schema, { ...valid, ...bad }).map((i) => i.path)).toEqual(Object.keys(bad));
  });

  test('a name that may hold a card number is not echoed', () => {
    const issues = issuesOf(schema, { ...valid, x4111111111111111: '1' });
    expect(issues).toEqual([
      { path: 'query', message: 'unknown parameter: this route does not take it (its name is not shown)' },
    ]);
  });
});
