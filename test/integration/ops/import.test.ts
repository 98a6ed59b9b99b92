import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { importFile, summaryTable } from '../../../src/ops/import.js';
import { cardPayout } from '../../helpers/requests.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

/** `payouts import` of files with refused lines, straight to Redis and through the API. */

let sys: TestSystem;
let dir: string;
beforeAll(async () => {
  sys = await startTestSystem({ parts: ['api'] });
  dir = await mkdtemp(join(tmpdir(), 'import-'));
});
afterAll(async () => {
  await sys?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Progress goes here, not to the test's output. */
const quiet = () => new PassThrough() as unknown as NodeJS.WriteStream;

const HEADER =
  'method,payment_system,external_id,amount,currency,customer.customer_id,customer.country,customer.first_name,customer.last_name,payment_data.card_number,payment_data.card_holder,payment_data.exp_year,payment_data.exp_month';
const csvLine = (id: string, amount: string, card = '4111111111111111') =>
  `bank_card,TEST_PS,${id},${amount},USD,c-1,LV,"Doe, John",Doe,${card},John Doe,2035,06`;

test('CSV straight to Redis: created, refused lines written back with reasons, the same file again creates nothing', async () => {
  const run = `imp-${Date.now()}`;
  const file = join(dir, 'payouts.csv');
  await writeFile(
    file,
    [
      HEADER,
      csvLine(`${run}-1`, '1100'),
      csvLine(`${run}-2`, '11.00'),
      csvLine(`${run}-3`, '2500'),
      csvLine(`${run}-4`, '1200', '4111111111111112'),
      csvLine(`${run}-5`, '900'),
    ].join('\n'),
  );
  const first = await importFile(sys.config, file, { progress: quiet() });
  expect(first).toMatchObject({ total: 5, created: 3, replayed: 0, conflicts: 0, invalid: 2 });
  expect(first.refusedFile).toBe(join(dir, 'payouts.refused.csv'));
  const refused = (await readFile(first.refusedFile as string, 'utf8')).trim().split('\n');
  expect(refused[0]).toBe(`${HEADER},refused_reason`);
  expect(refused.slice(1)).toEqual([
    `${csvLine(`${run}-2`, '11.00')},"line 3: amount: must be a JSON number, not text: amounts are integers in minor units (11.00 USD is 1100)"`,
    `${csvLine(`${run}-4`, '1200', '4111111111111112')},line 5: payment_data.card_number: is not a valid card number (the check digit does not match)`,
  ]);
  expect((await sys.request('GET', `/v1/payouts/${run}-3`)).body).toMatchObject({
    amount: 2500,
    status: 'queued',
  });
  expect((await sys.request('GET', `/v1/payouts/${run}-2`)).status).toBe(404);

  const again = await importFile(sys.config, file, { progress: quiet() });
  expect(again).toMatchObject({ total: 5, created: 0, replayed: 3, invalid: 2 });
  expect(summaryTable(again)).toMatch(/^already accepted \(same request\) +3$/m);
});

test('NDJSON through the API: a line that is not JSON and a conflicting one are refused, the rest created', async () => {
  const taken = cardPayout();
  expect((await sys.request('POST', '/v1/payouts', taken)).status).toBe(202);
  const file = join(dir, 'payouts.ndjson');
  const ok = cardPayout();
  await writeFile(
    file,
    [JSON.stringify(ok), '{"method":', JSON.stringify({ ...taken, amount: 1 }), ''].join('\n'),
  );
  const summary = await importFile(sys.config, file, {
    url: sys.api,
    apiKey: sys.apiKey,
    batch: 2,
    progress: quiet(),
  });
  expect(summary).toMatchObject({ total: 3, created: 1, conflicts: 1, invalid: 1 });
  const refused = (await readFile(summary.refusedFile as string, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(refused).toEqual([
    { raw: '{"method":', refused_reason: 'line 2: the line is not valid JSON' },
    {
      ...taken,
      amount: 1,
      refused_reason:
        'line 3: another payout has this external_id: amount: differs from the request first accepted',
    },
  ]);
  expect((await sys.request('GET', `/v1/payouts/${ok.external_id}`)).status).toBe(200);
});

/** A path that goes on past a plain file, as if it were a directory. */
const throughAFile = () => {
  writeFileSync(join(dir, 'a-file'), '');
  return join(dir, 'a-file', 'x.csv');
};

test.each([
  ['a missing file', () => join(dir, 'nonexist.csv'), 'no such file'],
  ['a directory', () => dir, 'is a directory'],
  ['a path through a file', throughAFile, 'a part of its path is not a directory'],
])('payouts import of %s: one line naming the file and why, then the usage, exit 2', (_name, path, why) => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'import', path()], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: process.env.PATH ?? '',
      REDIS_URL: sys.env.REDIS_URL as string,
      QUEUE_PREFIX: sys.env.QUEUE_PREFIX as string,
    },
  });
  expect(run.status).toBe(2);
  const [line, usage] = run.stderr.split('\n');
  expect(line).toBe(`payouts import: cannot read ${path()}: ${why}`);
  expect(usage).toMatch(/^usage: payouts import FILE /);
  expect(run.stdout).toBe('');
});
