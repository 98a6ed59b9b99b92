import type { Redis } from 'ioredis';
import type { ControlsReport } from './controls-accounting.js';
import type { PauseWindowPlan } from './pause-windows.js';
import type { ChaosCleanup } from './processes.js';
import type { RedisFault } from './redis-topology.js';
import type { SecretHit } from './secrets.js';
import type { DoorCheck, RedisScanResult } from './security-scan.js';

/** What a chaos run is asked to do (`runChaos`) and what it reports. */

export interface ChaosOptions {
  payouts: number;
  /** Plans the payouts (methods, scenarios, amounts) and the kill timing. @defaultValue random */
  seed?: number;
  /** POSTs in flight at once. @defaultValue 12 */
  submitConcurrency?: number;
  /** POSTs per second. @defaultValue payouts/30, between 20 and 80 */
  submitRatePerSecond?: number;
  /** A worker is SIGKILLed (and restarted) about this often while payouts are submitted; 0: never. @defaultValue 3000 */
  killEveryMs?: number;
  /** The chaos (kills) lasts at least this long, even if submitting is faster. @defaultValue 8000 */
  minChaosMs?: number;
  /** Disrupt Redis once, when half the payouts are accepted. @defaultValue true */
  redisRestart?: boolean;
  /**
   * How: `kill` (SIGKILL, restarted from its AOF, under REDIS_DURABILITY=fsync) or `fail-over` (the
   * primary SIGKILLed, its replica promoted, under replicas:1). @defaultValue 'kill'
   */
  redisFault?: RedisFault;
  /** How long Redis stays down. @defaultValue 1500 */
  redisDownMs?: number;
  /** Give up waiting for the drain after this long past the last POST. @defaultValue 120000 */
  drainTimeoutMs?: number;
  /** Drained = nothing pending and nothing changed for this long. @defaultValue 3000 */
  settleMs?: number;
  /** Share of notifications whose first delivery the receiver refuses (503). @defaultValue 0.03 */
  notifyRefuseShare?: number;
  workerConcurrency?: number;
  logLevel?: 'info' | 'debug' | 'trace';
  /** Scan Redis, logs, answers and doors for secrets after the run. @defaultValue true */
  securityScan?: boolean;
  /** Relative to the repository root unless absolute. @defaultValue test-output/chaos-report.json */
  reportPath?: string;
  /**
   * Every log line of every process and the sandbox, one JSON object a line, written after the scan
   * found them clean (or with the hits redacted). @defaultValue the report's path with `.logs.ndjson`
   */
  logsPath?: string;
  /** Progress lines while it runs. */
  progress?: (line: string) => void;
  /** Settings added to (or overriding) the processes' environment, e.g. to check that a failure is caught. */
  extraEnv?: Record<string, string>;
  /**
   * Operator controls in the mix (issue 15): approval rules set through the admin API, a share of the
   * payouts held for approval (approved by one or two approvers, declined, left to expire), and pause
   * windows of a payment_system. @defaultValue true
   */
  controls?: boolean;
  /** Share of the payouts planned above an approval threshold. @defaultValue 0.12 */
  approvalShare?: number;
  /** APPROVAL_TIMEOUT_MS of the processes: the payouts left alone expire after it. @defaultValue 8000 */
  approvalTimeoutMs?: number;
  /** The pause windows. @defaultValue defaultPauseWindows (pause-windows.ts) */
  pauseWindows?: PauseWindowPlan[];
  /** Register everything the run starts here, so a test's afterAll can stop it if the run is abandoned. */
  cleanup?: ChaosCleanup;
  /**
   * Runs once the payouts are drained and read, while the processes still run: a further check on the
   * run (the ledger's, ledger-check.ts). `scan` looks for the run's secrets in a text (returns hits).
   */
  beforeStop?: (run: {
    redis: Redis;
    queuePrefix: string;
    scan: (source: string, text: string) => number;
  }) => Promise<void>;
}

export interface ChaosEvent {
  /** Milliseconds since the first POST (negative: before it). */
  atMs: number;
  what: string;
}

export interface ChaosReport {
  /** Every invariant held. */
  ok: boolean;
  /** The invariants that did not hold, one line each. */
  failures: string[];
  run: {
    id: string;
    seed: number;
    payouts: number;
    queuePrefix: string;
    /** The private Redis servers' data folders: removed when every invariant held, kept for a post-mortem otherwise. */
    redisDirs: string[];
    redisFault: RedisFault;
    /** Pause windows planned (0 without controls). */
    pauseWindows?: number;
    /** REDIS_DURABILITY of the processes. */
    durability: string;
    startedAt: string;
    methods: Record<string, number>;
    scenarios: Record<string, number>;
    options: Record<string, unknown>;
  };
  chaos: {
    workerKills: number;
    /** Times Redis was killed hard and came back (restarted, or its replica promoted). */
    redisRestarts: number;
    events: ChaosEvent[];
    /** The harness's own chaos tasks that failed (a worker or Redis it could not restart). */
    errors: string[];
    /** Processes that exited without the harness asking: a part that did not recover by itself. */
    unexpectedExits: { name: string; code: number | null; signal: string | null; atMs: number }[];
    shutdown: { name: string; code: number | null; signal: string | null; forced: boolean; ms: number }[];
  };
  submission: {
    submitted: number;
    accepted: number;
    notAccepted: { id: string; answers: number[] }[];
    /** POSTs answered 202 (created) / 200 (the same request again, e.g. a retry after a 503 that had stored it). */
    created202: number;
    repeated200: number;
    /**
     * Payouts whose POSTs were all refused (503 or no answer) until one answered 200 "the same request
     * again": an earlier refused POST had stored the payout after all (first 20, with the answers).
     */
    storedDespiteRefusal: { id: string; answers: number[]; answeredAt: string[]; createdAt: string | null }[];
    /** Payouts that needed more than one POST (503 or a network error on an earlier one). */
    retried: number;
    /** Every POST answer by HTTP status (0 = network error). */
    answers: Record<string, number>;
    deposits: Record<string, number>;
    cvvPayoutAnswers: number[];
  };
  results: {
    lost: number;
    lostIds: { id: string; why: string }[];
    sentTwice: number;
    sentTwiceIds: { id: string; created: number; answers: (number | string)[] }[];
    /** A payout whose later attempt carried another body than its first. */
    bodyChanged: number;
    byFinalState: Record<string, number>;
    needsReview: number;
    needsReviewReasons: Record<string, number>;
    /** Terminal state that contradicts what the gateway (sandbox) holds for the external_id. */
    wrongFinalState: number;
    wrongFinalStateIds: { id: string; state: string; gateway: string }[];
    /**
     * `worker_lost_mid_send` reviews whose holder answered after all (lost-holders.ts): a live
     * holder's send taken for lost (first 100).
     */
    liveHoldersTakenForLost: { id: string; reviewedAt: string | null; answeredAt: string | null }[];
    /** needs_review although the gateway has a final order for it: left for an operator. */
    needsReviewWithGatewayOrder: number;
    /** Payouts left in needs_review, with what the gateway holds for each (first 100). */
    needsReviewIds: { id: string; scenario: string; reason: string; gateway: string; requests: number }[];
    /** Payouts that passed through needs_review (by the reason they entered it), wherever they ended. */
    passedThroughReview: Record<string, number>;
    /** Payouts that waited in retry_scheduled at least once. */
    retried: number;
    byScenario: Record<string, Record<string, number>>;
    /** Terminal, but not the end its scenario asks for (the sandbox comparison above is the strict one). */
    unexpectedForScenario: { id: string; scenario: string; state: string }[];
    gatewayRequests: number;
    gatewayRefusals: { http429: number; http503: number };
    contradictions: number;
    /** Requests that must never reach the gateway (cvv payouts, unauthenticated POST) but did. */
    refusedReachedGateway: string[];
  };
  notifications: {
    terminalPayouts: number;
    notifiedWithTerminalEvent: number;
    missing: string[];
    deliveries: number;
    perTerminalPayout: { min: number; avg: number; max: number };
    badSignature: number;
    refusedOnPurpose: number;
    repeats: number;
    contradictionEvents: number;
    /** The longest the notification outbox (changes not yet turned into delivery jobs) grew, and when. */
    outboxMax: { length: number; atMs: number };
    /** From the terminal change (updated_at) to the receipt of its notification. */
    terminalDelayMs: { p50: number; p99: number; max: number; slowest: { id: string; ms: number }[] };
  };
  timing: {
    startupMs: number;
    submitMs: number;
    /** From the first POST until drained. */
    drainMs: number;
    drainAfterLastPostMs: number;
    drained: boolean;
    totalMs: number;
  };
  /** The operator controls' mix and invariants (controls-accounting.ts), when the run had them. */
  controls?: ControlsReport;
  logs: {
    lines: Record<string, number>;
    /** warn and error lines by message, most frequent first. */
    warnings: { level: string; msg: string; count: number }[];
  };
  security?: {
    hits: number;
    hitList: SecretHit[];
    scanned: Record<string, { items: number; chars: number }>;
    redis: RedisScanResult;
    doors: DoorCheck[];
    doorFailures: DoorCheck[];
    boardJobDetails: number;
    pagesScanned: number;
    metricsStatus: number;
    unauthenticatedPostCreatedNothing: boolean;
    errors: string[];
  };
}
