import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { hashSecret } from '../../../src/operators/secret-hash.js';
import { consoleAnswers, demoConsoleLine } from '../../../src/ops/demo-console.js';

const apiUrl = 'http://127.0.0.1:3000';

test("a system in the demo's own process: its generated admin is printed, as its banner would", () => {
  const config = loadConfig({});
  expect(demoConsoleLine(config, { kind: 'own', apiUrl, staysUp: true })).toBe(
    `console: http://127.0.0.1:3000/console  (log in as ${config.dashboard?.user} / ${config.dashboard?.password})`,
  );
});

test('a secret that was set is never printed; operators are pointed at it by name', async () => {
  const set = loadConfig({ DASHBOARD_PASSWORD: 'set-by-the-operator-0123456789' });
  const line = demoConsoleLine(set, { kind: 'own', apiUrl, staysUp: true });
  expect(line).not.toContain('set-by-the-operator');
  expect(line).toContain('log in as ops with DASHBOARD_PASSWORD, or an operator of OPERATORS');
  const withOperators = loadConfig({
    GATEWAY_URL: 'https://gateway.example.test',
    MERCHANT_KEY: 'fake-merchant-key',
    SIGNATURE_SALT: 'fake-salt',
    API_KEYS: 'set-by-the-operator-0123456789',
    PAYLOAD_KEY: Buffer.alloc(32, 7).toString('base64'),
    OPERATORS: `ada:admin:${await hashSecret('ada-secret-0123456789')}`,
  });
  expect(demoConsoleLine(withOperators, { kind: 'own', apiUrl, staysUp: true })).toContain(
    '(log in with an operator of OPERATORS)',
  );
});

test("a running system: never a login of the demo's own; no URL where nothing answered", () => {
  const config = loadConfig({});
  const reached = demoConsoleLine(config, { kind: 'running', apiUrl, answers: true });
  expect(reached).toContain('console: http://127.0.0.1:3000/console  (log in with the admin the banner of');
  expect(reached).not.toContain(config.dashboard?.password);
  const away = demoConsoleLine(config, { kind: 'running', apiUrl, answers: false });
  expect(away).toMatch(/^console: nothing answers at http:\/\/127\.0\.0\.1:3000 \(HOST, PORT\)/);
  expect(away).not.toContain('3000/console');
  expect(away).not.toContain(config.dashboard?.password);
});

test('consoleAnswers: a console login page answers; another server, or none, does not', async () => {
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/console/login' ? 200 : 404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  expect(await consoleAnswers(url)).toBe(true);
  const other = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  expect(await consoleAnswers(`http://127.0.0.1:${(other.address() as AddressInfo).port}`)).toBe(false);
  await new Promise((r) => server.close(r));
  await new Promise((r) => other.close(r));
  expect(await consoleAnswers(url)).toBe(false);
});
