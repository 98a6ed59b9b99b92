import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { hashSecret } from '../../../src/operators/secret-hash.js';
import type { OperatorLogin } from '../../helpers/system.js';
import { luhnValidRuns } from '../ops/dashboard-fixture.js';

/** What the console's browser tests share: logins, a logged-in browser session, the leak scan. */

export const SCREENSHOTS = 'test-output';

export const login = (name: string): OperatorLogin => ({
  name,
  secret: `${name}-secret-${Date.now()}-0123456789`,
});

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
