import { readFile, writeFile } from 'node:fs/promises';

/**
 * A file named on the command line (`payouts import FILE`, `payouts openapi FILE`) that cannot be
 * read or written: a usage error (exit 2) naming the file and the reason in words, never Node's
 * raw error.
 */

/** Raised when the file a command line names cannot be read or written; `reason` is in words. */
export class FileArgumentError extends Error {
  readonly file: string;
  readonly reason: string;
  constructor(file: string, action: 'read' | 'write', reason: string, cause: unknown) {
    super(`cannot ${action} ${file}: ${reason}`, { cause });
    this.name = 'FileArgumentError';
    this.file = file;
    this.reason = reason;
  }
}

/** Node's error codes for a path that is wrong, in words; any other error is not the argument's fault. */
export function fileReason(code: string | undefined, action: 'read' | 'write'): string | undefined {
  switch (code) {
    case 'ENOENT':
      // Writing creates the file: what is missing is its directory.
      return action === 'read' ? 'no such file' : 'no such directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a part of its path is not a directory';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'EROFS':
      return 'read-only file system';
    default:
      return undefined;
  }
}

function asArgumentError(err: unknown, file: string, action: 'read' | 'write'): unknown {
  const reason = fileReason((err as NodeJS.ErrnoException).code, action);
  return reason === undefined ? err : new FileArgumentError(file, action, reason, err);
}

/** The text of the file the command line names, or a FileArgumentError saying why not. */
export async function readArgumentFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw asArgumentError(err, file, 'read');
  }
}

/** Writes the file the command line names, or raises a FileArgumentError saying why not. */
export async function writeArgumentFile(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (err) {
    throw asArgumentError(err, file, 'write');
  }
}
