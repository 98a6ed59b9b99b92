import { ask, type Child, firstMessage, forkBench, stop } from './procs.js';

/**
 * The fake gateway (bench/fake-gateway.ts) in a process of its own: every payout POST answered with
 * `status` (3, in progress, by default: the payout then waits for its callback) after `delayMs`.
 */

export interface GatewayCount {
  arrivals: number;
  duplicates: number;
  distinct: number;
}

export interface FakeGateway {
  url: string;
  child: Child;
  count(): Promise<GatewayCount>;
  /** Notes each arrival's time from now on. */
  record(): Promise<void>;
  /** The arrival times noted since `record` (µs, process.hrtime), by external_id; stops noting. */
  times(): Promise<Map<string, number>>;
  /** Resolves once `n` distinct external_ids have arrived (throws after `timeoutMs`). */
  waitDistinct(n: number, timeoutMs?: number): Promise<GatewayCount>;
  close(): Promise<void>;
}

export async function startStub(delayMs = 0, status: 1 | 3 | 4 = 3): Promise<FakeGateway> {
  const child = forkBench('./fake-gateway.ts', [], {
    FAKE_GATEWAY_DELAY_MS: String(delayMs),
    FAKE_GATEWAY_STATUS: String(status),
  });
  const { port } = await firstMessage<{ port: number }>(child);
  const count = () => ask<GatewayCount>(child, 'count');
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    count,
    async record() {
      await ask(child, 'record');
    },
    async times() {
      const { times } = await ask<{ times: [string, number][] }>(child, 'times');
      return new Map(times);
    },
    async waitDistinct(n, timeoutMs = 180_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const c = await count();
        if (c.distinct >= n) return c;
        if (Date.now() > until) throw new Error(`the gateway saw ${c.distinct} of ${n} payouts`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => stop(child),
  };
}

/** The payout every benchmark sends: the seed's card payout with a given external_id. */
export const benchPayout = (externalId: string) => ({
  method: 'bank_card',
  payment_system: 'TEST_PS',
  external_id: externalId,
  amount: 1100000,
  currency: 'USD',
  customer: { customer_id: 'bench', country: 'LV', first_name: 'Test', last_name: 'Test' },
  payment_data: {
    card_number: '4111111111111111',
    card_holder: 'John Doe',
    exp_year: '2030',
    exp_month: '06',
  },
});
