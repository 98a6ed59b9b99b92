import type { ColumnType, Generated } from 'kysely';

/**
 * The ledger's tables, as Kysely sees them (migrations.ts creates them). Append-only histories keyed
 * by (external_id, seq), so a change written twice is one row; beside them one current row per
 * payout. Masked values only: no card number, CVV, password or secret has a column to land in.
 */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** bigint: PostgreSQL hands it back as a string, so no amount is ever rounded by a float. */
type Amount = ColumnType<string, number | bigint | string, number | bigint | string>;

export interface PayoutTransitionTable {
  external_id: string;
  seq: number;
  at: Timestamp;
  from_state: string | null;
  to_state: string;
  event: string;
  actor: string;
  attempt: number | null;
  gateway_status: number | null;
  order_id: string | null;
  reason: string | null;
  reason_code: string | null;
  who: string | null;
  note: string | null;
  contradiction: boolean;
  recorded_at: Generated<Date>;
}

export interface PayoutTable {
  external_id: string;
  method: string;
  payment_system: string;
  amount: Amount;
  currency: string;
  customer_id: string;
  country: string;
  status: string;
  order_id: string | null;
  gateway_status: number | null;
  attempts: number;
  reason: string | null;
  reason_code: string | null;
  /** The masked payment_data, as the API shows it. */
  payment_data: ColumnType<Record<string, string>, string, string>;
  /** The seq of the latest change this row reflects: an older change never overwrites a newer one. */
  seq: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** When the payout reached its current state: the day reports count it in. */
  state_at: Timestamp;
  /** When the archiver took it out of Redis; null while Redis holds it (the list route reads only these). */
  archived_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface DepositTransitionTable {
  external_id: string;
  seq: number;
  at: Timestamp;
  from_state: string | null;
  to_state: string;
  /** The history entry as recorded (event, actor, gateway status, order_id, reason): no payment data. */
  entry: ColumnType<Record<string, unknown>, string, string>;
  recorded_at: Generated<Date>;
}

/** The audit log (operators/audit.ts) copied whole: operator actions and control changes. */
export interface AuditEventTable {
  /** The Redis stream entry's id (`ms-seq`): one row per entry however often it is copied. */
  stream_id: string;
  /** The id's two parts, for reading on from the last row copied in order. */
  id_ms: ColumnType<string, number | string, number | string>;
  id_seq: ColumnType<string, number | string, number | string>;
  at: Timestamp;
  who: string;
  via: string;
  action: string;
  target: string;
  before: ColumnType<unknown, string, string>;
  after: ColumnType<unknown, string, string>;
  note: string | null;
  recorded_at: Generated<Date>;
}

export interface LedgerDatabase {
  audit_events: AuditEventTable;
  payout_transitions: PayoutTransitionTable;
  payouts: PayoutTable;
  deposit_transitions: DepositTransitionTable;
}
