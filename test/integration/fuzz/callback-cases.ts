import fc from 'fast-check';
import { SignatureDepthError, sign } from '../../../src/gateway/signature.js';
import { forgedCallbacks } from './callback-forgeries.js';
import {
  CALLBACK_KEYS,
  digitsOf,
  notStringOrNumber,
  numericBad,
  numericOk,
  STATUSES,
  TYPES,
} from './callback-values.js';
import { isJsonObject } from './fuzz-kit.js';
import { apply, big, type Change, type Node, type Obj, obj, raw, serialize, str } from './json-model.js';
import { anyKey, anyValue, cardShaped, escapeOf, nonString, oddText, poison, whitespace } from './values.js';

/**
 * Gateway callbacks: well-formed ones that would move a payout if they were accepted, then broken in one
 * of two ways. Signed garbage carries a correct signature (so it reaches the schema) but breaks at least
 * one rule of the callback schema; forgeries carry a valid-looking body with an absent, wrong or
 * malformed signature.
 */

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

  const forged = forgedCallbacks({ salt, externalId, wellFormed, schemaBreak, noise });

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
