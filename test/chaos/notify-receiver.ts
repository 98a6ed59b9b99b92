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

export async function startNotifyReceiver(opts: {
  secret: string;
  /** Share (0..1) of notifications whose first delivery is refused with 503. */
  refuseFirstShare: number;
  /** Every accepted body goes through this (the secret scan). */
  onBody?: (body: string) => void;
}): Promise<NotifyReceiver> {
  const byId = new Map<string, ReceivedNotification[]>();
  const refused = new Set<string>();
  const acknowledged = new Set<string>();
  const stats: NotifyReceiver['stats'] = {
    requests: 0,
    delivered: 0,
    badSignature: 0,
    unparsable: 0,
    refusedOnPurpose: 0,
    repeats: 0,
  };
  const expectedSignature = (body: string) =>
    Buffer.from(`sha256=${createHmac('sha256', opts.secret).update(body, 'utf8').digest('hex')}`);
  /** Deterministic per notification, so a refused one is refused once and accepted on its retry. */
  const refuseFirst = (key: string) =>
    createHash('sha256').update(key).digest().readUInt32BE(0) / 0x1_0000_0000 < opts.refuseFirstShare;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      stats.requests++;
      const body = Buffer.concat(chunks).toString('utf8');
      const given = Buffer.from(String(req.headers['x-payout-signature'] ?? ''));
      const expected = expectedSignature(body);
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
      if (!refused.has(key) && refuseFirst(key)) {
        refused.add(key);
        stats.refusedOnPurpose++;
        res.writeHead(503).end();
        return;
      }
      opts.onBody?.(body);
      if (acknowledged.has(key)) stats.repeats++;
      acknowledged.add(key);
      stats.delivered++;
      const list = byId.get(externalId) ?? [];
      list.push({
        event: String(parsed.event ?? ''),
        seq,
        status: String(parsed.payout?.status ?? ''),
        at: Date.now(),
      });
      byId.set(externalId, list);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/payouts`,
    byId,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
