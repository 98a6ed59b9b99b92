import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, test } from 'vitest';

/**
 * A newcomer follows the README and docs/ by their links and the paths they name: each must exist
 * in the repository. Markdown links resolve from the file's folder; a path in code quotes (one under
 * src/, docs/ or test/, or any `.md` file) from the repository's root. Web links and #anchors are not
 * checked.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const FILES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The links and quoted paths of a markdown file that name nothing in the repository. */
function broken(file: string, text: string): string[] {
  const refs: { target: string; path: string }[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z]+:/i.test(target!) || target!.startsWith('#')) continue;
    refs.push({ target: target!, path: join(dirname(file), target!.split('#')[0]!) });
  }
  for (const [, quoted] of text.matchAll(/`((?:src|docs|test)\/[^`\s*]+|[^`\s*]+\/[^`\s*]+\.md)`/g)) {
    refs.push({ target: quoted!, path: quoted!.split('#')[0]! });
  }
  return refs.filter((r) => !existsSync(join(ROOT, r.path))).map((r) => r.target);
}

test.each(FILES)('every link and path named in %s exists', (file) => {
  expect(broken(file, readFileSync(join(ROOT, file), 'utf8'))).toEqual([]);
});

test.each([
  ['[the markers](sandbox.md#markers)', []],
  ['[the markers](markers.md)', ['markers.md']],
  ['[the code](../src/sandbox/sandbox.ts)', []],
  ['[gone](../src/sandbox/gone.ts)', ['../src/sandbox/gone.ts']],
  ['the gateway (`shared/gateway-api/SPEC.md`)', ['shared/gateway-api/SPEC.md']],
  ['lives in `src/sandbox`, see `src/sandbox/nothing.ts`', ['src/sandbox/nothing.ts']],
  ['[web](https://example.com/x.md) and [here](#options)', []],
])('docs/example.md with %s: broken %j', (text, expected) => {
  expect(broken('docs/example.md', text)).toEqual(expected);
});
