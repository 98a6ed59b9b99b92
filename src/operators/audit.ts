import type { Redis } from 'ioredis';

/**
 * The audit log: every operator action on a payout and every change of a control, who made it, when,
 * and the value before and after. One Redis stream under QUEUE_PREFIX, never trimmed: it is the
 * record an operations lead answers "who changed this?" from. Control changes are written in the same
 * script as the change itself (see `AUDIT_XADD`); a payout action is written right after its
 * transition, whose own history entry already names the operator.
 */

/**
 * How the action was made: the HTTP API (an operator's credential), the console (an operator's
 * session) or the CLI (the OS user).
 */
export type AuditVia = 'api' | 'console' | 'cli';

export interface AuditEntry {
  /** The stream entry's id: also the cursor of the page that follows it. */
  id: string;
  at: string;
  who: string;
  via: AuditVia;
  /** What was done, e.g. `payout.cancel`, `controls.approval_rules`. */
  action: string;
  /** What it was done to: an external_id, a control's name. */
  target: string;
  before: unknown;
  after: unknown;
  note?: string;
}

export type AuditInput = Omit<AuditEntry, 'id' | 'at'>;

export const auditKey = (queuePrefix: string) => `${queuePrefix}:audit`;

/**
 * A Lua fragment: `audit(key, fields, before, after)` appends an entry, `fields` being the flat
 * field/value list of `auditFields` and before/after JSON text read or written by the script itself.
 */
export const AUDIT_XADD = `
local function audit(key, fields, before, after)
  local entry = {}
  for _, v in ipairs(fields) do entry[#entry + 1] = v end
  entry[#entry + 1] = 'before'; entry[#entry + 1] = before or 'null'
  entry[#entry + 1] = 'after'; entry[#entry + 1] = after or 'null'
  redis.call('XADD', key, '*', unpack(entry))
end
`;

/** An entry's fields other than before and after, flat, for a script's ARGV. */
export function auditFields(input: Omit<AuditInput, 'before' | 'after'>, at: number): string[] {
  return [
    'at',
    String(at),
    'who',
    input.who,
    'via',
    input.via,
    'action',
    input.action,
    'target',
    input.target,
    ...(input.note ? ['note', input.note] : []),
  ];
}

/** A stream entry as an AuditEntry (also read by the ledger, which keeps the log for good). */
export function decodeAuditEntry(id: string, flat: string[]): AuditEntry {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
  const json = (s: string | undefined) => (s === undefined ? null : (JSON.parse(s) as unknown));
  return {
    id,
    at: new Date(Number(f.at)).toISOString(),
    who: f.who ?? '',
    via: (f.via ?? 'api') as AuditVia,
    action: f.action ?? '',
    target: f.target ?? '',
    before: json(f.before),
    after: json(f.after),
    ...(f.note ? { note: f.note } : {}),
  };
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `cursor` for the next (older) page; null when this page is the last. */
  next_cursor: string | null;
}

export const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

export type AuditLog = ReturnType<typeof createAuditLog>;

export function createAuditLog(deps: { redis: Redis; queuePrefix: string; now?: () => number }) {
  const key = auditKey(deps.queuePrefix);
  const now = deps.now ?? Date.now;
  return {
    key,
    /** Appends an entry on its own (a payout action; control changes use AUDIT_XADD in their script). */
    async record(input: AuditInput): Promise<void> {
      await deps.redis.xadd(
        key,
        '*',
        ...auditFields(input, now()),
        'before',
        JSON.stringify(input.before ?? null),
        'after',
        JSON.stringify(input.after ?? null),
      );
    },
    /** Newest first, `limit` at a time, from just before `cursor`. */
    async list(opts: { limit: number; cursor?: string | undefined }): Promise<AuditPage> {
      const end = opts.cursor === undefined ? '+' : `(${opts.cursor}`;
      const raw = (await deps.redis.xrevrange(key, end, '-', 'COUNT', opts.limit)) as [string, string[]][];
      const entries = raw.map(([id, flat]) => decodeAuditEntry(id, flat));
      const last = entries.at(-1);
      return { entries, next_cursor: entries.length === opts.limit && last ? last.id : null };
    },
  };
}
