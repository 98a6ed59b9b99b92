import { hash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './errors.js';

/**
 * Equal-length digests, so comparing keys of different lengths takes the same time. The one-shot
 * `hash` makes no Hash object: half the cost of createHash for a key's few bytes.
 */
const digest = (s: string): Buffer => hash('sha256', s, 'buffer');

/**
 * A constant-time test of a key against `allowed`: every allowed key is compared. The allowed keys'
 * digests are taken once, so a request costs one digest, its own.
 */
export function keyMatcher(allowed: readonly string[]): (given: string) => boolean {
  const digests = allowed.map(digest);
  return (given) => {
    const g = digest(given);
    let ok = false;
    for (const d of digests) ok = timingSafeEqual(g, d) || ok;
    return ok;
  };
}

/** Constant-time: true when `given` equals one of `allowed`. Every allowed key is compared. */
export function matchesAny(given: string, allowed: readonly string[]): boolean {
  return keyMatcher(allowed)(given);
}

/**
 * A preHandler requiring `Authorization: Bearer <one of API_KEYS>`. Callback-style: a request that
 * passes goes on without a promise and a turn of the microtask queue.
 */
export function bearerAuth(keys: readonly string[]) {
  const matches = keyMatcher(keys);
  return (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void => {
    const token = bearerToken(request.headers.authorization);
    if (token !== undefined && matches(token)) {
      done();
      return;
    }
    // Answered here: the route does not run (done is not called).
    reply.header('www-authenticate', 'Bearer');
    sendError(reply, 401, 'unauthorized', 'a valid API key is required: Authorization: Bearer <key>');
  };
}

/** Parses `Authorization: Basic …` into user and password; undefined when absent or malformed. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The bearer token of `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}
