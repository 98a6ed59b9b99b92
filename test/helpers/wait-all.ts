import type { TestSystem } from './system.js';

/**
 * Polls many payouts until `until` holds for each, one request at a time: a hundred parallel pollers
 * would take the CPU from the workers they wait for. Returns the payouts in the order of `ids`.
 */
export async function waitForAll(
  sys: TestSystem,
  ids: readonly string[],
  until: (p: any) => boolean,
  timeoutMs = 60_000,
): Promise<any[]> {
  const done = new Map<string, unknown>();
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    for (const id of ids) {
      if (done.has(id)) continue;
      const res = await sys.request('GET', `/v1/payouts/${id}`);
      last = res.body;
      if (res.status === 200 && until(res.body)) done.set(id, res.body);
    }
    if (done.size === ids.length) return ids.map((id) => done.get(id));
    if (Date.now() > deadline) {
      throw new Error(
        `${ids.length - done.size} payout(s) did not reach the expected state: ${JSON.stringify(last)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
