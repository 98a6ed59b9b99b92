import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { REDIS_URL } from './redis.js';

/** `src/cli.ts` with `args` in a process of its own (through tsx), with exactly the environment given. */
export const spawnCli = (args: string[], env: Record<string, string>): ChildProcessWithoutNullStreams =>
  spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env });

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a CLI command to its end and collects what it printed. One that hangs is killed after
 * `killAfterMs`, which fails its caller's exit-code check; a loaded 2-core machine can take half a
 * minute just to load the CLI through tsx, hence the callers' margins.
 */
export function runCli(args: string[], env: Record<string, string>, killAfterMs: number): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (status) => {
      clearTimeout(kill);
      resolve({ status, stdout, stderr });
    });
  });
}

/**
 * The settings of a deployment outside sandbox mode under `prefix`, with fake secrets of its own (a
 * gateway nothing answers at): what the operator CLI's tests run against.
 */
export const deploymentSettings = (prefix: string) => ({
  REDIS_URL,
  QUEUE_PREFIX: prefix,
  GATEWAY_URL: 'http://127.0.0.1:9',
  MERCHANT_KEY: 'test-merchant-key',
  SIGNATURE_SALT: 'test-salt',
  API_KEYS: 'test-api-key-0123456789',
  DASHBOARD_USER: 'ops',
  DASHBOARD_PASSWORD: 'test-dashboard-password',
  PAYLOAD_KEY: randomBytes(32).toString('base64'),
});
