#!/usr/bin/env node
import { bannerLines } from './banner.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import type { Part } from './system.js';

/**
 * The `payouts` command. `all` (what `npm start` runs), `api`, `worker` and `sandbox` run the
 * system's parts; the rest are operator commands.
 */

type Command = (config: Config, args: string[]) => Promise<number | undefined>;

/** Runs parts of the system until SIGTERM or SIGINT, then shuts down gracefully and exits 0. */
const serve =
  (parts: Part[]): Command =>
  async (config) => {
    const { startSandboxOnly, startSystem } = await import('./system.js');
    const effective: Part[] =
      config.gateway.sandbox && parts.includes('api') && parts.includes('worker')
        ? ['sandbox', ...parts]
        : parts;
    const system =
      parts.length === 1 && parts[0] === 'sandbox'
        ? await startSandboxOnly(config)
        : await startSystem(config, effective);
    process.stdout.write(`${bannerLines(config, system.urls, effective).join('\n')}\n`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        system.logger.info({ signal }, 'shutting down: finishing in-flight payouts');
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    await system.close();
    system.logger.info('stopped');
    return 0;
  };

const commands: Record<string, { summary: string; run: () => Promise<Command> }> = {
  all: {
    summary: 'API, workers and dashboard (and the sandbox when GATEWAY_URL is unset)',
    run: async () => serve(['api', 'worker']),
  },
  api: { summary: 'the HTTP API alone', run: async () => serve(['api']) },
  worker: { summary: 'a payout worker alone (run as many as you like)', run: async () => serve(['worker']) },
  sandbox: { summary: 'the sandbox gateway alone, on SANDBOX_PORT', run: async () => serve(['sandbox']) },
  demo: {
    summary: 'demo [per-scenario]: a mixed batch against the sandbox, with a live progress bar',
    run: async () => (await import('./ops/demo.js')).demo,
  },
  status: {
    summary:
      'status <external_id>: state, history, masked data; what holds it, while a pause or breaker does',
    run: async () => (await import('./ops/commands.js')).status,
  },
  pause: {
    summary: "pause <payment_system | '*'> [--note why]: stop sending to it (recorded as the OS user)",
    run: async () => (await import('./ops/control-commands.js')).pause,
  },
  controls: {
    summary: 'controls: the payment_systems paused and the circuit breakers that are not closed',
    run: async () => (await import('./ops/control-commands.js')).controls,
  },
  resume: {
    summary: "resume <payment_system | '*'> [--note why]: send its held payouts ('*' ends every pause)",
    run: async () => (await import('./ops/control-commands.js')).resume,
  },
  list: {
    summary: 'list --status needs_review: payouts in a state, oldest first',
    run: async () => (await import('./ops/commands.js')).list,
  },
  resolve: {
    summary:
      'resolve <external_id> --as succeeded|failed|resend --note "why" [--force]: decide a needs_review payout (--force: resend although it holds a gateway order)',
    run: async () => (await import('./ops/commands.js')).resolve,
  },
  callbacks: {
    summary: 'callbacks [--limit N]: gateway callbacks for external_ids we do not know',
    run: async () => (await import('./ops/commands.js')).callbacks,
  },
  cancel: {
    summary: 'cancel <external_id> [--note text]: cancel a payout not yet sent',
    run: async () => (await import('./ops/commands.js')).cancel,
  },
  approve: {
    summary:
      'approve <external_id> [--note "why"]: one approval of a payout awaiting_approval, recorded as the OS user (four eyes: a second approver must give the other)',
    run: async () => (await import('./ops/approval-commands.js')).approve,
  },
  decline: {
    summary:
      'decline <external_id> [--note "why"]: end a payout awaiting_approval as rejected (declined_by_operator), recorded as the OS user',
    run: async () => (await import('./ops/approval-commands.js')).decline,
  },
  rules: {
    summary:
      'rules [set \'{"rules":[…]}\']: show or replace the approval rules (as PUT /v1/controls/approval-rules)',
    run: async () => (await import('./controls/controls-command.js')).controlsCommand('rules'),
  },
  limits: {
    summary: 'limits [set \'{"limits":[…]}\']: show or replace the limits (as PUT /v1/controls/limits)',
    run: async () => (await import('./controls/controls-command.js')).controlsCommand('limits'),
  },
  audit: {
    summary: 'audit [--limit N] [--cursor ID] [--json]: operator actions and control changes, newest first',
    run: async () => (await import('./operators/audit-command.js')).auditCommand,
  },
  import: {
    summary:
      'import FILE [--url URL --api-key KEY] [--batch N]: payouts from CSV or NDJSON, with a summary and the refused lines',
    run: async () => (await import('./ops/import.js')).importCommand,
  },
  openapi: {
    summary: 'openapi [FILE]: the API reference (OpenAPI 3.1), as /docs/openapi.json serves it',
    run: async () => (await import('./ops/openapi.js')).openapi,
  },
  report: {
    summary:
      'report --from DAY --to DAY [--format table|csv|json]: payout totals per day, currency, method, state (ledger)',
    run: async () => (await import('./ledger/commands.js')).report,
  },
  search: {
    summary:
      'search [--customer-id ID] [--order-id ID] [--external-id ID] [--from DAY --to DAY]: payouts in the ledger',
    run: async () => (await import('./ledger/commands.js')).search,
  },
  migrate: {
    summary: "migrate: apply the ledger's pending schema migrations (LEDGER_DATABASE_URL)",
    run: async () => (await import('./ledger/commands.js')).migrate,
  },
  'migrate-keys': {
    summary:
      "migrate-keys [--dry-run]: move an earlier version's history and payload keys (run once, old version stopped)",
    run: async () => (await import('./ops/commands.js')).migrateKeysCommand,
  },
};

const usage = () =>
  [
    'usage: payouts <command> [options]',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`),
    `  ${'hash-secret'.padEnd(12)} reads an operator's secret on stdin, prints its hash for OPERATORS (name:role:hash)`,
    '',
    'Operator commands talk to Redis directly; they record the operating-system user as who acted.',
  ].join('\n');

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  // Needs no setting: it may run on a machine with none, before a deployment is configured.
  if (name === 'hash-secret') {
    const { hashSecretCommand } = await import('./operators/hash-secret-command.js');
    return hashSecretCommand();
  }
  const command = name ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`${name ? `payouts: unknown command '${name}'\n` : ''}${usage()}\n`);
    return name === undefined ? 0 : 2;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`payouts: ${err.message}\n`);
      return 78; // EX_CONFIG
    }
    throw err;
  }
  const run = await command.run();
  return (await run(config, args)) ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`payouts: ${err instanceof Error ? err.message : String(err)}\n`);
    // A failed start has closed what it started (startSystem); exiting makes sure no leftover
    // handle keeps a process that reported failure alive, unseen by its supervisor.
    process.exit(1);
  },
);
