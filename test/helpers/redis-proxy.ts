import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP forwarder on a loopback port in front of a Redis, standing for the address a deployment
 * reaches its primary at (a virtual IP, a DNS name, a Sentinel-aware proxy). `failOver` points it at
 * another Redis and cuts every open connection, as a fail-over does: clients reconnect and find the
 * new primary.
 */
export async function startRedisProxy(targetPort: number) {
  let target = targetPort;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: target });
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
  const port = (server.address() as { port: number }).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    failOver(newTargetPort: number) {
      target = newTargetPort;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
