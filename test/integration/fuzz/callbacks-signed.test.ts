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
import { startCallbackTarget } from './system-checks.js';
import { prototypeClean } from './values.js';

/**
 * 3,000 callbacks signed with the system's salt (so they pass the signature check) whose content breaks
 * the callback schema: missing, mistyped or out-of-range status and type, bad external_id, order_id,
 * reason_code and reason, with odd Unicode, duplicate and prototype-polluting keys around them. Each must
 * be refused with 400 and leave every payout record exactly as it was.
 */

const SEED = seedFor(11);
const RUNS = 3_000;

let target: Awaited<ReturnType<typeof startCallbackTarget>>;
let sys: TestSystem;
let client: Client;
let ids: string[];
let snapshot: () => Promise<string>;
let before: string;

beforeAll(async () => {
  target = await startCallbackTarget();
  ({ sys, client, ids, snapshot, before } = target);
});
afterAll(async () => {
  await target?.close();
});

describe('fuzz POST /v1/callbacks/gateway: signed garbage', () => {
  test(`the generator signs correctly, so the schema is what is fuzzed (in-process, seed ${SEED})`, () => {
    const { signedGarbage } = callbackCases(ids, sys.config.gateway.salt);
    let objects = 0;
    for (const c of sampleLanes({ seed: SEED, runs: RUNS, arb: signedGarbage })) {
      const parsed = parseAsServer(c.body, Number.POSITIVE_INFINITY);
      if (parsed.kind !== 'value' || !isJsonObject(parsed.value)) continue;
      objects++;
      expect(verify(parsed.value, sys.config.gateway.salt), c.body.slice(0, 500)).toBe(true);
    }
    expect(objects).toBeGreaterThan(RUNS * 0.7);
  });

  test(`correctly signed callbacks that break the schema get 400 and change nothing (${label(SEED, RUNS)})`, async () => {
    const { signedGarbage } = callbackCases(ids, sys.config.gateway.salt);
    const limit = sys.config.api.bodyLimitBytes;
    const ran = await runFuzz({
      seed: SEED,
      runs: RUNS,
      arb: signedGarbage,
      check: async (c) => {
        const req: Sent = {
          path: '/v1/callbacks/gateway',
          headers: { 'content-type': 'application/json' },
          body: c.body,
        };
        const res = await client.send(req);
        const parsed = parseAsServer(c.body, limit);
        const error = expectRefusal(req, res, [callbackStatusFor(parsed, true)]);
        if (parsed.kind === 'value' && (error.code !== 'invalid_callback' || error.issues === undefined)) {
          throw new FuzzFailure(
            `expected invalid_callback with issues, got ${res.text.slice(0, 500)} (${c.what.join(', ')})`,
          );
        }
        if ((await snapshot()) !== before) {
          throw new FuzzFailure(
            `a payout record changed after a refused callback (${c.what.join(', ')}): ${c.body.slice(0, 500)}`,
          );
        }
        if (!prototypeClean()) throw new FuzzFailure(`Object.prototype was polluted (${c.what.join(', ')})`);
      },
    });
    expect(ran).toBe(RUNS);
    expect(await snapshot()).toBe(before);
    expect(sys.sandbox.received()).toHaveLength(ids.length);
  }, 110_000);
});
