import { mkdirSync } from 'node:fs';
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium } from '../../helpers/chromium.js';
import {
  CARD,
  DASHBOARD_PASSWORD,
  DASHBOARD_USER,
  type DashboardFixture,
  LEAKS,
  luhnValidRuns,
  startDashboardFixture,
} from './dashboard-fixture.js';

/**
 * Bull Board as an operator sees it: headless Debian Chromium driven by playwright-core, against the
 * real app on a real port and real queues. playwright-core brings no browser of its own.
 */

const SCREENSHOTS = 'test-output';

let f: DashboardFixture;
let base: string;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  f = await startDashboardFixture('dash-browser');
  base = await f.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await f?.close();
});

/** The page's text as rendered (Playwright's innerText of the body, not the DOM property). */
// biome-ignore lint/performance/useDomNodeTextContent: Playwright's rendered text; textContent would include scripts
const visibleText = (page: Page): Promise<string> => page.locator('body').innerText();

/** Everything a person could read or a script could find on the page right now. */
async function everything(page: Page): Promise<string> {
  return `${await visibleText(page)}\n${await page.content()}`;
}

function expectNoCardData(text: string): void {
  for (const leak of LEAKS) expect(text).not.toContain(leak);
  expect(luhnValidRuns(text)).toEqual([]);
}

describe('Bull Board in a browser', () => {
  test('without credentials the page is refused with a Basic challenge', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const responses: Response[] = [];
      page.on('response', (r) => responses.push(r));
      // Chromium gives up on a challenge it has no credentials for: the navigation fails.
      const navigation = await page.goto(`${base}/admin/queues`).catch((err: Error) => err);
      const main = responses.find((r) => new URL(r.url()).pathname === '/admin/queues');
      expect(main?.status()).toBe(401);
      expect(await main?.headerValue('www-authenticate')).toBe('Basic realm="payouts"');
      if (!(navigation instanceof Error)) expect(navigation?.status()).toBe(401);
      expect(await visibleText(page).catch(() => '')).not.toContain('notifications');
    } finally {
      await context.close();
    }
  });

  test('with credentials: the queues, a payout job, and no card number anywhere', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: DASHBOARD_USER, password: DASHBOARD_PASSWORD },
    });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const seen: string[] = [];

      const first = await page.goto(`${base}/admin/queues`, { waitUntil: 'domcontentloaded' });
      expect(first?.status()).toBe(200);
      const nav = page.getByRole('navigation');
      for (const name of ['payouts', 'maintenance', 'notifications']) {
        // The board draws its navigation after its first API answer: on a loaded machine, seconds.
        await expect
          .poll(() => nav.getByRole('link', { name, exact: true }).count(), { timeout: 20_000 })
          .toBe(1);
      }
      seen.push(await everything(page));
      await page.screenshot({ path: `${SCREENSHOTS}/dashboard-overview.png`, fullPage: true });

      // the payouts queue, its failed jobs, then the failed payout's job page
      await nav.getByRole('link', { name: 'payouts', exact: true }).click();
      await page.waitForURL(/\/admin\/queues\/queue\/payouts/);
      await page.getByRole('link', { name: /^failed/i }).click();
      await page.getByRole('link', { name: f.failedId, exact: true }).waitFor();
      // read-only: none of the list's bulk actions, and no actions on the job's card
      expect(await page.getByRole('button', { name: /retry|clean|promote|empty|pause/i }).count()).toBe(0);
      expect(await page.locator('[class*="headerActions"] button').count()).toBe(0);
      await page.getByRole('link', { name: f.failedId, exact: true }).click();
      await page.waitForURL(new RegExp(`/queue/payouts/${f.failedId}`));

      const error = page.getByText('411111******1111').first();
      await error.waitFor();
      const shown = await visibleText(page);
      expect(shown).toContain('https://gw.example.test/v1/payout');
      expect(shown).toContain('[details removed]');
      expect(shown).toMatch(/\n\s*at /); // the stack trace's frames are there
      expect(await page.locator('[class*="headerActions"]').count()).toBeGreaterThan(0);
      expect(await page.locator('[class*="headerActions"] button').count()).toBe(0);
      seen.push(await everything(page));
      await page.screenshot({ path: `${SCREENSHOTS}/dashboard-payout-job.png`, fullPage: true });

      for (const tab of ['Data', 'Options', 'Logs']) {
        await page.getByRole('tab', { name: tab, exact: true }).click();
        if (tab === 'Data') await page.getByText(f.failedExternalId).first().waitFor();
        seen.push(await everything(page));
      }
      const data = seen.at(-3)!;
      expect(data).toContain('externalId:');
      expect(data).toContain(`"${f.failedExternalId}"`);

      // the notification job: its body (which holds a card number here) is never shown
      await page.goto(`${base}/admin/queues/queue/notifications/${f.notificationId}`, {
        waitUntil: 'domcontentloaded',
      });
      await page.getByRole('tab', { name: 'Data', exact: true }).click();
      await page.getByText(f.waitingExternalId).first().waitFor();
      const notification = await everything(page);
      expect(notification).toContain('seq:');
      expect(notification).not.toContain('body:');
      expect(notification).not.toContain('payment_data');
      seen.push(notification);

      const all = seen.join('\n');
      expect(all).not.toContain(CARD);
      expectNoCardData(all);
    } finally {
      await context.close();
    }
  });
});
