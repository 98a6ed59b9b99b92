import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import semver from 'semver';
import { expect, test } from 'vitest';

/**
 * The Node.js versions the project says it supports are the ones it runs on: package.json's engines,
 * the README's statement and the Dockerfile's image agree, and the runtime running this suite is one
 * of them. Two dependencies declare Node >= 22 (npm ci on Node 20 warns EBADENGINE): what the project
 * uses of them is run here, on whatever Node runs the suite.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

test('the README states the engines range, and the Node that runs this suite is in it', () => {
  expect(readme).toContain(`\`package.json\` asks for \`${pkg.engines.node}\``);
  expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
});

test('every stage of the Dockerfile runs a Node line in the range, the one the README says production runs', () => {
  const images = [...dockerfile.matchAll(/^FROM node:(\d+)[-\w.]*(?:@\S+)?(?: AS \w+)?$/gm)].map((m) => m[1]);
  expect(images.length).toBeGreaterThan(0);
  expect(new Set(images).size).toBe(1);
  const major = images[0]!;
  expect(semver.satisfies(`${major}.99.0`, pkg.engines.node)).toBe(true);
  expect(readme).toContain(`Production runs Node ${major}`);
});

// Resolved from the packages that depend on them, as they are installed.
const fromFastify = createRequire(createRequire(join(ROOT, 'package.json')).resolve('fastify'));
const fromStatic = createRequire(
  createRequire(createRequire(join(ROOT, 'package.json')).resolve('@bull-board/fastify')).resolve(
    '@fastify/static',
  ),
);

// Both are ES modules that CommonJS packages load with require(): Node does that from 20.19 and 22.12
// on, hence the engines range. A Node without it fails right here, at the require.
test('cookie (declares Node >= 22) loads and works on this Node as light-my-request uses it', () => {
  const lightMyRequest = createRequire(fromFastify.resolve('light-my-request'));
  const { stringifySetCookie, parseCookie } = lightMyRequest('cookie') as {
    stringifySetCookie: (c: { name: string; value: string; path?: string; httpOnly?: boolean }) => string;
    parseCookie: (s: string) => Record<string, string>;
  };
  expect(stringifySetCookie({ name: 'sid', value: 'x y', path: '/', httpOnly: true })).toBe(
    'sid=x%20y; Path=/; HttpOnly',
  );
  expect(parseCookie('a=1; b=two%20words')).toEqual({ a: '1', b: 'two words' });
});

test('content-disposition (declares Node >= 22) loads and works on this Node as @fastify/static uses it', () => {
  const { create } = fromStatic('content-disposition') as { create: (name?: string) => string };
  expect(create('report.csv')).toBe('attachment; filename=report.csv');
  expect(create('résumé.pdf')).toBe(
    'attachment; filename="r?sum?.pdf"; filename*=UTF-8\'\'r%C3%A9sum%C3%A9.pdf',
  );
});
