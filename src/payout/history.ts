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
 * How an entry is stored: one short line, `seq|at|from|to|attempt|event|actor|extras`, about 50
 * bytes where JSON took 200 (a finished payout keeps its history for good). The record's scripts
 * write the first five fields, which only they know; the caller supplies the rest as `entryTail`.
 *
 * `at` is epoch milliseconds; `from` and `attempt` are empty when absent; `extras` is a JSON object
 * or empty. States, events and actors never contain `|`, and extras comes last, so it may hold anything.
 */
export function entryTail(event: HistoryEntry['event'], actor: Actor, extras: HistoryExtras = {}): string {
  const picked = pickExtras(extras);
  const json = Object.keys(picked).length > 0 ? JSON.stringify(picked) : '';
  return `${event}|${actor}|${json}`;
}

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
  const extras = start < line.length ? pickExtras(JSON.parse(line.slice(start)) as HistoryExtras) : {};
  // Only the optional fields come from the JSON part, so it cannot override the fixed ones.
  return {
    at: new Date(Number(at)).toISOString(),
    ...(from ? { from: from as PayoutState } : {}),
    to: to as PayoutState,
    event: event as HistoryEntry['event'],
    actor: actor as Actor,
    seq: Number(seq),
    ...(attempt ? { attempt: Number(attempt) } : {}),
    ...extras,
  };
}
