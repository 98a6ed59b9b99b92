import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { connectRedis, waitUntilReady } from '../redis.js';
import { createAuditLog, STREAM_ID } from './audit.js';

/** `payouts audit [--limit N] [--cursor ID] [--json]`: the audit log, newest first. */
export async function auditCommand(
  config: Config,
  args: string[],
  io = {
    out: (s: string) => process.stdout.write(`${s}\n`),
    err: (s: string) => process.stderr.write(`${s}\n`),
  },
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      limit: { type: 'string', default: '50' },
      cursor: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    io.err('payouts: --limit must be a whole number from 1 to 10000');
    return 2;
  }
  if (values.cursor !== undefined && !STREAM_ID.test(values.cursor)) {
    io.err('payouts: --cursor must be the next cursor an earlier page printed');
    return 2;
  }
  const logger = createLogger({ level: 'warn', destination: process.stderr as never });
  const redis = connectRedis({ url: config.redisUrl, cluster: config.redisCluster }, 'request', logger);
  try {
    await waitUntilReady(redis, 5_000);
    const page = await createAuditLog({ redis, queuePrefix: config.queuePrefix }).list({
      limit,
      cursor: values.cursor,
    });
    if (values.json) {
      io.out(JSON.stringify(page, null, 2));
      return 0;
    }
    io.out(`${page.entries.length} audit record(s), newest first`);
    for (const e of page.entries) {
      io.out(`  ${e.at}  ${e.who} (${e.via})  ${e.action}  ${e.target}${e.note ? `  note: ${e.note}` : ''}`);
      io.out(`      before ${JSON.stringify(e.before)}`);
      io.out(`      after  ${JSON.stringify(e.after)}`);
    }
    if (page.next_cursor) io.out(`more: payouts audit --cursor ${page.next_cursor}`);
    return 0;
  } finally {
    redis.disconnect();
  }
}
