import { readFile } from 'node:fs/promises';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import session from '@fastify/session';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { BreakerView } from '../controls/breakers.js';
import type { Pause, Pauses } from '../controls/pauses.js';
import type { Currencies } from '../currency/index.js';
import { PayoutError } from '../errors.js';
import type { OperatorActions } from '../operators/actions.js';
import type { Authenticate, Operator } from '../operators/authenticate.js';
import { isRedisUnavailable } from '../redis.js';
import type { DeliveryReader } from '../worker/deliveries.js';
import { registerConsoleActions } from './actions-routes.js';
import { registerConsoleList } from './list-page.js';
import { registerConsolePages } from './pages.js';
import { ASSETS_DIR, CONTENT_SECURITY_POLICY, type Flash, page } from './render.js';
import type { ConsoleReader } from './rows.js';
import { createRedisSessionStore } from './session-store.js';

declare module 'fastify' {
  interface Session {
    operator?: Operator;
    flash?: Flash;
  }
}

/**
 * The operators' console at /console: server-rendered pages and plain forms, behind an operator
 * login held in a session cookie (HttpOnly, SameSite=Strict, Secure over TLS, an idle timeout). Every
 * form carries a CSRF token; every action is checked against the operator's role on the server and
 * taken through the same audited actions as the HTTP API.
 */

export interface ConsoleDeps {
  authenticate: Authenticate;
  reader: ConsoleReader;
  /** The kill switch and the breakers, shown on the overview. */
  controls: {
    pauses: () => Promise<Pause[]>;
    breakers: () => Promise<BreakerView[]>;
    /** The kill switch (admin), audited in the same step as the change (controls/pauses.ts). */
    pause: Pauses['pause'];
    resume: Pauses['resume'];
  };
  actions: OperatorActions;
  /**
   * What became of a payout's notifications (its delivery jobs in the notifications queue); undefined
   * when notifications are off (NOTIFY_URL unset).
   */
  notifications: DeliveryReader | undefined;
  currencies: Currencies;
  /** Sessions live here, under the deployment's prefix. */
  redis: Redis;
  queuePrefix: string;
  /** Signs the session cookie; stable across restarts and API processes (derived from PAYLOAD_KEY). */
  sessionSecret: string;
  /** A session unused this long ends (CONSOLE_IDLE_MINUTES). */
  idleTimeoutMs: number;
  /**
   * The cookie is Secure (CONSOLE_SECURE_COOKIE: the console is reached over TLS). Set, never guessed
   * per request: the session library's 'auto' would also weaken SameSite to Lax over plain HTTP.
   */
  secureCookie: boolean;
}
export const SESSION_COOKIE = 'payouts_console';

export async function registerConsole(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  // Encapsulated: the cookie, session, form and CSRF plugins apply to the console's routes alone.
  await app.register(
    async (scope) => {
      const { idleTimeoutMs } = deps;
      await scope.register(formbody);
      await scope.register(cookie);
      await scope.register(session, {
        secret: deps.sessionSecret,
        cookieName: SESSION_COOKIE,
        saveUninitialized: false,
        rolling: true,
        cookie: {
          httpOnly: true,
          sameSite: 'strict',
          secure: deps.secureCookie,
          maxAge: idleTimeoutMs,
          path: '/console',
        },
        store: createRedisSessionStore({ redis: deps.redis, queuePrefix: deps.queuePrefix, idleTimeoutMs }),
      });
      await scope.register(csrf, { sessionPlugin: '@fastify/session' });

      scope.addHook('onSend', async (_request, reply) => {
        reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
        reply.header('x-content-type-options', 'nosniff');
        reply.header('referrer-policy', 'same-origin');
        reply.header('cache-control', 'no-store');
      });
      scope.setErrorHandler((err: FastifyError, request, reply) => errorPage(err, request, reply));
      scope.setNotFoundHandler((request, reply) =>
        page(
          request,
          reply,
          'error',
          { title: 'Not found', heading: 'Not found', message: 'No such page.' },
          404,
        ),
      );

      const css = await readFile(`${ASSETS_DIR}console.css`, 'utf8');
      scope.get('/assets/console.css', { schema: { hide: true } }, async (_request, reply) =>
        reply.type('text/css; charset=utf-8').header('cache-control', 'max-age=300').send(css),
      );

      registerConsolePages(scope, deps);
      registerConsoleList(scope, deps);
      registerConsoleActions(scope, deps);
    },
    { prefix: '/console' },
  );
}

/** A page saying what went wrong, in the API's words and status (a client's mistake is never a 500). */
function errorPage(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const show = (status: number, heading: string, message: string, issues?: unknown) =>
    page(
      request,
      reply,
      'error',
      { title: heading, heading, message, issues, back: request.headers.referer },
      status,
    );
  if (err instanceof PayoutError) return show(err.httpStatus, 'Refused', err.message, err.issues);
  if (err.code?.startsWith('FST_CSRF'))
    return show(
      403,
      'Refused',
      'the form’s security token is missing or stale: reload the page and try again',
    );
  if (isRedisUnavailable(err)) {
    // Redis, or the ledger's PostgreSQL for an archived payout: the log line names the address.
    request.log.warn({ err }, 'console request: the data store does not answer');
    return show(
      503,
      'Unavailable',
      'the data store (Redis, or the ledger’s database) does not answer: nothing was changed by this request; try again shortly',
    );
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return show(status, 'Refused', err.message);
  request.log.error({ err }, 'console request failed');
  return show(500, 'Error', 'internal error: the logs have the details');
}
