import { afterAll, describe, expect, test } from 'vitest';
import {
  formatLedgerResult,
  type LedgerChaosResult,
  ledgerFailures,
  startChaosLedger,
} from '../../chaos/ledger-check.js';
import { ChaosCleanup, formatReport, runChaos } from '../../chaos/run-chaos.js';

/**
 * The CI-sized chaos run with the ledger on (issue 19): 120 payouts through a real `payouts api` and
 * two `payouts worker` processes while workers are SIGKILLed, and PostgreSQL is cut away in the middle
 * of the run (every connection dropped, none accepted for 3 s). Every change in the Redis histories
 * must then be exactly one row in the ledger, and no secret of the run in it. `npm run chaos -- --ledger`
 * is the full-sized run.
 */

const cleanup = new ChaosCleanup();
afterAll(() => cleanup.run());

describe('chaos with the ledger on: 120 payouts, workers killed, PostgreSQL cut mid-run', () => {
  test('every change in Redis is one ledger row, none missing, none doubled; no secret in the database', async () => {
    const ledger = await startChaosLedger(cleanup);
    let result: LedgerChaosResult | undefined;
    let secretHits = -1;
    ledger.outageMidRun(120, 3_000, (what) => console.log(`[ledger] ${what}`));
    const report = await runChaos({
      payouts: 120,
      cleanup,
      redisRestart: false,
      securityScan: false,
      // The operator controls are the other run's (chaos.test.ts); here the ledger's fault alone.
      controls: false,
      reportPath: 'test-output/chaos-report-ci-ledger.json',
      submitRatePerSecond: 20,
      killEveryMs: 3_000,
      minChaosMs: 6_000,
      drainTimeoutMs: 90_000,
      extraEnv: ledger.env,
      async beforeStop(run) {
        result = await ledger.check(run.redis, run.queuePrefix, 60_000);
        secretHits = run.scan('ledger database', result.dump);
      },
    });
    console.log(formatReport(report));
    console.log(formatLedgerResult(result, secretHits));

    // The payouts' own invariants hold with the ledger on.
    expect(report.submission.accepted).toBe(120);
    expect(report.results.lostIds).toEqual([]);
    expect(report.results.sentTwiceIds).toEqual([]);
    expect(report.timing.drained).toBe(true);
    expect(report.chaos.unexpectedExits).toEqual([]);
    // The ledger's: the outage happened, and afterwards Redis and PostgreSQL agree change for change.
    expect(result?.outage).toBeDefined();
    expect(result?.payouts).toBeGreaterThanOrEqual(120);
    expect(result?.changes).toBeGreaterThan(400);
    expect(ledgerFailures(result, secretHits)).toEqual([]);
    expect(report.failures).toEqual([]);
  }, 420_000);
});
