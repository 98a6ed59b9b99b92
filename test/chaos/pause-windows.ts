import type { OperatorCall } from './approvers.js';

/**
 * Pause and resume windows of a payment_system during a chaos run (issue 15's kill switch), through
 * the admin API while payouts keep coming and workers are killed. When each window really began and
 * ended is read back from the audit log afterwards (controls-accounting.ts), not from these calls.
 */

export interface PauseWindowPlan {
  /** Milliseconds after the first POST. */
  atMs: number;
  forMs: number;
  /** A payment_system, or `*` for every one. */
  system: string;
}

/**
 * Windows placed clear of the Redis disruption (when half the payouts are in): one early in the
 * submission; a run of 20 s or more also gets a later one, pausing every system (`*`).
 */
export function defaultPauseWindows(plannedSubmitMs: number): PauseWindowPlan[] {
  const windows: PauseWindowPlan[] = [
    {
      atMs: Math.round(plannedSubmitMs * 0.12),
      forMs: Math.max(1_500, Math.round(plannedSubmitMs * 0.2)),
      system: 'TEST_PS',
    },
  ];
  if (plannedSubmitMs >= 20_000) {
    windows.push({
      atMs: Math.round(plannedSubmitMs * 0.7),
      forMs: Math.round(plannedSubmitMs * 0.12),
      system: '*',
    });
  }
  return windows;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Runs the windows in order: each waits for its time after the first POST, pauses, waits, resumes.
 * A call without an answer (or a 5xx) is tried again for up to a minute; the resume must land, or the
 * run could not drain. Returns what failed, one line each.
 */
export async function runPauseWindows(opts: {
  call: OperatorCall;
  adminAuthorization: string;
  windows: readonly PauseWindowPlan[];
  /** Milliseconds since the first POST, or undefined before it. */
  sinceFirstPost: () => number | undefined;
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
  for (const [i, w] of opts.windows.entries()) {
    while (!opts.isClosed() && (opts.sinceFirstPost() ?? Number.NEGATIVE_INFINITY) < w.atMs) await sleep(50);
    if (opts.isClosed()) break;
    if (!(await control('pause', w.system, `chaos: window ${i + 1}`))) continue;
    await sleep(w.forMs);
    await control('resume', w.system, `chaos: window ${i + 1} over`);
  }
  return errors;
}
