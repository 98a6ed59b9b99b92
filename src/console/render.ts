import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Operator } from '../operators/authenticate.js';

/**
 * Server-side pages: Eta templates (escaped by default) under src/console/views, found from both
 * src/console (tsx) and dist/console (the build), which is why the path climbs to the project's root.
 */
export const VIEWS_DIR = fileURLToPath(new URL('../../src/console/views/', import.meta.url));
export const ASSETS_DIR = fileURLToPath(new URL('../../src/console/assets/', import.meta.url));

const eta = new Eta({ views: VIEWS_DIR, autoEscape: true, cache: true });

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

/** What every page's layout shows: who is logged in, the CSRF token for its forms, a one-time message. */
export interface PageFrame {
  operator: Operator | undefined;
  csrf: string;
  flash?: Flash | undefined;
  query?: string;
}

/** The console's pages: no inline script or style, nothing from another origin. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Renders a page with its frame: the session's operator, a fresh CSRF token, the flash message (once). */
export function page(
  request: FastifyRequest,
  reply: FastifyReply,
  template: string,
  data: Record<string, unknown> & { title: string },
  status = 200,
) {
  // A page about a failure before the session loaded (Redis down) is shown without one.
  const session = request.session as FastifyRequest['session'] | undefined;
  const flash = session?.get('flash');
  if (flash) session?.set('flash', undefined);
  const frame: PageFrame = {
    operator: session?.get('operator'),
    csrf: session ? reply.generateCsrf() : '',
    flash,
  };
  const html = eta.render(template, { ...frame, ...data });
  return reply.code(status).type('text/html; charset=utf-8').send(html);
}

/** A message for the next page the operator sees (after a redirect). */
export function flash(request: FastifyRequest, kind: Flash['kind'], text: string): void {
  request.session.set('flash', { kind, text } satisfies Flash);
}
