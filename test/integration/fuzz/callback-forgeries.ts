import fc from 'fast-check';
import { SignatureDepthError, sign } from '../../../src/gateway/signature.js';
import type { CallbackCase } from './callback-cases.js';
import { arr1, digitsOf } from './callback-values.js';
import { apply, type Change, deep, type Node, type Obj, obj, raw, serialize, str } from './json-model.js';
import { nonString, whitespace } from './values.js';

/** What forgeries are made of: the salt and the parts of a genuine callback (callbackCases). */
export interface ForgeryParts {
  salt: string;
  externalId: fc.Arbitrary<string>;
  wellFormed: (final: boolean) => fc.Arbitrary<Obj>;
  schemaBreak: fc.Arbitrary<Change>;
  noise: fc.Arbitrary<Change>;
}

/** Gateway callbacks whose signature is absent, wrong or malformed (callbackCases' `forged`). */
export function forgedCallbacks({
  salt,
  externalId,
  wellFormed,
  schemaBreak,
  noise,
}: ForgeryParts): fc.Arbitrary<CallbackCase> {
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

  return forged;
}
