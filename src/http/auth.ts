import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './errors.js';

/** Equal-length digests, so comparing keys of different lengths takes the same time. */
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time: true when `given` equals one of `allowed`. Every allowed key is compared. */
export function matchesAny(given: string, allowed: readonly string[]): boolean {
  const g = digest(given);
  let ok = false;
  for (const key of allowed) ok = timingSafeEqual(g, digest(key)) || ok;
  return ok;
}

/** A preHandler requiring `Authorization: Bearer <one of API_KEYS>`. */
export function bearerAuth(keys: readonly string[]) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !matchesAny(match[1]!, keys)) {
      reply.header('www-authenticate', 'Bearer');
      return sendError(
        reply,
        401,
        'unauthorized',
        'a valid API key is required: Authorization: Bearer <key>',
      );
    }
  };
}
