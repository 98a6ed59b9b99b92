#!/usr/bin/env node
import { type Config, ConfigError, loadConfig } from './config.js';

/**
 * The `payouts` command. `all` (what `npm start` runs), `api`, `worker` and `sandbox` run the
 * system's parts; the rest are operator commands.
 */

type Command = (config: Config, args: string[]) => Promise<number | undefined>;

const commands: Record<string, { summary: string; run: () => Promise<Command> }> = {};

const usage = () =>
  [
    'usage: payouts <command> [options]',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`),
  ].join('\n');

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`${name ? `payouts: unknown command '${name}'\n` : ''}${usage()}\n`);
    return name === undefined || name === 'help' || name === '--help' ? 0 : 2;
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
    process.exitCode = 1;
  },
);
