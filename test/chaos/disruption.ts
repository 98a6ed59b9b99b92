import { killHard } from './processes.js';
import type { ChaosRedis } from './redis-topology.js';
import { type ChaosRun, sleep } from './run-context.js';
import type { SystemUnderTest } from './system-under-test.js';

/**
 * The chaos itself: a worker SIGKILLed and started again every few seconds (each slot in turn), and
 * Redis disrupted once, when half the payouts are accepted (redis-topology.ts says how). Neither task
 * may reject unobserved: a failure of theirs is reported in `errors`, not thrown later.
 */

export interface Disruption {
  workerKills: number;
  redisRestarts: number;
  /** The harness's own chaos tasks that failed (a worker or Redis it could not restart). */
  errors: string[];
  /** After each POST's final answer: disrupts Redis once half the payouts are accepted. */
  afterAnswer(accepted: number): void;
  /** Waits for the Redis disruption, lets the kills last `minChaosMs` from the first POST, stops them. */
  end(): Promise<void>;
}

export function startDisruption(run: ChaosRun, system: SystemUnderTest, redis: ChaosRedis): Disruption {
  const state = { active: true, workerKills: 0, redisRestarts: 0, errors: [] as string[] };
  let redisTask: Promise<void> | undefined;
  const recordError = (what: string) => (err: unknown) => {
    if (run.cleanup.closed) return;
    state.errors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    run.event(`ERROR ${what}: ${String(err)}`);
  };
  const restartRedis = async () => {
    await redis.disrupt(run.event, run.opt.redisDownMs);
    if (!run.cleanup.closed) state.redisRestarts++;
  };
  const killer = killWorkers(run, system, state).catch(recordError('worker killer'));
  return {
    get workerKills() {
      return state.workerKills;
    },
    get redisRestarts() {
      return state.redisRestarts;
    },
    errors: state.errors,
    afterAnswer(accepted) {
      if (run.opt.redisRestart && !redisTask && accepted >= Math.floor(run.n / 2))
        redisTask = restartRedis().catch(recordError('redis restart'));
    },
    async end() {
      if (redisTask) await redisTask;
      const chaosLeft = run.opt.minChaosMs - (Date.now() - run.t0);
      if (chaosLeft > 0) await sleep(chaosLeft);
      state.active = false;
      await killer;
    },
  };
}

async function killWorkers(
  run: ChaosRun,
  system: SystemUnderTest,
  state: { active: boolean; workerKills: number },
): Promise<void> {
  const { workers } = system;
  let turn = 0;
  while (run.opt.killEveryMs > 0 && state.active && !run.cleanup.closed) {
    await sleep(run.opt.killEveryMs * (0.75 + 0.5 * run.random()));
    if (!state.active || run.cleanup.closed) break;
    const slot = turn++ % workers.length;
    const victim = workers[slot]!;
    if (!victim.isReady()) continue; // still starting: it gets its turn later
    await killHard(victim);
    state.workerKills++;
    run.event(`SIGKILL ${victim.name} (pid ${victim.pid})`);
    workers[slot] = system.start('worker', `worker-${slot + 1}`);
    run.event(`started ${workers[slot]!.name} (pid ${workers[slot]!.pid})`);
  }
}
