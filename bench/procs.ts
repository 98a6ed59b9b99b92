import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The bench's processes: starting them (ours from a dist folder, the bench's own helpers with tsx),
 * asking them things over IPC, reading their CPU time and RSS from /proc, stopping them.
 */

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time a process has used so far, user + system, all its threads, in µs; from /proc/<pid>/stat.
 * The command name (field 2) may hold spaces and parentheses, so fields are counted after its ')'.
 */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name and state.
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
}

/**
 * The machine's CPU time so far, every core, in clock ticks: busy (all but idle and iowait) and total;
 * from /proc/stat's first line. Two readings give the share of all cores that was busy between them.
 */
export function machineTicks(stat = readFileSync('/proc/stat', 'utf8')): { busy: number; total: number } {
  const line = stat.split('\n', 1)[0]!;
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((t, v) => t + v, 0);
  return { busy: total - ticks[3]! - ticks[4]!, total };
}

/** Resident set size of a process, in bytes (VmRSS of /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** The last few KB a child wrote to stderr, to say why it stopped. */
function keepTail(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.on('data', (c: Buffer) => {
    tail = (tail + c.toString()).slice(-4000);
  });
  return () => tail;
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** What it wrote to stderr lately. */
  stderr(): string;
}

function wrap(proc: ChildProcess): Child {
  if (proc.pid === undefined) throw new Error('a bench process did not start');
  return { proc, pid: proc.pid, stderr: keepTail(proc) };
}

/** One of the bench's own TypeScript files as a child process with an IPC channel. */
export function forkBench(file: string, args: string[] = [], env: Record<string, string> = {}): Child {
  const path = new URL(file, import.meta.url).pathname;
  return wrap(
    fork(path, args, {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    }),
  );
}

/**
 * `node <dist>/cli.js <part>`, our real process, its logs to nowhere (written as in production).
 * With BENCH_CPU_PROF=<dir>, started with --cpu-prof into that folder (written when it stops).
 */
export function spawnOurs(dist: string, part: 'api' | 'worker', env: Record<string, string>): Child {
  const profDir = process.env.BENCH_CPU_PROF;
  const prof = profDir
    ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${part}-${Date.now()}.cpuprofile`]
    : [];
  return wrap(
    spawn(process.execPath, [...prof, `${dist}/cli.js`, part], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
}

/** Sends `message` and resolves with the child's next message. One question at a time per child. */
export function ask<T>(child: Child, message: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = () => reject(new Error(`bench process exited: ${child.stderr()}`));
    child.proc.once('exit', onExit);
    child.proc.once('message', (m) => {
      child.proc.off('exit', onExit);
      resolve(m as T);
    });
    child.proc.send(message as object);
  });
}

/** The child's first message (what it says once it is up). */
export function firstMessage<T>(child: Child): Promise<T> {
  return new Promise((resolve, reject) => {
    child.proc.once('message', (m) => resolve(m as T));
    child.proc.once('exit', (code) => reject(new Error(`bench process exited ${code}: ${child.stderr()}`)));
  });
}

/** SIGTERM, then waits for the exit (SIGKILL after `graceMs`). */
export async function stop(child: Child, graceMs = 15_000): Promise<void> {
  const { proc } = child;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Polls `url` until it answers 200, or throws naming the child's last words. */
export async function waitHttpOk(url: string, child: Child, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.proc.exitCode !== null) throw new Error(`${url}: process exited: ${child.stderr()}`);
    const ok = await fetch(url).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms: ${child.stderr()}`);
}
