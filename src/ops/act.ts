import { PayoutError } from '../errors.js';
import type { Out } from './with-store.js';

/**
 * How an operator command ends: its result on stdout and exit 0; a refused action as one line on
 * stderr (exit 4 for an unknown payout, 1 otherwise); a refused command line with its usage (exit 2).
 */

/** Runs an operator action, printing the result or a one-line error; exit 1 on a refused action. */
export async function act(fn: () => Promise<string>, io: Out): Promise<number> {
  try {
    io.out(await fn());
    return 0;
  } catch (err) {
    if (err instanceof PayoutError) {
      io.err(`payouts: ${err.message}`);
      return err.httpStatus === 404 ? 4 : 1;
    }
    throw err;
  }
}

/** A refused command line: the line and its usage on stderr, exit 2 (usage error). */
export function refuse(io: Out, message: string): number {
  io.err(message);
  return 2;
}
