import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { withSignature } from '../../../src/gateway/signature.js';
import { exampleRequest } from '../../../src/methods/index.js';
import { launchChromium } from '../../helpers/chromium.js';
import { cardPayout } from '../../helpers/requests.js';
import { basicAuth, type OperatorLogin, startTestSystem, type TestSystem } from '../../helpers/system.js';
import {
  consoleSession,
  expectNoLeak,
  login,
  operatorsSetting,
  SCREENSHOTS,
  textOf,
} from './console-fixture.js';

/**
 * The operators' console as people use it: headless Debian Chromium against the real system (API,
 * worker, sandbox gateway over HTTP, real Redis). Every page and response the browser saw is kept and
 * scanned at the end for the run's card numbers and secrets.
 */

const viewer = login('vera');
const operator = login('olga');
const admin = login('ada');
const approver = login('abel');
const secondApprover = login('beth');

let sys: TestSystem;
let browser: Browser;
/** Every body the browser received, for the leak scan. */
const seen: string[] = [];

beforeAll(async () => {
  const operators = await operatorsSetting([
    [viewer, 'viewer'],
    [operator, 'operator'],
    [admin, 'admin'],
    [approver, 'approver'],
    [secondApprover, 'approver'],
  ]);
  sys = await startTestSystem({ env: { OPERATORS: operators } });
  // Four eyes for EUR payouts of 50,000.00 EUR and more; the other tests pay in USD.
  const rules = { rules: [{ currency: 'EUR', min_amount: 5_000_000, approvals: 2 }], note: 'console test' };
  expect((await sys.operatorRequest('PUT', '/v1/controls/approval-rules', rules, admin)).status).toBe(200);
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await sys?.close();
});

const session = (who: OperatorLogin) => consoleSession(browser, sys.api, who, seen);

/** A payout whose answer the sandbox withholds (500 after creating, no callback): needs_review. */
async function needsReviewPayout(): Promise<string> {
  const body = cardPayout({
    customer: {
      customer_id: 'c-console+500+no-callback',
      country: 'LV',
      first_name: 'Test',
      last_name: 'Test',
    },
  });
  expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
  await sys.waitFor(body.external_id, (p) => p.status === 'needs_review');
  return body.external_id;
}

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

  test('the list filters by method, currency and day of creation, page by page; a bad filter is named', async () => {
    const wallet = exampleRequest('vega_wallet', 'payout').payment_data;
    const make = (method: string, currency: string) =>
      cardPayout({
        currency,
        amount: 12_345,
        ...(method === 'vega_wallet' ? { method, payment_data: wallet } : {}),
      });
    const wanted = Array.from({ length: 7 }, () => make('vega_wallet', 'GBP'));
    const others = [make('bank_card', 'GBP'), make('bank_card', 'GBP'), make('vega_wallet', 'USD')];
    for (const body of [...wanted, ...others]) {
      expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
    }
    // Settled first: a payout that changes while the list is paged moves to its front.
    for (const body of [...wanted, ...others])
      await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    const today = new Date().toISOString().slice(0, 10);
    const { context, page } = await session(viewer);
    try {
      await page.goto(`${sys.api}/console/payouts?limit=3`);
      await page.selectOption('form.filters select[name=method]', 'vega_wallet');
      await page.fill('form.filters input[name=currency]', 'gbp');
      await page.fill('form.filters input[name=from]', today);
      await page.fill('form.filters input[name=to]', today);
      await page.click('form.filters button');
      const found: string[] = [];
      const sizes: number[] = [];
      for (;;) {
        const rows = await page.locator('main table tbody tr').allInnerTexts();
        expect(rows.every((r) => r.includes('123.45 GBP') && r.includes('vega_wallet'))).toBe(true);
        sizes.push(rows.length);
        found.push(...(await page.locator('main table tbody tr td:first-child').allInnerTexts()));
        if (sizes.length === 1)
          await page.screenshot({ path: `${SCREENSHOTS}/console-list.png`, fullPage: true });
        const next = page.locator('a[rel=next]');
        if ((await next.count()) === 0) break;
        await next.click();
      }
      expect(sizes).toEqual([3, 3, 1]);
      expect(found.sort()).toEqual(wanted.map((b) => b.external_id).sort());
      expect(await textOf(page, 'main')).toContain('End of the list.');

      await page.fill('form.filters input[name=from]', '2026-12-05');
      await page.fill('form.filters input[name=to]', '2026-12-01');
      const refused = await Promise.all([
        page.waitForResponse(/\/console\/payouts\?/),
        page.click('form.filters button'),
      ]);
      expect(refused[0].status()).toBe(422);
      expect(await textOf(page, '[role=alert]')).toContain('to: must not be before from');
      for (const [qs, field] of [
        ['method=swift', 'method'],
        ['currency=EURO', 'currency'],
        ['from=2026-02-30', 'from'],
        ['status=paid', 'status'],
      ]) {
        const res = await page.goto(`${sys.api}/console/payouts?${qs}`);
        expect(res?.status()).toBe(422);
        expect(await textOf(page, '[role=alert]')).toContain(`${field}:`);
      }
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

  test('a contradicting gateway report is listed on the overview and highlighted on the payout’s page', async () => {
    const body = cardPayout({
      customer: { customer_id: 'c-console+instant', country: 'LV', first_name: 'Test', last_name: 'Test' },
    });
    expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
    const done = await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    // The gateway now says it declined what it had paid: recorded and raised, not applied.
    const report = {
      status: 5,
      type: 2,
      external_id: body.external_id,
      order_id: done.order_id,
      amount: body.amount,
      currency: 'USD',
      customer_id: body.customer.customer_id,
      reason_code: '051',
      reason: 'Insufficient funds',
    };
    const signed = withSignature(report, sys.config.gateway.salt);
    const res = await sys.request('POST', '/v1/callbacks/gateway', signed, { authorization: '' });
    expect(res.status).toBe(200);
    const { context, page } = await session(viewer);
    try {
      const row = page.locator('section.contradictions tr.contradiction', { hasText: body.external_id });
      expect(await row.count()).toBe(1);
      const [text] = await row.allInnerTexts();
      expect(text).toContain('succeeded');
      expect(text).toContain(
        `gateway reported status 5 (order ${done.order_id}) for a payout that is succeeded`,
      );
      expect(text).toMatch(/\d+ s ago/);
      await row.locator('a').click();
      expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/console/payouts/${body.external_id}`);
      expect(await textOf(page, '.alarm')).toContain('contradicted this payout 1 time(s)');
      expect(await page.locator('table.timeline tr.contradiction').count()).toBe(1);
      expect(await textOf(page, 'section.notifications')).toContain('Notifications are off');
    } finally {
      await context.close();
    }
  });

  test('an operator finds a needs_review payout, reads why, and resolves it as failed with a note', async () => {
    const id = await needsReviewPayout();
    const { context, page } = await session(operator);
    try {
      await page.screenshot({ path: `${SCREENSHOTS}/console-overview.png`, fullPage: true });
      expect(await textOf(page, 'main')).toContain(id);
      await page.fill('input[name=q]', id);
      await page.click('form.search button');
      expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/console/payouts/${id}`);
      const text = await textOf(page, 'main');
      expect(text).toContain('needs_review');
      expect(text).toContain('outcome_unknown: http_500');
      expect(text).toContain('11,000.00 USD');
      expect(text).toContain('411111******1111');
      await page.screenshot({ path: `${SCREENSHOTS}/console-payout.png`, fullPage: true });

      await page.check('input[name=as][value=failed]');
      await page.fill('form[action$="/resolve"] input[name=note]', 'gateway back office: not paid');
      await page.check('form[action$="/resolve"] input[name=confirm]');
      await page.click('form[action$="/resolve"] button');
      expect(await textOf(page, '.flash.ok')).toContain('failed');

      const payout = (await sys.request('GET', `/v1/payouts/${id}`)).body;
      expect(payout.status).toBe('failed');
      const last = payout.history.at(-1);
      expect(last).toMatchObject({ to: 'failed', who: operator.name, note: 'gateway back office: not paid' });
      const audit = (await sys.operatorRequest('GET', '/v1/audit', undefined, admin)).body;
      expect(audit.entries[0]).toMatchObject({ who: operator.name, via: 'console', target: id });
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

  test('an admin pauses a payment system from the console: its payouts wait, unsent, until resumed', async () => {
    const { context, page } = await session(admin);
    try {
      await page.fill('form[action$="/controls/pause"] input[name=payment_system]', 'CONSOLE_PS');
      await page.fill('form[action$="/controls/pause"] input[name=note]', 'gateway incident #7');
      await page.check('form[action$="/controls/pause"] input[name=confirm]');
      await page.click('form[action$="/controls/pause"] button');
      expect(await textOf(page, '.flash.ok')).toContain('paused CONSOLE_PS');
      const text = await textOf(page, 'main');
      expect(text).toContain('Paused: CONSOLE_PS');
      expect(text).toContain(`by ${admin.name}`);
      expect(text).toContain('gateway incident #7');

      const body = cardPayout({ payment_system: 'CONSOLE_PS' });
      expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
      const waiting = await sys.waitFor(
        body.external_id,
        (p) => p.history.some((e: { event: string }) => e.event !== 'created') || p.status === 'queued',
      );
      expect(waiting.status).toBe('queued');
      expect(sys.sandbox.received(body.external_id)?.requests ?? 0).toBe(0);

      await page.fill('form[action$="/controls/resume"] input[name=note]', 'incident over');
      await page.check('form[action$="/controls/resume"] input[name=confirm]');
      await page.click('form[action$="/controls/resume"] button');
      expect(await textOf(page, '.flash.ok')).toContain('resumed CONSOLE_PS');
      const sent = await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
      expect(sent.attempts).toBe(1);
      const audit = (await sys.operatorRequest('GET', '/v1/audit', undefined, admin)).body;
      const mine = audit.entries.filter(
        (e: { via: string; who: string }) => e.via === 'console' && e.who === admin.name,
      );
      expect(mine.map((e: { action: string }) => e.action).slice(0, 2)).toEqual([
        expect.stringContaining('resume'),
        expect.stringContaining('pause'),
      ]);
    } finally {
      await context.close();
    }
  });

  test('an operator below admin sees no pause form, and its post is refused', async () => {
    const { context, page } = await session(operator);
    try {
      expect(await page.locator('form[action$="/controls/pause"]').count()).toBe(0);
      const csrf = await page.locator('form.logout input[name=_csrf]').inputValue();
      const res = await page.request.post(`${sys.api}/console/controls/pause`, {
        form: { _csrf: csrf, payment_system: '*', confirm: 'yes' },
      });
      expect(res.status()).toBe(403);
      expect((await sys.operatorRequest('GET', '/v1/controls', undefined, admin)).body.paused).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('a four-eyes payout needs two different approvers; the same approver twice is refused', async () => {
    const body = cardPayout({ amount: 6_000_000, currency: 'EUR' });
    expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
    const id = body.external_id;
    const page = `${sys.api}/console/payouts/${encodeURIComponent(id)}`;
    const approve = async (p: Page) => {
      await p.goto(page);
      await p.fill('form[action$="/approve"] input[name=note]', 'checked the player');
      await p.check('form[action$="/approve"] input[name=confirm]');
      await p.click('form[action$="/approve"] button');
    };

    const first = await session(approver);
    try {
      await first.page.goto(page);
      expect(await textOf(first.page, 'main')).toContain('Approvals: 0 of 2');
      await approve(first.page);
      expect(await textOf(first.page, '.flash.ok')).toContain('awaiting_approval');
      expect(await textOf(first.page, 'main')).toContain(`Approvals: 1 of 2 (approved by ${approver.name})`);
      await first.page.screenshot({ path: `${SCREENSHOTS}/console-approval.png`, fullPage: true });
      await approve(first.page);
      expect(await textOf(first.page, 'main')).toContain('Refused');
      expect((await sys.request('GET', `/v1/payouts/${id}`)).body.status).toBe('awaiting_approval');
    } finally {
      await first.context.close();
    }

    const second = await session(secondApprover);
    try {
      await approve(second.page);
      expect(await textOf(second.page, '.flash.ok')).toMatch(/is now (queued|sending|submitted|succeeded)/);
    } finally {
      await second.context.close();
    }
    const payout = (await sys.request('GET', `/v1/payouts/${id}`)).body;
    expect(payout.approvals).toEqual({ needed: 2, given: [approver.name, secondApprover.name] });
    const approvals = payout.history.filter((e: { event: string }) => e.event === 'approve');
    expect(approvals.map((e: { who: string }) => e.who)).toEqual([approver.name, secondApprover.name]);
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

  test('Bull Board names each payout job’s payout state and reason, and hides the unworked notifications queue', async () => {
    const id = await needsReviewPayout();
    const auth = { authorization: basicAuth(operator) };
    const board = await fetch(
      `${sys.api}/admin/queues/api/queues?activeQueue=payouts&status=completed&page=1`,
      {
        headers: auth,
      },
    );
    expect(board.status).toBe(200);
    const body = (await board.json()) as {
      queues: { name: string; jobs: { data: Record<string, string>; returnValue: unknown }[] }[];
    };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['maintenance', 'payouts']);
    const job = body.queues.find((q) => q.name === 'payouts')?.jobs.find((j) => j.data.externalId === id);
    expect(job?.data.payout).toBe('needs_review: outcome_unknown: http_500');
    expect(job?.returnValue).toBe('needs_review: outcome_unknown: http_500');
    expect(job?.data.console).toBe(`/console/payouts/${id}`);
  });

  test('no page or response of this run holds a card number or a secret', () => {
    expectNoLeak(seen, [
      sys.env.MERCHANT_KEY,
      sys.env.SIGNATURE_SALT,
      sys.env.PAYLOAD_KEY,
      sys.apiKey,
      viewer.secret,
      operator.secret,
      admin.secret,
      approver.secret,
      secondApprover.secret,
    ]);
  });
});
