import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './system.js';

/**
 * A redis-server of the test's own on a free loopback port, with AOF on in a temporary folder, so a
 * test can stop and start it and find its data again. `args` are added to its command line. `stop`
 * kills it hard (SIGKILL); `hold` freezes the process (SIGSTOP: it answers nothing, a replica
 * acknowledges nothing) until `release`.
 */
export async function startPrivateRedis(options: { args?: string[] } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'payouts-redis-'));
  let proc: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;

  const waitUntil = async (up: boolean) => {
    for (let i = 0; i < 100; i++) {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined); // a refused probe is the answer, not a failure
      const ok = await probe.connect().then(
        () => probe.ping().then((r) => r === 'PONG'),
        () => false,
      );
      probe.disconnect();
      if (ok === up) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`private redis on ${port} did not come ${up ? 'up' : 'down'}`);
  };

  const start = async () => {
    proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
        ...(options.args ?? []),
      ],
      { stdio: 'ignore' },
    );
    await waitUntil(true);
  };
  const stop = async () => {
    proc?.kill('SIGCONT');
    proc?.kill('SIGKILL');
    await waitUntil(false);
  };
  const hold = () => {
    proc?.kill('SIGSTOP');
  };
  const release = () => {
    proc?.kill('SIGCONT');
  };
  await start();
  return { url, port, dir, start, stop, hold, release };
}
