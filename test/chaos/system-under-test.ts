import { SETTING_NAMES } from '../../src/config.js';
import type { Infrastructure } from './infrastructure.js';
import { isRunning, killHard, type Part, type PartProcess, spawnPart } from './processes.js';
import { DURABILITY_FOR } from './redis-topology.js';
import { type ChaosRun, REPO_ROOT, sleep } from './run-context.js';

/**
 * The system under test: one `payouts api` and two `payouts worker` processes, their environment
 * (the run's secrets, the private Redis, the sandbox, short timeouts), and a worker started again
 * under the same slot with the next incarnation's name (`worker-2#3`).
 */

export interface SystemUnderTest {
  /** The processes' environment. */
  env: Record<string, string>;
  api: PartProcess;
  /** The running worker of each slot; the worker killer replaces them. */
  workers: PartProcess[];
  start(part: Part, slot: string): PartProcess;
  /** From the run's start until the API answered /readyz. */
  startupMs: number;
}

export async function startSystem(
  run: ChaosRun,
  infra: Infrastructure,
  controlsEnv: Record<string, string> | undefined,
): Promise<SystemUnderTest> {
  const env = processEnv(run, infra, controlsEnv);
  const start = partStarter(run, env);
  const api = start('api', 'api');
  const workers: PartProcess[] = [start('worker', 'worker-1'), start('worker', 'worker-2')];
  await Promise.all([api.ready, ...workers.map((w) => w.ready)]);
  await waitForReadyz(infra.api);
  const startupMs = Date.now() - run.startedAt;
  run.event(`started: api pid ${api.pid}, workers ${workers.map((w) => w.pid).join(', ')}`);
  return { env, api, workers, start, startupMs };
}

/** This process's environment without the product's settings, then the run's own. */
function processEnv(
  run: ChaosRun,
  infra: Infrastructure,
  controlsEnv: Record<string, string> | undefined,
): Record<string, string> {
  const { opt, secrets } = run;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !SETTING_NAMES.includes(k)) env[k] = v;
  }
  Object.assign(env, {
    REDIS_URL: infra.redis.url,
    QUEUE_PREFIX: run.queuePrefix,
    HOST: '127.0.0.1',
    PORT: String(infra.apiPort),
    LOG_LEVEL: opt.logLevel,
    GATEWAY_URL: infra.sandboxUrl,
    MERCHANT_KEY: secrets.merchantKey,
    SIGNATURE_SALT: secrets.salt,
    API_KEYS: secrets.apiKey,
    DASHBOARD_USER: secrets.dashboardUser,
    DASHBOARD_PASSWORD: secrets.dashboardPassword,
    PAYLOAD_KEY: secrets.payloadKey,
    NOTIFY_URL: infra.receiver.url,
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
    ...controlsEnv,
    ...run.options.extraEnv,
  });
  return env;
}

/** Starts a part under a slot; an exit nobody asked for is reported as one. */
function partStarter(run: ChaosRun, env: Record<string, string>) {
  const incarnations: Record<string, number> = {};
  return (part: Part, slot: string): PartProcess => {
    incarnations[slot] = (incarnations[slot] ?? 0) + 1;
    const p = spawnPart({
      part,
      name: `${slot}#${incarnations[slot]}`,
      cwd: REPO_ROOT,
      env,
      lines: run.lines,
      cleanup: run.cleanup,
      onUnexpectedExit: (proc, code, signal) => {
        run.unexpectedExits.push({ name: proc.name, code, signal, atMs: run.at() });
        run.event(`UNEXPECTED EXIT of ${proc.name} (code ${code}, signal ${signal})`);
      },
    });
    run.cleanup.add(`stop ${p.name}`, () => (isRunning(p) ? killHard(p) : undefined));
    return p;
  };
}

async function waitForReadyz(api: string): Promise<void> {
  for (let i = 0; ; i++) {
    const ok = await fetch(`${api}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    if (i > 100) throw new Error('the api never became ready');
    await sleep(100);
  }
}
