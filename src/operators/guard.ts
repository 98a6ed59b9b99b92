import type { FastifyReply, FastifyRequest } from 'fastify';
import { basicCredentials, bearerToken, matchesAny } from '../http/auth.js';
import { sendError } from '../http/errors.js';
import type { Authenticate, Operator } from './authenticate.js';
import { type Role, roleAtLeast } from './roles.js';

/**
 * Who may call a route. Integration keys (`Authorization: Bearer`) create and read; operators (HTTP
 * Basic `name:secret`) act by role. The operator a request was authenticated as is kept beside it,
 * so a handler records the credential's name, never one from the body.
 */

export const OPERATOR_REALM = 'payouts';

type PreHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export interface Guards {
  /** An operator route: an operator of at least `role`; an integration key gets 403. */
  operator(role: Role): PreHandler;
  /** A read route: an integration key, or an operator of any role. */
  reader: PreHandler;
}

const operators = new WeakMap<FastifyRequest, Operator>();

/** The operator a guarded request was authenticated as. Throws on a route no operator guard ran on. */
export function operatorOf(request: FastifyRequest): Operator {
  const operator = operators.get(request);
  if (!operator) throw new Error('operatorOf called on a request no operator guard authenticated');
  return operator;
}

const unauthorized = (reply: FastifyReply, message: string) => {
  reply.header('www-authenticate', `Basic realm="${OPERATOR_REALM}"`);
  return sendError(reply, 401, 'unauthorized', message);
};

export function createGuards(deps: { authenticate: Authenticate; apiKeys: readonly string[] }): Guards {
  const { authenticate, apiKeys } = deps;

  const asOperator = async (request: FastifyRequest): Promise<Operator | undefined> => {
    const given = basicCredentials(request.headers.authorization);
    if (!given) return undefined;
    const operator = await authenticate(given.user, given.password);
    if (operator) operators.set(request, operator);
    return operator;
  };

  const operator =
    (role: Role): PreHandler =>
    async (request, reply) => {
      const token = bearerToken(request.headers.authorization);
      if (token !== undefined && matchesAny(token, apiKeys)) {
        // The integration is who it says, and this is not its to do: it is told what the route takes.
        return sendError(
          reply,
          403,
          'operator_credential_required',
          `this action needs an operator credential (HTTP Basic name:secret, role ${role} or above); ` +
            'an integration key may only create and read payouts, batches and deposits',
        );
      }
      const who = await asOperator(request);
      if (!who)
        return unauthorized(reply, `an operator login is required (HTTP Basic name:secret, role ${role})`);
      if (!roleAtLeast(who.role, role)) {
        return sendError(
          reply,
          403,
          'role_required',
          `operator ${who.name} has role ${who.role}; this action needs role ${role} or above`,
        );
      }
      return undefined;
    };

  const reader: PreHandler = async (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    if (token !== undefined && matchesAny(token, apiKeys)) return undefined;
    if (token === undefined && (await asOperator(request))) return undefined;
    reply.header('www-authenticate', `Bearer, Basic realm="${OPERATOR_REALM}"`);
    return sendError(
      reply,
      401,
      'unauthorized',
      'a valid API key (Authorization: Bearer <key>) or an operator login (HTTP Basic) is required',
    );
  };

  return { operator, reader };
}
