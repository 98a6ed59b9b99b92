import type { Actor, PayoutEvent, PayoutState } from './states.js';

/** One line of a payout's history, as every reader sees it. */
export interface HistoryEntry {
  at: string;
  from?: PayoutState;
  to: PayoutState;
  event: PayoutEvent | 'created' | 'gateway_report';
  actor: Actor;
  seq: number;
  attempt?: number;
  gateway_status?: number;
  order_id?: string;
  reason?: string;
  reason_code?: string;
  /** Who, for operator actions. */
  who?: string;
  note?: string;
  /** A gateway report that contradicts the terminal state; recorded, never applied. */
  contradiction?: boolean;
}

/** The optional fields of an entry, stored as one JSON object at the end of its line. */
export type HistoryExtras = Pick<
  HistoryEntry,
  'gateway_status' | 'order_id' | 'reason' | 'reason_code' | 'who' | 'note' | 'contradiction'
>;

/**
 * How an entry is stored: one short line, `seq|at|from|to|attempt|event|actor|extras`, with `at` in
 * base 36 (epoch milliseconds) and each state, event and actor as its one-letter code below: about 25
 * bytes before the extras (a finished payout keeps its history until it is archived). The record's
 * scripts write the first five fields, which only they know; the caller supplies the rest as
 * `entryTail`.
 *
 * Lines written before the codes (`at` in decimal, names in full) are read as they are: a line whose
 * `to` is longer than one letter is one of them. `from` and `attempt` are empty when absent; `extras`
 * is a JSON object or empty. Codes and names never contain `|`, and extras comes last, so it may hold
 * anything.
 */
export function entryTail(event: HistoryEntry['event'], actor: Actor, extras: HistoryExtras = {}): string {
  const picked = pickExtras(extras);
  const json = Object.keys(picked).length > 0 ? JSON.stringify(picked) : '';
  return `${EVENT_CODES[event]}|${ACTOR_CODES[actor]}|${json}`;
}

/** Stored for good: a code is never changed or given to another name. */
export const STATE_CODES: Record<PayoutState, string> = {
  awaiting_approval: 'a',
  queued: 'q',
  sending: 's',
  retry_scheduled: 'r',
  submitted: 'u',
  succeeded: 'k',
  failed: 'f',
  rejected: 'j',
  needs_review: 'n',
  cancelled: 'c',
};

const EVENT_CODES: Record<HistoryEntry['event'], string> = {
  created: 'C',
  gateway_report: 'R',
  approve: 'a',
  decline: 'd',
  expire_approval: 'x',
  claim: 'c',
  give_back: 'b',
  retry: 'r',
  give_up: 'g',
  reject: 'j',
  review: 'v',
  gateway_pending: 'p',
  gateway_success: 's',
  gateway_failure: 'f',
  gateway_unknown: 'u',
  cancel: 'n',
  resolve_succeeded: 'S',
  resolve_failed: 'F',
  resend: 'e',
};

const ACTOR_CODES: Record<Actor, string> = {
  producer: 'p',
  worker: 'w',
  callback: 'c',
  reconciler: 'r',
  operator: 'o',
};

const byCode = <T extends string>(codes: Record<T, string>): Map<string, T> =>
  new Map(Object.entries(codes).map(([name, code]) => [code as string, name as T]));
const STATE_BY_CODE = byCode(STATE_CODES);
const EVENT_BY_CODE = byCode(EVENT_CODES);
const ACTOR_BY_CODE = byCode(ACTOR_CODES);

/**
 * Lua for the record's scripts: `history_line(seq, at, from, to, attempt, tail)`, the stored line
 * (`at` epoch milliseconds as text, `from` a state name or '' ). A state without a code (none today)
 * is written in the older, spelled-out form, which every reader still reads.
 */
export const HISTORY_LINE_LUA = `
local STATE_CODES = {${Object.entries(STATE_CODES)
  .map(([name, code]) => `${name} = '${code}'`)
  .join(', ')}}
local function base36(n)
  local digits, s = '0123456789abcdefghijklmnopqrstuvwxyz', ''
  repeat
    local d = n % 36
    s = string.sub(digits, d + 1, d + 1) .. s
    n = (n - d) / 36
  until n == 0
  return s
end
local function history_line(seq, at, from, to, attempt, tail)
  local f, t = from == '' and '' or STATE_CODES[from], STATE_CODES[to]
  if not f or not t then return seq .. '|' .. at .. '|' .. from .. '|' .. to .. '|' .. attempt .. '|' .. tail end
  return seq .. '|' .. base36(tonumber(at)) .. '|' .. f .. '|' .. t .. '|' .. attempt .. '|' .. tail
end
`;

const EXTRA_FIELDS = [
  'gateway_status',
  'order_id',
  'reason',
  'reason_code',
  'who',
  'note',
  'contradiction',
] as const satisfies readonly (keyof HistoryExtras)[];

/** Only the optional fields, and only those set: nothing else can ride along into the history. */
function pickExtras(extras: HistoryExtras): HistoryExtras {
  const out: Record<string, unknown> = {};
  for (const field of EXTRA_FIELDS) if (extras[field] !== undefined) out[field] = extras[field];
  return out as HistoryExtras;
}

const FIXED_FIELDS = 7;

/** Reads one stored line back into an entry. */
export function decodeEntry(line: string): HistoryEntry {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < FIXED_FIELDS; i++) {
    const bar = line.indexOf('|', start);
    if (bar < 0) throw new Error(`malformed history entry: ${line.slice(0, 40)}`);
    parts.push(line.slice(start, bar));
    start = bar + 1;
  }
  const [seq, at, from, to, attempt, event, actor] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  // A line written before the codes spells every name out (see entryTail).
  const coded = to.length === 1;
  const decode = <T extends string>(codes: Map<string, T>, value: string) =>
    coded ? (codes.get(value) ?? value) : value;
  const extras = start < line.length ? pickExtras(JSON.parse(line.slice(start)) as HistoryExtras) : {};
  // Only the optional fields come from the JSON part, so it cannot override the fixed ones.
  return {
    at: new Date(coded ? Number.parseInt(at, 36) : Number(at)).toISOString(),
    ...(from ? { from: decode(STATE_BY_CODE, from) as PayoutState } : {}),
    to: decode(STATE_BY_CODE, to) as PayoutState,
    event: decode(EVENT_BY_CODE, event) as HistoryEntry['event'],
    actor: decode(ACTOR_BY_CODE, actor) as Actor,
    seq: Number(seq),
    ...(attempt ? { attempt: Number(attempt) } : {}),
    ...extras,
  };
}
