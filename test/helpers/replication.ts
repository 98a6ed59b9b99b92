import { Redis } from 'ioredis';
import { startPrivateRedis } from './private-redis.js';

export type PrivateRedis = Awaited<ReturnType<typeof startPrivateRedis>>;

/** Asks a Redis something once, on a connection of its own. */
export async function ask<T>(url: string, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  r.on('error', () => undefined);
  try {
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

const offset = (info: string, field: string) => Number(new RegExp(`${field}:(\\d+)`).exec(info)?.[1] ?? -1);

/** Resolves once `replica` follows `primary` and has everything it has (it writes nothing itself). */
export async function waitInSync(primary: PrivateRedis, replica: PrivateRedis): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [theirs, mine] = await Promise.all([
      ask(primary.url, (r) => r.info('replication')),
      ask(replica.url, (r) => r.info('replication')),
    ]);
    const done = offset(theirs, 'master_repl_offset');
    if (mine.includes('master_link_status:up') && done >= 0 && offset(mine, 'slave_repl_offset') >= done)
      return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`replica on ${replica.port} did not catch up with ${primary.port}`);
}

/** A primary and one replica of it, both private redis-servers on loopback ports; `args` go to both. */
export async function startPrimaryWithReplica(
  options: { args?: string[] } = {},
): Promise<{ primary: PrivateRedis; replica: PrivateRedis }> {
  // A full sync starts at once, not after Redis's default 5 s wait for more replicas to join it.
  const args = ['--repl-diskless-sync-delay', '0', ...(options.args ?? [])];
  const primary = await startPrivateRedis({ args });
  const replica = await startPrivateRedis({
    args: [...args, '--replicaof', '127.0.0.1', String(primary.port)],
  });
  await waitInSync(primary, replica);
  return { primary, replica };
}
