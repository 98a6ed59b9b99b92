import { parseArgs } from 'node:util';
import type { RedisFault } from './redis-topology.js';
import { ChaosCleanup, formatReport, runChaos } from './run-chaos.js';

/**
 * `npm run chaos [-- --payouts N] [--seed S] [--kill-every-ms MS] [--log-level debug]
 * [--redis-fault kill|fail-over|both] [--drain-timeout-ms MS] [--no-controls]`: the full chaos run, once per Redis fault (by default both: a
 * SIGKILL of Redis under REDIS_DURABILITY=fsync, then a fail-over to its replica under replicas:1),
 * each with the operator controls in the mix (approvals, two pause windows) unless `--no-controls`;
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
  const report = await runChaos({
    payouts,
    cleanup: current,
    redisFault: fault,
    reportPath,
    progress: (line) => process.stderr.write(`${line}\n`),
    securityScan: !values['no-security'],
    controls: !values['no-controls'],
    extraEnv,
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
}
process.exitCode = ok ? 0 : 1;
