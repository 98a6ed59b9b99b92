import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';

/** The shared test PostgreSQL; each test works in a schema of its own (ledgerSchema). */
export const LEDGER_TEST_URL =
  process.env.LEDGER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A URL whose connections see only `schema` (libpq's `options`), on `port` when given (a proxy). */
export function ledgerUrl(schema: string, port?: number): string {
  const url = new URL(LEDGER_TEST_URL);
  if (port !== undefined) {
    url.hostname = '127.0.0.1';
    url.port = String(port);
  }
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/** A fresh schema for one test, and its removal. */
export async function ledgerSchema(): Promise<{ schema: string; url: string; drop(): Promise<void> }> {
  const schema = `test_ledger_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: LEDGER_TEST_URL });
  await admin.connect();
  await admin.query(`create schema ${admin.escapeIdentifier(schema)}`);
  await admin.end();
  return {
    schema,
    url: ledgerUrl(schema),
    async drop() {
      const c = new pg.Client({ connectionString: LEDGER_TEST_URL });
      await c.connect();
      await c.query(`drop schema if exists ${c.escapeIdentifier(schema)} cascade`);
      await c.end();
    },
  };
}

/**
 * A TCP proxy in front of PostgreSQL that a test can cut (every connection dropped, new ones refused
 * by closing them at once) and restore: the database "down" without touching the shared server.
 */
export async function tcpProxy(target: { host: string; port: number }): Promise<{
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      down = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Every text value of a schema's tables, for a scan for secrets. */
export async function dumpSchema(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const out: string[] = [];
  for (const table of ['payouts', 'payout_transitions', 'deposit_transitions', 'audit_events']) {
    const res = await c.query(`select * from ${table}`);
    out.push(JSON.stringify(res.rows));
  }
  await c.end();
  return out.join('\n');
}
