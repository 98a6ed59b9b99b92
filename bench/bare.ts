import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { Worker as BullWorker, Queue } from 'bullmq';
import { Redis } from 'ioredis';

/**
 * The bare pipeline the figures are measured against, one part per process as ours:
 * - `bare.ts api`: a node:http endpoint that parses the body and adds it as a BullMQ job (no
 *   validation, no record, no auth), 202;
 * - `bare.ts worker`: a BullMQ worker at concurrency 50 doing one keep-alive axios POST per job.
 * Finished jobs are removed: nothing is kept.
 */

// tsx turns source maps on; ours runs without them, and so does this process.
process.setSourceMapsEnabled(false);

const part = process.argv[2];
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = process.env.BARE_PREFIX ?? '{bare}';
const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });

if (part === 'api') {
  const queue = new Queue('bare', { connection, prefix });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let payout: { external_id?: unknown };
      try {
        payout = JSON.parse(Buffer.concat(chunks).toString());
      } catch {
        res.writeHead(400).end();
        return;
      }
      queue.add('payout', payout, { jobId: `b-${String(payout.external_id)}`, removeOnComplete: true }).then(
        () => res.writeHead(202, { 'content-type': 'application/json' }).end('{}'),
        () => res.writeHead(503).end(),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () =>
    process.send?.({ port: (server.address() as AddressInfo).port }),
  );
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => void queue.close().then(() => process.exit(0)));
  });
} else if (part === 'worker') {
  const http = axios.create({ httpAgent: new Agent({ keepAlive: true }) });
  const gatewayUrl = process.env.GATEWAY_URL!;
  const worker = new BullWorker(
    'bare',
    async (job) => {
      await http.post(`${gatewayUrl}/v2/payment/payout/`, JSON.stringify(job.data), {
        headers: { 'content-type': 'application/json' },
      });
    },
    { connection, prefix, concurrency: Number(process.env.WORKER_CONCURRENCY ?? 50) },
  );
  void worker.waitUntilReady().then(() => process.send?.({ ready: true }));
  process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
} else {
  throw new Error('usage: bare.ts api|worker');
}
