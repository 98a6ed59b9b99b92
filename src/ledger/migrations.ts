import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { LedgerDatabase } from './schema.js';

/**
 * The ledger's schema migrations, run by Kysely's migrator (`payouts migrate`, and at start unless
 * LEDGER_MIGRATE_ON_START=false). The migrations are code, not files found at run time, so the
 * compiled service, the tests and the CLI run the very same list; the migrator records what it
 * applied in `kysely_migration` and takes a lock, so processes starting together apply each once.
 * Never edit an applied migration: add the next one.
 */

/** 0001: every change of a payout, one row each. */
async function createPayoutTransitions(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('payout_transitions')
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer')
    .addColumn('gateway_status', 'integer')
    .addColumn('order_id', 'text')
    .addColumn('reason', 'text')
    .addColumn('reason_code', 'text')
    .addColumn('who', 'text')
    .addColumn('note', 'text')
    .addColumn('contradiction', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // One row per change, however often the outbox delivers it.
    .addPrimaryKeyConstraint('payout_transitions_pk', ['external_id', 'seq'])
    .execute();
}

/** 0001: each payout as it is now. */
async function createPayouts(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('payouts')
    .addColumn('external_id', 'text', (c) => c.primaryKey())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('payment_system', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text')
    .addColumn('gateway_status', 'integer')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('reason_code', 'text')
    .addColumn('payment_data', 'jsonb', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('state_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

/** 0001: the payouts' indexes. */
async function createPayoutIndexes(db: Kysely<unknown>): Promise<void> {
  // The archive's searches (newest first) and the reports' range scan.
  await db.schema
    .createIndex('payouts_customer_idx')
    .on('payouts')
    .columns(['customer_id', 'created_at'])
    .execute();
  await db.schema.createIndex('payouts_order_idx').on('payouts').column('order_id').execute();
  await db.schema.createIndex('payouts_created_idx').on('payouts').column('created_at').execute();
  await db.schema
    .createIndex('payouts_report_idx')
    .on('payouts')
    .columns(['state_at', 'currency', 'method', 'status'])
    .execute();
}

/** 0001: every change of a deposit, one row each. */
async function createDepositTransitions(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('deposit_transitions')
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('entry', 'jsonb', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('deposit_transitions_pk', ['external_id', 'seq'])
    .execute();
}

const MIGRATIONS: Record<string, Migration> = {
  '0001-payout-ledger': {
    async up(db) {
      await createPayoutTransitions(db);
      await createPayouts(db);
      await createPayoutIndexes(db);
      await createDepositTransitions(db);
    },
  },
  '0002-audit-events': {
    async up(db) {
      await db.schema
        .createTable('audit_events')
        .addColumn('stream_id', 'text', (c) => c.primaryKey())
        .addColumn('id_ms', 'bigint', (c) => c.notNull())
        .addColumn('id_seq', 'bigint', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('who', 'text', (c) => c.notNull())
        .addColumn('via', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('before', 'jsonb')
        .addColumn('after', 'jsonb')
        .addColumn('note', 'text')
        .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createIndex('audit_events_order_idx')
        .on('audit_events')
        .columns(['id_ms', 'id_seq'])
        .execute();
      await db.schema
        .createIndex('audit_events_target_idx')
        .on('audit_events')
        .columns(['target', 'at'])
        .execute();
    },
  },
  '0003-archived-list': {
    async up(db) {
      // Set by the archiver when a payout leaves Redis: the list route reads archived payouts from here.
      await db.schema.alterTable('payouts').addColumn('archived_at', 'timestamptz').execute();
      // GET /v1/payouts' order (newest state first, then external_id byte-wise as Redis orders ties),
      // alone or under one filter; partial, so live payouts (also in the ledger) cost these nothing.
      for (const [name, lead] of [
        ['payouts_archived_list_idx', ''],
        ['payouts_archived_status_idx', 'status, '],
        ['payouts_archived_customer_idx', 'customer_id, '],
      ] as const) {
        await db.schema
          .createIndex(name)
          .on('payouts')
          .expression(sql.raw(`${lead}state_at, (external_id collate "C")`))
          .where(sql.ref('archived_at'), 'is not', null)
          .execute();
      }
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Applies every pending migration; returns the names applied now. Throws with the failing one's name. */
export async function migrateLedger(db: Kysely<LedgerDatabase>): Promise<string[]> {
  // The migrator's own tables go in the schema the ledger's tables go in (the first of search_path):
  // unnamed, it looks for them in every schema, and one found elsewhere would be taken for its own.
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('the ledger database has no current schema (check search_path)');
  const migrator = new Migrator({ db, provider, migrationTableSchema: schema });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(
      `ledger migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
