import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { displayRedisUrl } from '../../../src/start-checks.js';
import { runCli } from '../../helpers/cli-process.js';
import { deletePrefix, REDIS_URL, testRedis, uniquePrefix } from '../../helpers/redis.js';
import { CLOSED_PORT, freePort } from '../../helpers/system.js';

const prefixes: string[] = [];

/** A first start in sandbox mode (no secrets set) that cannot go on: what the person sees. */
function start(env: Record<string, string>, command = 'all') {
  const prefix = uniquePrefix('start-errors');
  prefixes.push(prefix);
  const vars = { PATH: process.env.PATH ?? '', REDIS_URL, QUEUE_PREFIX: prefix, HOST: '127.0.0.1', ...env };
  // A start that hangs is killed and fails the exit-code check.
  return runCli([command], vars, 100_000);
}

let taken: Server;
let takenPort: number;
beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  takenPort = (taken.address() as { port: number }).port;
});
afterAll(async () => {
  taken.close();
  const redis = testRedis();
  for (const prefix of prefixes) await deletePrefix(redis, prefix);
  redis.disconnect();
});

test.each([
  [
    'Redis refuses the connection',
    () => ({ REDIS_URL: `redis://ops:s3cret-pass@127.0.0.1:${CLOSED_PORT}` }),
    `payouts: cannot reach Redis at redis://ops:***@127.0.0.1:${CLOSED_PORT} (ECONNREFUSED): start Redis (\`docker compose up -d redis\`), or set REDIS_URL to where yours runs`,
  ],
  [
    'the API port is taken',
    async () => ({ PORT: String(takenPort), SANDBOX_PORT: String(await freePort()) }),
    () =>
      `payouts: port ${takenPort} on 127.0.0.1 is already in use (PORT): stop what listens there, or set PORT to a free port`,
  ],
  [
    "the sandbox's port is taken",
    async () => ({ PORT: String(await freePort()), SANDBOX_PORT: String(takenPort) }),
    () =>
      `payouts: port ${takenPort} on 127.0.0.1 is already in use (SANDBOX_PORT): stop what listens there, or set SANDBOX_PORT to a free port`,
  ],
])(
  '%s: one line says what was tried and what to do, no stack, exit 1',
  async (_what, env, expected) => {
    const run = await start(await env());
    expect(run.status).toBe(1);
    const line = typeof expected === 'function' ? expected() : expected;
    expect(run.stderr).toBe(`${line}\n`);
    expect(run.stderr).not.toContain('s3cret-pass');
    // Nothing else: no log line with a stack, no banner.
    expect(run.stdout).not.toMatch(/\bat |redis connection error|API key/);
  },
  120_000,
);

test.each([
  ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
  ['redis://:pw@redis.internal:6380/2', 'redis://:***@redis.internal:6380/2'],
  ['rediss://user:p%40ss@host', 'rediss://user:***@host'],
  ['not a url', '(REDIS_URL is not a URL)'],
])('the Redis URL %s is shown as %s', (url, shown) => {
  expect(displayRedisUrl(url)).toBe(shown);
});
