import { describe, expect, test } from 'vitest';
import { withSignature } from '../../../src/gateway/signature.js';
import { exampleRequest } from '../../../src/methods/index.js';
import { cardPayout } from '../../helpers/requests.js';
import { basicAuth } from '../../helpers/system.js';
import { SCREENSHOTS, textOf, useConsoleSystem } from './console-fixture.js';

/**
 * The console's payouts as operators work them: headless Debian Chromium against the real system (API,
 * worker, sandbox gateway over HTTP, real Redis). Every page and response the browser saw is kept and
 * scanned at the end for the run's card numbers and secrets.
 */

const { people, sys, session, needsReviewPayout, expectNoLeakOfRun } = useConsoleSystem();
const { viewer, operator, admin } = people;

describe('the operators’ console in a browser', () => {
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

  test('no page or response of this run holds a card number or a secret', expectNoLeakOfRun);
});
