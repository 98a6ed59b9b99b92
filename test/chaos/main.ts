import { parseArgs } from 'node:util';
import { ChaosCleanup, formatReport, runChaos } from './run-chaos.js';

/**
 * `npm run chaos [-- --payouts N] [--seed S] [--kill-every-ms MS] [--log-level debug]`: the full chaos
 * run; prints the table, writes test-output/chaos-report.json, exits 1 when an invariant failed.
 */

const { values } = parseArgs({
  options: {
    payouts: { type: 'string', default: '2000' },
    seed: { type: 'string' },
    'kill-every-ms': { type: 'string' },
    'log-level': { type: 'string' },
    report: { type: 'string' },
    'no-security': { type: 'boolean', default: false },
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

const extraEnv: Record<string, string> = {};
for (const pair of values.env ?? []) {
  const eq = pair.indexOf('=');
  if (eq < 1) {
    process.stderr.write(`chaos: --env takes NAME=value, got '${pair}'\n`);
    process.exit(2);
  }
  extraEnv[pair.slice(0, eq)] = pair.slice(eq + 1);
}

const cleanup = new ChaosCleanup();
// Whatever happens, no redis-server or payouts process outlives the run.
process.once('exit', () => cleanup.killChildrenNow());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`chaos: ${signal}: stopping everything\n`);
    void cleanup.run().finally(() => process.exit(130));
  });
}

const logLevel = values['log-level'];
const report = await runChaos({
  payouts,
  cleanup,
  progress: (line) => process.stderr.write(`${line}\n`),
  securityScan: !values['no-security'],
  extraEnv,
  ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
  ...(values['kill-every-ms'] !== undefined ? { killEveryMs: Number(values['kill-every-ms']) } : {}),
  ...(logLevel === 'debug' || logLevel === 'trace' || logLevel === 'info' ? { logLevel } : {}),
  ...(values.report !== undefined ? { reportPath: values.report } : {}),
});
process.stdout.write(`${formatReport(report)}\n`);
process.stdout.write(`report: ${values.report ?? 'test-output/chaos-report.json'}\n`);
process.exitCode = report.ok ? 0 : 1;
