import fc from 'fast-check';
import { methodIds } from '../../../src/methods/index.js';
import { big, type Node, raw, str } from './json-model.js';
import { anyText, cardNumber, cardShaped, nonNumber, nonString, ODD_TEXT, oddText } from './values.js';

/**
 * Values that break one rule of a payout's fields each: the payout cases (payout-cases.ts) set them
 * where the rule applies, as breaks.
 */

const EXTERNAL_ID_CHAR = /^[A-Za-z0-9._~:-]$/;

const WHITESPACE = [
  ' ',
  '\t',
  '\n',
  '\r',
  '\u000b',
  '\u000c',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u200a',
  '\u2028',
];
const WHITESPACE_2 = ['\u2029', '\u202f', '\u205f', '\u3000', '\ufeff'];

/** Breaks `text()`: not a string, empty, blank, over 255 characters, or a control character inside. */
export const badText: fc.Arbitrary<Node> = fc.oneof(
  nonString,
  fc.constant(str('')),
  fc
    .array(fc.constantFrom(...WHITESPACE, ...WHITESPACE_2), { minLength: 1, maxLength: 6 })
    .map((ws) => str(ws.join(''))),
  fc
    .tuple(
      fc.constantFrom('x', 'Ж', '😀', '4111111111111111', 'e\u0301'),
      fc.integer({ min: 256, max: 3000 }),
    )
    .map(([unit, count]) => big(unit, count)),
  fc
    .tuple(
      fc.string({ maxLength: 5 }),
      fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f })),
      fc.string({ maxLength: 5 }),
    )
    .map(([a, code, b]) => str(`a${a}${String.fromCharCode(code)}${b}z`)),
);

export const badMethod: fc.Arbitrary<Node> = fc.oneof(
  nonString,
  fc
    .string({ maxLength: 20 })
    .filter((s) => !(methodIds as readonly string[]).includes(s))
    .map((s) => str(s)),
  fc
    .constantFrom(
      'BANK_CARD',
      'bank_card ',
      ' bank_card',
      'bank-card',
      'bankcard',
      'bank_card\u0000',
      'b\u0430nk_card',
      'bank_card\u200b',
      'toString',
      'constructor',
      '__proto__',
      'hasOwnProperty',
      'valueOf',
    )
    .map((s) => str(s)),
);

export const badExternalId: fc.Arbitrary<Node> = fc.oneof(
  nonString,
  fc.constant(str('')),
  fc
    .tuple(fc.constantFrom('a', '9', '.', '~', ':'), fc.integer({ min: 256, max: 2000 }))
    .map(([unit, count]) => big(unit, count)),
  fc
    .tuple(
      fc.stringMatching(/^[A-Za-z0-9._~:-]{0,12}$/),
      fc.oneof(
        fc.constantFrom(...ODD_TEXT, ' ', '/', '%', '#', '?', '+', '*', '@', 'é', '%3A', '..%2F'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      ),
      fc.stringMatching(/^[A-Za-z0-9._~:-]{0,12}$/),
    )
    .filter(([, bad]) => [...bad].some((c) => !EXTERNAL_ID_CHAR.test(c)))
    .map(([a, bad, b]) => str(a + bad + b)),
  cardShaped.filter((s) => s.includes(' ')).map((s) => str(s)),
);

const AMOUNT_TOKENS = [
  '0',
  '-0',
  '-1',
  '0.5',
  '1.5',
  '1e309',
  '-1e309',
  '1e-400',
  '9007199254740992',
  '9007199254740993',
  '1e21',
  '123456789012345678901234567890',
  '-9007199254740991',
  '0.0',
  '-0.0',
  '0e10',
  '4.000001',
];

export const badAmount: fc.Arbitrary<Node> = fc.oneof(
  nonNumber,
  fc.constantFrom(...AMOUNT_TOKENS).map(raw),
  fc.integer({ max: 0 }).map((n) => raw(String(n))),
  fc
    .double({ noNaN: true })
    .filter((d) => !(Number.isSafeInteger(d) && d > 0))
    .map((d) => raw(Number.isFinite(d) ? JSON.stringify(d) : d > 0 ? '1e999' : '-1e999')),
  fc.bigInt({ min: 2n ** 53n, max: 10n ** 40n }).map((b) => raw(b.toString())),
  // a card number where the amount goes, as a fraction below 1 so that it is certainly not a valid amount
  cardNumber.map((n) => raw(`0.${n}`)),
);

export const badCurrency: fc.Arbitrary<Node> = fc.oneof(
  nonString,
  fc
    .constantFrom(
      'XXX',
      'XTS',
      'usd',
      'Usd',
      'US',
      'USDD',
      '',
      ' USD',
      'USD ',
      'U$D',
      '€',
      'ＵＳＤ',
      'US\u0000',
      'USD\u200b',
    )
    .map((s) => str(s)),
  fc
    .oneof(fc.string({ maxLength: 6 }), oddText)
    .filter((s) => !/^[A-Z]{3}$/.test(s))
    .map((s) => str(s)),
);

export const badCountry: fc.Arbitrary<Node> = fc.oneof(
  nonString,
  fc
    .constantFrom('lv', 'Lv', 'LVA', 'L', '', 'ZZ', 'UK', 'EU', 'AA', 'QM', ' LV', 'LV ', 'ＬＶ')
    .map((s) => str(s)),
  fc
    .oneof(fc.string({ maxLength: 4 }), oddText)
    .filter((s) => !/^[A-Z]{2}$/.test(s))
    .map((s) => str(s)),
);

const currentYear = new Date().getUTCFullYear();

export const badCardNumber: fc.Arbitrary<Node> = fc.oneof(
  nonString,
  // the wrong check digit
  cardNumber.map((n) => str(n.slice(0, -1) + String((Number(n.slice(-1)) + 1 + (n.length % 8)) % 10))),
  fc.stringMatching(/^\d{1,11}$/).map((s) => str(s)),
  fc.stringMatching(/^\d{20,30}$/).map((s) => str(s)),
  cardShaped.filter((s) => /[ -]/.test(s)).map((s) => str(s)),
  anyText.filter((s) => !/^\d{12,19}$/.test(s)).map((s) => str(s)),
);

export const badExpMonth: fc.Arbitrary<Node> = fc.oneof(
  nonString,
  fc.constantFrom('00', '13', '6', '006', '1', 'ab', '', '１２', '12 ', ' 06', '0x').map((s) => str(s)),
  fc.integer({ min: 13, max: 99 }).map((n) => str(String(n))),
);

export const badExpYear: fc.Arbitrary<Node> = fc.oneof(
  nonString,
  fc.constantFrom('99', '20999', 'abcd', '', '２０９９', ' 2099', '2099 ').map((s) => str(s)),
  fc.integer({ min: 1000, max: currentYear - 1 }).map((y) => str(String(y))),
);
