import type { Redis } from 'ioredis';
import type { PayoutState } from '../../src/payout/states.js';
import { PENDING, stateSnapshot } from './accounting.js';
import type { NotifyReceiver } from './notify-receiver.js';
import { type ChaosRun, sleep } from './run-context.js';

/**
 * The wait for the drain once the chaos is over: drained when nothing is pending, every accepted
 * payout has a record, every terminal one was notified with its terminal event, and nothing changed
 * for `settleMs`; given up `drainTimeoutMs` after the last POST.
 */

export interface Drain {
  drained: boolean;
  /** When it was drained (the start of the quiet `settleMs`), or when the wait gave up. */
  drainedAt: number;
}

export async function waitForDrain(
  run: ChaosRun,
  input: {
    observer: Redis;
    stateIndex: (s: PayoutState) => string;
    receiver: NotifyReceiver;
    expected: number;
    lastPostAt: number;
  },
): Promise<Drain> {
  let lastPrint = 0;
  let fingerprint = '';
  let stableSince = Date.now();
  const deadline = input.lastPostAt + run.opt.drainTimeoutMs;
  while (Date.now() < deadline) {
    if (run.cleanup.closed) throw new Error('the chaos run was stopped from outside');
    const look = await lookAtStates(input.observer, input.stateIndex, input.receiver);
    if (look.fingerprint !== fingerprint) {
      fingerprint = look.fingerprint;
      stableSince = Date.now();
    }
    if (Date.now() - lastPrint > 5_000) {
      lastPrint = Date.now();
      run.progress(
        `[chaos] pending ${look.pending}, total ${look.total}/${input.expected}, unnotified ${look.unnotified}, ${JSON.stringify(look.counts)}`,
      );
    }
    if (look.pending === 0 && look.total >= input.expected && look.unnotified === 0) {
      if (Date.now() - stableSince >= run.opt.settleMs) return { drained: true, drainedAt: stableSince };
    }
    await sleep(250);
  }
  return { drained: false, drainedAt: Date.now() };
}

/** The payouts by state, the terminal ones not yet notified, and what a change of either shows in. */
async function lookAtStates(
  observer: Redis,
  stateIndex: (s: PayoutState) => string,
  receiver: NotifyReceiver,
) {
  const snapshot = await stateSnapshot(observer, stateIndex);
  const pending = PENDING.reduce((s, st) => s + (snapshot.counts[st] ?? 0), 0);
  const total = Object.values(snapshot.counts).reduce((a, b) => a + b, 0);
  let unnotified = 0;
  for (const [id, state] of snapshot.terminal) {
    if (!receiver.byId.get(id)?.some((x) => x.event === `payout.${state}`)) unnotified++;
  }
  const fingerprint = JSON.stringify([snapshot.counts, receiver.stats.delivered]);
  return { counts: snapshot.counts, pending, total, unnotified, fingerprint };
}
