import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type BreakerSettings, createBreakers } from '../../../src/controls/breakers.js';
import { createLogger } from '../../../src/logger.js';
import { validatePayoutRequest } from '../../../src/methods/index.js';
import type { BreakerSignal } from '../../../src/worker/decide.js';
import { deletePrefix, testRedis, testStore, uniquePrefix } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';

/**
 * The circuit breaker's rules, step by step on the real Redis: attempts are counted by the breaker,
 * and claims (the one claim script) are refused or let through as the probe. Time is given per step.
 */

const redis = testRedis();
const logger = createLogger({ level: 'silent' });
const prefixes: string[] = [];
const SETTINGS: BreakerSettings = { threshold: 3, windowMs: 10_000, cooldownMs: 5_000 };

afterAll(async () => {
  for (const p of prefixes) await deletePrefix(redis, p);
  redis.disconnect();
});

type Step =
  /** An attempt's signal at time t (ms). */
  | ['attempt', BreakerSignal, number]
  /** A fresh payout of the system is claimed at time t: what the claim answers. */
  | ['claim', number, 'sent' | 'probe' | 'breaker_open' | 'breaker_half_open'];

const PS = 'BREAKER_PS';

const cases: [string, Step[], { state: string; failures: number }, BreakerSettings?][] = [
  [
    'two attempts without an answer: still closed, payouts are sent',
    [
      ['attempt', 'no_answer', 0],
      ['attempt', 'no_answer', 1],
      ['claim', 2, 'sent'],
    ],
    { state: 'closed', failures: 2 },
  ],
  [
    'three in a row open it: a claim is refused until the cool-down ends',
    [
      ['attempt', 'no_answer', 0],
      ['attempt', 'no_answer', 1],
      ['attempt', 'no_answer', 2],
      ['claim', 100, 'breaker_open'],
      ['claim', 5_001, 'breaker_open'],
    ],
    { state: 'open', failures: 3 },
  ],
  [
    'an answer in between starts the run again',
    [
      ['attempt', 'no_answer', 0],
      ['attempt', 'no_answer', 1],
      ['attempt', 'answered', 2],
      ['attempt', 'no_answer', 3],
      ['attempt', 'no_answer', 4],
      ['claim', 5, 'sent'],
    ],
    { state: 'closed', failures: 2 },
  ],
  [
    'failures spread wider than the window do not open it',
    [
      ['attempt', 'no_answer', 0],
      ['attempt', 'no_answer', 6_000],
      ['attempt', 'no_answer', 12_000],
      ['claim', 12_001, 'sent'],
    ],
    { state: 'closed', failures: 1 },
  ],
  [
    'after the cool-down one claim probes while the others wait',
    [
      ['attempt', 'no_answer', 0],
      ['attempt', 'no_answer', 1],
      ['attempt', 'no_answer', 2],
      ['claim', 5_002, 'probe'],
      ['claim', 5_003, 'breaker_half_open'],
    ],
    { state: 'half_open', failures: 3 },
  ],
  [
    'the probe answered: closed, and payouts are sent again',
    [
      ['attempt', 'no_answer', 0],
      ['attempt', 'no_answer', 1],
      ['attempt', 'no_answer', 2],
      ['claim', 5_002, 'probe'],
      ['attempt', 'answered', 5_010],
      ['claim', 5_011, 'sent'],
    ],
    { state: 'closed', failures: 0 },
  ],
  [
    'the probe reached no answer: open for another cool-down',
    [
      ['attempt', 'no_answer', 0],
      ['attempt', 'no_answer', 1],
      ['attempt', 'no_answer', 2],
      ['claim', 5_002, 'probe'],
      ['attempt', 'no_answer', 5_010],
      ['claim', 6_000, 'breaker_open'],
      ['claim', 10_010, 'probe'],
    ],
    { state: 'half_open', failures: 4 },
  ],
  [
    'a probe whose answer never came: after its turn (one cool-down) another payout probes',
    [
      ['attempt', 'no_answer', 0],
      ['attempt', 'no_answer', 1],
      ['attempt', 'no_answer', 2],
      ['claim', 5_002, 'probe'],
      ['claim', 10_001, 'breaker_half_open'],
      ['claim', 10_002, 'probe'],
    ],
    { state: 'half_open', failures: 3 },
  ],
  [
    'an answer to a request already in flight when it opened closes it',
    [
      ['attempt', 'no_answer', 0],
      ['attempt', 'no_answer', 1],
      ['attempt', 'no_answer', 2],
      ['attempt', 'answered', 3],
      ['claim', 4, 'sent'],
    ],
    { state: 'closed', failures: 0 },
  ],
  [
    'threshold 0 turns the breakers off',
    [
      ['attempt', 'no_answer', 0],
      ['attempt', 'no_answer', 1],
      ['attempt', 'no_answer', 2],
      ['attempt', 'no_answer', 3],
      ['claim', 4, 'sent'],
    ],
    { state: 'closed', failures: 0 },
    { ...SETTINGS, threshold: 0 },
  ],
];

describe('circuit breaker', () => {
  let base = 0;
  beforeAll(() => {
    base = Date.now();
  });

  test.each(cases)('%s', async (_name, steps, expected, settings = SETTINGS) => {
    const prefix = uniquePrefix('breaker');
    prefixes.push(prefix);
    let now = base;
    const clock = () => now;
    const store = testStore(redis, prefix, logger, { now: clock });
    const breakers = createBreakers({
      redis,
      queuePrefix: prefix,
      settings,
      logger,
      notify: false,
      now: clock,
    });
    for (const step of steps) {
      if (step[0] === 'attempt') {
        now = base + step[2];
        await breakers.attempted(PS, step[1], 'po-x');
        continue;
      }
      now = base + step[1];
      const valid = validatePayoutRequest(cardPayout({ payment_system: PS }));
      if (!valid.ok) throw new Error('invalid fixture');
      await store.create({ method: valid.method, request: valid.request, masked: {} });
      const claim = await store.claim(valid.request.external_id, now);
      const answer = claim.ok ? (claim.probe ? 'probe' : 'sent') : claim.hold?.kind;
      expect(answer, `claim at ${step[1]}`).toBe(step[2]);
      // A held payout is left as it was: queued, no attempt counted.
      if (!claim.ok) {
        expect(await store.get(valid.request.external_id)).toMatchObject({ status: 'queued', attempts: 0 });
      }
    }
    const view = await breakers.of(PS);
    expect({ state: view.state, failures: view.consecutive_failures }).toEqual(expected);
  });

  test("another payment_system's breaker is its own", async () => {
    const prefix = uniquePrefix('breaker');
    prefixes.push(prefix);
    const store = testStore(redis, prefix, logger);
    const breakers = createBreakers({
      redis,
      queuePrefix: prefix,
      settings: SETTINGS,
      logger,
      notify: false,
    });
    for (let i = 0; i < 3; i++) await breakers.attempted('DOWN_PS', 'no_answer', 'po-x');
    const valid = validatePayoutRequest(cardPayout({ payment_system: 'UP_PS' }));
    if (!valid.ok) throw new Error('invalid fixture');
    await store.create({ method: valid.method, request: valid.request, masked: {} });
    expect(await store.claim(valid.request.external_id, Date.now())).toMatchObject({ ok: true });
    expect((await breakers.list()).map((b) => [b.payment_system, b.state])).toEqual([['DOWN_PS', 'open']]);
  });
});
