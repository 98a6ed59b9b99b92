import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { z } from 'zod';
import { ok, responses } from './http/contract.js';
import { frameworkErrors, installErrorHandling } from './http/errors.js';
import { openApiOptions } from './http/openapi.js';
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

const healthSchema = z.object({ status: z.literal('ok') }).meta({ examples: [{ status: 'ok' }] });
const readinessSchema = (status: 'ready' | 'not_ready', example: Record<string, boolean>) =>
  z
    .object({ status: z.literal(status), checks: z.record(z.string(), z.boolean()) })
    .meta({ examples: [{ status, checks: example }] });

/** `/healthz`: the process lives. `/readyz`: Redis answers and the workers run (503 otherwise). */
export function registerHealthRoutes(app: FastifyInstance, ready?: Readiness): void {
  const health = { tags: ['health'], security: [] };
  app.get(
    '/healthz',
    {
      schema: {
        ...health,
        summary: 'Liveness: the process answers',
        response: responses({ 200: ok('Alive.', healthSchema) }, []),
      },
    },
    async () => ({ status: 'ok' }),
  );
  const readySchema = {
    ...health,
    summary: 'Readiness: Redis answers and the workers run',
    response: {
      200: ok('Ready.', readinessSchema('ready', { redis: true, workers: true })),
      503: ok('Not ready: a check failed.', readinessSchema('not_ready', { redis: false, workers: true })),
    },
  };
  app.get('/readyz', { schema: readySchema }, async (_request, reply) => {
    const res = ready ? await ready() : { ok: true, checks: {} };
    return reply
      .code(res.ok ? 200 : 503)
      .send({ status: res.ok ? 'ready' : 'not_ready', checks: res.checks });
  });
}

/**
 * Route schemas are zod, for /docs: requests are validated by the methods' validator (which names each
 * field, 422) and answers are written as they are, so neither needs fastify's JSON-schema compilers.
 */
function schemasDocumentOnly(app: FastifyInstance): void {
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
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
  schemasDocumentOnly(app);
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
  schemasDocumentOnly(app);
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
  installErrorHandling(app);

  await app.register(swagger, openApiOptions);
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerHealthRoutes(app, deps.ready);
  registerPayoutRoutes(app, {
    producer: deps.producer,
    apiKeys: deps.apiKeys,
    ...(deps.reader ? { reader: deps.reader } : {}),
  });
  for (const plugin of deps.plugins ?? []) await plugin(app);
  return app;
}
