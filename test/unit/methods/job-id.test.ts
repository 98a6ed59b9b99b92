import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { EXTERNAL_ID_PATTERN, jobIdFor } from '../../../src/methods/index.js';

const externalId = fc.stringMatching(EXTERNAL_ID_PATTERN);

describe('jobIdFor', () => {
  test.each([
    ['po-1001', 'p-po-1001'],
    ['1234512123124', 'p-1234512123124'],
    ['0', 'p-0'],
    ['a:b', 'p-a%3Ab'],
    ['::', 'p-%3A%3A'],
    ['order:2024:07', 'p-order%3A2024%3A07'],
  ])('%s → %s', (id, jobId) => {
    expect(jobIdFor(id)).toBe(jobId);
  });

  test.each([
    ['a:b', 'a_b'],
    ['a:b', 'a-b'],
    ['a:b', 'a3Ab'],
    ['1', '01'],
    ['1', 'p-1'],
    ['p-1', 'p-p-1'],
    [':', '3A'],
  ])('%s and %s get different job ids', (a, b) => {
    expect(jobIdFor(a)).not.toBe(jobIdFor(b));
  });

  test('the only colliding inputs are refused as external_ids', () => {
    expect(jobIdFor('a:b')).toBe(jobIdFor('a%3Ab'));
    expect(EXTERNAL_ID_PATTERN.test('a%3Ab')).toBe(false);
  });

  test('never contains ":" and is never all digits', () => {
    fc.assert(
      fc.property(externalId, (id) => {
        const jobId = jobIdFor(id);
        expect(jobId).not.toContain(':');
        expect(jobId).not.toMatch(/^\d+$/);
      }),
    );
  });

  test('can be decoded back, so it is injective on valid external_ids', () => {
    fc.assert(
      fc.property(externalId, (id) => {
        expect(jobIdFor(id).slice(2).replaceAll('%3A', ':')).toBe(id);
      }),
    );
  });

  test('different valid external_ids give different job ids', () => {
    fc.assert(
      fc.property(externalId, externalId, (a, b) => {
        fc.pre(a !== b);
        expect(jobIdFor(a)).not.toBe(jobIdFor(b));
      }),
    );
  });
});
