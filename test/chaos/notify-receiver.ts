import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The casino backend's side of NOTIFY_URL: verifies X-Payout-Signature, records every delivery per
 * payout, and refuses the first delivery of a few notifications (503) so the notifier's retries run too.
 */

export interface ReceivedNotification {
  event: string;
  seq: number;
  status: string;
  at: number;
}

export interface NotifyReceiver {
  url: string;
  /** Deliveries with a valid signature, per external_id, in arrival order. */
  byId: Map<string, ReceivedNotification[]>;
  stats: {
    requests: number;
    delivered: number;
    badSignature: number;
    unparsable: number;
    refusedOnPurpose: number;
    /** The same (external_id, seq) delivered (acknowledged) more than once. */
    repeats: number;
  };
  close(): Promise<void>;
}

export interface NotifyReceiverOptions {
  secret: string;
  /** Share (0..1) of notifications whose first delivery is refused with 503. */
  refuseFirstShare: number;
  /** Every accepted body goes through this (the secret scan). */
  onBody?: (body: string) => void;
}

export async function startNotifyReceiver(opts: NotifyReceiverOptions): Promise<NotifyReceiver> {
  const state: ReceiverState = {
    opts,
    byId: new Map(),
    refused: new Set(),
    acknowledged: new Set(),
    stats: { requests: 0, delivered: 0, badSignature: 0, unparsable: 0, refusedOnPurpose: 0, repeats: 0 },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      receive(state, body, req.headers['x-payout-signature'], res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/payouts`,
    byId: state.byId,
    stats: state.stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface ReceiverState {
  opts: NotifyReceiverOptions;
  byId: Map<string, ReceivedNotification[]>;
  /** Notifications (external_id#seq) refused once on purpose. */
  refused: Set<string>;
  acknowledged: Set<string>;
  stats: NotifyReceiver['stats'];
}

const expectedSignature = (secret: string, body: string) =>
  Buffer.from(`sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`);

/** Deterministic per notification, so a refused one is refused once and accepted on its retry. */
const refuseFirst = (key: string, share: number) =>
  createHash('sha256').update(key).digest().readUInt32BE(0) / 0x1_0000_0000 < share;

/** One delivery: 401 for a bad signature, 400 unparsable, 503 when refused on purpose, else recorded. */
function receive(state: ReceiverState, body: string, signature: unknown, res: http.ServerResponse): void {
  const { stats } = state;
  stats.requests++;
  const given = Buffer.from(String(signature ?? ''));
  const expected = expectedSignature(state.opts.secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    stats.badSignature++;
    res.writeHead(401).end();
    return;
  }
  let parsed: { event?: unknown; payout?: { external_id?: unknown; seq?: unknown; status?: unknown } };
  try {
    parsed = JSON.parse(body);
  } catch {
    stats.unparsable++;
    res.writeHead(400).end();
    return;
  }
  const externalId = String(parsed.payout?.external_id ?? '');
  const seq = Number(parsed.payout?.seq ?? -1);
  const key = `${externalId}#${seq}`;
  if (!state.refused.has(key) && refuseFirst(key, state.opts.refuseFirstShare)) {
    state.refused.add(key);
    stats.refusedOnPurpose++;
    res.writeHead(503).end();
    return;
  }
  state.opts.onBody?.(body);
  if (state.acknowledged.has(key)) stats.repeats++;
  state.acknowledged.add(key);
  stats.delivered++;
  const list = state.byId.get(externalId) ?? [];
  list.push({
    event: String(parsed.event ?? ''),
    seq,
    status: String(parsed.payout?.status ?? ''),
    at: Date.now(),
  });
  state.byId.set(externalId, list);
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
}
