import type { FastifyInstance } from 'fastify';

/**
 * Keeps the arrival time of every payout create request the sandbox receives, by external_id, before
 * the sandbox decides anything about it. Must be called before the sandbox listens.
 */
export function recordGatewayArrivals(app: FastifyInstance): Map<string, number[]> {
  const arrivals = new Map<string, number[]>();
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'POST' || !request.url.startsWith('/v2/payment/payout')) return;
    const body = request.body as { external_id?: unknown } | undefined;
    if (typeof body?.external_id !== 'string') return;
    const list = arrivals.get(body.external_id) ?? [];
    list.push(Date.now());
    arrivals.set(body.external_id, list);
  });
  return arrivals;
}
