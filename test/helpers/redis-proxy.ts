import { startTcpProxy } from './tcp-proxy.js';

/**
 * A TCP forwarder in front of a Redis, standing for the address a deployment reaches its primary at.
 * `failOver` points it at another Redis and cuts every open connection, as a fail-over does.
 */
export async function startRedisProxy(targetPort: number) {
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: targetPort });
  return {
    url: `redis://127.0.0.1:${proxy.port}`,
    failOver: (newTargetPort: number) => proxy.retarget(newTargetPort),
    close: () => proxy.close(),
  };
}
