import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  FileArgumentError,
  fileReason,
  readArgumentFile,
  writeArgumentFile,
} from '../../../src/ops/file-argument.js';

test.each([
  ['ENOENT', 'read', 'no such file'],
  ['ENOENT', 'write', 'no such directory'],
  ['EACCES', 'read', 'permission denied'],
  ['EPERM', 'write', 'permission denied'],
  ['EISDIR', 'read', 'is a directory'],
  ['ENOTDIR', 'write', 'a part of its path is not a directory'],
  ['ENAMETOOLONG', 'read', 'the name is too long'],
  ['EROFS', 'write', 'read-only file system'],
  // Not the path's fault (a failing disk, a full one): left to surface as it is.
  ['EIO', 'read', undefined],
  ['ENOSPC', 'write', undefined],
  [undefined, 'read', undefined],
] as const)('%s on %s: %s', (code, action, reason) => {
  expect(fileReason(code, action)).toBe(reason);
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-arg-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('reading and writing real paths: the file and the reason, with the cause kept', async () => {
  const missing = join(dir, 'missing.csv');
  const read = await readArgumentFile(missing).catch((e: unknown) => e);
  expect(read).toBeInstanceOf(FileArgumentError);
  expect((read as Error).message).toBe(`cannot read ${missing}: no such file`);
  expect(((read as Error).cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  const nowhere = join(dir, 'no-dir', 'out.json');
  await expect(writeArgumentFile(nowhere, '{}')).rejects.toThrow(
    `cannot write ${nowhere}: no such directory`,
  );
  await expect(writeArgumentFile(dir, '{}')).rejects.toThrow(`cannot write ${dir}: is a directory`);
  const file = join(dir, 'out.json');
  await writeArgumentFile(file, '{"a":1}\n');
  expect(await readArgumentFile(file)).toBe('{"a":1}\n');
});
