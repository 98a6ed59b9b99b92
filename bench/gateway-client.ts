import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import axios from 'axios';
import { createGatewayClient } from '../src/gateway/client.js';
import { withSignature } from '../src/gateway/signature.js';
import type { GatewayRequest } from '../src/methods/index.js';

/**
 * The gateway client's payout throughput against a zero-latency stub, next to a bare axios POST loop
 * (keep-alive agent, same stub, same body, same concurrency) measured in the same run. The stub runs
 * in a worker thread so that its work does not share the client's event loop.
 */

export interface GatewayClientBenchOptions {
  /** Requests per measured run. @defaultValue 20000 */
  requests?: number;
  /** Requests in flight. @defaultValue 50 */
  concurrency?: number;
  /** Requests per warm-up run (one for each side). @defaultValue 3000 */
  warmup?: number;
  /** Measured runs per side, interleaved; the median is reported. @defaultValue 5 */
  rounds?: number;
}

export interface GatewayClientBenchResult {
  /** Payouts per second through `createGatewayClient().payout`. */
  ours: number;
  /** POSTs per second through bare axios. */
  baseline: number;
  /** The median of each round's ours / baseline; the target is 0.9 or more. */
  ratio: number;
}

const MERCHANT_KEY = 'bench-merchant-key';
const SALT = 'bench-salt';
const ANSWER = JSON.stringify({
  status: 1,
  type: 2,
  external_id: 'po-bench',
  order_id: '175040565608186698365302451169',
  display_data: { card: '4111111111111111', card_holder: 'John Doe', bank_name: 'Bench Bank' },
});

/** The stub, as plain JavaScript for the worker: every request gets the same accepted payout. */
const STUB = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const answer = Buffer.from(workerData.answer);
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': answer.length });
    res.end(answer);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', (m) => { if (m === 'close') { server.closeAllConnections(); server.close(() => process.exit(0)); } });
`;

const request: GatewayRequest = {
  payment_system: 'TEST_PS',
  external_id: 'po-bench',
  amount: 1100000,
  currency: 'USD',
  customer: { customer_id: 'test', country: 'LV', first_name: 'Test', last_name: 'Test' },
  payment_data: {
    card_number: '4111111111111111',
    card_holder: 'John Doe',
    exp_year: '2028',
    exp_month: '06',
  },
};

/** Runs `total` calls of `fn` with `concurrency` in flight; returns calls per second. */
async function throughput(total: number, concurrency: number, fn: () => Promise<unknown>): Promise<number> {
  let started = 0;
  const begin = performance.now();
  const lane = async () => {
    while (started < total) {
      started += 1;
      await fn();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return total / ((performance.now() - begin) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchGatewayClient(
  options: GatewayClientBenchOptions = {},
): Promise<GatewayClientBenchResult> {
  const { requests = 20_000, concurrency = 50, warmup = 3_000, rounds = 5 } = options;
  const stub = new Worker(STUB, { eval: true, workerData: { answer: ANSWER } });
  const port = await new Promise<number>((resolve, reject) => {
    stub.once('message', resolve);
    stub.once('error', reject);
  });
  const baseUrl = `http://127.0.0.1:${port}`;

  const client = createGatewayClient({
    baseUrl,
    merchantKey: MERCHANT_KEY,
    salt: SALT,
    timeoutMs: 30_000,
    connectTimeoutMs: 5_000,
  });
  let notAccepted = 0;
  const ours = async () => {
    const outcome = await client.payout(request);
    if (outcome.kind !== 'accepted') notAccepted += 1;
  };

  const agent = new http.Agent({ keepAlive: true });
  const bare = axios.create({ baseURL: baseUrl, httpAgent: agent, proxy: false });
  const body = JSON.stringify(withSignature({ ...request }, SALT));
  const baseline = () =>
    bare.post('/v2/payment/payout/', body, {
      headers: { 'Content-Type': 'application/json', MERCHANT_KEY },
    });

  try {
    await throughput(warmup, concurrency, baseline);
    await throughput(warmup, concurrency, ours);
    const oursRuns: number[] = [];
    const baselineRuns: number[] = [];
    for (let i = 0; i < rounds; i++) {
      baselineRuns.push(await throughput(requests, concurrency, baseline));
      oursRuns.push(await throughput(requests, concurrency, ours));
    }
    if (notAccepted > 0)
      throw new Error(`${notAccepted} payouts were not accepted: the bench measured failures`);
    // Each round's ratio compares two runs made back to back, so drift in the machine's load cancels.
    const ratios = oursRuns.map((o, i) => o / baselineRuns[i]!);
    return {
      ours: Math.round(median(oursRuns)),
      baseline: Math.round(median(baselineRuns)),
      ratio: Math.round(median(ratios) * 1000) / 1000,
    };
  } finally {
    client.close();
    agent.destroy();
    stub.postMessage('close');
    await new Promise((resolve) => stub.once('exit', resolve));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchGatewayClient();
  console.log(
    `gateway client payouts/s: ours ${result.ours}, bare axios ${result.baseline}, ratio ${result.ratio} (target >= 0.9)`,
  );
}
