import { type account, countBy, warnings } from './accounting.js';
import type { ControlsReport } from './controls-accounting.js';
import type { Disruption } from './disruption.js';
import type { Drain } from './drain.js';
import type { OtherDoors } from './other-doors.js';
import type { PauseWindowPlan } from './pause-windows.js';
import type { stopGracefully } from './processes.js';
import type { PayoutViews } from './read-back.js';
import type { ChaosRun } from './run-context.js';
import type { PlannedPayout } from './scenarios.js';
import type { HttpScanResult, RedisScanResult } from './security-scan.js';
import type { Submission } from './submission.js';
import type { SystemUnderTest } from './system-under-test.js';
import type { ChaosReport } from './types.js';

/**
 * The chaos report (types.ts documents each field) put together from what each phase of the run
 * found; `ok` and `failures` are left for `evaluate` (accounting.ts).
 */

export interface RunOutcome {
  plan: PlannedPayout[];
  pauseWindows: PauseWindowPlan[];
  system: SystemUnderTest;
  disruption: Disruption;
  shutdown: Awaited<ReturnType<typeof stopGracefully>>[];
  doors: OtherDoors;
  submission: Submission;
  submitted: { lastPostAt: number; submitMs: number };
  views: PayoutViews;
  accounting: ReturnType<typeof account>;
  outboxMax: { length: number; atMs: number };
  drain: Drain;
  controls: ControlsReport | undefined;
  logLineCounts: Record<string, number>;
  http: HttpScanResult | undefined;
  redisScan: RedisScanResult | undefined;
}

export function assembleReport(run: ChaosRun, o: RunOutcome): ChaosReport {
  const now = Date.now();
  const { drainedAt, drained } = o.drain;
  return {
    ok: false,
    failures: [],
    run: runSection(run, o),
    chaos: {
      workerKills: o.disruption.workerKills,
      redisRestarts: o.disruption.redisRestarts,
      errors: o.disruption.errors,
      events: run.events,
      unexpectedExits: run.unexpectedExits,
      shutdown: o.shutdown.map((s) => ({ ...s, signal: s.signal ?? null })),
    },
    submission: submissionSection(o),
    results: o.accounting.results,
    notifications: {
      ...o.accounting.notifications,
      outboxMax: { length: o.outboxMax.length, atMs: o.outboxMax.atMs },
    },
    timing: {
      startupMs: o.system.startupMs,
      submitMs: o.submitted.submitMs,
      drainMs: drainedAt - run.t0,
      drainAfterLastPostMs: drainedAt - o.submitted.lastPostAt,
      drained,
      totalMs: now - run.startedAt,
    },
    ...(o.controls ? { controls: o.controls } : {}),
    logs: { lines: o.logLineCounts, warnings: warnings(run.lines) },
    ...securitySection(run, o),
  };
}

function runSection(run: ChaosRun, o: RunOutcome): ChaosReport['run'] {
  return {
    id: run.runId,
    seed: run.seed,
    payouts: run.n,
    queuePrefix: run.queuePrefix,
    redisDirs: run.redisDirs,
    redisFault: run.opt.redisFault,
    pauseWindows: o.pauseWindows.length,
    durability: o.system.env.REDIS_DURABILITY ?? 'acknowledged',
    startedAt: new Date(run.startedAt).toISOString(),
    methods: countBy(o.plan, (p) => p.method),
    scenarios: countBy(o.plan, (p) => p.scenario.name),
    options: { ...run.opt, pauseWindows: o.pauseWindows },
  };
}

function submissionSection(o: RunOutcome): ChaosReport['submission'] {
  const { results } = o.submission;
  return {
    submitted: results.size,
    accepted: o.submission.accepted,
    notAccepted: [...results.entries()]
      .filter(([, r]) => !r.accepted)
      .map(([id, r]) => ({ id, answers: r.answers }))
      .slice(0, 50),
    created202: [...results.values()].filter((r) => r.answers.at(-1) === 202).length,
    repeated200: [...results.values()].filter((r) => r.answers.at(-1) === 200).length,
    storedDespiteRefusal: [...results.entries()]
      .filter(([, r]) => r.answers.at(-1) === 200 && r.answers.slice(0, -1).every((a) => a === 0 || a >= 500))
      .slice(0, 20)
      .map(([id, r]) => ({
        id,
        answers: r.answers,
        answeredAt: r.answeredAt.map((t) => new Date(t).toISOString()),
        createdAt: o.views.get(id)?.body?.created_at ?? null,
      })),
    retried: [...results.values()].filter((r) => r.answers.length > 1).length,
    answers: o.submission.postAnswers,
    deposits: o.doors.depositAnswers,
    cvvPayoutAnswers: o.doors.cvvPayoutAnswers,
  };
}

function securitySection(run: ChaosRun, o: RunOutcome): Pick<ChaosReport, 'security'> {
  const { http, redisScan } = o;
  if (!(run.opt.securityScan && http && redisScan)) return {};
  const { scanner } = run;
  return {
    security: {
      hits: scanner.hitCount,
      hitList: scanner.hits,
      scanned: scanner.scanned,
      redis: redisScan,
      doors: http.doors,
      doorFailures: http.doors.filter((d) => !d.ok),
      boardJobDetails: http.boardJobDetails,
      pagesScanned: http.pagesScanned,
      metricsStatus: http.metricsStatus,
      unauthenticatedPostCreatedNothing: http.unauthenticatedPostCreatedNothing,
      errors: http.errors,
    },
  };
}
