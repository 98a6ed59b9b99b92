import fc from 'fast-check';
import { type Node, obj, raw, str } from './json-model.js';
import { anyKey, anyValue } from './values.js';

/** The callback fields' values, good and bad, that the callback cases (callback-cases.ts) are built from. */

export const CALLBACK_KEYS = [
  'status',
  'type',
  'external_id',
  'order_id',
  'reason_code',
  'reason',
  'signature',
];

export const digitsOf = (allowed: readonly number[]) => fc.constantFrom(...allowed);

export const numericOk = (allowed: readonly number[]): fc.Arbitrary<Node> =>
  fc.oneof(
    { weight: 3, arbitrary: digitsOf(allowed).map((n) => raw(String(n))) },
    digitsOf(allowed).map((n) => str(String(n))),
    digitsOf(allowed).map((n) => str(`0${n}`)),
  );

/** Not one of `allowed` once parsed, whatever the spelling: wrong numbers, non-digit strings, other types. */
export const numericBad = (allowed: readonly number[]): fc.Arbitrary<Node> =>
  fc.oneof(
    fc
      .integer()
      .filter((n) => !allowed.includes(n))
      .map((n) => raw(String(n))),
    fc
      .constantFrom(
        '1e309',
        '-1e309',
        '-0',
        '0',
        '8',
        '4.5',
        '1e-400',
        '9007199254740993',
        '0.1',
        '-4',
        '2.5',
      )
      .map(raw),
    fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .filter((d) => !allowed.includes(d))
      .map((d) => raw(JSON.stringify(d))),
    fc
      .constantFrom(
        '4.0',
        '+4',
        ' 4',
        '4 ',
        '٤',
        '４',
        '0x4',
        'NaN',
        'Infinity',
        '',
        '-4',
        '4e0',
        '2\u0000',
        '2\u200b',
      )
      .map((s) => str(s)),
    fc
      .string({ maxLength: 25 })
      .filter((s) => !/^\d+$/.test(s) || !allowed.includes(Number(s)))
      .map((s) => str(s)),
    fc.constantFrom('true', 'false', 'null').map(raw),
    digitsOf(allowed).map((n) => arr1(raw(String(n)))),
    digitsOf(allowed).map((n) => obj([{ key: String(n), value: raw(String(n)) }])),
  );

export const arr1 = (n: Node): Node => ({ k: 'arr', items: [n] });

export const STATUSES = [1, 2, 3, 4, 5, 6, 7];
export const TYPES = [1, 2, 3];

/** Not a string or a number (the schema's order_id and reason_code). */
export const notStringOrNumber: fc.Arbitrary<Node> = fc.oneof(
  fc.constantFrom('true', 'false', 'null').map(raw),
  fc.array(anyValue, { maxLength: 3 }).map((items): Node => ({ k: 'arr', items })),
  fc.array(fc.record({ key: anyKey, value: anyValue }), { maxLength: 3 }).map((entries) => obj(entries)),
);
