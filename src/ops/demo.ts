import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { getMethod, methodIds } from '../methods/index.js';
import { isTerminal, PAYOUT_STATES, type PayoutState } from '../payout/states.js';
import type { PayoutStore } from '../payout/store.js';
import { connectProducer } from '../producer/connect.js';
import type { Producer } from '../producer/producer.js';
import type { System } from '../system.js';
import { consoleAnswers, type DemoSystem, demoConsoleLine } from './demo-console.js';
import { createProgress } from './progress.js';

/**
 * `payouts demo`: a mixed batch against the sandbox gateway (every method, a share of every fault),
 * a live progress bar while the payouts move, and a table by state at the end. It uses the running
 * system (`npm start`) when one is up, and starts one in this process when none is.
 */

/** The sandbox's outcome markers (docs/sandbox.md), each with what the demo shows it for. */
const SCENARIOS: [marker: string, what: string][] = [
  ['+delay=1500', 'success by callback'],
  ['+instant', 'success in the answer'],
  ['+decline+delay=1500', 'declined'],
  ['+error+instant', 'gateway error'],
  ['+unknown+delay=2000', 'unknown, then success'],
  ['+503x2+retry-after=1+delay=1000', 'busy twice, then success'],
  ['+429x1+retry-after=1+delay=1000', 'rate limited, then success'],
  ['+500+delay=2000', 'answer lost (500), settled by callback'],
  ['+drop+no-callback', 'connection dropped, no callback: needs review'],
  ['+early-callback+delay=500', 'callback before the answer'],
  ['+dup-callback+stale-callback+delay=1500', 'duplicate and stale callbacks'],
];

const DEMO_USAGE = 'payouts demo [per-scenario]: per-scenario is a whole number from 1 to 100 (default 1)';
/** How often the demo reads the payouts' states; the progress line redraws on its own schedule. */
const POLL_MS = 250;

export async function demo(config: Config, args: string[]): Promise<number> {
  if (!config.gateway.sandbox) {
    process.stderr.write('payouts: the demo runs against the sandbox gateway only; unset GATEWAY_URL\n');
    return 2;
  }
  const perScenario = perScenarioOf(args);
  if (perScenario === undefined) return 2;
  const payouts = connectProducer(
    config,
    createLogger({ level: 'warn', destination: process.stderr as never }),
    'worker',
  );
  const { store, queue, producer } = payouts;
  const ownSystem = (await queue.getWorkersCount()) === 0 ? await startOwnSystem(config) : undefined;
  const batch = await enqueueBatch(producer, perScenario);
  const watched = await watchBatch(store, batch);
  await printOutcome(store, batch, watched);
  await payouts.close();
  await showConsole(config, ownSystem);
  return 0;
}

/** The payouts per scenario the command line asks for; undefined (after saying why) when it is wrong. */
function perScenarioOf(args: string[]): number | undefined {
  const given = args[0] ?? '1';
  if (args.length > 1 || !/^\d+$/.test(given) || Number(given) < 1 || Number(given) > 100) {
    const problem =
      args.length > 1 ? `unexpected argument '${args[1]}'` : `per-scenario must be 1 to 100, not '${given}'`;
    process.stderr.write(`payouts: ${problem}\nusage: ${DEMO_USAGE}\n`);
    return undefined;
  }
  return Number(given);
}

/** No worker answers: the demo runs the system itself. */
async function startOwnSystem(config: Config): Promise<System> {
  process.stdout.write('no running system found: starting one in this process (sandbox + API + worker)\n');
  const { startSystem } = await import('../system.js');
  return startSystem(
    config,
    ['sandbox', 'api', 'worker'],
    // The demo's own lost answers would be logged as warnings; the table says it better.
    createLogger({ level: 'error', destination: process.stderr as never }),
  );
}

type Batch = { id: string; what: string; reviewExpected: boolean }[];

/** Every method with every scenario, `perScenario` times each. */
async function enqueueBatch(producer: Producer, perScenario: number): Promise<Batch> {
  const run = randomBytes(3).toString('hex');
  const batch: Batch = [];
  for (const method of methodIds) {
    for (const [i, [marker, what]] of SCENARIOS.entries()) {
      for (let k = 0; k < perScenario; k++) {
        const id = `demo-${run}-${method.replaceAll('_', '')}-${i}-${k}`;
        // Each method's documented example (tested to pass its validator), plainly fake.
        const paymentData = getMethod(method).examples.payout;
        await producer.enqueuePayout({
          method,
          payment_system: 'DEMO',
          external_id: id,
          amount: 1000 + i,
          currency: 'EUR',
          customer: { customer_id: `demo${marker}`, country: 'LV', first_name: 'Demo', last_name: 'Player' },
          ...(paymentData ? { payment_data: paymentData } : {}),
        });
        batch.push({ id, what, reviewExpected: marker.includes('no-callback') });
      }
    }
  }
  process.stdout.write(
    `enqueued ${batch.length} payouts (${methodIds.length} methods x ${SCENARIOS.length} scenarios)\n`,
  );
  return batch;
}

/** Reads the batch's states with a progress line until every payout settled, or two minutes passed. */
async function watchBatch(
  store: PayoutStore,
  batch: Batch,
): Promise<{ states: Map<string, PayoutState>; started: number }> {
  const states = new Map<string, PayoutState>();
  // Unknown outcomes wait in needs_review until the gateway's callback settles them; only the
  // scenarios without a callback are expected to stay there.
  const settled = (s: PayoutState | undefined, reviewExpected: boolean) =>
    s !== undefined && (isTerminal(s) || (reviewExpected && s === 'needs_review'));
  const started = Date.now();
  const deadline = started + 120_000;
  const progress = createProgress(batch.length);
  for (;;) {
    for (const { id, reviewExpected } of batch) {
      if (settled(states.get(id), reviewExpected)) continue;
      const r = await store.get(id);
      if (r) states.set(id, r.status);
    }
    const done = batch.filter(({ id, reviewExpected }) => settled(states.get(id), reviewExpected)).length;
    const counts = countBy(batch.map(({ id }) => states.get(id) ?? 'queued'));
    const detail = `settled  ${PAYOUT_STATES.filter((s) => counts[s])
      .map((s) => `${s} ${counts[s]}`)
      .join('  ')}`;
    progress.update(done, detail);
    if (done === batch.length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  progress.stop();
  return { states, started };
}

/** The table by state, then each payout left in needs_review with its reason. */
async function printOutcome(
  store: PayoutStore,
  batch: Batch,
  { states, started }: { states: Map<string, PayoutState>; started: number },
): Promise<void> {
  process.stdout.write(`\nafter ${((Date.now() - started) / 1000).toFixed(1)} s:\n`);
  const counts = countBy(batch.map(({ id }) => states.get(id) ?? 'queued'));
  for (const s of PAYOUT_STATES)
    if (counts[s]) process.stdout.write(`  ${s.padEnd(16)} ${String(counts[s]).padStart(5)}\n`);
  const review = batch.filter(({ id }) => states.get(id) === 'needs_review');
  if (review.length > 0) {
    process.stdout.write(
      `\nneeds_review (an operator decides; see README "What to do with needs_review"):\n`,
    );
    for (const { id, what } of review) {
      const r = await store.get(id);
      process.stdout.write(`  ${id}  ${r?.reason ?? ''}  (${what})\n`);
    }
  }
}

/** Where to look next; a system the demo started stays up on a terminal until Ctrl-C. */
async function showConsole(config: Config, ownSystem: System | undefined): Promise<void> {
  const staysUp = ownSystem !== undefined && process.stdout.isTTY === true;
  let system: DemoSystem;
  if (ownSystem?.urls.api) system = { kind: 'own', apiUrl: ownSystem.urls.api, staysUp };
  else {
    // The payouts went straight to Redis: HOST and PORT only say where that system's API is expected.
    const apiUrl = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
    system = { kind: 'running', apiUrl, answers: await consoleAnswers(apiUrl) };
  }
  process.stdout.write(`\n${demoConsoleLine(config, system)}\n`);
  if (staysUp) {
    // The console is served by the system this demo started: it stays up to be looked at.
    process.stdout.write('the demo system keeps running for the console: Ctrl-C stops it\n');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  }
  await ownSystem?.close();
}

function countBy(values: PayoutState[]): Partial<Record<PayoutState, number>> {
  const out: Partial<Record<PayoutState, number>> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
