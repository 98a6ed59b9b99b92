import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createPayoutHttpClient } from '../client/index.js';
import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import type { Issue } from '../methods/index.js';
import { payoutKeys } from '../payout/keys.js';
import { type BatchItemResult, createBatches } from '../producer/batches.js';
import { connectProducer } from '../producer/connect.js';
import { waitUntilReady } from '../redis.js';
import { FileArgumentError, readArgumentFile } from './file-argument.js';
import { type FileLine, formatOf, readCsv, readNdjson, refusedFile } from './import-file.js';
import { createProgress } from './progress.js';

/**
 * `payouts import FILE`: every payout of a CSV or NDJSON file, sent in batches (POST
 * /v1/payout-batches with --url, else straight to Redis through the same batch code), with a progress
 * bar, a summary, and the refused lines written beside the file with their reasons. Each line is one
 * payout with the usual idempotency: importing the same file again creates nothing new.
 */

type Sender = { send(requests: unknown[]): Promise<BatchItemResult[]>; close(): Promise<void> };

const USAGE =
  'usage: payouts import FILE [--url http://127.0.0.1:3000 --api-key KEY] [--batch N]\n' +
  '  FILE: CSV with a header row (customer.country, payment_data.card_number, ...) or NDJSON;\n' +
  '  without --url the payouts go straight to Redis (REDIS_URL), as the API would create them';

export interface ImportSummary {
  total: number;
  created: number;
  replayed: number;
  conflicts: number;
  invalid: number;
  refusedFile: string | undefined;
}

const reasonOf = (issues: Issue[] | undefined) =>
  (issues ?? []).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');

async function storeSender(config: Config): Promise<Sender> {
  const deps = connectProducer(
    config,
    createLogger({ level: 'warn', destination: process.stderr as never }),
    'request',
  );
  await waitUntilReady(deps.redis, 5_000);
  const batches = createBatches({
    producer: deps.producer,
    redis: deps.redis,
    keys: payoutKeys(config.queuePrefix),
    maxPayouts: config.batch.maxPayouts,
  });
  return { send: async (payouts) => (await batches.create({ payouts })).results, close: deps.close };
}

function apiSender(url: string, apiKey: string): Sender {
  const client = createPayoutHttpClient({ baseUrl: url, apiKey });
  return {
    send: async (payouts) => (await client.createBatch(payouts as object[])).results,
    close: async () => undefined,
  };
}

/** Imports `file`; the summary says what happened to each line. A file it cannot read: FileArgumentError. */
export async function importFile(
  config: Config,
  file: string,
  options: { url?: string; apiKey?: string; batch?: number; progress?: NodeJS.WriteStream } = {},
): Promise<ImportSummary> {
  const text = await readArgumentFile(file);
  const format = formatOf(file, text);
  const { header, lines } = format === 'csv' ? readCsv(text) : { header: '', lines: readNdjson(text) };
  const size = Math.min(options.batch ?? config.batch.maxPayouts, config.batch.maxPayouts);
  const sender = options.url ? apiSender(options.url, options.apiKey ?? '') : await storeSender(config);
  const progress = createProgress(lines.length, options.progress ?? process.stderr);
  const summary: ImportSummary = {
    total: lines.length,
    created: 0,
    replayed: 0,
    conflicts: 0,
    invalid: 0,
    refusedFile: undefined,
  };
  const refused: { line: FileLine; reason: string }[] = [];
  try {
    const readable = lines.filter((l) => {
      if (!('unreadable' in l.request)) return true;
      refused.push({ line: l, reason: l.request.unreadable as string });
      summary.invalid += 1;
      return false;
    });
    for (let start = 0; start < readable.length; start += size) {
      const chunk = readable.slice(start, start + size);
      const results = await sender.send(chunk.map((l) => l.request));
      results.forEach((result, i) => {
        const line = chunk[i] as FileLine;
        if (result.status === 202) summary.created += 1;
        else if (result.status === 200) summary.replayed += 1;
        else {
          if (result.status === 409) summary.conflicts += 1;
          else summary.invalid += 1;
          const why = result.status === 409 ? 'another payout has this external_id: ' : '';
          refused.push({ line, reason: `${why}${reasonOf(result.issues)}` });
        }
      });
      progress.update(start + chunk.length + (lines.length - readable.length), `${summary.created} created`);
    }
  } finally {
    progress.stop();
    await sender.close();
  }
  if (refused.length > 0) {
    refused.sort((a, b) => a.line.line - b.line.line);
    summary.refusedFile = file.replace(
      /(\.[^./]+)?$/,
      (ext) => `.refused${ext || (format === 'csv' ? '.csv' : '.ndjson')}`,
    );
    // As sensitive as the file it comes from (card numbers): readable by its owner only.
    await writeFile(summary.refusedFile, refusedFile(format, header, refused), { mode: 0o600 });
  }
  return summary;
}

/** The summary as an aligned table. */
export function summaryTable(summary: ImportSummary): string {
  const rows: [string, number][] = [
    ['created', summary.created],
    ['already accepted (same request)', summary.replayed],
    ['refused: external_id taken by another request', summary.conflicts],
    ['refused: invalid', summary.invalid],
    ['lines', summary.total],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const digits = Math.max(...rows.map(([, n]) => String(n).length));
  const lines = rows.map(([label, n]) => `${label.padEnd(width)}  ${String(n).padStart(digits)}`);
  if (summary.refusedFile) lines.push('', `refused lines, with their reasons: ${summary.refusedFile}`);
  return lines.join('\n');
}

export async function importCommand(config: Config, args: string[]): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: { url: { type: 'string' }; 'api-key': { type: 'string' }; batch: { type: 'string' } };
      allowPositionals: true;
    }>
  >;
  try {
    parsed = parseArgs({
      args,
      options: { url: { type: 'string' }, 'api-key': { type: 'string' }, batch: { type: 'string' } },
      allowPositionals: true,
    });
  } catch (err) {
    return refuseImport((err as Error).message);
  }
  const [file, ...extra] = parsed.positionals;
  const batch = parsed.values.batch === undefined ? undefined : Number(parsed.values.batch);
  const problem = !file
    ? 'FILE is missing'
    : extra.length > 0
      ? `one FILE only (also given: ${extra.join(' ')})`
      : batch !== undefined && !(Number.isInteger(batch) && batch >= 1)
        ? '--batch must be a whole number from 1'
        : parsed.values.url && !parsed.values['api-key']
          ? '--url needs --api-key (an integration key)'
          : undefined;
  if (problem) return refuseImport(problem);
  let summary: ImportSummary;
  try {
    summary = await importFile(config, file as string, {
      ...(parsed.values.url ? { url: parsed.values.url, apiKey: parsed.values['api-key'] as string } : {}),
      ...(batch ? { batch } : {}),
    });
  } catch (err) {
    // Read before anything is sent: a FILE that cannot be read is a wrong argument like the others.
    if (err instanceof FileArgumentError) return refuseImport(err.message);
    throw err;
  }
  process.stdout.write(`${summaryTable(summary)}\n`);
  return summary.conflicts + summary.invalid > 0 ? 1 : 0;
}

/** A wrong command line: the problem on one line, then the usage; exit 2. */
function refuseImport(problem: string): number {
  process.stderr.write(`payouts import: ${problem}\n${USAGE}\n`);
  return 2;
}
