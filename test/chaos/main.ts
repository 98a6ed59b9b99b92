import { parseArgs } from 'node:util';
import {
  formatLedgerResult,
  type LedgerChaosResult,
  ledgerFailures,
  startChaosLedger,
} from './ledger-check.js';
import type { RedisFault } from './redis-topology.js';
import { ChaosCleanup, formatReport, runChaos } from './run-chaos.js';

/**
 * `npm run chaos [-- --payouts N] [--seed S] [--kill-every-ms MS] [--log-level debug]
 * [--redis-fault kill|fail-over|both] [--drain-timeout-ms MS] [--no-controls] [--ledger]`: the full chaos run, once per Redis fault (by default both: a
 * SIGKILL of Redis under REDIS_DURABILITY=fsync, then a fail-over to its replica under replicas:1),
 * each with the operator controls in the mix (approvals, two pause windows) unless `--no-controls`,
 * and with `--ledger` the ledger on, PostgreSQL cut away mid-run (ledger-check.ts);
 * prints each table, writes test-output/chaos-report.json (and chaos-report-fail-over.json), exits 1
 * when an invariant failed in either.
 */

const { values } = parseArgs({
  options: {
    payouts: { type: 'string', default: '2000' },
    seed: { type: 'string' },
    'kill-every-ms': { type: 'string' },
    'log-level': { type: 'string' },
    report: { type: 'string' },
    'redis-fault': { type: 'string', default: 'both' },
    'drain-timeout-ms': { type: 'string' },
    'no-security': { type: 'boolean', default: false },
    'no-controls': { type: 'boolean', default: false },
    /** The ledger on (a schema of the test PostgreSQL), cut away mid-run; its rows checked against Redis. */
    ledger: { type: 'boolean', default: false },
    /** NAME=value for the processes, repeatable: e.g. RESEND_ON_UNKNOWN=true must make the run fail. */
    env: { type: 'string', multiple: true, default: [] },
  },
  strict: true,
});

const payouts = Number(values.payouts);
if (!Number.isInteger(payouts) || payouts < 1) {
  process.stderr.write('chaos: --payouts must be a whole number of 1 or more\n');
  process.exit(2);
}

const faultArg = values['redis-fault'];
if (faultArg !== 'kill' && faultArg !== 'fail-over' && faultArg !== 'both') {
  process.stderr.write('chaos: --redis-fault takes kill, fail-over or both\n');
  process.exit(2);
}
const faults: RedisFault[] = faultArg === 'both' ? ['kill', 'fail-over'] : [faultArg];

const extraEnv: Record<string, string> = {};
for (const pair of values.env ?? []) {
  const eq = pair.indexOf('=');
  if (eq < 1) {
    process.stderr.write(`chaos: --env takes NAME=value, got '${pair}'\n`);
    process.exit(2);
  }
  extraEnv[pair.slice(0, eq)] = pair.slice(eq + 1);
}

let current = new ChaosCleanup();
// Whatever happens, no redis-server or payouts process outlives the run.
process.once('exit', () => current.killChildrenNow());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`chaos: ${signal}: stopping everything\n`);
    void current.run().finally(() => process.exit(130));
  });
}

const logLevel = values['log-level'];
let ok = true;
for (const fault of faults) {
  current = new ChaosCleanup();
  const reportPath =
    (values.report ?? 'test-output/chaos-report.json').replace(/\.json$/, '') +
    (fault === 'kill' ? '' : `-${fault}`) +
    '.json';
  // With --ledger: PostgreSQL is cut away for 5 s once about a third of the changes are written.
  const ledger = values.ledger ? await startChaosLedger(current) : undefined;
  let ledgerResult: LedgerChaosResult | undefined;
  let ledgerSecretHits = -1;
  ledger?.outageMidRun(Math.ceil(payouts * 1.3), 5_000, (what) => process.stderr.write(`[ledger] ${what}\n`));
  const report = await runChaos({
    payouts,
    cleanup: current,
    ...(ledger
      ? {
          beforeStop: async (
            run: Parameters<NonNullable<Parameters<typeof runChaos>[0]['beforeStop']>>[0],
          ) => {
            ledgerResult = await ledger.check(run.redis, run.queuePrefix, 120_000);
            ledgerSecretHits = run.scan('ledger database', ledgerResult.dump);
          },
        }
      : {}),
    redisFault: fault,
    reportPath,
    progress: (line) => process.stderr.write(`${line}\n`),
    securityScan: !values['no-security'],
    controls: !values['no-controls'],
    extraEnv: { ...extraEnv, ...ledger?.env },
    ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
    ...(values['kill-every-ms'] !== undefined ? { killEveryMs: Number(values['kill-every-ms']) } : {}),
    ...(values['drain-timeout-ms'] !== undefined
      ? { drainTimeoutMs: Number(values['drain-timeout-ms']) }
      : {}),
    ...(logLevel === 'debug' || logLevel === 'trace' || logLevel === 'info' ? { logLevel } : {}),
  });
  process.stdout.write(`${formatReport(report)}\n`);
  process.stdout.write(`report: ${reportPath}\n`);
  ok &&= report.ok;
  if (ledger) {
    const failures = ledgerFailures(ledgerResult, ledgerSecretHits);
    process.stdout.write(`${formatLedgerResult(ledgerResult, ledgerSecretHits)}\n`);
    for (const f of failures) process.stdout.write(`FAILED ${f}\n`);
    ok &&= failures.length === 0;
  }
}
process.exitCode = ok ? 0 : 1;
