import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The fake gateway, a process of its own (started by bench/stub.ts): answers every payout POST with
 * `status` (3: in progress, the payout waits for its callback) after `delayMs`. It counts arrivals and
 * external_ids seen twice, and, while asked to, notes each arrival's time (process.hrtime, in µs: the
 * same clock in every process of this machine) for the latency figures.
 */

// tsx turns source maps on; ours runs without them, and so does this process.
process.setSourceMapsEnabled(false);

const status = Number(process.env.FAKE_GATEWAY_STATUS ?? 3);
const delayMs = Number(process.env.FAKE_GATEWAY_DELAY_MS ?? 0);
const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

let arrivals = 0;
let duplicates = 0;
const seen = new Set<string>();
let times: Map<string, number> | undefined;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = nowMicros();
    let externalId = '';
    try {
      externalId = String(JSON.parse(Buffer.concat(chunks).toString()).external_id);
    } catch {
      res.writeHead(400).end();
      return;
    }
    arrivals++;
    if (seen.has(externalId)) duplicates++;
    else seen.add(externalId);
    times?.set(externalId, at);
    const answer = JSON.stringify({
      status,
      type: 2,
      external_id: externalId,
      order_id: String(100_000_000_000 + arrivals),
    });
    const send = () =>
      res
        .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) })
        .end(answer);
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  });
});
server.keepAliveTimeout = 60_000;

type Command = 'count' | 'record' | 'times' | 'close';
process.on('message', (m: Command) => {
  if (m === 'count') process.send!({ arrivals, duplicates, distinct: seen.size });
  else if (m === 'record') {
    times = new Map();
    process.send!({ ok: true });
  } else if (m === 'times') {
    process.send!({ times: [...(times ?? new Map()).entries()] });
    times = undefined;
  } else if (m === 'close') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
