import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { FORBIDDEN_IN_LOGS, type TestSystem } from '../../helpers/system.js';

/** What the lifecycle and API contract tests share: ids, and a close that checks the logs. */

export const id = (tag = 'po') => `${tag}-${randomBytes(6).toString('hex')}`;

/** Closes the system, then checks that no secret reached its logs. */
export async function closeCheckingLogs(sys: TestSystem | undefined): Promise<void> {
  await sys?.close();
  const text = sys!.logs.join('\n');
  for (const secret of FORBIDDEN_IN_LOGS) expect(text).not.toContain(secret);
}
