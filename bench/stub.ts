import { Worker } from 'node:worker_threads';

/**
 * A stand-in gateway for benchmarks: answers every POST with a payout in `status` (1 accepted, 4
 * succeeded) after `delayMs`. It runs in a worker thread so its work does not share the measured event loop.
 */
const STUB_SOURCE = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
let n = 0;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    n++;
    let externalId = 'unknown';
    try { externalId = JSON.parse(Buffer.concat(chunks).toString()).external_id; } catch {}
    const answer = JSON.stringify({ status: workerData.status, type: 2, external_id: externalId, order_id: String(100000000000 + n) });
    const send = () => res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    if (workerData.delayMs > 0) setTimeout(send, workerData.delayMs); else send();
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', (m) => { if (m === 'close') server.close(() => process.exit(0)); });
`;

export async function startStub(
  delayMs = 0,
  status: 1 | 4 = 1,
): Promise<{ url: string; close(): Promise<void> }> {
  const worker = new Worker(STUB_SOURCE, { eval: true, workerData: { delayMs, status } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      worker.postMessage('close');
      await new Promise((r) => worker.once('exit', r));
    },
  };
}

/** The payout every benchmark sends: the seed's card payout with a given external_id. */
export const benchPayout = (externalId: string) => ({
  method: 'bank_card',
  payment_system: 'TEST_PS',
  external_id: externalId,
  amount: 1100000,
  currency: 'USD',
  customer: { customer_id: 'bench', country: 'LV', first_name: 'Test', last_name: 'Test' },
  payment_data: {
    card_number: '4111111111111111',
    card_holder: 'John Doe',
    exp_year: '2030',
    exp_month: '06',
  },
});
