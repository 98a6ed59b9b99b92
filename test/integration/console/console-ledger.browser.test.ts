import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLedgerArchiver } from '../../../src/ledger/archiver.js';
import { connectLedger, type LedgerDb } from '../../../src/ledger/db.js';
import { launchChromium } from '../../helpers/chromium.js';
import { ledgerSchema } from '../../helpers/ledger.js';
import { testRedis } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import {
  consoleSession,
  expectNoLeak,
  login,
  operatorsSetting,
  SCREENSHOTS,
  textOf,
} from './console-fixture.js';

/**
 * The console with notifications and the ledger on: a payout's page shows what became of each of its
 * notifications (delivered, or refused and tried again), and a payout archived out of Redis is still
 * found by its external_id and shown, read-only, from the ledger. Headless Chromium against the real
 * system, Redis and PostgreSQL; a receiver of our own takes the notifications.
 */

const DAY = 86_400_000;
const operator = login('otto');
const NOTIFY_SECRET = `test-notify-${randomBytes(8).toString('hex')}`;
/** The receiver refuses (HTTP 500) every notification of a payout whose customer_id holds this. */
const REFUSED = 'refused-by-receiver';

let schema: Awaited<ReturnType<typeof ledgerSchema>>;
let receiver: Server;
let sys: TestSystem;
let db: LedgerDb;
let browser: Browser;
const redis = testRedis();
const seen: string[] = [];
/** The events the receiver took (answered 2xx), per external_id. */
const delivered = new Map<string, string[]>();

beforeAll(async () => {
  schema = await ledgerSchema();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const { event, payout } = JSON.parse(body) as {
        event: string;
        payout: { external_id: string; customer_id: string };
      };
      if (payout.customer_id.includes(REFUSED)) return void res.writeHead(500).end('not now');
      delivered.set(payout.external_id, [...(delivered.get(payout.external_id) ?? []), event]);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as { port: number }).port;
  sys = await startTestSystem({
    env: {
      OPERATORS: await operatorsSetting([[operator, 'operator']]),
      NOTIFY_URL: `http://127.0.0.1:${port}/hooks/payouts`,
      NOTIFY_SECRET,
      LEDGER_DATABASE_URL: schema.url,
      PAYOUT_RETENTION_DAYS: '1',
    },
  });
  db = connectLedger(schema.url, sys.system.logger);
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await db?.destroy();
  await sys?.close();
  await new Promise((r) => receiver?.close(r));
  await schema?.drop();
  redis.disconnect();
});

async function paid(customerId: string) {
  const body = cardPayout({
    customer: { customer_id: customerId, country: 'LV', first_name: 'Test', last_name: 'Test' },
  });
  expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
  await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
  return body.external_id;
}

/** The payout's page, reloaded until its notifications table has `n` rows of `status`. */
async function untilDeliveries(page: Page, id: string, status: string, n: number) {
  await expect
    .poll(
      async () => {
        await page.goto(`${sys.api}/console/payouts/${encodeURIComponent(id)}`);
        return page.locator(`section.notifications tr.d-${status}`).count();
      },
      { timeout: 20_000, interval: 250 },
    )
    .toBe(n);
}

describe('the console with notifications and the ledger', () => {
  test('a payout’s page shows each notification: delivered, or refused and tried again', async () => {
    const ok = await paid('c-notified');
    const refused = await paid(`c-${REFUSED}`);
    const { context, page } = await session();
    try {
      await untilDeliveries(page, ok, 'delivered', 4);
      const rows = await page.locator('section.notifications tbody tr').allInnerTexts();
      expect(rows.map((r) => r.split('\t')[1])).toEqual([
        'payout.queued',
        'payout.sending',
        'payout.submitted',
        'payout.succeeded',
      ]);
      expect(rows.every((r) => r.includes('delivered') && r.includes('HTTP 204'))).toBe(true);
      expect(delivered.get(ok)).toEqual(
        expect.arrayContaining(['payout.queued', 'payout.sending', 'payout.submitted', 'payout.succeeded']),
      );

      await untilDeliveries(page, refused, 'retrying', 4);
      const text = await textOf(page, 'section.notifications');
      expect(text).toContain('not delivered yet');
      expect(text).toContain('notification receiver answered HTTP 500');
      expect(delivered.get(refused)).toBeUndefined();
      await page.screenshot({ path: `${SCREENSHOTS}/console-notifications.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  test('a payout archived out of Redis is found by its external_id and shown read-only from the ledger', async () => {
    const id = await paid('c-archived');
    // Every change in the ledger, then archived as if its retention had passed.
    await expect.poll(() => redis.llen(sys.system.store.keys.ledgerOutbox), { timeout: 20_000 }).toBe(0);
    const archiver = createLedgerArchiver({
      redis,
      queuePrefix: sys.config.queuePrefix,
      db,
      logger: sys.system.logger,
      retentionMs: DAY,
      now: () => Date.now() + 2 * DAY,
    });
    expect((await archiver.archiveOnce()).archived).toBeGreaterThanOrEqual(1);
    expect(await redis.exists(sys.system.store.keys.record(id))).toBe(0);

    const { context, page } = await session();
    try {
      await page.fill('input[name=q]', id);
      await page.click('form.search button');
      expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/console/payouts/${id}`);
      const main = await textOf(page, 'main');
      expect(main).toContain('Archived');
      expect(main).toContain('succeeded');
      expect(main).toContain('11,000.00 USD');
      expect(main).toContain('411111******1111');
      expect(await page.locator('table.timeline tbody tr').count()).toBe(4);
      expect(await page.locator('form[action*="/payouts/"]').count()).toBe(0);

      // The list finds it too, from the ledger, under its customer.
      await page.goto(`${sys.api}/console/payouts?customer_id=c-archived`);
      expect(await page.locator('main table tbody tr td:first-child').allInnerTexts()).toEqual([id]);
    } finally {
      await context.close();
    }
  });

  test('no page or response of this run holds a card number or a secret', () => {
    expectNoLeak(seen, [
      sys.env.MERCHANT_KEY,
      sys.env.SIGNATURE_SALT,
      sys.env.PAYLOAD_KEY,
      sys.apiKey,
      NOTIFY_SECRET,
      operator.secret,
    ]);
  });
});

function session() {
  return consoleSession(browser, sys.api, operator, seen);
}
