import type { OperatorCall } from './approvers.js';
import { sleep } from './run-context.js';

/**
 * Pause and resume windows of a payment_system during a chaos run (issue 15's kill switch), through
 * the admin API while payouts keep coming and workers are killed. When each window really began and
 * ended is read back from the audit log afterwards (controls-accounting.ts), not from these calls.
 */

export interface PauseWindowPlan {
  /** Paused once this share of the payouts is accepted. */
  fromShare: number;
  /** Resumed once this share is accepted. */
  toShare: number;
  /** A payment_system, or `*` for every one. */
  system: string;
}

/**
 * Windows placed by the share of payouts accepted, so they stay clear of the Redis disruption (when
 * half are in) however fast the submission goes: a claim queued while Redis is down could run after a
 * resume with a time stamped inside the window. One early window on TEST_PS; a run of 600 payouts or
 * more also pauses every system (`*`) later on.
 */
export function defaultPauseWindows(payouts: number): PauseWindowPlan[] {
  const windows: PauseWindowPlan[] = [{ fromShare: 0.08, toShare: 0.3, system: 'TEST_PS' }];
  if (payouts >= 600) windows.push({ fromShare: 0.7, toShare: 0.85, system: '*' });
  return windows;
}

/**
 * Runs the windows in order: each waits for its share of accepted payouts, pauses, waits for the
 * next share (or the end of the submission), resumes.
 * A call without an answer (or a 5xx) is tried again for up to a minute; the resume must land, or the
 * run could not drain. Returns what failed, one line each.
 */
export async function runPauseWindows(opts: {
  call: OperatorCall;
  adminAuthorization: string;
  windows: readonly PauseWindowPlan[];
  /** The share of the payouts accepted so far (0 to 1). */
  acceptedShare: () => number;
  event: (what: string) => void;
  isClosed: () => boolean;
}): Promise<string[]> {
  const errors: string[] = [];
  const control = async (verb: 'pause' | 'resume', system: string, note: string): Promise<boolean> => {
    const deadline = Date.now() + 60_000;
    for (let attempt = 0; !opts.isClosed(); attempt++) {
      const res = await opts.call(
        'POST',
        `/v1/controls/${verb}`,
        { payment_system: system, note },
        opts.adminAuthorization,
      );
      if (res.status === 200) {
        opts.event(`${verb} ${system}`);
        return true;
      }
      if ((res.status !== 0 && res.status < 500) || Date.now() > deadline) {
        errors.push(`${verb} ${system}: answered ${res.status}`);
        return false;
      }
      await sleep(Math.min(100 * 2 ** attempt, 1_000));
    }
    return false;
  };
  const reached = async (share: number) => {
    while (!opts.isClosed() && opts.acceptedShare() < share) await sleep(50);
  };
  for (const [i, w] of opts.windows.entries()) {
    await reached(w.fromShare);
    if (opts.isClosed()) break;
    if (!(await control('pause', w.system, `chaos: window ${i + 1}`))) continue;
    await reached(Math.min(1, w.toShare));
    await control('resume', w.system, `chaos: window ${i + 1} over`);
  }
  return errors;
}
