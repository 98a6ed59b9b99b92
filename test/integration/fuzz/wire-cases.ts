import fc from 'fast-check';
import { bytesOf } from './fuzz-client.js';

/** What goes wrong below the JSON value: content types, broken JSON text, empty bodies, sizes. */

/** Content types that are certainly not JSON; a valid body under one of them must still be refused. */
export const NOT_JSON_TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzzboundary',
  'application/xml',
  'application/octet-stream',
  'text/html',
] as const;

/** Content types a lenient server might take for JSON; only sent with bodies that are invalid anyway. */
export const ODD_TYPES = [
  'text/json',
  'application/jsonp',
  'application/json-seq',
  'application/vnd.api+json',
  'application/x-json',
  '*/*',
  'json',
  'application/json, text/plain',
  'application/json\tx',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/json;;',
] as const;

/** `undefined`: no Content-Type header at all. */
export const notJsonType = fc.constantFrom<string | undefined>(undefined, ...NOT_JSON_TYPES);

/** The body re-encoded for its (wrong) content type now and then, so the parser sees realistic input. */
export function encodeFor(contentType: string | undefined, json: string): string {
  let fields: [string, string][] = [];
  try {
    const value = JSON.parse(json) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      fields = Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
    }
  } catch {
    return json;
  }
  if (contentType === 'application/x-www-form-urlencoded') return new URLSearchParams(fields).toString();
  if (contentType?.startsWith('multipart/form-data')) {
    return `${fields
      .map(([k, v]) => `--fuzzboundary\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('')}--fuzzboundary--\r\n`;
  }
  return json;
}

export interface Malformed {
  how: string;
  body: string | Buffer;
}

const LITERALS = [
  'NaN',
  'Infinity',
  '-Infinity',
  'undefined',
  '0x10',
  '01',
  '+1',
  '.5',
  '1.',
  'True',
  'None',
  "'x'",
];
const BAD_ESCAPES = ['\\x41', '\\u12', '\\a', '\\u{41}', '\\U0041', '\\'];
const INVALID_UTF8 = [
  [0xff],
  [0xfe],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

/**
 * Breaks the JSON text of an object (`{…}`, no surrounding whitespace) so that it is certainly not JSON.
 * With `bytes`, also invalid UTF-8 inserted anywhere and random input, which the oracle has to judge:
 * only for texts that are invalid anyway, since a replacement character inside a string is valid JSON.
 */
export const malform = (text: string, bytes: boolean): fc.Arbitrary<Malformed> =>
  fc.oneof(...structural(text), ...(bytes ? binary(text) : []));

const structural = (text: string): fc.Arbitrary<Malformed>[] => [
  fc.integer({ min: 0, max: 999 }).map((f) => {
    const at = Math.floor((f / 1000) * (text.length - 1));
    return { how: `cut at ${at}`, body: text.slice(0, at) };
  }),
  fc
    .constantFrom('x', '}', ',', '{}', '\u0000', '//c', '/*c*/', '"', '1', ']', '\u200b', '\u00a0', '\ufeff')
    .map((g) => ({ how: `trailing ${JSON.stringify(g)}`, body: text + g })),
  fc
    .constantFrom(")]}'\n", 'x', ',', '\u0000', '\u200b', '\u00a0', '[', '{', '"', '1', '\ufeff\ufeff')
    .map((g) => ({ how: `leading ${JSON.stringify(g)}`, body: g + text })),
  fc.constant({ how: 'single quotes', body: text.replaceAll('"', "'") }),
  fc.constant({ how: 'trailing comma', body: `${text.slice(0, -1)},}` }),
  fc.constant({ how: 'comment', body: `{/*c*/${text.slice(1)}` }),
  fc.constant({ how: 'unquoted key', body: `{x:1,${text.slice(1)}` }),
  fc.constant({ how: 'missing comma', body: `{"x":1 "y":2,${text.slice(1)}` }),
  fc.constant({ how: 'double colon', body: `{"x"::1,${text.slice(1)}` }),
  fc.constantFrom(...LITERALS).map((l) => ({ how: `literal ${l}`, body: `{"x":${l},${text.slice(1)}` })),
  fc.constantFrom(...BAD_ESCAPES).map((e) => ({ how: `escape ${e}`, body: `{"x":"${e}",${text.slice(1)}` })),
  fc
    .integer({ min: 0, max: 0x1f })
    .map((c) => ({ how: `raw control ${c}`, body: `{"x":"a${String.fromCharCode(c)}b",${text.slice(1)}` })),
];

const binary = (text: string): fc.Arbitrary<Malformed>[] => [
  fc.tuple(fc.constantFrom(...INVALID_UTF8), fc.integer({ min: 0, max: 999 })).map(([bytes, f]) => {
    const buf = Buffer.from(text, 'utf8');
    const at = Math.floor((f / 1000) * buf.length);
    return {
      how: `bytes ${bytes.map((b) => b.toString(16)).join(' ')} at ${at}`,
      body: Buffer.concat([buf.subarray(0, at), Buffer.from(bytes), buf.subarray(at)]),
    };
  }),
  fc
    .oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 50 }))
    .filter((s) => s.trim() !== '' && !isObjectText(s))
    .map((s) => ({ how: 'garbage', body: s })),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((u) => ({ how: 'random bytes', body: Buffer.from(u) })),
];

function isObjectText(s: string): boolean {
  try {
    const v = JSON.parse(s) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** Empty and blank bodies; `undefined` sends no body at all. */
export const emptyBody = fc.constantFrom<string | undefined>(
  undefined,
  '',
  ' ',
  '\n\t \r',
  '\ufeff',
  '\ufeff ',
);

/** Units the padding of huge bodies is made of (the JSON escape of some takes 6 bytes). */
export const PAD_UNITS = ['x', 'é', '漢', '😀', '\u0000', '\ud800', '\u200f', '4111111111111111 '] as const;

/**
 * `build(pad)` with `pad` grown so the text is exactly `target` bytes (or the smallest size above it when
 * `build('')` is already larger). `pad` ends up inside a JSON string, so its bytes are counted as escaped.
 */
export function padToBytes(build: (pad: string) => string, target: number, unit: string): string {
  const overhead = bytesOf(build(''));
  const unitBytes = Math.max(1, bytesOf(build(unit)) - overhead);
  const room = Math.max(0, target - overhead);
  const n = Math.floor(room / unitBytes);
  return build(unit.repeat(n) + 'x'.repeat(room - n * unitBytes));
}

/** Target sizes clustered around the limit, some well beyond it. */
export const sizeAround = (limit: number) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: limit - 64, max: limit + 64 }) },
    fc.integer({ min: limit - 4096, max: limit }),
    fc.integer({ min: limit + 1, max: limit * 4 }),
  );
