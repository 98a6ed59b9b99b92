import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP forwarder on a loopback port, standing for the address a deployment reaches a server at (a
 * virtual IP, a DNS name, a proxy). `cut` drops every open connection and refuses new ones (the server
 * "down" without touching it) until `restore`; `retarget` points it at another server and drops the
 * open connections, as a fail-over does: clients reconnect and find the new one.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  let to = { ...target };
  let down = false;
  const open = new Set<Socket>();
  const dropAll = () => {
    for (const socket of open) socket.destroy();
    open.clear();
  };
  const server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = createConnection(to);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      down = true;
      dropAll();
    },
    restore() {
      down = false;
    },
    retarget(port: number) {
      to = { ...to, port };
      dropAll();
    },
    async close() {
      dropAll();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
