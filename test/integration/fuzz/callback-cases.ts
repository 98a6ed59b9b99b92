import fc from 'fast-check';
import { SignatureDepthError, sign } from '../../../src/gateway/signature.js';
import { isJsonObject } from './fuzz-kit.js';
import {
  apply,
  big,
  type Change,
  deep,
  type Node,
  type Obj,
  obj,
  raw,
  serialize,
  str,
} from './json-model.js';
import { anyKey, anyValue, cardShaped, escapeOf, nonString, oddText, poison, whitespace } from './values.js';

/**
 * Gateway callbacks: well-formed ones that would move a payout if they were accepted, then broken in one
 * of two ways. Signed garbage carries a correct signature (so it reaches the schema) but breaks at least
 * one rule of the callback schema; forgeries carry a valid-looking body with an absent, wrong or
 * malformed signature.
 */

const CALLBACK_KEYS = ['status', 'type', 'external_id', 'order_id', 'reason_code', 'reason', 'signature'];

const digitsOf = (allowed: readonly number[]) => fc.constantFrom(...allowed);

const numericOk = (allowed: readonly number[]): fc.Arbitrary<Node> =>
  fc.oneof(
    { weight: 3, arbitrary: digitsOf(allowed).map((n) => raw(String(n))) },
    digitsOf(allowed).map((n) => str(String(n))),
    digitsOf(allowed).map((n) => str(`0${n}`)),
  );

/** Not one of `allowed` once parsed, whatever the spelling: wrong numbers, non-digit strings, other types. */
const numericBad = (allowed: readonly number[]): fc.Arbitrary<Node> =>
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

const arr1 = (n: Node): Node => ({ k: 'arr', items: [n] });

const STATUSES = [1, 2, 3, 4, 5, 6, 7];
const TYPES = [1, 2, 3];

/** Not a string or a number (the schema's order_id and reason_code). */
const notStringOrNumber: fc.Arbitrary<Node> = fc.oneof(
  fc.constantFrom('true', 'false', 'null').map(raw),
  fc.array(anyValue, { maxLength: 3 }).map((items): Node => ({ k: 'arr', items })),
  fc.array(fc.record({ key: anyKey, value: anyValue }), { maxLength: 3 }).map((entries) => obj(entries)),
);

export interface CallbackCase {
  what: string[];
  body: string;
}

export function callbackCases(knownIds: readonly string[], salt: string) {
  const externalId = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...knownIds) },
    fc.stringMatching(/^[A-Za-z0-9._~:-]{1,40}$/),
    oddText.filter((s) => s.length >= 1 && s.length <= 255),
  );
  const textOrNumber = fc.oneof(
    fc.string({ maxLength: 30 }).map((s) => str(s)),
    fc.integer().map((n) => raw(String(n))),
    cardShaped.map((s) => str(s)),
    numericBad(STATUSES).filter((n) => n.k === 'raw' && /^-?\d/.test(n.text)),
  );
  /** Depth of a value as the signer counts it (a callback field is level 1). */
  const depthOf = (n: Node): number =>
    n.k === 'deep'
      ? n.depth + depthOf(n.leaf)
      : n.k === 'arr'
        ? 1 + Math.max(0, ...n.items.map(depthOf))
        : n.k === 'obj'
          ? 1 + Math.max(0, ...n.entries.map((e) => depthOf(e.value)))
          : 0;
  // Extra fields of a genuine callback stay within the nesting a gateway message can have; deeper
  // bodies cannot be signed at all and are exercised as forgeries.
  const extras = fc.array(
    fc.record({
      key: anyKey.filter((k) => !CALLBACK_KEYS.includes(k)),
      value: anyValue.filter((v) => depthOf(v) < 7),
    }),
    { maxLength: 3 },
  );

  /** A callback the schema accepts; `final` ones (4, 5, 6 for payouts) would move a submitted payout. */
  const wellFormed = (final: boolean): fc.Arbitrary<Obj> =>
    fc
      .record({
        status: final ? digitsOf([4, 5, 6]).map((n) => raw(String(n))) : numericOk(STATUSES),
        type: final
          ? fc.constant(raw('2'))
          : fc.oneof({ weight: 4, arbitrary: fc.constant(raw('2')) }, numericOk(TYPES)),
        external_id: externalId.map((s) => str(s)),
        order_id: fc.option(textOrNumber, { nil: undefined }),
        reason_code: fc.option(textOrNumber, { nil: undefined }),
        reason: fc.option(
          fc.oneof(fc.string({ maxLength: 100 }), oddText, cardShaped).map((s) => str(s)),
          {
            nil: undefined,
          },
        ),
        extras,
      })
      .map(({ extras: more, ...fields }) =>
        obj([
          ...Object.entries(fields).flatMap(([key, value]) => (value === undefined ? [] : [{ key, value }])),
          ...more,
        ]),
      );

  /** At least one of these makes the schema refuse the callback. */
  const schemaBreak: fc.Arbitrary<Change> = fc.oneof(
    fc
      .constantFrom('status', 'type', 'external_id')
      .map((k): Change => ({ op: 'remove', path: [k], why: `${k} missing` })),
    numericBad(STATUSES).map((value): Change => ({ op: 'set', path: ['status'], value, why: 'bad status' })),
    numericBad(TYPES).map((value): Change => ({ op: 'set', path: ['type'], value, why: 'bad type' })),
    fc
      .oneof(
        nonString,
        fc.constant(str('')),
        fc
          .tuple(
            fc.constantFrom('x', '😀', '4111111111111111', '\u0000'),
            fc.integer({ min: 256, max: 3000 }),
          )
          .map(([u, n]) => big(u, n)),
      )
      .map((value): Change => ({ op: 'set', path: ['external_id'], value, why: 'bad external_id' })),
    fc
      .tuple(fc.constantFrom('order_id', 'reason_code'), notStringOrNumber)
      .map(([k, value]): Change => ({ op: 'set', path: [k], value, why: `bad ${k}` })),
    fc
      .oneof(
        nonString,
        fc
          .tuple(
            fc.constantFrom('x', '😀', 'e\u0301', '4111111111111111 '),
            fc.integer({ min: 2001, max: 8000 }),
          )
          .map(([u, n]) => big(u, n)),
      )
      .map((value): Change => ({ op: 'set', path: ['reason'], value, why: 'bad reason' })),
  );

  const noise: fc.Arbitrary<Change> = fc.oneof(
    fc.tuple(poison, escapeOf).map(
      ([[key, value], esc]): Change => ({
        op: 'set',
        path: [key],
        value,
        ...(esc ? { esc } : {}),
        why: `prototype key ${key}`,
      }),
    ),
    {
      weight: 5,
      arbitrary: fc
        .tuple(fc.constantFrom('reason', 'order_id', 'reason_code'), fc.oneof(oddText, cardShaped))
        .map(([k, s]): Change => ({ op: 'set', path: [k], value: str(s), why: `odd ${k}` })),
    },
  );

  const duplicate: fc.Arbitrary<Change> = fc
    .tuple(fc.constantFrom(...CALLBACK_KEYS.slice(0, 6)), anyValue)
    .map(([k, value]): Change => ({ op: 'dup', path: [k], value, why: 'duplicate key' }));

  /**
   * The body with a correct `signature` appended (JSON.parse keeps the last one); undefined when the
   * body nests deeper than the signer follows (no gateway message does: those are forgeries below).
   */
  const trySigned = (body: Node, ws: string, withSalt = salt): string | undefined => {
    const params = JSON.parse(serialize(body, ws)) as unknown;
    if (body.k !== 'obj' || !isJsonObject(params)) return serialize(body, ws);
    let signature: string;
    try {
      signature = sign(params, withSalt);
    } catch (err) {
      if (err instanceof SignatureDepthError) return undefined;
      throw err;
    }
    return serialize(obj([...body.entries, { key: 'signature', value: str(signature) }]), ws);
  };
  /**
   * What a forger would put in `signature`: the right scheme over the body where it can be computed;
   * for a body too deep to sign, any well-formed hex (no signature can be valid for it).
   */
  const forgerySign = (params: Record<string, unknown>, withSalt: string): string => {
    try {
      return sign(params, withSalt);
    } catch (err) {
      if (err instanceof SignatureDepthError) return 'f'.repeat(40);
      throw err;
    }
  };
  /** A well-formed body, signed; these never nest too deep. */
  const signed = (body: Node, ws: string, withSalt = salt): string => {
    const out = trySigned(body, ws, withSalt);
    if (out === undefined) throw new Error('a well-formed callback could not be signed');
    return out;
  };

  /** Correctly signed, schema-invalid. */
  const signedGarbage: fc.Arbitrary<CallbackCase> = fc
    .record({
      base: wellFormed(false),
      noise: fc.array(noise, { maxLength: 2 }),
      breaks: fc.array(schemaBreak, { minLength: 1, maxLength: 3 }),
      dups: fc.array(duplicate, { maxLength: 2 }),
      ws: whitespace,
    })
    .map(({ base, noise: before, breaks, dups, ws }) => {
      let body: Node = base;
      for (const c of [...before, ...breaks, ...dups]) body = apply(body, c);
      return { what: breaks.map((b) => b.why), body: trySigned(body, ws) };
    })
    .filter((c): c is CallbackCase => c.body !== undefined);

  // -------------------------------------------------------------------------------------------
  // Forgeries

  const flipHex = (sig: string) => (sig[0] === '0' ? '1' : '0') + sig.slice(1);

  type Decoration = 'prefix' | 'suffix' | 'newline' | 'array' | 'space inside' | 'sha1=';
  type SignatureMode =
    | { mode: 'absent' }
    | { mode: 'wrong salt'; salt: string }
    | { mode: 'tampered after signing'; change: Change }
    | { mode: 'decorated'; how: Decoration }
    | { mode: 'malformed'; value: Node }
    | { mode: 'random hex'; hex: string; esc: boolean }
    | { mode: 'deep value, unsignable'; depth: number; shape: 'arr' | 'obj'; key: string; hex: string };

  const tamper: fc.Arbitrary<Change> = fc.oneof(
    digitsOf([1, 3, 4, 5, 6, 7]).map(
      (n): Change => ({ op: 'set', path: ['status'], value: raw(String(n)), why: 'status' }),
    ),
    externalId.map((s): Change => ({ op: 'set', path: ['external_id'], value: str(s), why: 'external_id' })),
    fc
      .tuple(
        fc.stringMatching(/^[a-z]{1,8}$/),
        fc.string({ minLength: 1, maxLength: 10 }).filter((s) => s.trim() !== ''),
      )
      .map(([k, v]): Change => ({ op: 'set', path: [`x_${k}`], value: str(v), why: 'field added' })),
    fc
      .constantFrom('status', 'type', 'external_id')
      .map((k): Change => ({ op: 'remove', path: [k], why: `${k} removed` })),
    fc
      .string({ minLength: 1, maxLength: 20 })
      .map((s): Change => ({ op: 'set', path: ['reason'], value: str(`r${s}`), why: 'reason' })),
  );

  const signatureMode: fc.Arbitrary<SignatureMode> = fc.oneof(
    fc.constant<SignatureMode>({ mode: 'absent' }),
    fc
      .oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom(`${salt}x`, salt.slice(0, -1), salt.toUpperCase(), ` ${salt}`, ''),
      )
      .filter((s) => s !== salt)
      .map((s): SignatureMode => ({ mode: 'wrong salt', salt: s })),
    {
      weight: 2,
      arbitrary: tamper.map((change): SignatureMode => ({ mode: 'tampered after signing', change })),
    },
    fc
      .constantFrom<Decoration>('prefix', 'suffix', 'newline', 'array', 'space inside', 'sha1=')
      .map((how): SignatureMode => ({ mode: 'decorated', how })),
    fc
      .oneof(
        fc.constantFrom('', ' ', 'null', 'x'.repeat(40), 'g'.repeat(40), '０'.repeat(40)).map((s) => str(s)),
        fc.stringMatching(/^[0-9a-f]{39}$/).map((s) => str(s)),
        fc.stringMatching(/^[0-9a-f]{41,64}$/).map((s) => str(s)),
        nonString,
      )
      .map((value): SignatureMode => ({ mode: 'malformed', value })),
    fc
      .tuple(fc.stringMatching(/^[0-9a-fA-F]{40}$/), fc.boolean())
      .map(([hex, esc]): SignatureMode => ({ mode: 'random hex', hex, esc })),
    fc
      .record({
        depth: fc.integer({ min: 500, max: 10_000 }),
        shape: fc.constantFrom<'arr' | 'obj'>('arr', 'obj'),
        key: fc.constantFrom('x', 'reason', 'order_id', 'customer'),
        hex: fc.stringMatching(/^[0-9a-f]{40}$/),
      })
      .map((d): SignatureMode => ({ mode: 'deep value, unsignable', ...d })),
  );

  /**
   * A callback that would move a payout if it were accepted (or, with a break, one the schema refuses),
   * whose signature is absent, wrong or malformed.
   */
  const forged: fc.Arbitrary<CallbackCase> = fc
    .record({
      base: fc.oneof({ weight: 3, arbitrary: wellFormed(true) }, wellFormed(false)),
      breaks: fc.array(schemaBreak, { maxLength: 1 }),
      noise: fc.array(noise, { maxLength: 1 }),
      sig: signatureMode,
      ws: whitespace,
    })
    .map(({ base, breaks, noise: extra, sig, ws }) => {
      let body = base as Node;
      for (const c of [...extra, ...breaks]) body = apply(body, c);
      const o = body as Obj;
      const params = JSON.parse(serialize(o, ws)) as Record<string, unknown>;
      const withSig = (value: Node, from: Node = o) =>
        serialize(obj([...(from as Obj).entries, { key: 'signature', value }]), ws);
      const what = [sig.mode, ...breaks.map((b) => b.why)];
      switch (sig.mode) {
        case 'absent':
          return { what, body: serialize(o, ws) };
        case 'wrong salt':
          return { what, body: withSig(str(forgerySign(params, sig.salt))) };
        case 'tampered after signing': {
          const good = forgerySign(params, salt);
          const changed = apply(o, sig.change);
          const after = JSON.parse(serialize(changed, ws)) as Record<string, unknown>;
          // A change the canonical string does not see (a blank value) is no forgery: spoil the signature too.
          const given = forgerySign(after, salt) === good ? flipHex(good) : good;
          return { what: [...what, sig.change.why], body: withSig(str(given), changed) };
        }
        case 'decorated': {
          const good = forgerySign(params, salt);
          const value = {
            prefix: str(` ${good}`),
            suffix: str(`${good} `),
            newline: str(`${good}\n`),
            array: arr1(str(good)),
            'space inside': str(`${good.slice(0, 20)} ${good.slice(20)}`),
            'sha1=': str(`sha1=${good}`),
          }[sig.how];
          return { what: [...what, sig.how], body: withSig(value) };
        }
        case 'malformed':
          return { what, body: withSig(sig.value) };
        case 'random hex': {
          const good = forgerySign(params, salt);
          const hex = sig.hex.toLowerCase() === good ? flipHex(good) : sig.hex;
          return { what, body: withSig(str(hex, sig.esc ? 'lower' : undefined)) };
        }
        case 'deep value, unsignable': {
          // Too deep to sign here (the signer recurses); any well-formed hex must still be refused.
          const nested = apply(o, {
            op: 'set',
            path: [sig.key],
            value: deep(sig.depth, sig.shape, raw('1')),
            why: '',
          });
          return {
            what: [...what, `depth ${sig.depth} ${sig.shape} at ${sig.key}`],
            body: withSig(str(sig.hex), nested),
          };
        }
      }
      throw new Error('unreachable');
    });

  /** A final callback for a known payout and nothing else, to build huge bodies on. */
  const bareFinal: fc.Arbitrary<Obj> = fc
    .record({ status: digitsOf([4, 5, 6]), id: fc.constantFrom(...knownIds) })
    .map(({ status, id }) =>
      obj([
        { key: 'status', value: raw(String(status)) },
        { key: 'type', value: raw('2') },
        { key: 'external_id', value: str(id) },
      ]),
    );

  return { wellFormed, bareFinal, signed, signedGarbage, forged };
}
