import { expect, test } from 'vitest';
import { type ConsoleReader, contradictionRows } from '../../../src/console/rows.js';
import { createCurrencies, DEFAULT_WHOLE_UNIT_CURRENCIES } from '../../../src/currency/index.js';

test('a contradicted payout that cannot be read just now is named as unread, never silently left out', async () => {
  const reader = {
    contradictions: async () => ({
      total: 2,
      newest: [
        { externalId: 'po-redis-timeout', at: 1_000 },
        { externalId: 'po-archived-no-ledger', at: 500 },
      ],
    }),
    getPayout: async (id: string) => {
      if (id === 'po-redis-timeout') throw new Error('Command timed out');
      return undefined;
    },
  } as unknown as ConsoleReader;
  const result = await contradictionRows(
    reader,
    createCurrencies({ wholeUnit: DEFAULT_WHOLE_UNIT_CURRENCIES }),
    50,
    2_000,
  );
  expect(result.total).toBe(2);
  expect(result.rows).toEqual([]);
  expect(result.unread).toEqual(['po-redis-timeout', 'po-archived-no-ledger']);
});
