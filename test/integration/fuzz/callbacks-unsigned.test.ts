import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verify } from '../../../src/gateway/signature.js';
import type { TestSystem } from '../../helpers/system.js';
import { callbackCases } from './callback-cases.js';
import type { Client, Sent } from './fuzz-client.js';
import {
  callbackStatusFor,
  expectRefusal,
  FuzzFailure,
  isJsonObject,
  label,
  parseAsServer,
  runFuzz,
  sampleLanes,
  seedFor,
} from './fuzz-kit.js';
import { serialize, setField, str } from './json-model.js';
import { startCallbackTarget } from './system-checks.js';
import { nonObject, prototypeClean, whitespace } from './values.js';
import {
  emptyBody,
  encodeFor,
  malform,
  notJsonType,
  ODD_TYPES,
  PAD_UNITS,
  padToBytes,
  sizeAround,
} from './wire-cases.js';

/**
 * 2,000 callbacks that must not be believed: 1,200 with an absent, wrong, tampered or malformed signature
 * (most of them would otherwise settle a submitted payout), and 800 that are wrong on the wire (content
 * types, malformed JSON, empty bodies, non-object bodies, bodies up to and beyond the limit). Each is
 * refused with the error shape and leaves every payout record exactly as it was.
 */

const FORGED_SEED = seedFor(12);
const FORGED_RUNS = 1_200;
const WIRE_SEED = seedFor(13);
const WIRE_RUNS = 800;

let target: Awaited<ReturnType<typeof startCallbackTarget>>;
let sys: TestSystem;
let client: Client;
let ids: string[];
let snapshot: () => Promise<string>;
let before: string;
let limit: number;

beforeAll(async () => {
  target = await startCallbackTarget();
  ({ sys, client, ids, snapshot, before } = target);
  limit = sys.config.api.bodyLimitBytes;
});
afterAll(async () => {
  await target?.close();
});

interface WireCase {
  what: string[];
  headers: Record<string, string>;
  body?: string | Buffer;
  chunked?: boolean;
  /** Allowed statuses; `undefined`: the oracle decides, as for an unsigned body. */
  expect?: number[];
  /** The body carries a correct signature (decides 400 against 401 for a JSON object). */
  signed?: boolean;
}

async function check(c: WireCase): Promise<void> {
  const req: Sent = {
    path: '/v1/callbacks/gateway',
    headers: c.headers,
    ...(c.body !== undefined ? { body: c.body } : {}),
    ...(c.chunked ? { chunked: true } : {}),
  };
  const res = await client.send(req);
  const parsed = parseAsServer(c.body, limit);
  const error = expectRefusal(req, res, c.expect ?? [callbackStatusFor(parsed, c.signed ?? false)]);
  if (res.status === 401 && error.code !== 'invalid_signature')
    throw new FuzzFailure(`401 with code ${error.code}`);
  if ((await snapshot()) !== before) {
    throw new FuzzFailure(`a payout record changed after a refused callback (${c.what.join(', ')})`);
  }
  if (!prototypeClean()) throw new FuzzFailure(`Object.prototype was polluted (${c.what.join(', ')})`);
}

const json = { 'content-type': 'application/json' };

describe('fuzz POST /v1/callbacks/gateway: forgeries and the wire', () => {
  test(`the forgeries are forgeries (in-process, seed ${FORGED_SEED})`, () => {
    const { forged } = callbackCases(ids, sys.config.gateway.salt);
    for (const c of sampleLanes({ seed: FORGED_SEED, runs: FORGED_RUNS, arb: forged })) {
      if (c.what.includes('deep value, unsignable')) continue; // the signer cannot recurse that deep here
      const parsed = parseAsServer(c.body, Number.POSITIVE_INFINITY);
      if (parsed.kind !== 'value' || !isJsonObject(parsed.value)) continue;
      expect(verify(parsed.value, sys.config.gateway.salt), c.body.slice(0, 500)).toBe(false);
    }
  });

  test(`callbacks with an absent, wrong or malformed signature get 401 and change nothing (${label(FORGED_SEED, FORGED_RUNS)})`, async () => {
    const { forged } = callbackCases(ids, sys.config.gateway.salt);
    const ran = await runFuzz({
      seed: FORGED_SEED,
      runs: FORGED_RUNS,
      arb: forged,
      check: (c) => check({ what: c.what, headers: json, body: c.body }),
    });
    expect(ran).toBe(FORGED_RUNS);
  }, 110_000);

  test(`callbacks wrong on the wire are refused and change nothing (${label(WIRE_SEED, WIRE_RUNS)})`, async () => {
    const { bareFinal, forged, signed, wellFormed } = callbackCases(ids, sys.config.gateway.salt);
    /** Correctly signed callbacks that would settle a payout if they were let through. */
    const genuine = fc.tuple(wellFormed(true), whitespace).map(([o, ws]) => signed(o, ws));
    const arb: fc.Arbitrary<WireCase> = fc.oneof(
      // a genuine callback under a content type that is not JSON
      fc
        .record({
          ct: notJsonType,
          body: genuine,
          encode: fc.boolean(),
          chunked: fc.boolean(),
        })
        .map(
          ({ ct, body, encode, chunked }): WireCase => ({
            what: [`genuine as ${ct ?? 'no content type'}`],
            headers: ct ? { 'content-type': ct } : {},
            body: encode ? encodeFor(ct, body) : body,
            chunked,
            expect: [400, 413, 415],
          }),
        ),
      // a forgery under a content type that a lenient server might read as JSON
      fc.record({ ct: fc.constantFrom(...ODD_TYPES), c: forged }).map(
        ({ ct, c }): WireCase => ({
          what: [`forged as ${ct}`, ...c.what],
          headers: { 'content-type': ct },
          body: c.body,
          expect: [400, 401, 413, 415],
        }),
      ),
      // a genuine callback's JSON text broken
      {
        weight: 2,
        arbitrary: genuine
          .chain((text) => malform(text, false))
          .map((m): WireCase => ({ what: [m.how], headers: json, body: m.body })),
      },
      // a forgery's text broken, invalid UTF-8 and random bytes included
      forged
        .filter((c) => c.body.startsWith('{') && c.body.endsWith('}'))
        .chain((c) => malform(c.body, true))
        .map((m): WireCase => ({ what: [m.how], headers: json, body: m.body })),
      // empty and blank
      fc
        .record({ body: emptyBody, ct: fc.constantFrom<string | undefined>('application/json', undefined) })
        .map(
          ({ body, ct }): WireCase => ({
            what: [`${JSON.stringify(body)} as ${ct ?? 'no content type'}`],
            headers: ct ? { 'content-type': ct } : {},
            ...(body !== undefined ? { body } : {}),
            expect: [400, 415],
          }),
        ),
      // JSON that is not an object: a genuine callback in an array or a string, or any other value
      fc
        .oneof(
          fc.tuple(wellFormed(true), whitespace).map(([o, ws]) => `[${signed(o, ws)}]`),
          genuine.map((text) => JSON.stringify(text)),
          nonObject.map((n) => serialize(n)),
        )
        .map((body): WireCase => ({ what: ['not an object'], headers: json, body })),
      // up to and beyond the limit: a genuine callback whose reason is far over 2,000 characters
      fc
        .record({
          base: bareFinal,
          unit: fc.constantFrom(...PAD_UNITS),
          size: sizeAround(limit),
          chunked: fc.boolean(),
          ws: whitespace,
        })
        .map(({ base, unit, size, chunked, ws }): WireCase => {
          const body = padToBytes((pad) => signed(setField(base, 'reason', str(pad)), ws), size, unit);
          const reason = (JSON.parse(body) as { reason: string }).reason;
          if (reason.length <= 2000)
            throw new Error(`the padding is too short to be invalid: ${reason.length}`);
          return {
            what: [`${Buffer.byteLength(body)} bytes of ${JSON.stringify(unit)}`],
            headers: json,
            body,
            chunked,
            signed: true,
          };
        }),
    );
    const ran = await runFuzz({ seed: WIRE_SEED, runs: WIRE_RUNS, arb, check });
    expect(ran).toBe(WIRE_RUNS);
    expect(await snapshot()).toBe(before);
    expect(sys.sandbox.received()).toHaveLength(ids.length);
  }, 110_000);
});
