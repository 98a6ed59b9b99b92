import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { canonicalString, sign, verify, withSignature } from '../../../src/gateway/signature.js';

interface Vector {
  name: string;
  salt: string;
  params: Record<string, unknown>;
  signed_string: string;
  signature: string;
}

/** The gateway's worked signatures (gateway-api/signature-vectors.json), copied in unchanged. */
const vectors: Vector[] = JSON.parse(
  readFileSync(new URL('../../fixtures/signature-vectors.json', import.meta.url), 'utf8'),
);

describe('signature vectors', () => {
  test('the file holds the eight worked cases', () => {
    expect(vectors).toHaveLength(8);
  });

  test.each(vectors.map((v) => [v.name, v] as const))('%s: canonical string and signature', (_name, v) => {
    expect(canonicalString(v.params)).toBe(v.signed_string);
    expect(sign(v.params, v.salt)).toBe(v.signature);
  });

  test.each(vectors.map((v) => [v.name, v] as const))('%s: verifies, and refuses any change', (_name, v) => {
    expect(verify({ ...v.params, signature: v.signature }, v.salt)).toBe(true);
    expect(verify({ ...v.params, signature: v.signature.toUpperCase() }, v.salt)).toBe(true);
    expect(verify({ ...v.params, signature: v.signature }, `${v.salt}x`)).toBe(false);
    expect(verify({ ...v.params, external_id: 'tampered', signature: v.signature }, v.salt)).toBe(false);
    expect(verify({ ...v.params }, v.salt)).toBe(false);
    expect(verify({ ...v.params, signature: 'abc' }, v.salt)).toBe(false);
    expect(verify({ ...v.params, signature: 42 }, v.salt)).toBe(false);
  });
});

describe('canonical string', () => {
  test.each([
    ['lists are sorted and joined', { tags: ['b', 'a', 3] }, 'tags:3;a;b;'],
    ['names are lower-cased and sorted', { B: 'x', a: 'y' }, 'a:y;b:x;'],
    ['blank values are skipped', { a: '  ', b: null, c: undefined, d: [], e: {}, f: 'ok' }, 'f:ok;'],
    ['the signature itself is left out', { a: '1', signature: 'zzz' }, 'a:1;'],
    ['booleans and numbers print plainly', { t: true, n: 0 }, 'n:0;t:true;'],
  ])('%s', (_name, params, expected) => {
    expect(canonicalString(params)).toBe(expected);
  });

  test('withSignature adds the signature that verify accepts', () => {
    const signed = withSignature({ order_id: '1' }, 'salt');
    expect(signed.signature).toMatch(/^[0-9a-f]{40}$/);
    expect(verify(signed, 'salt')).toBe(true);
  });
});

describe('hostile parameters', () => {
  const deep = (levels: number) => {
    let v: unknown = 1;
    for (let i = 0; i < levels; i++) v = { a: v };
    return v;
  };

  test('parameters nested far deeper than any gateway message are refused, not followed', () => {
    const params = { status: 4, x: deep(20_000), signature: 'a'.repeat(40) };
    expect(verify(params, 'salt')).toBe(false);
    expect(() => sign({ x: deep(20_000) }, 'salt')).toThrow(/nest deeper/);
  });

  test('the nesting the gateway uses still signs', () => {
    expect(verify(withSignature({ customer: { a: '1' }, list: [['x']] }, 'salt'), 'salt')).toBe(true);
  });
});
