import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { type Client, createClient, type Sent } from './fuzz-client.js';
import {
  expectRefusal,
  FuzzFailure,
  label,
  type Parsed,
  parseAsServer,
  runFuzz,
  seedFor,
} from './fuzz-kit.js';
import { deep, fromValue, type Node, objectOf, raw, serialize, setField } from './json-model.js';
import { invalidPayout, validPayout, validPayoutText } from './payout-cases.js';
import { storedPayoutKeys } from './system-checks.js';
import { prototypeClean } from './values.js';
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
 * 2,000 requests to POST /v1/payouts that are wrong below or beside the JSON value: content types,
 * malformed JSON, empty bodies, bodies up to and beyond BODY_LIMIT_BYTES, nesting 10,000 levels deep,
 * and valid payouts with a missing or wrong API key. Refused with the error shape, none at the gateway.
 */

let sys: TestSystem;
let client: Client;
let limit: number;

beforeAll(async () => {
  sys = await startTestSystem();
  client = createClient(sys.api);
  limit = sys.config.api.bodyLimitBytes;
});
afterAll(async () => {
  client?.close();
  await sys?.close();
});

interface WireCase {
  what: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  chunked?: boolean;
  /** Statuses allowed; `undefined`: what the JSON parser makes of the body decides (413, 400 or 422). */
  expect?: number[];
}

const statusFor = (parsed: Parsed) => ({ too_large: 413, bad_json: 400, value: 422 })[parsed.kind];
const auth = () => ({ authorization: `Bearer ${sys.apiKey}` });
const json = () => ({ ...auth(), 'content-type': 'application/json' });

async function send(c: WireCase): Promise<void> {
  const req: Sent = {
    path: '/v1/payouts',
    headers: c.headers,
    ...(c.body !== undefined ? { body: c.body } : {}),
    ...(c.chunked ? { chunked: true } : {}),
  };
  const res = await client.send(req);
  const error = expectRefusal(req, res, c.expect ?? [statusFor(parseAsServer(c.body, limit))]);
  if (res.status === 401 && error.code !== 'unauthorized')
    throw new FuzzFailure(`401 with code ${error.code}`);
  const received = sys.sandbox.received();
  if (received.length > 0) {
    throw new FuzzFailure(
      `the gateway received a payout (${c.what}): ${JSON.stringify(received[0]).slice(0, 1000)}`,
    );
  }
  if (!prototypeClean()) throw new FuzzFailure(`Object.prototype was polluted (${c.what})`);
}

/** A body: a valid payout or one that breaks a rule; the valid ones must be stopped by something else. */
const anyPayoutText = fc.oneof(
  validPayoutText.map((body) => ({ valid: true, body })),
  invalidPayout.map((c) => ({ valid: false, body: c.body })),
);

const property = async (n: number, runs: number, arb: fc.Arbitrary<WireCase>) => {
  const ran = await runFuzz({ seed: seedFor(n), runs, arb, check: send });
  expect(ran).toBe(runs);
};

describe('fuzz POST /v1/payouts: the wire', () => {
  const CT_RUNS = 400;
  test(
    `wrong content types, valid payouts included, are refused (${label(seedFor(2), CT_RUNS)})`,
    () =>
      property(
        2,
        CT_RUNS,
        fc.oneof(
          fc
            .record({
              ct: notJsonType,
              payout: anyPayoutText,
              encode: fc.boolean(),
              chunked: fc.boolean(),
            })
            .map(({ ct, payout, encode, chunked }) => ({
              what: `${ct ?? 'no content type'}, ${payout.valid ? 'valid' : 'invalid'} payout`,
              headers: { ...auth(), ...(ct ? { 'content-type': ct } : {}) },
              body: encode ? encodeFor(ct, payout.body) : payout.body,
              chunked,
              expect: [413, 415, 422],
            })),
          fc.record({ ct: fc.constantFrom(...ODD_TYPES), payout: invalidPayout }).map(({ ct, payout }) => ({
            what: `${ct}, invalid payout`,
            headers: { ...auth(), 'content-type': ct },
            body: payout.body,
            expect: [400, 413, 415, 422],
          })),
        ),
      ),
    110_000,
  );

  const MALFORMED_RUNS = 500;
  test(
    `malformed JSON is refused with 400 (${label(seedFor(3), MALFORMED_RUNS)})`,
    () =>
      property(
        3,
        MALFORMED_RUNS,
        fc
          .oneof(
            validPayoutText.chain((text) => malform(text, false)),
            invalidPayout
              .filter((c) => c.body.startsWith('{') && c.body.endsWith('}'))
              .chain((c) => malform(c.body, true)),
          )
          .chain((m) =>
            fc.boolean().map((chunked) => ({ what: m.how, headers: json(), body: m.body, chunked })),
          ),
      ),
    110_000,
  );

  const EMPTY_RUNS = 100;
  test(
    `empty and blank bodies are refused (${label(seedFor(4), EMPTY_RUNS)})`,
    () =>
      property(
        4,
        EMPTY_RUNS,
        fc
          .record({ body: emptyBody, ct: fc.constantFrom<string | undefined>('application/json', undefined) })
          .map(({ body, ct }) => ({
            what: `${JSON.stringify(body)} as ${ct ?? 'no content type'}`,
            headers: { ...auth(), ...(ct ? { 'content-type': ct } : {}) },
            ...(body !== undefined ? { body } : {}),
            expect: [400, 415, 422],
          })),
      ),
    110_000,
  );

  const HUGE_RUNS = 300;
  test(
    `bodies up to and beyond the limit: 413 exactly when larger (${label(seedFor(5), HUGE_RUNS)})`,
    () =>
      property(
        5,
        HUGE_RUNS,
        fc
          .record({
            base: validPayout,
            field: fc.constantFrom('payment_system', 'external_id', 'note', 'first_name', 'unterminated'),
            unit: fc.constantFrom(...PAD_UNITS),
            size: sizeAround(limit),
            chunked: fc.boolean(),
          })
          .map(({ base, field, unit, size, chunked }) => {
            const build = (pad: string) => {
              if (field === 'unterminated') return `{"payment_system":"${pad}`;
              if (field === 'first_name') {
                const customer = { ...(base.value.customer as object), first_name: pad };
                return JSON.stringify({ ...base.value, customer });
              }
              return JSON.stringify({ ...base.value, [field]: pad });
            };
            const body = padToBytes(build, size, unit);
            return {
              what: `${Buffer.byteLength(body)} bytes of ${JSON.stringify(unit)} in ${field}`,
              headers: json(),
              body,
              chunked,
            };
          }),
      ),
    110_000,
  );

  const DEEP_RUNS = 300;
  test(
    `nesting up to 12,000 levels deep is refused (${label(seedFor(6), DEEP_RUNS)})`,
    () =>
      property(
        6,
        DEEP_RUNS,
        fc
          .record({
            base: validPayout,
            depth: fc.oneof(fc.integer({ min: 1, max: 12_000 }), fc.constantFrom(10_000, 9_000, 5_000)),
            shape: fc.constantFrom<'arr' | 'obj'>('arr', 'obj'),
            at: fc.constantFrom('root', 'customer', 'payment_data', 'amount', 'method', 'deep'),
          })
          .map(({ base, depth, shape, at }) => {
            const nest = deep(depth, shape, at === 'root' ? fromValue(base.value) : raw('1'));
            const body: Node = at === 'root' ? nest : setField(objectOf(base.value), at, nest);
            return { what: `depth ${depth} ${shape} at ${at}`, headers: json(), body: serialize(body) };
          }),
      ),
    110_000,
  );

  const AUTH_RUNS = 400;
  test(
    `a valid payout without a valid API key gets 401 (${label(seedFor(7), AUTH_RUNS)})`,
    () =>
      property(
        7,
        AUTH_RUNS,
        fc
          .record({
            body: validPayoutText,
            header: fc.oneof(
              fc.constantFrom<string | undefined>(undefined, '', 'Bearer', 'Bearer ', 'Basic', 'null'),
              fc.constantFrom(
                'suffix',
                'prefix',
                'truncated',
                'upper',
                'twice',
                'comma',
                'basic',
                'token',
                'bare',
                'colon',
                'glued',
                'quoted',
              ),
              fc
                .stringMatching(/^[A-Za-z0-9._~+/=-]{1,64}$/)
                .filter((k) => k !== sys.apiKey)
                .map((k) => `random:${k}`),
            ),
          })
          .map(({ body, header }) => {
            const key = sys.apiKey;
            const values: Record<string, string> = {
              suffix: `Bearer ${key}x`,
              prefix: `Bearer x${key}`,
              truncated: `Bearer ${key.slice(0, -1)}`,
              upper: `Bearer ${key.toUpperCase()}`,
              twice: `Bearer ${key} ${key}`,
              comma: `Bearer ${key},${key}`,
              basic: `Basic ${Buffer.from(`ops:${key}`).toString('base64')}`,
              token: `Token ${key}`,
              bare: key,
              colon: `Bearer:${key}`,
              glued: `Bearer${key}`,
              quoted: `Bearer "${key}"`,
            };
            const value =
              header === undefined
                ? undefined
                : header.startsWith('random:')
                  ? `Bearer ${header.slice(7)}`
                  : (values[header] ?? header);
            return {
              what: `authorization ${header === undefined ? 'absent' : header}`,
              headers: {
                'content-type': 'application/json',
                ...(value !== undefined ? { authorization: value } : {}),
              },
              body,
              expect: [401],
            };
          }),
      ),
    110_000,
  );

  test('nothing was stored', async () => {
    expect(sys.sandbox.received()).toEqual([]);
    expect(await storedPayoutKeys(sys)).toEqual([]);
  });
});
