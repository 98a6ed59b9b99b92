import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { connectProducer } from '../producer/connect.js';
import { waitUntilReady } from '../redis.js';

/** How the operator commands print: results on stdout, problems on stderr. */
export type Out = { out: (s: string) => void; err: (s: string) => void };
export const stdio: Out = {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
};

/** How long a command waits for Redis to answer before it gives up. */
const REDIS_WAIT_MS = 5_000;

export type CommandDeps = ReturnType<typeof connectProducer>;

/** Runs an operator command over a connection of its own, closed after it. */
export async function withStore<T>(config: Config, fn: (deps: CommandDeps) => Promise<T>): Promise<T> {
  // A fail-fast connection: in an outage the command says so and exits, instead of waiting for Redis.
  const deps = connectProducer(
    config,
    createLogger({ level: 'warn', destination: process.stderr as never }),
    'request',
  );
  try {
    await waitUntilReady(deps.redis, REDIS_WAIT_MS);
    return await fn(deps);
  } finally {
    await deps.close();
  }
}
