import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildSandboxApp } from './app.js';
import type { SandboxOptions } from './options.js';
import type { SandboxRecord } from './orders.js';
import { createSandboxParts, type SandboxParts } from './parts.js';

/**
 * A simulator of the Cabbagino gateway (SPEC.md) for development, demos and tests: the four
 * endpoints with their paths, shapes, MERCHANT_KEY and signature checks; one order per external_id;
 * signed callbacks on the gateway's schedule; outcomes on demand through customer_id markers
 * (markers.ts); seeded fault rates for load tests; and a read-only view of what it received.
 * It logs external_ids and outcomes, never a body.
 *
 * The parts: options.ts (what it is started with), parts.ts (its working parts, made once), app.ts
 * (the HTTP server and its paths), create-route.ts (payout and deposit requests), screening.ts (the
 * checks before an order), new-order.ts (an order and its answer), settling.ts (settling),
 * final-callback.ts and callbacks.ts (callbacks), read-routes.ts (status, balances), view-routes.ts
 * (what it received, the deposit's pay page), answers.ts (the gateway's error bodies).
 */

export type { SandboxOptions } from './options.js';
export { SETTLE_DELAY_MS } from './settling.js';

export interface Sandbox {
  /** The fastify app: `app.inject()` works without listening. */
  readonly app: FastifyInstance;
  /** Starts listening and returns the base URL (`http://127.0.0.1:PORT`). */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops every timer and callback, then the server. Calling it again waits for the same close. */
  close(): Promise<void>;
  /** What arrived for each external_id (a snapshot). */
  received(): SandboxRecord[];
  received(externalId: string): SandboxRecord | undefined;
}

export function createSandbox(options: SandboxOptions): Sandbox {
  const parts = createSandboxParts(options);
  const app = buildSandboxApp(options, parts);
  let closing: Promise<void> | undefined;

  function received(): SandboxRecord[];
  function received(externalId: string): SandboxRecord | undefined;
  function received(externalId?: string): SandboxRecord[] | SandboxRecord | undefined {
    if (externalId === undefined) return parts.book.all();
    const entry = parts.book.find(externalId);
    return entry && parts.book.view(entry);
  }

  return {
    app,
    received,
    listen: (port = 0, host = '127.0.0.1') => listen(options, parts, app, port, host),
    close() {
      closing ??= (async () => {
        parts.timers.clear();
        parts.callbacks.close();
        await app.close();
      })();
      return closing;
    },
  };
}

/** Loads the kept orders, if any, then listens; the base URL names a host a client can reach. */
async function listen(
  options: SandboxOptions,
  parts: SandboxParts,
  app: FastifyInstance,
  port: number,
  host: string,
): Promise<string> {
  if (options.orders) await parts.settling.restore(options.orders);
  await app.listen({ port, host });
  const address = app.server.address() as AddressInfo;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${address.port}`;
  options.logger?.info(
    { url, duplicates: parts.duplicates, timeScale: parts.timeScale },
    'sandbox gateway listening',
  );
  return url;
}
