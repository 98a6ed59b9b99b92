import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { bannerLines } from '../../src/banner.js';
import { loadConfig } from '../../src/config.js';

const urls = {
  api: 'http://127.0.0.1:3000',
  docs: 'http://127.0.0.1:3000/docs',
  sandbox: 'http://127.0.0.1:3100',
};

test("sandbox mode prints an export line; a restart with it keeps the API key and the dashboard's password", () => {
  const first = loadConfig({});
  const lines = bannerLines(first, urls, ['sandbox', 'api', 'worker']);
  const exportLine = lines.find((l) => l.trim().startsWith('export '))!.trim();
  expect(exportLine).toBe(
    `export API_KEYS=${first.api.keys[0]} DASHBOARD_PASSWORD=${first.dashboard?.password} API_KEY=${first.api.keys[0]}`,
  );
  // What a shell makes of the line, as the next start's environment.
  const env = JSON.parse(
    execFileSync('sh', ['-c', `${exportLine}; node -e 'console.log(JSON.stringify(process.env))'`], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    }),
  ) as Record<string, string>;
  const again = loadConfig(env);
  expect(again.api.keys).toEqual(first.api.keys);
  expect(again.dashboard?.password).toBe(first.dashboard?.password);
  expect(again.generated).not.toContain('API_KEYS');
  expect(again.generated).not.toContain('DASHBOARD_PASSWORD');
  expect(env.API_KEY).toBe(first.api.keys[0]);
  expect(bannerLines(again, urls, ['sandbox', 'api', 'worker']).some((l) => l.includes('export'))).toBe(
    false,
  );
});

test('a key that was set is never printed', () => {
  const config = loadConfig({ API_KEYS: 'set-by-the-operator-0123456789' });
  const text = bannerLines(config, urls, ['sandbox', 'api', 'worker']).join('\n');
  expect(text).not.toContain('set-by-the-operator');
  expect(text).toMatch(/export DASHBOARD_PASSWORD=\S+$/m);
});

test('the banner points operators at the console', () => {
  const text = bannerLines(loadConfig({}), urls, ['sandbox', 'api', 'worker']).join('\n');
  expect(text).toContain('console    http://127.0.0.1:3000/console');
});
