import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sendAll, startLoad } from '../../../bench/load.js';
import { type FakeGateway, startStub } from '../../../bench/stub.js';

/** The bench's load generator and fake gateway, each a process of its own, count what they do. */

let gateway: FakeGateway;
const received: string[] = [];
const api = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push(JSON.parse(Buffer.concat(chunks).toString()).external_id);
    res.writeHead(req.headers.authorization?.startsWith('Bearer ') ? 202 : 401).end('{}');
  });
});
let url: string;

beforeAll(async () => {
  gateway = await startStub(0, 3);
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await gateway.close();
  api.closeAllConnections();
  await new Promise((r) => api.close(r));
});

test('the load generator sends exactly the payouts asked for, each once, and counts their answers', async () => {
  received.length = 0;
  const counts = await sendAll(url, 'once', 300, 8);
  expect(counts).toMatchObject({ accepted: 300, failed: 0, sent: 300 });
  expect(new Set(received).size).toBe(300);
  expect(received).toContain('once-299');
});

test('open-loop, it notes when each payout was sent, and stops when told', async () => {
  received.length = 0;
  const load = await startLoad({ url, tag: 'open', mode: 'open', rate: 200, record: true });
  while ((await load.count()).accepted < 20) await new Promise((r) => setTimeout(r, 20));
  const counts = await load.stop();
  const times = await load.times();
  await load.close();
  expect(counts.failed).toBe(0);
  expect(times.size).toBe(counts.sent);
  expect(received.length).toBe(counts.sent);
  expect([...times.keys()].every((id) => received.includes(id))).toBe(true);
});

test('the fake gateway answers status 3 and counts arrivals, distinct payouts and repeats', async () => {
  const post = (id: string) => axios.post(`${gateway.url}/v2/payment/payout/`, { external_id: id });
  await gateway.record();
  const first = await post('g-1');
  expect(first.data).toMatchObject({ status: 3, external_id: 'g-1' });
  await post('g-1');
  await post('g-2');
  expect(await gateway.count()).toEqual({ arrivals: 3, duplicates: 1, distinct: 2 });
  expect([...(await gateway.times()).keys()].sort()).toEqual(['g-1', 'g-2']);
});
