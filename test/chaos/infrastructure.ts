import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createSandbox } from '../../src/sandbox/index.js';
import { freePort } from '../helpers/system.js';
import { recordGatewayArrivals } from './controls-accounting.js';
import { type NotifyReceiver, startNotifyReceiver } from './notify-receiver.js';
import { type ChaosRedis, startChaosRedis } from './redis-topology.js';
import type { ChaosRun } from './run-context.js';

/**
 * What the system under test runs against, started before its processes: the private Redis (and an
 * observer connection to it), the receiver of the notifications, and the sandbox gateway in this
 * process, on the port the API will listen on for its callbacks.
 */

export interface Infrastructure {
  redis: ChaosRedis;
  /** The harness's own connection, for the outbox, the drain and the scan; it outlives Redis restarts. */
  observer: Redis;
  receiver: NotifyReceiver;
  apiPort: number;
  /** The API's base URL, `http://127.0.0.1:<apiPort>`. */
  api: string;
  sandbox: ReturnType<typeof createSandbox>;
  sandboxUrl: string;
  /** When each payout request reached the gateway: "not sent while paused or unapproved" is checked by it. */
  arrivals: Map<string, number[]>;
}

export async function startInfrastructure(run: ChaosRun): Promise<Infrastructure> {
  const { redis, observer } = await startRedis(run);
  const receiver = await startNotifyReceiver({
    secret: run.secrets.notifySecret,
    refuseFirstShare: run.opt.notifyRefuseShare,
    onBody: (body) => run.scanner.scan('notification', 'notification body', body),
  });
  run.cleanup.add('notification receiver', () => receiver.close());

  const apiPort = await freePort();
  const api = `http://127.0.0.1:${apiPort}`;
  const sandbox = createSandbox({
    merchantKey: run.secrets.merchantKey,
    salt: run.secrets.salt,
    callbackUrl: `${api}/v1/callbacks/gateway`,
    timeScale: 0.001,
    latency: { minMs: 2, maxMs: 40 },
    logger: sandboxLogger(run),
  });
  const arrivals = recordGatewayArrivals(sandbox.app);
  const sandboxUrl = await sandbox.listen(0, '127.0.0.1');
  run.cleanup.add('sandbox', () => sandbox.close());
  return { redis, observer, receiver, apiPort, api, sandbox, sandboxUrl, arrivals };
}

async function startRedis(run: ChaosRun): Promise<{ redis: ChaosRedis; observer: Redis }> {
  const { cleanup } = run;
  // The data folders (the AOF) are removed after a clean run and kept for a post-mortem otherwise.
  cleanup.add('redis data folders', () => {
    for (const dir of run.redisDirs) {
      // Only the helper's own temporary folders.
      if (dir.includes('payouts-redis-') && !run.keepRedisDirs) rmSync(dir, { recursive: true, force: true });
    }
  });
  const redis = await startChaosRedis(run.opt.redisFault, cleanup);
  run.redisDirs = redis.dirs;
  const observer = new Redis(redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 200 });
  observer.on('error', () => undefined); // it reconnects after the restart by itself
  cleanup.add('observer connection', () => observer.disconnect());
  return { redis, observer };
}

/** A plain pino logger, without the product's redaction or scrubbing: a sandbox leak shows as it is. */
function sandboxLogger(run: ChaosRun) {
  return pino(
    { level: run.opt.logLevel === 'info' ? 'debug' : run.opt.logLevel },
    new Writable({
      write(chunk, _enc, done) {
        for (const text of String(chunk).split('\n')) {
          if (text) run.lines.push({ source: 'sandbox', stream: 'stdout', text });
        }
        done();
      },
    }),
  );
}
