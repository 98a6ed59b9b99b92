import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { hashSecret } from '../../../src/operators/secret-hash.js';
import { launchChromium } from '../../helpers/chromium.js';
import { cardPayout } from '../../helpers/requests.js';
import { type OperatorLogin, startTestSystem, type TestSystem } from '../../helpers/system.js';
import { luhnValidRuns } from '../ops/dashboard-fixture.js';

/** What the console's browser tests share: logins, a logged-in browser session, the leak scan. */

export const SCREENSHOTS = 'test-output';

export const login = (name: string): OperatorLogin => ({
  name,
  secret: `${name}-secret-${Date.now()}-0123456789`,
});

/** The console's people, one login per role, two approvers for four eyes. */
export function consolePeople() {
  return {
    viewer: login('vera'),
    operator: login('olga'),
    admin: login('ada'),
    approver: login('abel'),
    secondApprover: login('beth'),
  };
}

/**
 * The real system with `people` as its OPERATORS (a free port and a Redis prefix of its own, as
 * startTestSystem gives), and four eyes for EUR payouts of 50,000.00 EUR and more.
 */
export async function startConsoleSystem(people: ReturnType<typeof consolePeople>): Promise<TestSystem> {
  const { viewer, operator, admin, approver, secondApprover } = people;
  const operators = await operatorsSetting([
    [viewer, 'viewer'],
    [operator, 'operator'],
    [admin, 'admin'],
    [approver, 'approver'],
    [secondApprover, 'approver'],
  ]);
  const sys = await startTestSystem({ env: { OPERATORS: operators } });
  // Four eyes for EUR payouts of 50,000.00 EUR and more; the other tests pay in USD.
  const rules = { rules: [{ currency: 'EUR', min_amount: 5_000_000, approvals: 2 }], note: 'console test' };
  expect((await sys.operatorRequest('PUT', '/v1/controls/approval-rules', rules, admin)).status).toBe(200);
  return sys;
}

/**
 * The console's system and browser for the calling file: registers its beforeAll (starts the system
 * for consolePeople() with startConsoleSystem, makes SCREENSHOTS, launches Chromium) and afterAll
 * (closes the browser, then the system). Returns the people; `sys`, its fields filled in beforeAll
 * (read it inside tests only); a logged-in session as one of them; a needs_review payout; and the
 * leak scan over every body the run's browser received.
 */
export function useConsoleSystem() {
  const people = consolePeople();
  const sys = {} as TestSystem;
  const seen: string[] = [];
  let started: TestSystem | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    started = await startConsoleSystem(people);
    Object.assign(sys, started);
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await started?.close();
  });

  const session = (who: OperatorLogin) => {
    if (!browser) throw new Error('the console system has not started');
    return consoleSession(browser, sys.api, who, seen);
  };
  const needsReviewPayout = () => needsReviewPayoutOn(sys);
  /** No page or response the run's browser received holds a card number or any of its secrets. */
  const expectNoLeakOfRun = () =>
    expectNoLeak(seen, [
      sys.env.MERCHANT_KEY,
      sys.env.SIGNATURE_SALT,
      sys.env.PAYLOAD_KEY,
      sys.apiKey,
      ...Object.values(people).map((p) => p.secret),
    ]);
  return { people, sys, session, needsReviewPayout, expectNoLeakOfRun };
}

/** A payout whose answer the sandbox withholds (500 after creating, no callback): needs_review. */
export async function needsReviewPayoutOn(sys: TestSystem): Promise<string> {
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

/** The OPERATORS setting for these logins and roles. */
export async function operatorsSetting(entries: readonly (readonly [OperatorLogin, string])[]) {
  const lines = await Promise.all(
    entries.map(async ([l, role]) => `${l.name}:${role}:${await hashSecret(l.secret)}`),
  );
  return lines.join(',');
}

/** What a person reads in an element (Playwright's rendered text, not the DOM property). */
// biome-ignore lint/performance/useDomNodeTextContent: Playwright's rendered text; textContent would include hidden parts
export const textOf = (page: Page, selector: string): Promise<string> => page.locator(selector).innerText();

/**
 * A new browser context logged in to the console at `api` as `who`; every response it receives is
 * pushed to `seen` (headers and body) for the leak scan.
 */
export async function consoleSession(
  browser: Browser,
  api: string,
  who: OperatorLogin,
  seen: string[],
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('response', async (r) => {
    const body = await r.text().catch(() => '');
    seen.push(`${JSON.stringify(r.headers())}\n${body}`);
  });
  await page.goto(`${api}/console`);
  expect(new URL(page.url()).pathname).toBe('/console/login');
  await page.fill('input[name=name]', who.name);
  await page.fill('input[name=secret]', who.secret);
  await page.click('button[type=submit]');
  return { context, page };
}

/** No secret and no card number (any Luhn-valid run of digits) in what the browser received. */
export function expectNoLeak(seen: readonly string[], secrets: readonly (string | undefined)[]): void {
  const all = seen.join('\n');
  expect(all.length).toBeGreaterThan(1000);
  for (const secret of ['4111111111111111', ...secrets]) {
    expect(secret).toBeTruthy();
    expect(all).not.toContain(secret);
  }
  expect(luhnValidRuns(all)).toEqual([]);
}
