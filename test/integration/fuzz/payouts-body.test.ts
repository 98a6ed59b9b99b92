import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { validatePayoutRequest } from '../../../src/methods/index.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { type Client, createClient, type Sent } from './fuzz-client.js';
import {
  expectRefusal,
  FuzzFailure,
  label,
  type Parsed,
  parseAsServer,
  runFuzz,
  sampleLanes,
  seedFor,
} from './fuzz-kit.js';
import { invalidPayout, validPayout } from './payout-cases.js';
import { storedPayoutKeys } from './system-checks.js';
import { prototypeClean } from './values.js';

/**
 * 3,000 payout bodies over real HTTP, each breaking at least one rule of the contract: wrong types,
 * missing and unknown fields, odd Unicode, huge strings, duplicate and prototype-polluting keys, numbers
 * like 1e309 and -0. Every one must be refused with the error shape and nothing may reach the gateway.
 */

const SEED = seedFor(1);
const RUNS = 3_000;

let sys: TestSystem;
let client: Client;

beforeAll(async () => {
  sys = await startTestSystem();
  client = createClient(sys.api);
});
afterAll(async () => {
  client?.close();
  await sys?.close();
});

/** 413 above the limit, 400 for what the JSON parser refuses, 422 for any JSON value. */
const statusFor = (parsed: Parsed) => ({ too_large: 413, bad_json: 400, value: 422 })[parsed.kind];

describe('fuzz POST /v1/payouts: invalid bodies', () => {
  test(`the generator starts from valid payouts and makes only invalid ones (in-process, seed ${SEED})`, () => {
    for (const base of fc.sample(validPayout, { seed: SEED, numRuns: 500 })) {
      const result = validatePayoutRequest(base.value);
      expect(result.ok ? [] : result.issues, `${base.method} ${JSON.stringify(base.value)}`).toEqual([]);
    }
    let values = 0;
    for (const c of sampleLanes({ seed: SEED, runs: RUNS, arb: invalidPayout })) {
      const parsed = parseAsServer(c.body, Number.POSITIVE_INFINITY);
      if (parsed.kind !== 'value') continue;
      values++;
      expect(validatePayoutRequest(parsed.value).ok, `${c.what.join(', ')}: ${c.body.slice(0, 500)}`).toBe(
        false,
      );
    }
    // Most cases must get past the JSON parser, or the validator is not what is being fuzzed.
    expect(values).toBeGreaterThan(RUNS * 0.7);
  });

  test(`bodies breaking at least one rule are refused and none reaches the gateway (${label(SEED, RUNS)})`, async () => {
    const limit = sys.config.api.bodyLimitBytes;
    const ran = await runFuzz({
      seed: SEED,
      runs: RUNS,
      arb: invalidPayout,
      check: async (c) => {
        const req: Sent = {
          path: '/v1/payouts',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${sys.apiKey}` },
          body: c.body,
        };
        const res = await client.send(req);
        expectRefusal(req, res, [statusFor(parseAsServer(c.body, limit))]);
        const received = sys.sandbox.received();
        if (received.length > 0) {
          throw new FuzzFailure(
            `the gateway received ${received.length} payout(s), the first: ${JSON.stringify(received[0]).slice(0, 2000)}`,
          );
        }
        if (!prototypeClean()) throw new FuzzFailure(`Object.prototype was polluted (${c.what.join(', ')})`);
      },
    });
    expect(ran).toBe(RUNS);
    expect(sys.sandbox.received()).toEqual([]);
    expect(await storedPayoutKeys(sys)).toEqual([]);
  }, 110_000);
});
