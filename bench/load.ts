import { ask, type Child, firstMessage, forkBench, stop } from './procs.js';

/** The load generator (bench/load-client.ts) in a process of its own, so its work is not ours. */

export const API_KEY = 'bench-api-key-0123456789';

export interface LoadCount {
  accepted: number;
  failed: number;
  sent: number;
  /** Open-loop payouts not sent: too many were still unanswered. */
  skipped?: number;
  firstError?: string;
}

export interface Load {
  count(): Promise<LoadCount>;
  /** Stops sending, waits for every answer, returns the counts (throws if any POST failed). */
  stop(): Promise<LoadCount>;
  /** Waits until `total` payouts are sent and answered. */
  finish(): Promise<LoadCount>;
  /** When each payout was sent (µs, process.hrtime), when recording. */
  times(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

export interface LoadOptions {
  url: string;
  tag: string;
  mode: 'closed' | 'open';
  inFlight?: number;
  rate?: number;
  total?: number;
  record?: boolean;
}

const checked = (c: LoadCount) => {
  if (c.failed > 0) throw new Error(`${c.failed} of ${c.sent} POSTs failed: ${c.firstError}`);
  return c;
};

export async function startLoad(options: LoadOptions): Promise<Load> {
  const child: Child = forkBench('./load-client.ts');
  await firstMessage(child);
  await ask(child, { cmd: 'start', start: { apiKey: API_KEY, ...options } });
  return {
    count: () => ask<LoadCount>(child, { cmd: 'count' }),
    stop: async () => checked(await ask<LoadCount>(child, { cmd: 'stop' })),
    finish: async () => checked(await ask<LoadCount>(child, { cmd: 'finish' })),
    times: async () => new Map((await ask<{ times: [string, number][] }>(child, { cmd: 'times' })).times),
    close: () => stop(child),
  };
}

/** Sends exactly `total` payouts closed-loop and waits for their answers. */
export async function sendAll(url: string, tag: string, total: number, inFlight = 32): Promise<LoadCount> {
  const load = await startLoad({ url, tag, mode: 'closed', inFlight, total });
  try {
    return await load.finish();
  } finally {
    await load.close();
  }
}
