import type { Insertable } from 'kysely';
import type { DepositTransitionTable, PayoutTable, PayoutTransitionTable } from './schema.js';

/** The ledger outbox's entries, and a batch of them as one group per payout or deposit. */

export interface LedgerOutboxEntry {
  kind: 'payout' | 'deposit';
  external_id: string;
  seq: number;
  /** When the change happened (epoch ms): the ledger's lag is the age of the oldest entry. */
  at: number;
}

/** What one payout or deposit contributes to a write, with the outbox entries it settles. */
export interface Group {
  kind: LedgerOutboxEntry['kind'];
  id: string;
  raw: string[];
  seqs: number[];
  transitions: Insertable<PayoutTransitionTable>[];
  current?: Insertable<PayoutTable>;
  deposits: Insertable<DepositTransitionTable>[];
  /** Why its rows cannot be written: the database refused them, or Redis holds what cannot be read. */
  refused?: unknown;
}

function parseEntry(raw: string): LedgerOutboxEntry | undefined {
  try {
    const e = JSON.parse(raw) as Partial<LedgerOutboxEntry>;
    return (e.kind === 'payout' || e.kind === 'deposit') && typeof e.external_id === 'string'
      ? (e as LedgerOutboxEntry)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The entries as one group per payout or deposit; entries that cannot be read are returned apart. */
export function groupEntries(raws: string[]): { groups: Group[]; unreadable: string[] } {
  const groups = new Map<string, Group>();
  const unreadable: string[] = [];
  for (const raw of raws) {
    const entry = parseEntry(raw);
    if (!entry) {
      unreadable.push(raw);
      continue;
    }
    const key = `${entry.kind}:${entry.external_id}`;
    const g = groups.get(key) ?? {
      kind: entry.kind,
      id: entry.external_id,
      raw: [],
      seqs: [],
      transitions: [],
      deposits: [],
    };
    g.raw.push(raw);
    g.seqs.push(entry.seq);
    groups.set(key, g);
  }
  return { groups: [...groups.values()], unreadable };
}
