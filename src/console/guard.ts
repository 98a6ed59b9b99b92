import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Operator } from '../operators/authenticate.js';
import { type Role, roleAtLeast } from '../operators/roles.js';

/** The logged-in operator, or a redirect to the login page (a page) or a 401 (a form's POST). */
export async function requireLogin(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  if (request.session.get('operator')) return undefined;
  if (request.method === 'GET') return reply.redirect('/console/login', 303);
  return reply.code(401).type('text/plain; charset=utf-8').send('log in first: /console/login');
}

/** The session's operator; only called behind requireLogin. */
export function sessionOperator(request: FastifyRequest): Operator {
  const operator = request.session.get('operator');
  if (!operator) throw new Error('sessionOperator called on a request without a login');
  return operator;
}

/** Throws a 403 the console shows when the operator's role is below what the action needs. */
export function requireRole(request: FastifyRequest, needed: Role): Operator {
  const operator = sessionOperator(request);
  if (!roleAtLeast(operator.role, needed)) {
    throw Object.assign(
      new Error(
        `operator ${operator.name} has role ${operator.role}; this action needs role ${needed} or above`,
      ),
      { statusCode: 403 },
    );
  }
  return operator;
}

/** What an operator of this role may do, so a page shows only the actions the server would take. */
export const mayAct = (operator: Operator | undefined) => ({
  resolveOrCancel: operator !== undefined && roleAtLeast(operator.role, 'operator'),
  approve: operator !== undefined && roleAtLeast(operator.role, 'approver'),
  control: operator !== undefined && roleAtLeast(operator.role, 'admin'),
});
