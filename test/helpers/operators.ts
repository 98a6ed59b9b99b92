import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Role } from '../../src/operators/roles.js';
import { hashSecret } from '../../src/operators/secret-hash.js';
import type { OperatorLogin } from './system.js';

/** A login for a test operator; the secret is derived from the name. */
export const login = (name: string): OperatorLogin => ({ name, secret: `${name}-secret-0123456789` });

/** An OPERATORS value for these logins. */
export async function operatorsSetting(entries: [OperatorLogin, Role][]): Promise<string> {
  const lines = await Promise.all(
    entries.map(async ([l, role]) => `${l.name}:${role}:${await hashSecret(l.secret)}`),
  );
  return lines.join(',');
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => resolve(body));
  });

/** A NOTIFY_URL receiver that keeps every event it is sent, answering 200. */
export async function notificationReceiver(): Promise<{
  url: string;
  events: { event: string; payout: { external_id: string; status: string; reason: string | null } }[];
  close(): Promise<void>;
}> {
  const events: { event: string; payout: { external_id: string; status: string; reason: string | null } }[] =
    [];
  const server: Server = createServer(async (req, res) => {
    events.push(JSON.parse(await readBody(req)));
    res.writeHead(200).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`,
    events,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
