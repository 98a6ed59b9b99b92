import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { SETTING_NAMES } from '../../src/config.js';
import { sign } from '../../src/gateway/signature.js';
import { payoutKeys } from '../../src/payout/keys.js';
import { createSandbox, type SandboxRecord } from '../../src/sandbox/index.js';
import { freePort } from '../helpers/system.js';
import {
  account,
  countBy,
  evaluate,
  PENDING,
  type SubmitResult,
  stateSnapshot,
  warnings,
} from './accounting.js';
import { recordGatewayArrivals } from './controls-accounting.js';
import { controlsSettings, planControls, startControls } from './controls-chaos.js';
import { startNotifyReceiver } from './notify-receiver.js';
import { defaultPauseWindows } from './pause-windows.js';
import {
  ChaosCleanup,
  isRunning,
  killHard,
  type LogLine,
  type PartProcess,
  spawnPart,
  stopGracefully,
} from './processes.js';
import { DURABILITY_FOR, startChaosRedis } from './redis-topology.js';
import { type PlannedPayout, planCvvPayouts, planDeposits, planPayouts, seededRandom } from './scenarios.js';
import { generateRunSecrets, SecretScanner } from './secrets.js';
import { type RedisScanResult, scanHttp, scanLogs, scanRedis } from './security-scan.js';
import type { ChaosEvent, ChaosOptions, ChaosReport } from './types.js';

export { evaluate } from './accounting.js';
export { ChaosCleanup } from './processes.js';
export { formatReport } from './report.js';
export type { ChaosEvent, ChaosOptions, ChaosReport } from './types.js';

/**
 * The chaos run (issue 7): one `payouts api` and two `payouts worker` processes on a private Redis
 * with AOF, the sandbox gateway in this process, N payouts through the API's HTTP door across every
 * payment method and the sandbox's fault markers, while workers are SIGKILLed and restarted every few
 * seconds and Redis is killed hard once (SIGKILL, then restarted from its AOF under
 * REDIS_DURABILITY=fsync; or, with `redisFault: 'fail-over'`, its replica promoted in its place under
 * REDIS_DURABILITY=replicas:1, see redis-topology.ts). Then: were any lost, sent twice, left unnotified; and did any
 * secret reach Redis, a log line, an answer or the dashboard.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const startedAt = Date.now();
  const cleanup = options.cleanup ?? new ChaosCleanup();
  const progress = options.progress ?? (() => {});
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = seededRandom(seed);
  const n = options.payouts;
  const opt = {
    submitConcurrency: options.submitConcurrency ?? 12,
    submitRatePerSecond: options.submitRatePerSecond ?? Math.min(80, Math.max(20, n / 30)),
    killEveryMs: options.killEveryMs ?? 3_000,
    minChaosMs: options.minChaosMs ?? 8_000,
    redisRestart: options.redisRestart ?? true,
    redisFault: options.redisFault ?? 'kill',
    redisDownMs: options.redisDownMs ?? 1_500,
    drainTimeoutMs: options.drainTimeoutMs ?? 120_000,
    settleMs: options.settleMs ?? 3_000,
    notifyRefuseShare: options.notifyRefuseShare ?? 0.03,
    workerConcurrency: options.workerConcurrency ?? 50,
    logLevel: options.logLevel ?? 'info',
    securityScan: options.securityScan ?? true,
    controls: options.controls ?? true,
    approvalShare: options.approvalShare ?? 0.12,
    approvalTimeoutMs: options.approvalTimeoutMs ?? 8_000,
  };
  const runId = randomBytes(4).toString('hex');
  const queuePrefix = `chaos-${runId}`;
  const secrets = generateRunSecrets();
  const scanner = new SecretScanner(secrets);
  const lines: LogLine[] = [];
  const events: ChaosEvent[] = [];
  let t0 = 0; // the first POST
  /** Milliseconds since the first POST; before the first POST, minus the time since the run started. */
  const at = () => (t0 === 0 ? -(Date.now() - startedAt) : Date.now() - t0);
  const event = (what: string) => {
    events.push({ atMs: at(), what });
    progress(`[chaos ${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${what}`);
  };
  const unexpectedExits: ChaosReport['chaos']['unexpectedExits'] = [];
  let redisDirs: string[] = [];
  let keepRedisDirs = true;

  try {
    // --- infrastructure: Redis, notification receiver, sandbox
    // The data folders (the AOF) are removed after a clean run and kept for a post-mortem otherwise.
    cleanup.add('redis data folders', () => {
      for (const dir of redisDirs) {
        // Only the helper's own temporary folders.
        if (dir.includes('payouts-redis-') && !keepRedisDirs) rmSync(dir, { recursive: true, force: true });
      }
    });
    const redis = await startChaosRedis(opt.redisFault, cleanup);
    redisDirs = redis.dirs;
    const observer = new Redis(redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 200 });
    observer.on('error', () => undefined); // it reconnects after the restart by itself
    cleanup.add('observer connection', () => observer.disconnect());

    const receiver = await startNotifyReceiver({
      secret: secrets.notifySecret,
      refuseFirstShare: opt.notifyRefuseShare,
      onBody: (body) => scanner.scan('notification', 'notification body', body),
    });
    cleanup.add('notification receiver', () => receiver.close());

    const apiPort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    // A plain pino logger, without the product's redaction or scrubbing: a sandbox leak shows as it is.
    const sandboxLog = pino(
      { level: opt.logLevel === 'info' ? 'debug' : opt.logLevel },
      new Writable({
        write(chunk, _enc, done) {
          for (const text of String(chunk).split('\n')) {
            if (text) lines.push({ source: 'sandbox', stream: 'stdout', text });
          }
          done();
        },
      }),
    );
    const sandbox = createSandbox({
      merchantKey: secrets.merchantKey,
      salt: secrets.salt,
      callbackUrl: `${api}/v1/callbacks/gateway`,
      timeScale: 0.001,
      latency: { minMs: 2, maxMs: 40 },
      logger: sandboxLog,
    });
    // When each payout request reached the gateway: what "not sent while paused or unapproved" is checked by.
    const arrivals = recordGatewayArrivals(sandbox.app);
    const sandboxUrl = await sandbox.listen(0, '127.0.0.1');
    cleanup.add('sandbox', () => sandbox.close());

    // --- the system's processes
    const controlsSetup = opt.controls ? await controlsSettings(secrets, opt.approvalTimeoutMs) : undefined;
    const pauseWindows = opt.controls ? (options.pauseWindows ?? defaultPauseWindows(n)) : [];
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !SETTING_NAMES.includes(k)) env[k] = v;
    }
    Object.assign(env, {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: queuePrefix,
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      LOG_LEVEL: opt.logLevel,
      GATEWAY_URL: sandboxUrl,
      MERCHANT_KEY: secrets.merchantKey,
      SIGNATURE_SALT: secrets.salt,
      API_KEYS: secrets.apiKey,
      DASHBOARD_USER: secrets.dashboardUser,
      DASHBOARD_PASSWORD: secrets.dashboardPassword,
      PAYLOAD_KEY: secrets.payloadKey,
      NOTIFY_URL: receiver.url,
      NOTIFY_SECRET: secrets.notifySecret,
      GATEWAY_TIMEOUT_MS: '5000',
      GATEWAY_CONNECT_TIMEOUT_MS: '1000',
      WORKER_CONCURRENCY: String(opt.workerConcurrency),
      WORKER_LOCK_MS: '2000',
      RETRY_BASE_DELAY_MS: '50',
      RETRY_MAX_DELAY_MS: '2000',
      RECONCILE_AFTER_MS: '1000',
      RECONCILE_INTERVAL_MS: '1000',
      REDIS_DURABILITY: DURABILITY_FOR[opt.redisFault],
      // Short, so a step that cannot be confirmed while the primary is gone fails fast and is retried.
      REDIS_DURABILITY_TIMEOUT_MS: '500',
      ...controlsSetup?.env,
      ...options.extraEnv,
    });
    const incarnations: Record<string, number> = {};
    const start = (part: 'api' | 'worker', slot: string): PartProcess => {
      incarnations[slot] = (incarnations[slot] ?? 0) + 1;
      const p = spawnPart({
        part,
        name: `${slot}#${incarnations[slot]}`,
        cwd: REPO_ROOT,
        env,
        lines,
        cleanup,
        onUnexpectedExit: (proc, code, signal) => {
          unexpectedExits.push({ name: proc.name, code, signal, atMs: at() });
          event(`UNEXPECTED EXIT of ${proc.name} (code ${code}, signal ${signal})`);
        },
      });
      cleanup.add(`stop ${p.name}`, () => (isRunning(p) ? killHard(p) : undefined));
      return p;
    };
    const apiProc = start('api', 'api');
    const workers: PartProcess[] = [start('worker', 'worker-1'), start('worker', 'worker-2')];
    await Promise.all([apiProc.ready, ...workers.map((w) => w.ready)]);
    for (let i = 0; ; i++) {
      const ok = await fetch(`${api}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (i > 100) throw new Error('the api never became ready');
      await sleep(100);
    }
    const startupMs = Date.now() - startedAt;
    event(`started: api pid ${apiProc.pid}, workers ${workers.map((w) => w.pid).join(', ')}`);

    const bearer = { authorization: `Bearer ${secrets.apiKey}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${api}${path}`, {
        method: 'POST',
        headers: bearer,
        body: JSON.stringify(body),
      });
      const text = await res.text();
      scanner.scan('http', `http:POST ${path}`, text);
      return { status: res.status, text };
    };

    // --- the secrets' other doors, before the chaos: card and wallet deposits, payouts with a cvv
    const deposits = planDeposits(runId, secrets);
    const cvvPayouts = planCvvPayouts(runId, secrets);
    const depositAnswers: Record<string, number> = {};
    for (const d of deposits) {
      const res = await post('/v1/deposits', d.body);
      depositAnswers[res.status] = (depositAnswers[res.status] ?? 0) + 1;
    }
    const cvvPayoutAnswers: number[] = [];
    for (const c of cvvPayouts) cvvPayoutAnswers.push((await post('/v1/payouts', c.body)).status);

    // --- the plan
    const plan = planPayouts(n, runId, secrets, random);
    if (opt.controls) planControls(plan, random, opt.approvalShare);
    const signatures: string[] = [];
    for (const p of plan) {
      const { method: _m, ...gatewayRequest } = p.body;
      signatures.push(sign(gatewayRequest, secrets.salt));
    }
    for (const d of [...deposits, ...cvvPayouts]) {
      const { method: _m, ...gatewayRequest } = d.body as Record<string, unknown>;
      signatures.push(sign(gatewayRequest, secrets.salt));
    }
    scanner.addSignatures(signatures);

    // --- chaos: worker kills, one Redis restart
    // The notification outbox's length over the run: how far the relay falls behind the changes.
    const keys = payoutKeys(queuePrefix);
    let outboxMax = 0;
    let outboxMaxAtMs = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const len = await Promise.race([observer.llen(keys.outbox), sleep(1_000).then(() => -1)]).catch(
          () => -1,
        );
        if (len > outboxMax) {
          outboxMax = len;
          outboxMaxAtMs = at();
        }
        await sleep(500);
      }
    })();
    cleanup.add('outbox sampler', async () => {
      sampling = false;
      await sampler;
    });

    let chaosActive = true;
    let workerKills = 0;
    let redisRestarts = 0;
    let redisTask: Promise<void> | undefined;
    const restartRedis = async () => {
      await redis.disrupt(event, opt.redisDownMs);
      if (!cleanup.closed) redisRestarts++;
    };
    // Neither chaos task may reject unobserved: a failure of theirs is reported, not thrown later.
    const chaosErrors: string[] = [];
    const recordError = (what: string) => (err: unknown) => {
      if (cleanup.closed) return;
      chaosErrors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      event(`ERROR ${what}: ${String(err)}`);
    };
    const killer = (async () => {
      let turn = 0;
      while (opt.killEveryMs > 0 && chaosActive && !cleanup.closed) {
        await sleep(opt.killEveryMs * (0.75 + 0.5 * random()));
        if (!chaosActive || cleanup.closed) break;
        const slot = turn++ % workers.length;
        const victim = workers[slot]!;
        if (!victim.isReady()) continue; // still starting: it gets its turn later
        await killHard(victim);
        workerKills++;
        event(`SIGKILL ${victim.name} (pid ${victim.pid})`);
        workers[slot] = start('worker', `worker-${slot + 1}`);
        event(`started ${workers[slot]!.name} (pid ${workers[slot]!.pid})`);
      }
    })().catch(recordError('worker killer'));

    // --- submit through the API, paced, retrying what the API could not take
    const results = new Map<string, SubmitResult>();
    const postAnswers: Record<string, number> = {};
    let accepted = 0;
    let nextSlot = Date.now();
    const interval = 1000 / opt.submitRatePerSecond;
    let cursor = 0;
    // --- operator controls: the approval rules, the approvers, the pause windows
    const controls = controlsSetup
      ? await startControls({
          api,
          apiKey: secrets.apiKey,
          admin: { name: secrets.dashboardUser, secret: secrets.dashboardPassword },
          approvers: controlsSetup.approvers,
          windows: pauseWindows,
          random,
          acceptedShare: () => (cursor >= plan.length && results.size >= plan.length ? 1 : accepted / n),
          event,
          isClosed: () => cleanup.closed,
        })
      : undefined;
    const submitOne = async (p: PlannedPayout): Promise<SubmitResult> => {
      const answers: number[] = [];
      const answeredAt: number[] = [];
      const deadline = Date.now() + 90_000;
      for (let attempt = 0; ; attempt++) {
        if (cleanup.closed) throw new Error('the chaos run was stopped from outside');
        let status = 0;
        try {
          status = (await post('/v1/payouts', p.body)).status;
        } catch {
          status = 0; // network error: the API process is the one part never restarted; still retried
        }
        answers.push(status);
        answeredAt.push(Date.now());
        postAnswers[status] = (postAnswers[status] ?? 0) + 1;
        if (status === 202 || status === 200) return { accepted: true, answers, answeredAt };
        if (![0, 500, 502, 503].includes(status) || Date.now() > deadline)
          return { accepted: false, answers, answeredAt };
        await sleep(Math.min(100 * 2 ** attempt, 1_000));
      }
    };
    const runner = async () => {
      while (cursor < plan.length) {
        const p = plan[cursor++]!;
        const slot = nextSlot;
        nextSlot = Math.max(nextSlot, Date.now()) + interval;
        await sleep(slot - Date.now());
        if (t0 === 0) {
          t0 = Date.now();
          event('first POST');
        }
        const r = await submitOne(p);
        results.set(p.externalId, r);
        if (r.accepted) accepted++;
        if (r.accepted) controls?.decide(p);
        if (opt.redisRestart && !redisTask && accepted >= Math.floor(n / 2))
          redisTask = restartRedis().catch(recordError('redis restart'));
      }
    };
    await Promise.all(Array.from({ length: opt.submitConcurrency }, runner));
    const lastPostAt = Date.now();
    const submitMs = lastPostAt - t0;
    event(`all ${n} POSTs answered (${accepted} accepted)`);
    if (redisTask) await redisTask;
    const chaosLeft = opt.minChaosMs - (Date.now() - t0);
    if (chaosLeft > 0) await sleep(chaosLeft);
    chaosActive = false;
    await killer;
    await controls?.finish();
    await Promise.all(workers.map((w) => w.ready));
    event('chaos over: both workers running');

    // --- wait for the drain
    const acceptedIds = plan.filter((p) => results.get(p.externalId)?.accepted).map((p) => p.externalId);
    let drained = false;
    let drainedAt = Date.now();
    let lastPrint = 0;
    {
      let fingerprint = '';
      let stableSince = Date.now();
      const deadline = lastPostAt + opt.drainTimeoutMs;
      while (Date.now() < deadline) {
        if (cleanup.closed) throw new Error('the chaos run was stopped from outside');
        const snapshot = await stateSnapshot(observer, keys.stateIndex);
        const pending = PENDING.reduce((s, st) => s + (snapshot.counts[st] ?? 0), 0);
        const total = Object.values(snapshot.counts).reduce((a, b) => a + b, 0);
        let unnotified = 0;
        for (const [id, state] of snapshot.terminal) {
          if (!receiver.byId.get(id)?.some((x) => x.event === `payout.${state}`)) unnotified++;
        }
        const fp = JSON.stringify([snapshot.counts, receiver.stats.delivered]);
        if (fp !== fingerprint) {
          fingerprint = fp;
          stableSince = Date.now();
        }
        if (Date.now() - lastPrint > 5_000) {
          lastPrint = Date.now();
          progress(
            `[chaos] pending ${pending}, total ${total}/${acceptedIds.length}, unnotified ${unnotified}, ${JSON.stringify(snapshot.counts)}`,
          );
        }
        if (pending === 0 && total >= acceptedIds.length && unnotified === 0) {
          if (Date.now() - stableSince >= opt.settleMs) {
            drained = true;
            drainedAt = stableSince;
            break;
          }
        }
        await sleep(250);
      }
      if (!drained) drainedAt = Date.now();
    }
    event(drained ? 'drained' : 'drain deadline passed');
    sampling = false;
    await sampler;

    // --- every payout through the API
    const views = new Map<string, { status: number; body: any }>();
    {
      let i = 0;
      const reader = async () => {
        while (i < acceptedIds.length) {
          const id = acceptedIds[i++]!;
          for (let attempt = 0; ; attempt++) {
            try {
              const res = await fetch(`${api}/v1/payouts/${id}`, { headers: bearer });
              const text = await res.text();
              scanner.scan('http', 'http:GET /v1/payouts/:id', text);
              views.set(id, { status: res.status, body: res.status === 200 ? JSON.parse(text) : text });
              break;
            } catch (err) {
              if (attempt >= 5) {
                views.set(id, { status: 0, body: String(err) });
                break;
              }
              await sleep(200);
            }
          }
        }
      };
      await Promise.all(Array.from({ length: 12 }, reader));
    }

    const controlsReport = await controls?.account({
      plan,
      views,
      arrivals,
      gatewayCounted: plan.reduce((sum, p) => sum + (sandbox.received(p.externalId)?.requests ?? 0), 0),
    });

    // --- security: doors, dashboard, metrics (while the API runs)
    let http: Awaited<ReturnType<typeof scanHttp>> | undefined;
    const unauthenticatedId = `chaos-${runId}-unauthenticated`;
    if (opt.securityScan) {
      const sample = plan.find((p) => p.method === 'bank_card' && results.get(p.externalId)?.accepted);
      http = await scanHttp({
        api,
        apiKey: secrets.apiKey,
        dashboardUser: secrets.dashboardUser,
        dashboardPassword: secrets.dashboardPassword,
        sampleExternalId: (sample ?? plan[0]!).externalId,
        unauthenticatedPayout: { ...(sample ?? plan[0]!).body, external_id: unauthenticatedId },
        depositBody: deposits[0]!.body,
        scanner,
      });
    }

    // --- stop the processes gracefully: a clean exit is part of recovering
    await options.beforeStop?.({
      redis: observer,
      queuePrefix,
      scan: (source, text) => scanner.scan('ledger', source, text),
    });

    const shutdown = await Promise.all([apiProc, ...workers].map((p) => stopGracefully(p, 20_000)));
    event(`processes stopped: ${shutdown.map((s) => `${s.name} ${s.code ?? s.signal}`).join(', ')}`);

    let redisScan: RedisScanResult | undefined;
    let logLineCounts: Record<string, number> = {};
    if (opt.securityScan) {
      redisScan = await scanRedis(observer, queuePrefix, scanner);
      logLineCounts = scanLogs(lines, scanner);
    } else {
      for (const l of lines) {
        const g = l.source.replace(/#\d+$/, '');
        logLineCounts[g] = (logLineCounts[g] ?? 0) + 1;
      }
    }

    // --- the accounting
    const received = new Map<string, SandboxRecord>(sandbox.received().map((r) => [r.external_id, r]));
    const report = account({
      plan,
      results,
      views,
      received,
      receiver,
      acceptedIds,
      refusedIds: [...cvvPayouts.map((c) => c.externalId), unauthenticatedId],
    });
    const now = Date.now();
    const full: ChaosReport = {
      ok: false,
      failures: [],
      run: {
        id: runId,
        seed,
        payouts: n,
        queuePrefix,
        redisDirs,
        redisFault: opt.redisFault,
        pauseWindows: pauseWindows.length,
        durability: env.REDIS_DURABILITY ?? 'acknowledged',
        startedAt: new Date(startedAt).toISOString(),
        methods: countBy(plan, (p) => p.method),
        scenarios: countBy(plan, (p) => p.scenario.name),
        options: { ...opt, pauseWindows },
      },
      chaos: {
        workerKills,
        redisRestarts,
        errors: chaosErrors,
        events,
        unexpectedExits,
        shutdown: shutdown.map((s) => ({ ...s, signal: s.signal ?? null })),
      },
      submission: {
        submitted: results.size,
        accepted,
        notAccepted: [...results.entries()]
          .filter(([, r]) => !r.accepted)
          .map(([id, r]) => ({ id, answers: r.answers }))
          .slice(0, 50),
        created202: [...results.values()].filter((r) => r.answers.at(-1) === 202).length,
        repeated200: [...results.values()].filter((r) => r.answers.at(-1) === 200).length,
        storedDespiteRefusal: [...results.entries()]
          .filter(
            ([, r]) => r.answers.at(-1) === 200 && r.answers.slice(0, -1).every((a) => a === 0 || a >= 500),
          )
          .slice(0, 20)
          .map(([id, r]) => ({
            id,
            answers: r.answers,
            answeredAt: r.answeredAt.map((t) => new Date(t).toISOString()),
            createdAt: views.get(id)?.body?.created_at ?? null,
          })),
        retried: [...results.values()].filter((r) => r.answers.length > 1).length,
        answers: postAnswers,
        deposits: depositAnswers,
        cvvPayoutAnswers,
      },
      results: report.results,
      notifications: { ...report.notifications, outboxMax: { length: outboxMax, atMs: outboxMaxAtMs } },
      timing: {
        startupMs,
        submitMs,
        drainMs: drainedAt - t0,
        drainAfterLastPostMs: drainedAt - lastPostAt,
        drained,
        totalMs: now - startedAt,
      },
      ...(controlsReport ? { controls: controlsReport } : {}),
      logs: { lines: logLineCounts, warnings: warnings(lines) },
      ...(opt.securityScan && http && redisScan
        ? {
            security: {
              hits: scanner.hitCount,
              hitList: scanner.hits,
              scanned: scanner.scanned,
              redis: redisScan,
              doors: http.doors,
              doorFailures: http.doors.filter((d) => !d.ok),
              boardJobDetails: http.boardJobDetails,
              pagesScanned: http.pagesScanned,
              metricsStatus: http.metricsStatus,
              unauthenticatedPostCreatedNothing: http.unauthenticatedPostCreatedNothing,
              errors: http.errors,
            },
          }
        : {}),
    };
    full.failures = evaluate(full);
    full.ok = full.failures.length === 0;
    keepRedisDirs = !full.ok;
    const reportPath = options.reportPath ?? 'test-output/chaos-report.json';
    writeReport(full, reportPath);
    writeLogs(lines, options.logsPath ?? `${reportPath.replace(/\.json$/, '')}.logs.ndjson`, scanner);
    return full;
  } finally {
    await cleanup.run();
  }
}

const outputFile = (path: string) => {
  const file = isAbsolute(path) ? path : join(REPO_ROOT, path);
  mkdirSync(dirname(file), { recursive: true });
  return file;
};

function writeReport(report: ChaosReport, path: string): void {
  writeFileSync(outputFile(path), `${JSON.stringify(report, null, 2)}\n`);
}

/** The logs for whoever investigates a run; any secret the scan found is replaced by its name. */
function writeLogs(lines: readonly LogLine[], path: string, scanner: SecretScanner): void {
  const out = lines.map((l) => JSON.stringify({ ...l, text: scanner.redact(l.text) }));
  writeFileSync(outputFile(path), `${out.join('\n')}\n`);
}
