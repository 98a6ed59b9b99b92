import { payoutKeys } from '../../src/payout/keys.js';
import type { SandboxRecord } from '../../src/sandbox/index.js';
import { account, evaluate } from './accounting.js';
import { type ApiClient, apiClient } from './api-client.js';
import { assembleReport } from './assemble-report.js';
import type { ControlsReport } from './controls-accounting.js';
import { controlsSettings, startControls } from './controls-chaos.js';
import { type Disruption, startDisruption } from './disruption.js';
import { type Drain, waitForDrain } from './drain.js';
import { type Infrastructure, startInfrastructure } from './infrastructure.js';
import { type OtherDoors, postOtherDoors } from './other-doors.js';
import { type OutboxSampler, sampleOutbox } from './outbox-sampler.js';
import { defaultPauseWindows, type PauseWindowPlan } from './pause-windows.js';
import { stopGracefully } from './processes.js';
import { type PayoutViews, readEveryPayout } from './read-back.js';
import { writeLogs, writeReport } from './report-files.js';
import { type ChaosRun, createRun } from './run-context.js';
import { planRun } from './run-plan.js';
import type { PlannedPayout } from './scenarios.js';
import { scanAfterStop, scanDoors, unauthenticatedIdOf } from './security-checks.js';
import type { HttpScanResult, RedisScanResult } from './security-scan.js';
import { acceptedShare, newSubmission, type Submission, submitPaced } from './submission.js';
import { type SystemUnderTest, startSystem } from './system-under-test.js';
import type { ChaosOptions, ChaosReport } from './types.js';

export { evaluate } from './accounting.js';
export { ChaosCleanup } from './processes.js';
export { formatReport } from './report.js';
export { REPO_ROOT } from './run-context.js';
export type { ChaosEvent, ChaosOptions, ChaosReport } from './types.js';

/**
 * The chaos run (issue 7): one `payouts api` and two `payouts worker` processes on a private Redis
 * with AOF, the sandbox gateway in this process, N payouts through the API's HTTP door across every
 * payment method and the sandbox's fault markers, while workers are SIGKILLed and restarted every few
 * seconds and Redis is killed hard once (SIGKILL, then restarted from its AOF under
 * REDIS_DURABILITY=fsync; or, with `redisFault: 'fail-over'`, its replica promoted in its place under
 * REDIS_DURABILITY=replicas:1, see redis-topology.ts). Then: were any lost, sent twice, left unnotified; and did any
 * secret reach Redis, a log line, an answer or the dashboard.
 *
 * The run in its phases, in order: start the parts, submit under chaos, wait for the drain and read
 * every payout back, stop the processes and scan, then the accounting and the report. Whatever a
 * phase starts is registered with the run's cleanup, which stops it also when a phase fails.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const run = createRun(options);
  try {
    const parts = await startParts(run);
    const chaos = await submitUnderChaos(run, parts);
    const settled = await settleAndRead(run, parts, chaos);
    const stopped = await stopAndScan(run, parts);
    return finishReport(run, { ...parts, ...chaos, ...settled, ...stopped });
  } finally {
    await run.cleanup.run();
  }
}

/** What runs before the chaos: the infrastructure, the system's processes, the plan. */
interface Parts {
  infra: Infrastructure;
  controlsSetup: Awaited<ReturnType<typeof controlsSettings>> | undefined;
  pauseWindows: PauseWindowPlan[];
  system: SystemUnderTest;
  client: ApiClient;
  doors: OtherDoors;
  plan: PlannedPayout[];
}

async function startParts(run: ChaosRun): Promise<Parts> {
  // Redis, the notification receiver, the sandbox; then the system's processes.
  const infra = await startInfrastructure(run);
  const { opt } = run;
  const controlsSetup = opt.controls ? await controlsSettings(run.secrets, opt.approvalTimeoutMs) : undefined;
  const pauseWindows = opt.controls ? (run.options.pauseWindows ?? defaultPauseWindows(run.n)) : [];
  const system = await startSystem(run, infra, controlsSetup?.env);
  const client = apiClient(infra.api, run.secrets.apiKey, run.scanner);
  // The secrets' other doors, before the chaos; then the plan.
  const doors = await postOtherDoors(client, run.runId, run.secrets);
  const plan = planRun(run, doors);
  return { infra, controlsSetup, pauseWindows, system, client, doors, plan };
}

/** The submission while workers are killed and Redis is disrupted, with the operator controls at work. */
interface Chaos {
  keys: ReturnType<typeof payoutKeys>;
  outbox: OutboxSampler;
  disruption: Disruption;
  submission: Submission;
  submitted: { lastPostAt: number; submitMs: number };
  operatorControls: Awaited<ReturnType<typeof startControls>> | undefined;
}

async function submitUnderChaos(run: ChaosRun, parts: Parts): Promise<Chaos> {
  const { infra, system } = parts;
  const keys = payoutKeys(run.queuePrefix);
  const outbox = sampleOutbox(run, infra.observer, keys.outbox);
  const disruption = startDisruption(run, system, infra.redis);
  const submission = newSubmission();
  const operatorControls = await startOperatorControls(run, parts, submission);
  const submitted = await submitPaced(run, parts.client, parts.plan, submission, (p, r) => {
    if (r.accepted) operatorControls?.decide(p);
    disruption.afterAnswer(submission.accepted);
  });
  await disruption.end();
  await operatorControls?.finish();
  await Promise.all(system.workers.map((w) => w.ready));
  run.event('chaos over: both workers running');
  return { keys, outbox, disruption, submission, submitted, operatorControls };
}

/** The approval rules, the approvers and the pause windows, when the run has the controls in the mix. */
async function startOperatorControls(run: ChaosRun, parts: Parts, submission: Submission) {
  const { controlsSetup } = parts;
  if (!controlsSetup) return undefined;
  return startControls({
    api: parts.infra.api,
    apiKey: run.secrets.apiKey,
    admin: { name: run.secrets.dashboardUser, secret: run.secrets.dashboardPassword },
    approvers: controlsSetup.approvers,
    windows: parts.pauseWindows,
    random: run.random,
    acceptedShare: () => acceptedShare(submission, parts.plan, run.n),
    event: run.event,
    isClosed: () => run.cleanup.closed,
  });
}

/** After the chaos, while the processes still run. */
interface Settled {
  acceptedIds: string[];
  drain: Drain;
  views: PayoutViews;
  controlsReport: ControlsReport | undefined;
  http: HttpScanResult | undefined;
}

async function settleAndRead(run: ChaosRun, parts: Parts, chaos: Chaos): Promise<Settled> {
  const { infra, plan } = parts;
  const acceptedIds = plan
    .filter((p) => chaos.submission.results.get(p.externalId)?.accepted)
    .map((p) => p.externalId);
  const drain = await waitForDrain(run, {
    observer: infra.observer,
    stateIndex: chaos.keys.stateIndex,
    receiver: infra.receiver,
    expected: acceptedIds.length,
    lastPostAt: chaos.submitted.lastPostAt,
  });
  run.event(drain.drained ? 'drained' : 'drain deadline passed');
  await chaos.outbox.stop();

  const views = await readEveryPayout(parts.client, run.scanner, acceptedIds);
  const controlsReport = await chaos.operatorControls?.account({
    plan,
    views,
    arrivals: infra.arrivals,
    gatewayCounted: plan.reduce((sum, p) => sum + (infra.sandbox.received(p.externalId)?.requests ?? 0), 0),
  });
  const http = await scanDoors(run, parts.client, plan, chaos.submission, parts.doors);
  return { acceptedIds, drain, views, controlsReport, http };
}

interface Stopped {
  shutdown: Awaited<ReturnType<typeof stopGracefully>>[];
  redisScan: RedisScanResult | undefined;
  logLineCounts: Record<string, number>;
}

/**
 * The run's further check (`beforeStop`), the processes stopped gracefully (a clean exit is part of
 * recovering), then the scan of what they left.
 */
async function stopAndScan(run: ChaosRun, parts: Parts): Promise<Stopped> {
  const { infra, system } = parts;
  await run.options.beforeStop?.({
    redis: infra.observer,
    queuePrefix: run.queuePrefix,
    scan: (source, text) => run.scanner.scan('ledger', source, text),
  });
  const shutdown = await Promise.all([system.api, ...system.workers].map((p) => stopGracefully(p, 20_000)));
  run.event(`processes stopped: ${shutdown.map((s) => `${s.name} ${s.code ?? s.signal}`).join(', ')}`);
  return { shutdown, ...(await scanAfterStop(run, infra.observer)) };
}

/** The accounting, the report and its invariants, written with the run's logs. */
function finishReport(run: ChaosRun, r: Parts & Chaos & Settled & Stopped): ChaosReport {
  const { infra, plan } = r;
  const received = new Map<string, SandboxRecord>(infra.sandbox.received().map((x) => [x.external_id, x]));
  const accounting = account({
    plan,
    results: r.submission.results,
    views: r.views,
    received,
    receiver: infra.receiver,
    acceptedIds: r.acceptedIds,
    refusedIds: [...r.doors.cvvPayouts.map((c) => c.externalId), unauthenticatedIdOf(run.runId)],
  });
  const full = assembleReport(run, {
    ...r,
    accounting,
    outboxMax: r.outbox.max,
    controls: r.controlsReport,
  });
  full.failures = evaluate(full);
  full.ok = full.failures.length === 0;
  run.keepRedisDirs = !full.ok;
  const reportPath = run.options.reportPath ?? 'test-output/chaos-report.json';
  writeReport(full, reportPath);
  writeLogs(
    run.lines,
    run.options.logsPath ?? `${reportPath.replace(/\.json$/, '')}.logs.ndjson`,
    run.scanner,
  );
  return full;
}
