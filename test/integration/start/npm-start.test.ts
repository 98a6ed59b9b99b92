import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { expect, test } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../helpers/redis.js';

/**
 * A process manager that runs `npm start` stops it by sending SIGTERM to the npm process. npm passes
 * the signal to the script's shell; unless the shell has handed its place to node (`exec`), the
 * shell dies and node keeps running, its ports open, with nobody left to stop it.
 */

const refused = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Waits for `until` to hold, polling; false when it still does not after `ms`. */
async function eventually(until: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await until()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return until();
}

test('SIGTERM to the npm process of `npm start` stops the system: npm and node exit, both ports close', async () => {
  const prefix = uniquePrefix('npm-start');
  const npm = spawn('npm', ['start', '--silent'], {
    env: { ...process.env, PORT: '0', SANDBOX_PORT: '0', QUEUE_PREFIX: prefix, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  npm.stdout.on('data', (c) => {
    out += c;
  });
  npm.stderr.on('data', (c) => {
    out += c;
  });
  const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
  try {
    // `npm start` builds first: on a busy 2-core machine that alone can take a minute.
    const started = await eventually(() => /API key/.test(out) && /"pid":\d+/.test(out), 150_000);
    expect(started, out).toBe(true);
    const api = /API\s+(http:\/\/\S+)\/v1\/payouts/.exec(out)![1]!;
    const sandbox = /sandbox\s+(http:\/\/\S+)/.exec(out)![1]!;
    const nodePid = Number(/"pid":(\d+)/.exec(out)![1]);
    expect(nodePid).not.toBe(npm.pid);
    expect(await refused(api)).toBe(false);
    expect(await refused(sandbox)).toBe(false);

    npm.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await eventually(() => !alive(nodePid), 20_000), `node ${nodePid} still running`).toBe(true);
    expect(await refused(api)).toBe(true);
    expect(await refused(sandbox)).toBe(true);
    expect(out).toContain('"msg":"stopped"');
  } finally {
    npm.kill('SIGKILL');
    const pid = /"pid":(\d+)/.exec(out)?.[1];
    if (pid && alive(Number(pid))) process.kill(Number(pid), 'SIGKILL');
    const redis = testRedis();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  }
}, 200_000);
