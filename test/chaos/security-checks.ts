import type { Redis } from 'ioredis';
import type { ApiClient } from './api-client.js';
import type { OtherDoors } from './other-doors.js';
import type { ChaosRun } from './run-context.js';
import type { PlannedPayout } from './scenarios.js';
import { type HttpScanResult, type RedisScanResult, scanHttp, scanLogs, scanRedis } from './security-scan.js';
import type { Submission } from './submission.js';

/**
 * When a run looks for its secrets (security-scan.ts says where): the doors, the dashboard and the
 * metrics while the API still runs; Redis and every log line once the processes stopped. Without
 * the scan, the log lines are only counted.
 */

/** The payout the door scan POSTs without credentials: it must not exist afterwards. */
export const unauthenticatedIdOf = (runId: string) => `chaos-${runId}-unauthenticated`;

export async function scanDoors(
  run: ChaosRun,
  client: ApiClient,
  plan: readonly PlannedPayout[],
  submission: Submission,
  doors: OtherDoors,
): Promise<HttpScanResult | undefined> {
  if (!run.opt.securityScan) return undefined;
  const sample = plan.find((p) => p.method === 'bank_card' && submission.results.get(p.externalId)?.accepted);
  return scanHttp({
    api: client.url,
    apiKey: run.secrets.apiKey,
    dashboardUser: run.secrets.dashboardUser,
    dashboardPassword: run.secrets.dashboardPassword,
    sampleExternalId: (sample ?? plan[0]!).externalId,
    unauthenticatedPayout: { ...(sample ?? plan[0]!).body, external_id: unauthenticatedIdOf(run.runId) },
    depositBody: doors.deposits[0]!.body,
    scanner: run.scanner,
  });
}

export async function scanAfterStop(
  run: ChaosRun,
  observer: Redis,
): Promise<{ redisScan: RedisScanResult | undefined; logLineCounts: Record<string, number> }> {
  if (run.opt.securityScan) {
    const redisScan = await scanRedis(observer, run.queuePrefix, run.scanner);
    return { redisScan, logLineCounts: scanLogs(run.lines, run.scanner) };
  }
  const logLineCounts: Record<string, number> = {};
  for (const l of run.lines) {
    const g = l.source.replace(/#\d+$/, '');
    logLineCounts[g] = (logLineCounts[g] ?? 0) + 1;
  }
  return { redisScan: undefined, logLineCounts };
}
