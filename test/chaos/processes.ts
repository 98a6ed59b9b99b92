import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * `payouts api` and `payouts worker` as real processes (`node --import tsx src/cli.ts <part>`), their
 * every output line kept for the secret scan, and a cleanup registry that stops whatever a run started,
 * also when the run or its test fails half-way.
 */

export interface LogLine {
  /** e.g. `api#1`, `worker-2#3` */
  source: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Everything started by a run, stopped in reverse order, each once. */
export class ChaosCleanup {
  readonly #steps: { name: string; run: () => unknown }[] = [];
  readonly #children = new Set<ChildProcess>();
  readonly errors: string[] = [];
  #running: Promise<void> | undefined;

  /** True once `run` has begun: a run abandoned by its test must start nothing more. */
  get closed(): boolean {
    return this.#running !== undefined;
  }

  add(name: string, run: () => unknown): void {
    this.#steps.push({ name, run });
  }

  track(child: ChildProcess): void {
    if (this.closed) child.kill('SIGKILL');
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
  }

  /** SIGKILLs every child still running, synchronously (for process 'exit' handlers). */
  killChildrenNow(): void {
    for (const c of this.#children) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
  }

  /** Runs every step (newest first), then kills any child left. Safe to call more than once. */
  run(): Promise<void> {
    this.#running ??= (async () => {
      while (this.#steps.length > 0) {
        const step = this.#steps.pop()!;
        try {
          await step.run();
        } catch (err) {
          this.errors.push(`${step.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      this.killChildrenNow();
    })();
    return this.#running;
  }
}

export type Part = 'api' | 'worker';

export interface PartProcess {
  name: string;
  part: Part;
  child: ChildProcess;
  pid: number;
  startedAt: number;
  /** Resolves once the process printed its `payouts: running` banner (its start finished). */
  ready: Promise<void>;
  isReady(): boolean;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Set before the harness kills or stops it, so only other exits count as crashes. */
  expectedExit: boolean;
}

export interface SpawnOptions {
  part: Part;
  name: string;
  cwd: string;
  env: Record<string, string>;
  lines: LogLine[];
  cleanup: ChaosCleanup;
  onUnexpectedExit(p: PartProcess, code: number | null, signal: NodeJS.Signals | null): void;
  readyTimeoutMs?: number;
}

export function spawnPart(opts: SpawnOptions): PartProcess {
  if (opts.cleanup.closed) throw new Error(`not starting ${opts.name}: the run is being stopped`);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', opts.part], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  opts.cleanup.track(child);
  let ready = false;
  let markReady: () => void = () => {};
  let failReady: (err: Error) => void = () => {};
  const readyPromise = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  readyPromise.catch(() => undefined); // observed through `ready` by whoever waits for it
  const timer = setTimeout(
    () => failReady(new Error(`${opts.name} did not start within ${opts.readyTimeoutMs ?? 60_000} ms`)),
    opts.readyTimeoutMs ?? 60_000,
  );
  for (const [stream, input] of [
    ['stdout', child.stdout],
    ['stderr', child.stderr],
  ] as const) {
    if (!input) continue;
    createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (text) => {
      opts.lines.push({ source: opts.name, stream, text });
      if (!ready && stream === 'stdout' && text.startsWith('payouts: running')) {
        ready = true;
        clearTimeout(timer);
        markReady();
      }
    });
  }
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready) failReady(new Error(`${opts.name} exited (${code ?? signal}) before it started`));
      if (!p.expectedExit) opts.onUnexpectedExit(p, code, signal);
      resolve({ code, signal });
    });
  });
  const p: PartProcess = {
    name: opts.name,
    part: opts.part,
    child,
    pid: child.pid ?? -1,
    startedAt: Date.now(),
    ready: readyPromise,
    isReady: () => ready,
    exit,
    expectedExit: false,
  };
  return p;
}

export const isRunning = (p: PartProcess) => p.child.exitCode === null && p.child.signalCode === null;

/** SIGKILL, as a crash would: no shutdown hook runs. */
export async function killHard(p: PartProcess): Promise<void> {
  p.expectedExit = true;
  if (isRunning(p)) p.child.kill('SIGKILL');
  await p.exit;
}

/** SIGTERM and wait for the graceful exit; SIGKILL after `timeoutMs`. */
export async function stopGracefully(
  p: PartProcess,
  timeoutMs: number,
): Promise<{
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  forced: boolean;
  ms: number;
}> {
  const started = Date.now();
  p.expectedExit = true;
  if (!isRunning(p)) {
    const r = await p.exit;
    return { name: p.name, ...r, forced: false, ms: 0 };
  }
  p.child.kill('SIGTERM');
  let forced = false;
  const timer = setTimeout(() => {
    forced = true;
    p.child.kill('SIGKILL');
  }, timeoutMs);
  const r = await p.exit;
  clearTimeout(timer);
  return { name: p.name, ...r, forced, ms: Date.now() - started };
}
