import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { cardPayout } from '../../helpers/requests.js';
import { SCREENSHOTS, textOf, useConsoleSystem } from './console-fixture.js';

/**
 * The console's controls (pausing a payment system, four-eyes approvals) as admins and approvers use
 * them: headless Debian Chromium against the real system (API, worker, sandbox gateway over HTTP, real
 * Redis). Every page and response the browser saw is kept and scanned at the end for the run's card
 * numbers and secrets.
 */

const { people, sys, session, expectNoLeakOfRun } = useConsoleSystem();
const { operator, admin, approver, secondApprover } = people;

describe('the operators’ console in a browser', () => {
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

  test('no page or response of this run holds a card number or a secret', expectNoLeakOfRun);
});
