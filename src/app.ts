import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler } from 'fastify-type-provider-zod';
import { frameworkErrors, installErrorHandling } from './http/errors.js';
import type { Logger } from './logger.js';
import type { Producer } from './producer/producer.js';
import { type PayoutRoutesDeps, registerPayoutRoutes } from './producer/routes.js';

/**
 * The HTTP server: API, callbacks, dashboard, metrics and docs on one port. Built here, listened
 * on elsewhere, so tests drive it through `inject` or a real port alike.
 */

export interface AppDeps {
  logger: Logger;
  producer: Producer;
  apiKeys: readonly string[];
  /** Who may read payouts: integration keys and operators (see src/operators/guard.ts). */
  reader?: PayoutRoutesDeps['reader'];
  bodyLimitBytes: number;
  /** Readiness: Redis answers and the workers run. */
  ready?: Readiness;
  /** Further routes (callbacks, dashboard, metrics) registered by their owners. */
  plugins?: ((app: FastifyInstance) => Promise<void> | void)[];
}

export type Readiness = () => Promise<{ ok: boolean; checks: Record<string, boolean> }>;

/** `/healthz`: the process lives. `/readyz`: Redis answers and the workers run (503 otherwise). */
export function registerHealthRoutes(app: FastifyInstance, ready?: Readiness): void {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const res = ready ? await ready() : { ok: true, checks: {} };
    return reply
      .code(res.ok ? 200 : 503)
      .send({ status: res.ok ? 'ready' : 'not_ready', checks: res.checks });
  });
}

/**
 * A worker process without the API still answers its orchestrator and Prometheus, on a port of its
 * own (METRICS_PORT): `/metrics`, `/healthz`, `/readyz`.
 */
export function buildProbeServer(deps: {
  logger: Logger;
  ready: Readiness;
  plugins: ((app: FastifyInstance) => void)[];
}) {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors,
  });
  installErrorHandling(app);
  registerHealthRoutes(app, deps.ready);
  for (const plugin of deps.plugins) plugin(app);
  return app;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; only the generic parameters differ.
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes,
    // Per-request lines would drown the one line per payout transition; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // external_id may be 255 characters long; fastify's default route parameter limit is 100.
    routerOptions: { maxParamLength: 512 },
    frameworkErrors,
    // Bodies are validated by the methods' validator, which names each field (422); the zod
    // schemas on routes are documentation for /docs.
    ajv: { customOptions: { strict: false } },
  });
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  // Every body is JSON; plain text would reach the validator as a string instead of getting a 415.
  app.removeContentTypeParser('text/plain');
  // The JSON content type with no body at all (a client that always sends the header, say on a
  // cancel without a note) means no body; anything else goes through fastify's own JSON parser.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    return parseJson(request, String(body), done);
  });
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Payouts API', version: '1.0.0', description: 'Payouts through the Cabbagino gateway.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'an integration key (API_KEYS)' },
          operator: {
            type: 'http',
            scheme: 'basic',
            description:
              'an operator (OPERATORS, or DASHBOARD_USER/PASSWORD as admin); roles viewer < operator < approver < admin',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerHealthRoutes(app, deps.ready);
  registerPayoutRoutes(app, {
    producer: deps.producer,
    apiKeys: deps.apiKeys,
    ...(deps.reader ? { reader: deps.reader } : {}),
  });
  for (const plugin of deps.plugins ?? []) await plugin(app);
  return app;
}
