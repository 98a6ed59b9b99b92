import type { Redis } from 'ioredis';
import { auditKey, decodeAuditEntry } from '../operators/audit.js';
import type { LedgerDb } from './db.js';

/**
 * Copies the audit log's next entries (a Redis stream, never trimmed) after the last one the ledger
 * holds; the stream id is the row's key, so two writers copying the same entries write them once.
 * Returns how many entries it copied.
 */
export async function copyAuditOnce(
  deps: { redis: Redis; queuePrefix: string; db: LedgerDb },
  batch: number,
): Promise<number> {
  const last = await deps.db
    .selectFrom('audit_events')
    .select('stream_id')
    .orderBy('id_ms', 'desc')
    .orderBy('id_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const raw = (await deps.redis.xrange(
    auditKey(deps.queuePrefix),
    last ? `(${last.stream_id}` : '-',
    '+',
    'COUNT',
    batch,
  )) as [string, string[]][];
  if (raw.length === 0) return 0;
  const rows = raw.map(([id, flat]) => {
    const e = decodeAuditEntry(id, flat);
    const [ms, seq] = id.split('-');
    return {
      stream_id: id,
      id_ms: ms ?? '0',
      id_seq: seq ?? '0',
      at: e.at,
      who: e.who,
      via: e.via,
      action: e.action,
      target: e.target,
      before: JSON.stringify(e.before ?? null),
      after: JSON.stringify(e.after ?? null),
      note: e.note ?? null,
    };
  });
  await deps.db
    .insertInto('audit_events')
    .values(rows)
    .onConflict((oc) => oc.column('stream_id').doNothing())
    .execute();
  return rows.length;
}
