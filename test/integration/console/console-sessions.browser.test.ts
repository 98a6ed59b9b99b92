import { describe, expect, test } from 'vitest';
import { textOf, useConsoleSystem } from './console-fixture.js';

/**
 * The console's sessions and roles as people meet them: headless Debian Chromium against the real
 * system (API, worker, sandbox gateway over HTTP, real Redis). Every page and response the browser saw
 * is kept and scanned at the end for the run's card numbers and secrets.
 */

const { people, sys, session, needsReviewPayout, expectNoLeakOfRun } = useConsoleSystem();
const { viewer, operator, admin } = people;

describe('the operators’ console in a browser', () => {
  test('a wrong secret is refused and nothing behind the login is shown', async () => {
    const { context, page } = await session({ name: admin.name, secret: 'not-the-secret' });
    try {
      expect(new URL(page.url()).pathname).toBe('/console/login');
      expect(await textOf(page, '.flash.error')).toContain('wrong name or secret');
      const overview = await page.goto(`${sys.api}/console`);
      expect(new URL(page.url()).pathname).toBe('/console/login');
      expect(overview?.status()).toBe(200);
    } finally {
      await context.close();
    }
  });

  test('the session cookie is HttpOnly and SameSite=Strict, and pages forbid inline script', async () => {
    const { context, page } = await session(viewer);
    try {
      const cookie = (await context.cookies()).find((c) => c.name === 'payouts_console');
      expect(cookie?.httpOnly).toBe(true);
      expect(cookie?.sameSite).toBe('Strict');
      const res = await page.goto(`${sys.api}/console`);
      const csp = (await res?.headerValue('content-security-policy')) ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(await page.locator('script').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  test('a viewer sees no action, and its session cannot act', async () => {
    const id = await needsReviewPayout();
    const { context, page } = await session(viewer);
    try {
      await page.goto(`${sys.api}/console/payouts/${encodeURIComponent(id)}`);
      expect(await textOf(page, 'main')).toContain('needs_review');
      expect(await page.locator('form[action*="/payouts/"]').count()).toBe(0);
      // The viewer's own session and a valid CSRF token (from its logout form) still cannot resolve.
      const csrf = await page.locator('form.logout input[name=_csrf]').inputValue();
      const res = await page.request.post(`${sys.api}/console/payouts/${encodeURIComponent(id)}/resolve`, {
        form: { _csrf: csrf, as: 'failed', note: 'not mine to do', confirm: 'yes' },
      });
      expect(res.status()).toBe(403);
      expect(await res.text()).toContain('needs role operator');
      expect((await sys.request('GET', `/v1/payouts/${id}`)).body.status).toBe('needs_review');
    } finally {
      await context.close();
    }
  });

  test('a form posted without its CSRF token, or unconfirmed, is refused and changes nothing', async () => {
    const id = await needsReviewPayout();
    const { context, page } = await session(operator);
    try {
      const url = `${sys.api}/console/payouts/${encodeURIComponent(id)}/resolve`;
      const noToken = await page.request.post(url, { form: { as: 'failed', note: 'x', confirm: 'yes' } });
      expect(noToken.status()).toBe(403);
      const csrf = await page.locator('form.logout input[name=_csrf]').inputValue();
      const unconfirmed = await page.request.post(url, { form: { _csrf: csrf, as: 'failed', note: 'x' } });
      expect(unconfirmed.status()).toBe(422);
      expect(await unconfirmed.text()).toContain('confirm');
      expect((await sys.request('GET', `/v1/payouts/${id}`)).body.status).toBe('needs_review');
    } finally {
      await context.close();
    }
  });

  test('after logout the session is gone', async () => {
    const { context, page } = await session(operator);
    try {
      await page.click('form.logout button');
      expect(new URL(page.url()).pathname).toBe('/console/login');
      await page.goto(`${sys.api}/console`);
      expect(new URL(page.url()).pathname).toBe('/console/login');
    } finally {
      await context.close();
    }
  });

  test('no page or response of this run holds a card number or a secret', expectNoLeakOfRun);
});
