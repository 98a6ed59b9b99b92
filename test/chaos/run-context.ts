import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ChaosCleanup, type LogLine } from './processes.js';
import { seededRandom } from './scenarios.js';
import { generateRunSecrets, type RunSecrets, SecretScanner } from './secrets.js';
import type { ChaosEvent, ChaosOptions, ChaosReport } from './types.js';

/**
 * What every phase of a chaos run shares: its options with their defaults, its identity and secrets,
 * its clock (milliseconds since the first POST), its events and log lines, and the cleanup registry.
 */

/** The repository's root: where the processes run, and where a relative report path starts. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** The run's options with their defaults (ChaosOptions documents each); the report shows them as they are. */
export function resolveOptions(options: ChaosOptions, n: number) {
  return {
    submitConcurrency: options.submitConcurrency ?? 12,
    submitRatePerSecond: options.submitRatePerSecond ?? Math.min(80, Math.max(20, n / 30)),
    killEveryMs: options.killEveryMs ?? 3_000,
    minChaosMs: options.minChaosMs ?? 8_000,
    redisRestart: options.redisRestart ?? true,
    redisFault: options.redisFault ?? 'kill',
    redisDownMs: options.redisDownMs ?? 1_500,
    drainTimeoutMs: options.drainTimeoutMs ?? 120_000,
    settleMs: options.settleMs ?? 3_000,
    notifyRefuseShare: options.notifyRefuseShare ?? 0.03,
    workerConcurrency: options.workerConcurrency ?? 50,
    logLevel: options.logLevel ?? 'info',
    securityScan: options.securityScan ?? true,
    controls: options.controls ?? true,
    approvalShare: options.approvalShare ?? 0.12,
    approvalTimeoutMs: options.approvalTimeoutMs ?? 8_000,
  };
}

export type ResolvedOptions = ReturnType<typeof resolveOptions>;

export interface ChaosRun {
  options: ChaosOptions;
  opt: ResolvedOptions;
  /** Payouts planned. */
  n: number;
  startedAt: number;
  cleanup: ChaosCleanup;
  progress: (line: string) => void;
  seed: number;
  random: () => number;
  runId: string;
  queuePrefix: string;
  secrets: RunSecrets;
  scanner: SecretScanner;
  /** Every log line of every process and of the sandbox. */
  lines: LogLine[];
  events: ChaosEvent[];
  unexpectedExits: ChaosReport['chaos']['unexpectedExits'];
  /** The first POST (epoch ms); 0 before it. */
  t0: number;
  /** The private Redis servers' data folders. */
  redisDirs: string[];
  /** Whether the cleanup leaves the data folders (the AOF) for a post-mortem: unless the run held. */
  keepRedisDirs: boolean;
  /** Milliseconds since the first POST; before the first POST, minus the time since the run started. */
  at(): number;
  event(what: string): void;
}

export function createRun(options: ChaosOptions): ChaosRun {
  const startedAt = Date.now();
  const progress = options.progress ?? (() => {});
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const n = options.payouts;
  const runId = randomBytes(4).toString('hex');
  const secrets = generateRunSecrets();
  const run: ChaosRun = {
    options,
    opt: resolveOptions(options, n),
    n,
    startedAt,
    cleanup: options.cleanup ?? new ChaosCleanup(),
    progress,
    seed,
    random: seededRandom(seed),
    runId,
    queuePrefix: `chaos-${runId}`,
    secrets,
    scanner: new SecretScanner(secrets),
    lines: [],
    events: [],
    unexpectedExits: [],
    t0: 0,
    redisDirs: [],
    keepRedisDirs: true,
    at: () => (run.t0 === 0 ? -(Date.now() - startedAt) : Date.now() - run.t0),
    event: (what) => {
      run.events.push({ atMs: run.at(), what });
      progress(`[chaos ${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${what}`);
    },
  };
  return run;
}
