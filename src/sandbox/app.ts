import Fastify, { type FastifyInstance } from 'fastify';
import { answerErrorsAsTheGateway } from './answers.js';
import type { SandboxOptions } from './options.js';
import type { SandboxParts } from './parts.js';
import { registerReadRoutes } from './read-routes.js';
import { registerViewRoutes } from './view-routes.js';

/**
 * The sandbox's HTTP server: the gateway's four endpoints at the gateway's paths (each answer delayed
 * by the latency asked for), and the sandbox's own pages beside them.
 */

const BODY_LIMIT_BYTES = 64 * 1024;
const PATHS = {
  payout: '/v2/payment/payout/',
  deposit: '/v2/payment/deposit/',
  status: '/status/',
  balances: '/balances/',
} as const;

export function buildSandboxApp(options: SandboxOptions, parts: SandboxParts): FastifyInstance {
  const { salt, logger } = options;
  const { book, faults, timers, handleCreate, keyOk, settling } = parts;
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES, forceCloseConnections: true });
  answerErrorsAsTheGateway(app, logger);
  app.register(async (gateway) => {
    gateway.addHook('onRequest', async () => {
      const ms = faults.latencyMs();
      if (ms > 0) await timers.sleep(ms);
    });
    gateway.post(PATHS.payout, (request, reply) => handleCreate(request, reply, 'payout'));
    gateway.post(PATHS.deposit, (request, reply) => handleCreate(request, reply, 'deposit'));
    registerReadRoutes(gateway, PATHS, { book, keyOk, salt, logger });
  });
  app.register(async (view) => registerViewRoutes(view, { book, settling, currencies: options.currencies }));
  return app;
}
