import { afterAll, describe, expect, test } from 'vitest';
import { ChaosCleanup, type ChaosReport, formatReport, runChaos } from '../../chaos/run-chaos.js';

/**
 * How long a chaos run may take before vitest gives up on it: a guard against a hung run, not a speed
 * target. Most of a run is processes starting (each worker restart boots a Node process), which takes
 * several times longer on a loaded two-core machine than on an idle one.
 */
const CHAOS_TEST_LIMIT_MS = 420_000;

/**
 * The CI-sized chaos runs (issue 7): 300 payouts through a real `payouts api` and two `payouts worker`
 * processes while workers are SIGKILLed and Redis is killed hard (SIGKILL) and restarted from its AOF
 * under REDIS_DURABILITY=fsync, with operator controls in the mix (issue 15: approval rules set by an
 * admin, payouts approved by one or two approvers, declined, left to expire; TEST_PS paused and
 * resumed); then the secret scan of Redis, every log line, the API's answers and
 * Bull Board, and every door without credentials. A second, smaller run (60 payouts) fails Redis over to its
 * replica under replicas:1. `npm run chaos` is the full-sized run (2,000 payouts, each fault) of the
 * same harness.
 */

const cleanup = new ChaosCleanup();
const failOverCleanup = new ChaosCleanup();
afterAll(async () => {
  // Also when a run failed or timed out half-way.
  await cleanup.run();
  await failOverCleanup.run();
});

let report: ChaosReport;

describe('chaos: 300 payouts, workers killed, Redis killed hard and restarted (fsync), approvals and a pause in the mix', () => {
  test(
    'none lost, none sent twice, every one settled and notified, no secret anywhere',
    async () => {
      report = await runChaos({
        payouts: 300,
        cleanup,
        reportPath: 'test-output/chaos-report-ci.json',
        submitRatePerSecond: 25,
        killEveryMs: 3_000,
        minChaosMs: 9_000,
        drainTimeoutMs: 90_000,
      });
      console.log(formatReport(report));

      // The money invariants.
      expect(report.submission.accepted).toBe(300);
      expect(report.results.lostIds).toEqual([]);
      expect(report.results.lost).toBe(0);
      expect(report.results.sentTwiceIds).toEqual([]);
      expect(report.results.bodyChanged).toBe(0);
      expect(report.results.wrongFinalStateIds).toEqual([]);
      expect(report.timing.drained).toBe(true);
      // Every payout terminal, or in needs_review with a reason.
      const settled = Object.entries(report.results.byFinalState)
        .filter(([state]) => ['succeeded', 'failed', 'rejected', 'cancelled', 'needs_review'].includes(state))
        .reduce((sum, [, count]) => sum + count, 0);
      expect(settled).toBe(300);
      expect(report.results.needsReviewReasons['(none)']).toBeUndefined();
      // Every terminal payout notified with its terminal event, signed.
      expect(report.notifications.missing).toEqual([]);
      expect(report.notifications.notifiedWithTerminalEvent).toBe(report.notifications.terminalPayouts);
      // A worker SIGKILLed with its slots busy (50 here) leaves each claim it held in needs_review
      // (worker_lost_mid_send: whether its request left is unknown), so how many of those a run has
      // depends on when the kills fall (2 to 66 seen). Every other payout is terminal, but for a few
      // scenarios that end in review on purpose.
      const lostHolders = report.results.needsReviewReasons['worker_lost_mid_send: outcome unknown'] ?? 0;
      expect(report.notifications.terminalPayouts + lostHolders).toBeGreaterThan(250);
      expect(lostHolders).toBeLessThanOrEqual(
        report.chaos.workerKills * Number(report.run.options.workerConcurrency),
      );
      // None of those holders answered after all: no live holder's send was taken for lost.
      expect(report.results.liveHoldersTakenForLost).toEqual([]);
      expect(report.notifications.badSignature).toBe(0);

      // The chaos really happened, and the parts recovered by themselves.
      expect(report.chaos.workerKills).toBeGreaterThanOrEqual(2);
      expect(report.chaos.redisRestarts).toBe(1);
      expect(report.run.durability).toBe('fsync');
      expect(report.chaos.unexpectedExits).toEqual([]);
      expect(report.results.gatewayRefusals.http503).toBeGreaterThan(0);
      expect(report.results.gatewayRefusals.http429).toBeGreaterThan(0);

      // Operator controls: nothing reached the gateway unapproved or while TEST_PS was paused, by the
      // gateway's arrival times against the payouts' histories and the audit log.
      const controls = report.controls!;
      expect(controls.sentWhileUnapproved).toEqual([]);
      expect(controls.sentWhilePaused).toEqual([]);
      expect(controls.approvals.notAsPlanned).toEqual([]);
      expect(controls.approvals.errors).toEqual([]);
      expect(controls.approvals.sameApproverTwice.accepted).toEqual([]);
      expect(controls.approvals.sameApproverTwice.refused).toBeGreaterThan(0);
      // The mix really happened: each kind of decision, and a pause that held payouts back.
      expect(controls.approvals.approved).toBeGreaterThan(0);
      expect(controls.approvals.fourEyes).toBeGreaterThan(0);
      expect(controls.approvals.declined).toBeGreaterThan(0);
      expect(controls.approvals.expired).toBeGreaterThan(0);
      expect(controls.pause.errors).toEqual([]);
      expect(controls.pause.windows.filter((w) => w.to !== null)).toHaveLength(1);
      expect(controls.pause.heldThrough).toBeGreaterThan(0);

      // Security: no secret in Redis (keys and AOF), logs, answers, notifications or the dashboard.
      const security = report.security!;
      expect(security.hitList).toEqual([]);
      expect(security.hits).toBe(0);
      expect(security.redis.keys).toBeGreaterThan(300);
      expect(security.redis.outsidePrefix).toEqual([]);
      expect(security.scanned.log?.items ?? 0).toBeGreaterThan(1_000);
      expect(security.scanned.redis?.items ?? 0).toBe(security.redis.keys);
      expect(security.boardJobDetails).toBeGreaterThan(0);
      expect(security.errors).toEqual([]);
      // Every door without valid credentials answers 401; /metrics is public but holds no secret.
      expect(security.doorFailures).toEqual([]);
      expect(security.doors.length).toBeGreaterThanOrEqual(40);
      expect(security.unauthenticatedPostCreatedNothing).toBe(true);
      expect(security.metricsStatus).toBe(200);
      expect(report.submission.cvvPayoutAnswers.every((s) => s === 422)).toBe(true);
      expect(report.results.refusedReachedGateway).toEqual([]);

      expect(report.failures).toEqual([]);
    },
    CHAOS_TEST_LIMIT_MS,
  );
});

// Workers are not killed here (the run above does that): a restarted worker's start is most of a
// small run's time on a loaded machine.
describe('chaos: 60 payouts, Redis failed over to its replica (replicas:1)', () => {
  test(
    'no acknowledged payout lost, none sent twice, every one settled',
    async () => {
      const failOver = await runChaos({
        payouts: 60,
        cleanup: failOverCleanup,
        redisFault: 'fail-over',
        securityScan: false,
        // The run above has the operator controls; this one keeps to the fail-over.
        controls: false,
        reportPath: 'test-output/chaos-report-ci-fail-over.json',
        submitRatePerSecond: 25,
        killEveryMs: 0,
        minChaosMs: 0,
        drainTimeoutMs: 90_000,
      });
      console.log(formatReport(failOver));

      expect(failOver.run.durability).toBe('replicas:1');
      expect(failOver.chaos.redisRestarts).toBe(1);
      expect(failOver.submission.accepted).toBe(60);
      expect(failOver.results.lostIds).toEqual([]);
      expect(failOver.results.sentTwiceIds).toEqual([]);
      expect(failOver.results.bodyChanged).toBe(0);
      expect(failOver.results.wrongFinalStateIds).toEqual([]);
      expect(failOver.timing.drained).toBe(true);
      expect(failOver.results.needsReviewReasons['(none)']).toBeUndefined();
      expect(failOver.chaos.unexpectedExits).toEqual([]);
      expect(failOver.failures).toEqual([]);
    },
    CHAOS_TEST_LIMIT_MS,
  );
});
