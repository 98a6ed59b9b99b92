import { randomBytes } from 'node:crypto';
import { API_KEY } from './load.js';
import {
  type Child,
  cpuMicros,
  firstMessage,
  forkBench,
  freePort,
  rssBytes,
  spawnOurs,
  stop,
  waitHttpOk,
} from './procs.js';

/**
 * The two sides every figure compares, each an API process and worker processes of their own:
 * ours, `node <dist>/cli.js api` and `… worker` with the system's defaults and what the bench needs;
 * the bare pipeline, bench/bare.ts.
 */

export type SideName = 'ours' | 'bare';

export interface SideOptions {
  /** Folder of the built system (dist/ of this checkout unless BENCH_DIST says otherwise). */
  dist: string;
  redisUrl: string;
  gatewayUrl: string;
  /** Settings added to ours (WORKER_CONCURRENCY, REDIS_DURABILITY…). */
  env?: Record<string, string>;
  /** Worker processes started at once. @defaultValue 1 */
  workers?: number;
}

export interface Side {
  name: SideName;
  /** The API's base URL. */
  url: string;
  api: Child;
  workers: Child[];
  addWorker(): Promise<Child>;
  /** CPU µs so far of the API process and of the workers together. */
  cpu(): { api: number; worker: number };
  rss(): { api: number; worker: number };
  stop(): Promise<void>;
}

/** One payload key for the whole bench: the API seals with it, separate workers open with it. */
const PAYLOAD_KEY = randomBytes(32).toString('base64');
export const BENCH_SALT = 'bench-salt';

export const defaultDist = () => process.env.BENCH_DIST ?? new URL('../dist', import.meta.url).pathname;

function sideOf(
  name: SideName,
  url: string,
  api: Child,
  workers: Child[],
  addWorker: () => Promise<Child>,
): Side {
  const sum = (f: (pid: number) => number) => workers.reduce((t, w) => t + f(w.pid), 0);
  return {
    name,
    url,
    api,
    workers,
    async addWorker() {
      const w = await addWorker();
      workers.push(w);
      return w;
    },
    cpu: () => ({ api: cpuMicros(api.pid), worker: sum(cpuMicros) }),
    rss: () => ({ api: rssBytes(api.pid), worker: sum(rssBytes) }),
    async stop() {
      await Promise.all(workers.map((w) => stop(w)));
      await stop(api);
    },
  };
}

export async function startOurs(opts: SideOptions): Promise<Side> {
  const port = await freePort();
  const env = {
    REDIS_URL: opts.redisUrl,
    QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    HOST: '127.0.0.1',
    PORT: String(port),
    GATEWAY_URL: opts.gatewayUrl,
    MERCHANT_KEY: 'bench-merchant-key',
    SIGNATURE_SALT: BENCH_SALT,
    API_KEYS: API_KEY,
    DASHBOARD_USER: 'ops',
    DASHBOARD_PASSWORD: 'bench-dashboard-password',
    PAYLOAD_KEY,
    ...opts.env,
  };
  const api = spawnOurs(opts.dist, 'api', env);
  const url = `http://127.0.0.1:${port}`;
  await waitHttpOk(`${url}/healthz`, api);
  const addWorker = async () => {
    const metricsPort = await freePort();
    const w = spawnOurs(opts.dist, 'worker', { ...env, METRICS_PORT: String(metricsPort) });
    await waitHttpOk(`http://127.0.0.1:${metricsPort}/readyz`, w);
    return w;
  };
  const workers = await Promise.all(Array.from({ length: opts.workers ?? 1 }, addWorker));
  return sideOf('ours', url, api, workers, addWorker);
}

export async function startBare(opts: SideOptions): Promise<Side> {
  const env = {
    REDIS_URL: opts.redisUrl,
    BARE_PREFIX: `{bench-bare-${randomBytes(4).toString('hex')}}`,
    GATEWAY_URL: opts.gatewayUrl,
    WORKER_CONCURRENCY: opts.env?.WORKER_CONCURRENCY ?? '50',
  };
  const api = forkBench('./bare.ts', ['api'], env);
  const { port } = await firstMessage<{ port: number }>(api);
  const addWorker = async () => {
    const w = forkBench('./bare.ts', ['worker'], env);
    await firstMessage(w);
    return w;
  };
  const workers = await Promise.all(Array.from({ length: opts.workers ?? 1 }, addWorker));
  return sideOf('bare', `http://127.0.0.1:${port}`, api, workers, addWorker);
}

export const startSide = (name: SideName, opts: SideOptions) =>
  name === 'ours' ? startOurs(opts) : startBare(opts);
