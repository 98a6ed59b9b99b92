import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { startSystem } from '../system.js';
import { refusal } from './args.js';
import { FileArgumentError, writeArgumentFile } from './file-argument.js';

/**
 * The API reference as a file (`payouts openapi docs/openapi.json`, `npm run openapi`): the very
 * document `/docs/openapi.json` serves, taken from the API as `payouts api` assembles it, so every
 * route registered there is in it. Needs Redis, as the API does. A test fails when the committed
 * docs/openapi.json differs from it.
 */

export async function openApiDocument(config: Config): Promise<Record<string, unknown>> {
  const system = await startSystem(config, ['api'], createLogger({ level: 'silent' }));
  try {
    const app = system.app;
    if (!app) throw new Error('the API did not start');
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await system.close();
  }
}

/** The document's text: stable, so the committed file changes only when the contract does. */
export const openApiText = (document: Record<string, unknown>): string =>
  `${JSON.stringify(document, null, 2)}\n`;

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** The document's routes (operations: a method on a path), for the line saying what was written. */
export const routeCount = (document: Record<string, unknown>): number =>
  Object.values((document.paths ?? {}) as Record<string, Record<string, unknown>>).flatMap((item) =>
    Object.keys(item).filter((key) => HTTP_METHODS.has(key)),
  ).length;

const OPENAPI = { usage: 'payouts openapi [FILE]' };

/** FILE, if given; a refusal for an option (which would be taken for a file name) or a second FILE. */
function fileOf(args: string[]): { ok: true; file: string | undefined } | { ok: false; message: string } {
  const [file, ...extra] = args;
  if (file?.startsWith('-'))
    return { ok: false, message: refusal(OPENAPI, `unknown option ${file} (this command takes none)`) };
  if (extra.length > 0) return { ok: false, message: refusal(OPENAPI, `unexpected argument '${extra[0]}'`) };
  return { ok: true, file };
}

/**
 * `payouts openapi [FILE]`: writes the document to FILE and says so in one line, or writes it alone
 * to standard output (for a pipe). A FILE that cannot be written is a wrong argument (exit 2).
 */
export async function openapi(config: Config, args: string[]): Promise<number> {
  const parsed = fileOf(args);
  if (!parsed.ok) {
    process.stderr.write(`${parsed.message}\n`);
    return 2;
  }
  const { file } = parsed;
  const document = await openApiDocument(config);
  const text = openApiText(document);
  if (!file) {
    process.stdout.write(text);
    return 0;
  }
  try {
    await writeArgumentFile(file, text);
  } catch (err) {
    if (!(err instanceof FileArgumentError)) throw err;
    process.stderr.write(`${refusal(OPENAPI, err.message)}\n`);
    return 2;
  }
  process.stdout.write(
    `wrote ${file} (OpenAPI ${String(document.openapi)}, ${routeCount(document)} routes)\n`,
  );
  return 0;
}
