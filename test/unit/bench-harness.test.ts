import { expect, test } from 'vitest';
import { cpuMicros, machineTicks, rssBytes } from '../../bench/procs.js';
import { alternate, compare, spread } from '../../bench/series.js';

test("a process's CPU time is read from /proc and grows with its work", () => {
  const before = cpuMicros(process.pid);
  let x = 0;
  const until = process.cpuUsage().user + 50_000;
  while (process.cpuUsage().user < until) x += Math.sqrt(x + 1);
  expect(x).toBeGreaterThan(0);
  const after = cpuMicros(process.pid);
  expect(after).toBeGreaterThan(before);
  // Whole clock ticks (10 ms), never more than the process has used.
  expect(after % 10_000).toBe(0);
  const used = process.cpuUsage();
  expect(after).toBeLessThanOrEqual(used.user + used.system + 10_000);
  expect(rssBytes(process.pid)).toBeGreaterThan(10 * 2 ** 20);
});

test("the machine's CPU ticks are read from /proc/stat's first line: idle and iowait are not busy", () => {
  // user nice system idle iowait irq softirq steal (guest, guest_nice: already in user and nice)
  const stat = 'cpu  100 2 30 800 40 5 6 7 9 9\ncpu0 50 1 15 400 20 2 3 3 4 4\n';
  expect(machineTicks(stat)).toEqual({ busy: 150, total: 990 });
  const now = machineTicks();
  expect(now.total).toBeGreaterThan(0);
  expect(now.busy).toBeGreaterThan(0);
  expect(now.busy).toBeLessThan(now.total);
});

test('the sides alternate within and across series, and each figure is a spread over its runs', async () => {
  const order: string[] = [];
  let n = 0;
  const runs = await alternate(2, 3, async (side) => {
    order.push(side);
    n += 1;
    return side === 'ours' ? n : 2 * n;
  });
  expect(order).toEqual([
    ...['bare', 'ours', 'ours', 'bare', 'bare', 'ours'],
    ...['ours', 'bare', 'bare', 'ours', 'ours', 'bare'],
  ]);
  expect(runs.ours).toEqual([2, 3, 6, 7, 10, 11]);
  expect(spread([3, 1, 2])).toEqual({ min: 1, median: 2, max: 3 });
  expect(spread([4, 1, 2, 3]).median).toBe(2.5);
  const c = compare({ ours: [1, 2, 3], bare: [2, 2, 2] }, (v) => v);
  expect(c.ratio).toBe(1);
  expect(c.pairRatios).toEqual({ min: 0.5, median: 1, max: 1.5 });
});
