import { writeFile } from 'node:fs/promises';
import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { startSystem } from '../system.js';

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

/**
 * `payouts openapi [FILE]`: writes the document to FILE and says so in one line, or writes it alone
 * to standard output (for a pipe).
 */
export async function openapi(config: Config, args: string[]): Promise<number> {
  const [file, ...extra] = args;
  if (extra.length > 0) {
    process.stderr.write('usage: payouts openapi [FILE]\n');
    return 2;
  }
  const document = await openApiDocument(config);
  const text = openApiText(document);
  if (!file) {
    process.stdout.write(text);
    return 0;
  }
  await writeFile(file, text);
  process.stdout.write(
    `wrote ${file} (OpenAPI ${String(document.openapi)}, ${routeCount(document)} routes)\n`,
  );
  return 0;
}
