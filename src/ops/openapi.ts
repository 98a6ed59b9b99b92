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

/** `payouts openapi [FILE]`: writes the document to FILE, or to standard output. */
export async function openapi(config: Config, args: string[]): Promise<number> {
  const [file, ...extra] = args;
  if (extra.length > 0) {
    process.stderr.write('usage: payouts openapi [FILE]\n');
    return 2;
  }
  const text = openApiText(await openApiDocument(config));
  if (file) await writeFile(file, text);
  else process.stdout.write(text);
  return 0;
}
