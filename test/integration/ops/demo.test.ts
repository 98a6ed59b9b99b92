import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCli, spawnCli } from '../../helpers/cli-process.js';
import { deletePrefix, REDIS_URL, testRedis, uniquePrefix } from '../../helpers/redis.js';
import { CLOSED_PORT, freePort } from '../../helpers/system.js';

/**
 * `payouts demo` prints only what it knows of the console: a URL where a console answered, and a
 * login only when the server runs in its own process (a running system's generated admin is in the
 * banner of that system's start, which the demo cannot read).
 */

/** A fresh sandbox-mode deployment (nothing set but where it lives), as `npm start` on a laptop. */
const sandboxEnv = (settings: Record<string, string>): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  REDIS_URL,
  HOST: '127.0.0.1',
  SANDBOX_TIME_SCALE: '0.01',
  LOG_LEVEL: 'warn',
  ...settings,
});

/** Runs a command to its end (killed after 50 s, which fails its exit check). */
const run = (args: string[], env: Record<string, string>) => runCli(args, env, 50_000);

const running = { prefix: uniquePrefix('demo-run'), port: 0 };
let server: ChildProcess | undefined;
let banner = '';

beforeAll(async () => {
  running.port = await freePort();
  const env = sandboxEnv({
    QUEUE_PREFIX: running.prefix,
    PORT: String(running.port),
    SANDBOX_PORT: String(await freePort()),
  });
  server = spawnCli(['all'], env);
  const child = server;
  // The banner is printed once every part runs; its admin line is the server's login.
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (c) => {
      banner += c;
      if (/^ {2}admin /m.test(banner)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the system exited (${code}) before its banner`)));
  });
});

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server?.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  const redis = testRedis();
  await deletePrefix(redis, running.prefix);
  redis.disconnect();
});

const serverSecret = () => /^ {2}admin\s+\S+ \/ (\S+)/m.exec(banner)?.[1] ?? 'no secret in the banner';

test("joining a running system: the console it reached, with no login of the demo's own making", async () => {
  const demo = await run(
    ['demo', '1'],
    sandboxEnv({ QUEUE_PREFIX: running.prefix, PORT: String(running.port) }),
  );
  expect(demo.status, demo.stderr).toBe(0);
  expect(demo.stdout).toContain('enqueued 154 payouts');
  expect(demo.stdout).not.toContain('no running system found');
  const last = demo.stdout.trimEnd().split('\n').at(-1);
  expect(last).toBe(
    `console: http://127.0.0.1:${running.port}/console  (log in with the admin the banner of \`npm start\` printed, or an operator of OPERATORS)`,
  );
  // The demo's own process generated a password of its own: none is printed, the server's is unknown to it.
  expect(demo.stdout).not.toMatch(/log in as \S+ \//);
  expect(demo.stdout).not.toContain(serverSecret());
});

test('joining a running system that listens elsewhere: no console URL where nothing answers', async () => {
  const demo = await run(
    ['demo', '1'],
    sandboxEnv({ QUEUE_PREFIX: running.prefix, PORT: String(CLOSED_PORT) }),
  );
  expect(demo.status, demo.stderr).toBe(0);
  expect(demo.stdout).toContain('enqueued 154 payouts');
  expect(demo.stdout).not.toContain(`127.0.0.1:${CLOSED_PORT}/console`);
  expect(demo.stdout.trimEnd().split('\n').at(-1)).toBe(
    `console: nothing answers at http://127.0.0.1:${CLOSED_PORT} (HOST, PORT); the console is at /console on the API of the system that ran these payouts: the banner of \`npm start\` printed its address and login`,
  );
  expect(demo.stdout).not.toMatch(/log in as \S+ \//);
});

test('a demo that ran its own system, without a terminal to keep it up, prints no console URL', async () => {
  const prefix = uniquePrefix('demo-own');
  try {
    const demo = await run(
      ['demo', '1'],
      sandboxEnv({
        QUEUE_PREFIX: prefix,
        PORT: String(await freePort()),
        SANDBOX_PORT: String(await freePort()),
      }),
    );
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toContain('no running system found: starting one in this process');
    expect(demo.stdout).not.toContain('/console');
    expect(demo.stdout.trimEnd().split('\n').at(-1)).toBe(
      'console: the system this demo started stops with it (no terminal to keep it up); `npm start` serves the console and prints its login',
    );
  } finally {
    const redis = testRedis();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  }
});
