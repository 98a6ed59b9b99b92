import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, expect } from 'vitest';
import { cardPayout } from '../../helpers/requests.js';
import { FORBIDDEN_IN_LOGS, startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * What the feedback tests (callbacks, reconciler, operator actions, notifications, deposits) share:
 * ids, payouts carrying sandbox markers, and a system whose notifications go to a receiver of its own.
 */

export const id = (tag = 'po') => `${tag}-${randomBytes(6).toString('hex')}`;
export const withMarker = (marker: string, overrides: Record<string, unknown> = {}) =>
  cardPayout({
    external_id: id(),
    customer: { customer_id: `player${marker}`, country: 'LV', first_name: 'A', last_name: 'B' },
    ...overrides,
  });

/** What the notification receiver got; it refuses the first deliveries of seq 1 of payouts in `refuseFirst`. */
export interface Received {
  body: string;
  signature: string | undefined;
  parsed: { event: string; payout: { external_id: string; seq: number; status: string } };
}

/** What the receiver got and refuses, filled in as the tests run. */
export interface Receipts {
  received: Received[];
  /** external_id -> how many first deliveries of its seq 1 the receiver refuses (500), and has refused. */
  refuseFirst: Map<string, number>;
  refused: Map<string, number>;
}

export interface FeedbackSystem extends Receipts {
  sys: TestSystem;
  /** Closes the system and the receiver, then checks no secret reached the logs. */
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => resolve(data));
  });

export const NOTIFY_SECRET = `test-notify-${randomBytes(8).toString('hex')}`;

/**
 * The real system on a port and a Redis prefix of its own (startTestSystem), notifying a receiver on a
 * free port, reconciling every second and giving up on review after 2.5 s.
 */
async function startFeedbackSystem({ received, refuseFirst, refused }: Receipts): Promise<FeedbackSystem> {
  const receiver: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const parsed = JSON.parse(body) as Received['parsed'];
    const id = parsed.payout.external_id;
    if (parsed.payout.seq === 1 && (refused.get(id) ?? 0) < (refuseFirst.get(id) ?? 0)) {
      refused.set(id, (refused.get(id) ?? 0) + 1);
      res.writeHead(500).end('not now');
      return;
    }
    const sig = req.headers['x-payout-signature'];
    received.push({ body, signature: Array.isArray(sig) ? sig[0] : sig, parsed });
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as { port: number }).port;
  let sys: TestSystem;
  try {
    sys = await startTestSystem({
      env: {
        NOTIFY_URL: `http://127.0.0.1:${port}/hooks/payouts`,
        NOTIFY_SECRET,
        RECONCILE_AFTER_MS: '1000',
        RECONCILE_INTERVAL_MS: '1000',
        REVIEW_DEADLINE_MS: '2500',
      },
    });
  } catch (err) {
    await new Promise((r) => receiver.close(r));
    throw err;
  }
  const close = async () => {
    await sys.close();
    await new Promise((r) => receiver.close(r));
    const text = sys.logs.join('\n');
    for (const secret of FORBIDDEN_IN_LOGS) expect(text).not.toContain(secret);
  };
  return { sys, received, refuseFirst, refused, close };
}

/**
 * A feedback system for the calling file (startFeedbackSystem): registers its beforeAll (starts the
 * receiver and the system) and afterAll (closes both, checks the logs). The system's fields are
 * filled in beforeAll, so read `sys` inside tests and hooks only.
 */
export function useFeedbackSystem(): Receipts & { sys: TestSystem } {
  const sys = {} as TestSystem;
  const receipts: Receipts = { received: [], refuseFirst: new Map(), refused: new Map() };
  let feedback: FeedbackSystem | undefined;
  beforeAll(async () => {
    feedback = await startFeedbackSystem(receipts);
    Object.assign(sys, feedback.sys);
  });
  afterAll(async () => {
    await feedback?.close();
  });
  return { sys, ...receipts };
}
