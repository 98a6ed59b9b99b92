import type { FinalStatus } from '../gateway/outcome.js';

/**
 * Outcomes on demand. A customer_id may end in directives, each introduced by `+`:
 * `player-7+decline`, `p+503x2+slow=3000`. Tokens the grammar does not know are ignored, so a real
 * customer id that happens to contain `+` still works. docs/sandbox.md has the table.
 */

/** How the order ends. */
export type FinalResult =
  | { status: 4 }
  | { status: Exclude<FinalStatus, 4>; reason_code: string; reason: string };

export interface Scenario {
  final: FinalResult;
  /**
   * What the HTTP answer says: `pending` status 1 (final by callback later), `instant` the final status
   * itself, `unknown` status 7 (final by callback later).
   */
  answer: 'pending' | 'instant' | 'unknown';
  /** Real milliseconds until a pending order settles; `undefined`: the sandbox's scaled default. */
  settleDelayMs: number | undefined;
  /** The first `count` create requests for the external_id are refused with this status. */
  refuseFirst: { httpStatus: 429 | 503; count: number } | undefined;
  /** The Retry-After (seconds) sent with those refusals. */
  retryAfterSeconds: number;
  /** What happens to the HTTP answer of the request that created the order. */
  afterCreate: 'answer' | '500' | 'drop';
  /** Real milliseconds to wait, after creating the order, before answering. */
  slowMs: number;
  /**
   * A repeated request for the external_id creates another order instead of replaying the first: a
   * gateway that does not deduplicate external_id, which pays twice.
   */
  newOrderOnRepeat: boolean;
  callbacks: {
    /** The final callback's first attempt is made before the HTTP answer is sent. */
    early: boolean;
    /** Once acknowledged, the final callback is delivered a second time. */
    duplicate: boolean;
    /** Once the final callback is acknowledged, a stale PROCESSING (3) callback follows it. */
    stale: boolean;
    /** No callback at all: only the status endpoint tells the final status. */
    withheld: boolean;
  };
}

/** Reasons the sandbox gives, by reason_code; `decline=NNN` picks one (others get a generic text). */
export const DECLINE_REASONS: Readonly<Record<string, string>> = {
  '005': 'Do not honour',
  '051': 'Insufficient funds',
  '054': 'Expired card',
  '057': 'Transaction not permitted to cardholder',
  '061': 'Exceeds withdrawal amount limit',
};
export const DEFAULT_DECLINE_CODE = '051';
export const ERROR_REASON = { reason_code: '096', reason: 'System malfunction' } as const;

/** Upper bounds that keep a marker from parking a request or a timer for hours. */
const MAX_MARKER_DELAY_MS = 10 * 60_000;
const MAX_REFUSALS = 100;

export function defaultScenario(): Scenario {
  return {
    final: { status: 4 },
    answer: 'pending',
    settleDelayMs: undefined,
    refuseFirst: undefined,
    retryAfterSeconds: 1,
    afterCreate: 'answer',
    slowMs: 0,
    newOrderOnRepeat: false,
    callbacks: { early: false, duplicate: false, stale: false, withheld: false },
  };
}

const bounded = (text: string, max: number) => Math.min(Number(text), max);

/** Each directive: its pattern (the whole token, lower case) and what it changes. */
const DIRECTIVES: readonly [RegExp, (scenario: Scenario, m: RegExpExecArray) => void][] = [
  [
    /^success$/,
    (s) => {
      s.final = { status: 4 };
    },
  ],
  [
    /^decline(?:=(\d{3}))?$/,
    (s, m) => {
      const code = m[1] ?? DEFAULT_DECLINE_CODE;
      s.final = { status: 5, reason_code: code, reason: DECLINE_REASONS[code] ?? 'Declined by the issuer' };
    },
  ],
  [
    /^error$/,
    (s) => {
      s.final = { status: 6, ...ERROR_REASON };
    },
  ],
  // `unknown` wins over `instant`: the answer can only carry one status.
  [
    /^instant$/,
    (s) => {
      s.answer = s.answer === 'unknown' ? 'unknown' : 'instant';
    },
  ],
  [
    /^unknown$/,
    (s) => {
      s.answer = 'unknown';
    },
  ],
  [
    /^delay=(\d{1,9})$/,
    (s, m) => {
      s.settleDelayMs = bounded(m[1]!, MAX_MARKER_DELAY_MS);
    },
  ],
  [
    /^(429|503)x(\d{1,3})$/,
    (s, m) => {
      s.refuseFirst = { httpStatus: m[1] === '429' ? 429 : 503, count: bounded(m[2]!, MAX_REFUSALS) };
    },
  ],
  [
    /^retry-after=(\d{1,6})$/,
    (s, m) => {
      s.retryAfterSeconds = Number(m[1]);
    },
  ],
  [
    /^500$/,
    (s) => {
      s.afterCreate = '500';
    },
  ],
  [
    /^drop$/,
    (s) => {
      s.afterCreate = 'drop';
    },
  ],
  [
    /^slow=(\d{1,9})$/,
    (s, m) => {
      s.slowMs = bounded(m[1]!, MAX_MARKER_DELAY_MS);
    },
  ],
  [
    /^new-order$/,
    (s) => {
      s.newOrderOnRepeat = true;
    },
  ],
  [
    /^early-callback$/,
    (s) => {
      s.callbacks.early = true;
    },
  ],
  [
    /^dup-callback$/,
    (s) => {
      s.callbacks.duplicate = true;
    },
  ],
  [
    /^stale-callback$/,
    (s) => {
      s.callbacks.stale = true;
    },
  ],
  [
    /^no-callback$/,
    (s) => {
      s.callbacks.withheld = true;
    },
  ],
];

/** Reads the directives in a customer_id, left to right; unknown tokens are ignored. */
export function parseScenario(customerId: string): Scenario {
  const scenario = defaultScenario();
  for (const raw of customerId.split('+').slice(1)) {
    const token = raw.trim().toLowerCase();
    for (const [pattern, apply] of DIRECTIVES) {
      const m = pattern.exec(token);
      if (m) {
        apply(scenario, m);
        break;
      }
    }
  }
  return scenario;
}
