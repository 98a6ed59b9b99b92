import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

/** The README's HTTP client example, run as a newcomer would, against a real API. */

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));

let sys: TestSystem;
let dir: string;
beforeAll(async () => {
  sys = await startTestSystem({ parts: ['api'] });
  dir = await mkdtemp(join(tmpdir(), 'readme-example-'));
});
afterAll(async () => {
  await sys?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function readmeExample(): Promise<string> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const match = /<!-- example: http-client -->\n```ts\n([\s\S]*?)```/.exec(readme);
  if (!match?.[1]) throw new Error('the README has no http-client example');
  // The package's own name resolves to its build; the source is the same code, without a build step.
  return match[1].replace("from 'cabbagino-payouts'", `from '${join(root, 'src/index.ts')}'`);
}

test('the README example runs: created, a 409 naming the field, read back, listed', async () => {
  const file = join(dir, 'example.mts');
  await writeFile(file, await readmeExample());
  const { stdout } = await run(process.execPath, ['--import', 'tsx', file], {
    cwd: root,
    env: { ...process.env, PAYOUTS_URL: sys.api, PAYOUTS_API_KEY: sys.apiKey },
    timeout: 60_000,
  });
  const lines = stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^accepted po-\d+ queued$/);
  expect(lines[1]).toBe('409 external_id_conflict amount');
  expect(lines[2]).toBe('now queued');
  expect(lines[3]).toBe('listed 1');
});
