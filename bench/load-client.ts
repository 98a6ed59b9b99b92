import { Agent, request } from 'node:http';
import { benchPayout } from './stub.js';

/**
 * The load generator, a process of its own (driven by bench/load.ts): POSTs payouts to `url`/v1/payouts
 * either closed-loop (`inFlight` clients, each sending its next payout when the last is answered, up
 * to `total` if given) or open-loop (`rate` per second whatever is still in flight). While recording,
 * it notes when each payout was sent (process.hrtime, µs).
 */

// tsx turns source maps on; ours runs without them, and so does this process.
process.setSourceMapsEnabled(false);

interface Start {
  url: string;
  apiKey: string;
  tag: string;
  mode: 'closed' | 'open';
  inFlight?: number;
  rate?: number;
  total?: number;
  record?: boolean;
}

const nowMicros = () => Number(process.hrtime.bigint() / 1000n);
let accepted = 0;
let failed = 0;
let sent = 0;
/** Open-loop payouts not sent because `MAX_OUTSTANDING` were unanswered: the side fell behind. */
let skipped = 0;
const MAX_OUTSTANDING = 1024;
let firstError: string | undefined;
let stopping = false;
const inFlight = new Set<Promise<void>>();
const times = new Map<string, number>();

function post(opts: Start, agent: Agent, target: URL, id: string): Promise<void> {
  const data = JSON.stringify(benchPayout(id));
  sent++;
  if (opts.record) times.set(id, nowMicros());
  return new Promise<void>((resolve) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${opts.apiKey}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 202) accepted++;
          else {
            failed++;
            firstError ??= `POST answered ${res.statusCode}`;
          }
          resolve();
        });
      },
    );
    req.on('error', (err) => {
      failed++;
      firstError ??= String(err);
      resolve();
    });
    req.end(data);
  });
}

function track(p: Promise<void>) {
  inFlight.add(p);
  void p.then(() => inFlight.delete(p));
}

function run(opts: Start): Promise<void> {
  const target = new URL(`${opts.url}/v1/payouts`);
  // Open-loop, at most 256 connections: more, opened at once on a busy machine, overflow the listen
  // backlog (ECONNRESET); a payout due while all are busy waits in the agent, its send time kept.
  const agent = new Agent({ keepAlive: true, maxSockets: opts.mode === 'closed' ? opts.inFlight : 256 });
  let next = 0;
  const nextId = () => `${opts.tag}-${next++}`;
  const more = () => !stopping && (opts.total === undefined || next < opts.total);
  if (opts.mode === 'closed') {
    const lane = async () => {
      while (more()) await post(opts, agent, target, nextId());
    };
    return Promise.all(Array.from({ length: opts.inFlight ?? 64 }, lane)).then(() => undefined);
  }
  const rate = opts.rate ?? 100;
  const started = nowMicros();
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const due = Math.floor(((nowMicros() - started) / 1e6) * rate);
      while (next < due && more()) {
        if (inFlight.size < MAX_OUTSTANDING) track(post(opts, agent, target, nextId()));
        else {
          next++;
          skipped++;
        }
      }
      if (!more()) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
}

const counts = () => ({ accepted, failed, sent, skipped, firstError });
let running: Promise<void> | undefined;
process.on('message', async (m: { cmd: string; start?: Start }) => {
  if (m.cmd === 'start') {
    running = run(m.start!);
    process.send!({ ok: true });
  } else if (m.cmd === 'count') process.send!(counts());
  else if (m.cmd === 'finish') {
    // Sends up to `total` (or until stopped), then answers once every request has been answered.
    await running;
    await Promise.all(inFlight);
    process.send!(counts());
  } else if (m.cmd === 'stop') {
    stopping = true;
    await running;
    await Promise.all(inFlight);
    process.send!(counts());
  } else if (m.cmd === 'times') process.send!({ times: [...times.entries()] });
});
process.send!({ ready: true });
