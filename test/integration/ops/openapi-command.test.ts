import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCli } from '../../helpers/cli-process.js';
import { deletePrefix, REDIS_URL, testRedis, uniquePrefix } from '../../helpers/redis.js';
import { freePort } from '../../helpers/system.js';

/** `payouts openapi [FILE]`: the document on standard output, or to FILE with one line saying so. */

const prefix = uniquePrefix('openapi-cmd');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openapi-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  const redis = testRedis();
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

/** The command in a sandbox-mode deployment of its own; it listens on PORT while it reads the API. */
async function openapi(...args: string[]) {
  const env = {
    PATH: process.env.PATH ?? '',
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  };
  return runCli(['openapi', ...args], env, 40_000);
}

/** The operations (method and path) of a document, as the line counts them. */
const operations = (doc: { paths: Record<string, Record<string, unknown>> }) =>
  Object.values(doc.paths).flatMap((item) =>
    Object.keys(item).filter((k) => ['get', 'put', 'post', 'delete', 'patch'].includes(k)),
  ).length;

test('to FILE: the document there, and one line on stdout saying what was written', async () => {
  const file = join(dir, 'openapi.json');
  const run = await openapi(file);
  expect(run.status, run.stderr).toBe(0);
  const doc = JSON.parse(await readFile(file, 'utf8'));
  expect(doc.openapi).toBe('3.1.0');
  expect(operations(doc)).toBeGreaterThan(10);
  expect(run.stdout).toBe(`wrote ${file} (OpenAPI 3.1.0, ${operations(doc)} routes)\n`);
});

test('without FILE: the document on stdout and nothing else there', async () => {
  const run = await openapi();
  expect(run.status, run.stderr).toBe(0);
  const doc = JSON.parse(run.stdout);
  expect(doc.openapi).toBe('3.1.0');
  expect(run.stdout).not.toContain('wrote');
});

test.each([
  [
    'a FILE in a directory that does not exist',
    () => [join(dir, 'no-dir', 'x.json')],
    (f: string[]) => `cannot write ${f[0]}: no such directory`,
  ],
  ['a FILE that is a directory', () => [dir], (f: string[]) => `cannot write ${f[0]}: is a directory`],
  [
    'two FILEs',
    () => [join(dir, 'a.json'), join(dir, 'b.json')],
    (f: string[]) => `unexpected argument '${f[1]}'`,
  ],
  ['an option', () => ['--json'], () => 'unknown option --json (this command takes none)'],
])('%s: one line saying so, then the usage, exit 2', async (_name, args, problem) => {
  try {
    const run = await openapi(...args());
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`payouts: ${problem(args())}\nusage: payouts openapi [FILE]\n`);
    expect(run.stdout).toBe('');
  } finally {
    // Taken for a FILE, an option would be written here, in the checkout.
    await rm('--json', { force: true });
  }
  expect(existsSync(join(dir, 'a.json'))).toBe(false);
});
