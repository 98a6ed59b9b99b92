import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { startStub } from './stub.js';

/**
 * `node --import tsx bench/profile.ts [out-dir]`: our real `node dist/cli.js api` and `worker`
 * processes (build first) against the stub gateway, fed over HTTP by 64 closed-loop clients. Prints
 * payouts/s and each process's CPU per payout (from /proc, over the measured window only). With
 * PROFILE=1 both run under --cpu-prof, and meta.json in the out dir names each profile with the
 * measured window, for `bench/budget.ts`. PAYOUTS (default 5000) sets the measured run's size; DIST
 * another build directory to run instead of dist/.
 */

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PAYOUTS = Number(process.env.PAYOUTS ?? 5000);
const WARMUP = 1000;
const IN_FLIGHT = 64;
const profile = process.env.PROFILE === '1';
/** Another build to measure (e.g. an older commit's, built with --outDir), for A/B runs. */
const dist = process.env.DIST ?? 'dist';
const outDir = resolve(process.argv[2] ?? 'bench/results/profile');
mkdirSync(outDir, { recursive: true });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

/** utime + stime of a process, in ms (clock ticks of 10 ms on Linux). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const CLIENT = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { port, apiKey, ids, inFlight } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
const post = (id) => new Promise((resolve, reject) => {
  const data = JSON.stringify({ method: 'bank_card', payment_system: 'TEST_PS', external_id: id, amount: 1100000,
    currency: 'USD', customer: { customer_id: 'bench', country: 'LV', first_name: 'Test', last_name: 'Test' },
    payment_data: { card_number: '4111111111111111', card_holder: 'John Doe', exp_year: '2030', exp_month: '06' } });
  const req = http.request({ host: '127.0.0.1', port, path: '/v1/payouts', method: 'POST', agent,
    headers: { authorization: 'Bearer ' + apiKey, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
    (res) => { res.resume(); res.on('end', () => res.statusCode === 202 ? resolve() : reject(new Error('enqueue answered ' + res.statusCode))); });
  req.on('error', reject);
  req.end(data);
});
let next = 0;
Promise.all(Array.from({ length: inFlight }, async () => { while (next < ids.length) await post(ids[next++]); }))
  .then(() => parentPort.postMessage({ ok: true }), (err) => parentPort.postMessage({ ok: false, error: String(err) }));
`;

async function enqueue(port: number, ids: string[]) {
  const w = new Worker(CLIENT, {
    eval: true,
    workerData: { port, apiKey: API_KEY, ids, inFlight: IN_FLIGHT },
  });
  const res = await new Promise<{ ok: boolean; error?: string }>((done, fail) => {
    w.once('message', done);
    w.once('error', fail);
  });
  await w.terminate();
  if (!res.ok) throw new Error(res.error);
}

const API_KEY = 'bench-api-key-0123456789';
const prefix = `bench-prof-${randomBytes(4).toString('hex')}`;
const stub = await startStub(0, 1);
const apiPort = await freePort();
const env = {
  ...process.env,
  REDIS_URL,
  QUEUE_PREFIX: prefix,
  PORT: String(apiPort),
  METRICS_PORT: String(await freePort()),
  GATEWAY_URL: stub.url,
  MERCHANT_KEY: 'bench-merchant-key',
  SIGNATURE_SALT: 'bench-salt',
  API_KEYS: API_KEY,
  DASHBOARD_USER: 'ops',
  DASHBOARD_PASSWORD: 'bench-dashboard',
  PAYLOAD_KEY: randomBytes(32).toString('base64'),
  GATEWAY_RATE_LIMIT_PER_SECOND: '100000',
  WORKER_CONCURRENCY: '50',
  LOG_LEVEL: 'info',
};
const children: Record<'api' | 'worker', { proc: ChildProcess; started: number }> = {} as never;
for (const part of ['api', 'worker'] as const) {
  const args = profile ? ['--cpu-prof', `--cpu-prof-dir=${join(outDir, part)}`] : [];
  const proc = spawn(process.execPath, [...args, join(dist, 'cli.js'), part], { env, stdio: 'ignore' });
  children[part] = { proc, started: Date.now() };
}
const redis = new Redis(REDIS_URL);
const submitted = () => redis.zcard(`${prefix}:state:submitted`);
async function waitSubmitted(n: number) {
  while ((await submitted()) < n) await sleep(10);
}
for (;;) {
  const up = await new Promise<boolean>((done) => {
    const req = request({ host: '127.0.0.1', port: apiPort, path: '/healthz' }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('error', () => done(false));
    req.end();
  });
  if (up) break;
  await sleep(50);
}
const mem0 = Number((await redis.info('memory')).match(/used_memory:(\d+)/)?.[1]);
await enqueue(
  apiPort,
  Array.from({ length: WARMUP }, (_, i) => `warm-${i}`),
);
await waitSubmitted(WARMUP);
await sleep(1000);
const pids = { api: children.api.proc.pid!, worker: children.worker.proc.pid! };
const from = { api: Date.now() - children.api.started, worker: Date.now() - children.worker.started };
const cpu0 = { api: cpuMs(pids.api), worker: cpuMs(pids.worker) };
const t0 = performance.now();
await enqueue(
  apiPort,
  Array.from({ length: PAYOUTS }, (_, i) => `run-${i}`),
);
await waitSubmitted(WARMUP + PAYOUTS);
const seconds = (performance.now() - t0) / 1000;
const cpu1 = { api: cpuMs(pids.api), worker: cpuMs(pids.worker) };
const to = { api: Date.now() - children.api.started, worker: Date.now() - children.worker.started };
const mem1 = Number((await redis.info('memory')).match(/used_memory:(\d+)/)?.[1]);
const result = {
  payouts: PAYOUTS,
  payoutsPerSecond: Math.round(PAYOUTS / seconds),
  cpuPerPayoutMs: {
    api: (cpu1.api - cpu0.api) / PAYOUTS,
    worker: (cpu1.worker - cpu0.worker) / PAYOUTS,
  },
  usedMemoryPerSubmittedPayout: Math.round((mem1 - mem0) / (WARMUP + PAYOUTS)),
  profiled: profile,
};
console.log(JSON.stringify(result));
await sleep(500);
for (const c of Object.values(children)) c.proc.kill('SIGTERM');
await Promise.all(Object.values(children).map((c) => new Promise((r) => c.proc.once('exit', r))));
if (profile) {
  const meta = Object.fromEntries(
    (['api', 'worker'] as const).map((part) => [
      part,
      { dir: join(outDir, part), fromMs: from[part] - 500, toMs: to[part] + 200 },
    ]),
  );
  writeFileSync(join(outDir, 'meta.json'), JSON.stringify({ ...result, ...meta }, null, 2));
}
let cursor = '0';
do {
  const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
  cursor = next;
  if (keys.length) await redis.unlink(...keys);
} while (cursor !== '0');
redis.disconnect();
await stub.close();
