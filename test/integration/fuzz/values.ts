import fc from 'fast-check';
import { luhn } from './fuzz-kit.js';
import { arr, big, deep, type Escape, type Node, obj, raw, str } from './json-model.js';

/** Building blocks shared by the payout and callback generators: hostile strings, numbers, keys, values. */

/** Characters and sequences that break naive text handling. */
export const ODD_TEXT = [
  // lone surrogates
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  // direction marks and overrides
  '\u200e',
  '\u200f',
  '\u202a',
  '\u202e',
  '\u2066',
  '\u2069',
  '\u061c',
  // zero width
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\ufeff',
  // control characters and line breaks
  '\u0000',
  '\u0001',
  '\u0007',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009f',
  '\n',
  '\r',
  '\t',
  '\u2028',
  '\u2029',
  // astral characters, emoji and ZWJ sequences
  '😀',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  '🇱🇻',
  '𝕏',
  '\u{10ffff}',
  // combining marks
  'e\u0301',
  'a\u0308\u0301\u0323',
  'Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357',
  // scripts and case oddities
  'שלום',
  'مرحبا',
  'Ωμέγα',
  '漢字',
  'ﷺ',
  'İ',
  'ß',
  'ﬃ',
  '\ufffd',
  '\uffff',
  '\ufffe',
  '\u00a0',
  '\u3000',
  // injection-shaped text
  '"',
  '\\',
  '/',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '%00',
  '\u0024{jndi:ldap://x}',
  '{{7*7}}',
  '\\u0000',
] as const;

export const oddText = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...ODD_TEXT) },
      fc.string({ unit: 'binary', maxLength: 4 }),
      fc.string({ unit: 'grapheme', maxLength: 4 }),
      fc.string({ maxLength: 6 }),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join(''));

/** A Luhn-valid card number of 12 to 19 digits. */
export const cardNumber = fc.oneof(
  fc.constantFrom(
    '4111111111111111',
    '5555555555554444',
    '378282246310005',
    '6011111111111117',
    '4242424242424242',
  ),
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 11, maxLength: 18 }).map((digits) => {
    const body = digits.join('');
    for (let check = 0; check <= 9; check++) if (luhn(body + check)) return body + check;
    throw new Error('unreachable: one check digit always fits');
  }),
);

/** A card number as people write it: plain, or in groups of four split by spaces or dashes. */
export const cardShaped = fc
  .tuple(cardNumber, fc.constantFrom('', ' ', '-'))
  .map(([n, sep]) => (sep === '' ? n : (n.match(/.{1,4}/g) ?? [n]).join(sep)));

/** Keys holding a card number, some of them shaped like field names (`x4111…`, `_4111…`). */
export const cardKey = fc
  .tuple(fc.constantFrom('', 'x', '_', 'card', 'pan_', 'X'), cardNumber)
  .map(([prefix, n]) => prefix + n);

/** Strings that look like numbers to someone. */
export const nanIsh = fc.constantFrom(
  'NaN',
  'nan',
  'Infinity',
  '-Infinity',
  '+Infinity',
  'undefined',
  'null',
  'true',
  '1e309',
  '-1e309',
  '-0',
  '0x10',
  '0b1',
  '0o7',
  '1_000',
  '1,000',
  ' 1 ',
  '١٢٣',
  '１２３',
  'Ⅻ',
  '½',
  '1e',
  '.5',
  '5.',
  '--1',
  '+1',
  '',
  '00',
);

/** Number tokens as written in JSON text, including ones JSON.stringify cannot write. */
export const numberToken = fc.oneof(
  fc.constantFrom(
    '1e309',
    '-1e309',
    '-0',
    '0',
    '-1',
    '1.5',
    '1e-400',
    '5e-324',
    '1.7976931348623157e308',
    '9007199254740992',
    '9007199254740993',
    '-9007199254740993',
    '123456789012345678901234567890',
    '1e21',
    '1E+2',
    '-0.0',
    '0e0',
  ),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
);

const escapeStyle: fc.Arbitrary<Escape | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  fc.constantFrom<Escape>('lower', 'upper'),
);

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** Any object key, weighted toward the nasty ones. */
export const anyKey = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 4, arbitrary: oddText },
  { weight: 4, arbitrary: cardKey },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'toString',
      'hasOwnProperty',
      'valueOf',
      '',
      ' ',
      'a'.repeat(200),
      'status',
      'amount',
      'card_number',
      'cvv',
    ),
  },
  fc.constantFrom(...PROTO_KEYS),
);

/** Text values, weighted toward the nasty ones. */
export const anyText = fc.oneof(
  { weight: 3, arbitrary: oddText },
  { weight: 2, arbitrary: cardShaped },
  nanIsh,
  fc.string({ maxLength: 20 }),
);

/** Scalars, strings (some huge), and now and then a deep nest. */
export const leaf: fc.Arbitrary<Node> = fc.oneof(
  { weight: 3, arbitrary: numberToken.map(raw) },
  { weight: 2, arbitrary: fc.constantFrom('true', 'false', 'null').map(raw) },
  { weight: 4, arbitrary: fc.tuple(anyText, escapeStyle).map(([s, e]) => str(s, e)) },
  fc
    .tuple(
      fc.constantFrom('x', 'é', '😀', '\u0000', '\ud800', '4111111111111111 ', ' '),
      fc.integer({ min: 100, max: 2500 }),
    )
    .map(([unit, count]) => big(unit, count)),
  fc
    .tuple(fc.integer({ min: 2, max: 300 }), fc.constantFrom<'arr' | 'obj'>('arr', 'obj'))
    .map(([depth, shape]) => deep(depth, shape, raw('1'))),
);

/** Any JSON value (small trees of hostile leaves). */
export const anyValue: fc.Arbitrary<Node> = fc.letrec<{ value: Node; array: Node; object: Node }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 3 }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }).map(arr),
  object: fc
    .array(fc.record({ key: anyKey, value: tie('value') }), { maxLength: 4 })
    .map((entries) => obj(entries)),
})).value;

/** Not a JSON string. */
export const nonString: fc.Arbitrary<Node> = fc.oneof(
  numberToken.map(raw),
  fc.constantFrom('true', 'false', 'null').map(raw),
  fc.array(anyValue, { maxLength: 3 }).map(arr),
  fc.array(fc.record({ key: anyKey, value: anyValue }), { maxLength: 3 }).map((entries) => obj(entries)),
  fc
    .tuple(fc.integer({ min: 2, max: 500 }), fc.constantFrom<'arr' | 'obj'>('arr', 'obj'))
    .map(([d, s]) => deep(d, s, raw('1'))),
);

/** Not a JSON object (null and arrays included). */
export const nonObject: fc.Arbitrary<Node> = fc.oneof(
  numberToken.map(raw),
  fc.constantFrom('true', 'false', 'null').map(raw),
  anyText.map((s) => str(s)),
  fc.array(anyValue, { maxLength: 3 }).map(arr),
  fc.integer({ min: 2, max: 500 }).map((d) => deep(d, 'arr', raw('{}'))),
);

/** Not a JSON number. */
export const nonNumber: fc.Arbitrary<Node> = fc.oneof(
  fc.oneof(nanIsh, fc.integer({ min: 1 }).map(String), anyText).map((s) => str(s)),
  fc.constantFrom('true', 'false', 'null').map(raw),
  fc.array(anyValue, { maxLength: 3 }).map(arr),
  fc.array(fc.record({ key: anyKey, value: anyValue }), { maxLength: 3 }).map((entries) => obj(entries)),
);

/** Values placed under prototype-polluting keys; `fuzzPolluted` shows up on Object.prototype if one works. */
export const poison = fc.constantFrom<[string, Node]>(
  ['__proto__', obj([{ key: 'fuzzPolluted', value: raw('true') }])],
  ['__proto__', raw('null')],
  ['__proto__', arr([])],
  ['constructor', obj([{ key: 'prototype', value: obj([{ key: 'fuzzPolluted', value: raw('true') }]) }])],
  ['constructor', str('x')],
  ['prototype', obj([{ key: 'fuzzPolluted', value: raw('true') }])],
);

export const escapeOf = escapeStyle;

/** JSON whitespace put after every `:` and `,`. */
export const whitespace = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n  ');

/** True when nothing is polluted: the server runs in this process, so a successful pollution is visible here. */
export const prototypeClean = () =>
  !Object.hasOwn(Object.prototype, 'fuzzPolluted') &&
  ({} as Record<string, unknown>).fuzzPolluted === undefined;
