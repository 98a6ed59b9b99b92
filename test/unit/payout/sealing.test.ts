import { createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { payloadKeyId } from '../../../src/config.js';
import {
  canonicalJson,
  isDigestOf,
  open,
  requestDigest,
  SealError,
  seal,
  sealedKeyId,
} from '../../../src/payout/sealing.js';
import { legacyDigest, legacySeal } from '../../helpers/legacy-sealing.js';

const key = (bytes = randomBytes(32)) => ({ id: payloadKeyId(bytes), key: bytes });
const k1 = key();
const k2 = key();
const CARD = '{"card_number":"4111111111111111"}';

/** Cuts a sealed value's auth tag to `bytes`. */
const truncateTag = (sealed: string, bytes: number) => {
  const parts = sealed.split('.');
  parts[3] = Buffer.from(parts[3]!, 'base64').subarray(0, bytes).toString('base64');
  return parts.join('.');
};

describe('sealing payment_data', () => {
  test('round trip, and the ciphertext holds no plaintext', () => {
    const keys = { current: k1, previous: [] };
    const sealed = seal(keys, 'po-1', CARD);
    expect(sealed).not.toContain('4111');
    expect(Buffer.from(sealed.split('.')[4]!, 'base64').toString()).not.toContain('4111');
    expect(sealedKeyId(sealed)).toBe(k1.id);
    expect(open(keys, 'po-1', sealed)).toBe(CARD);
  });

  test('two seals of the same text differ (fresh IV)', () => {
    const keys = { current: k1, previous: [] };
    expect(seal(keys, 'po-1', CARD)).not.toBe(seal(keys, 'po-1', CARD));
  });

  test('bound to its external_id', () => {
    const keys = { current: k1, previous: [] };
    expect(() => open(keys, 'po-2', seal(keys, 'po-1', CARD))).toThrow(SealError);
  });

  test('after rotation the old key still opens old values', () => {
    const sealed = seal({ current: k1, previous: [] }, 'po-1', CARD);
    expect(open({ current: k2, previous: [k1] }, 'po-1', sealed)).toBe(CARD);
    expect(() => open({ current: k2, previous: [] }, 'po-1', sealed)).toThrow(/not configured/);
  });

  test.each(['', 'v1', 'v2.a.b.c.d', 'v1.x.y'])('malformed %j is refused', (bad) => {
    expect(() => open({ current: k1, previous: [] }, 'po-1', bad)).toThrow(SealError);
  });

  test.each([4, 8, 12, 15])(
    'a tag cut to %i bytes is refused, though it is a prefix of the real one',
    (bytes) => {
      const keys = { current: k1, previous: [] };
      expect(() => open(keys, 'po-1', truncateTag(seal(keys, 'po-1', CARD), bytes))).toThrow(
        /truncated auth tag/,
      );
      expect(() => open(keys, 'po-1', truncateTag(legacySeal(k1, 'po-1', CARD), bytes))).toThrow(
        /truncated auth tag/,
      );
    },
  );

  test('sealed with a key derived from PAYLOAD_KEY, never PAYLOAD_KEY itself', () => {
    const [, , iv, tag, ct] = seal({ current: k1, previous: [] }, 'po-1', CARD).split('.');
    const decipher = createDecipheriv('aes-256-gcm', k1.key, Buffer.from(iv!, 'base64'));
    decipher.setAAD(Buffer.from('po-1'));
    decipher.setAuthTag(Buffer.from(tag!, 'base64'));
    decipher.update(Buffer.from(ct!, 'base64'));
    expect(() => decipher.final()).toThrow();
  });

  test('a value sealed before keys were derived still opens, also after a rotation', () => {
    const old = legacySeal(k1, 'po-1', CARD);
    expect(open({ current: k1, previous: [] }, 'po-1', old)).toBe(CARD);
    expect(open({ current: k2, previous: [k1] }, 'po-1', old)).toBe(CARD);
    expect(() => open({ current: k1, previous: [] }, 'po-2', old)).toThrow(SealError);
  });

  test('tampering is detected', () => {
    const keys = { current: k1, previous: [] };
    const parts = seal(keys, 'po-1', CARD).split('.');
    parts[4] = Buffer.from('x'.repeat(20)).toString('base64');
    expect(() => open(keys, 'po-1', parts.join('.'))).toThrow(SealError);
  });
});

describe('request digest', () => {
  test('keyed, names its key, and stable across key order', () => {
    const keys = { current: k1, previous: [] };
    const a = requestDigest(keys, canonicalJson({ b: 1, a: { d: 2, c: 3 } }));
    const b = requestDigest(keys, canonicalJson({ a: { c: 3, d: 2 }, b: 1 }));
    expect(a).toBe(b);
    expect(a.startsWith(`d2:${k1.id}:`)).toBe(true);
    expect(requestDigest({ current: k2, previous: [] }, canonicalJson({ b: 1 }))).not.toBe(
      requestDigest(keys, canonicalJson({ b: 1 })),
    );
  });

  test('recognised under the key it names, also after a rotation; never under a key not configured', () => {
    const canonical = canonicalJson({ a: 1 });
    const made = requestDigest({ current: k1, previous: [] }, canonical);
    const rotated = { current: k2, previous: [k1] };
    expect(isDigestOf(rotated, canonical, made)).toBe(true);
    expect(isDigestOf(rotated, canonicalJson({ a: 2 }), made)).toBe(false);
    expect(isDigestOf({ current: k2, previous: [] }, canonical, made)).toBe(false);
    expect(isDigestOf(rotated, canonical, 'garbage')).toBe(false);
  });

  test('made with a key derived from PAYLOAD_KEY; a digest made before that is still recognised', () => {
    const canonical = canonicalJson({ a: 1 });
    const keys = { current: k1, previous: [] };
    expect(requestDigest(keys, canonical)).not.toContain(legacyDigest(k1, canonical).split(':')[1]);
    expect(isDigestOf(keys, canonical, legacyDigest(k1, canonical))).toBe(true);
    expect(isDigestOf({ current: k2, previous: [k1] }, canonical, legacyDigest(k1, canonical))).toBe(true);
    expect(isDigestOf(keys, canonicalJson({ a: 2 }), legacyDigest(k1, canonical))).toBe(false);
    // A digest under one form is not taken for the other.
    expect(isDigestOf(keys, canonical, `d2:${legacyDigest(k1, canonical)}`)).toBe(false);
    expect(isDigestOf(keys, canonical, requestDigest(keys, canonical).slice(3))).toBe(false);
  });

  test('canonical JSON sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ z: [2, { y: 1, x: 'a' }], a: undefined, b: null })).toBe(
      '{"b":null,"z":[2,{"x":"a","y":1}]}',
    );
  });
});
