import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './system.js';

const run = promisify(execFile);

/**
 * A free port a cluster node can use: Redis puts its cluster bus 10,000 above it and refuses to start
 * on a port above 55535, while the system's free ports reach 60999.
 */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port <= 55_535) return port;
  }
}

/** A Redis Cluster of three masters on loopback ports, for the test that runs payouts across it. */
export async function startRedisCluster() {
  const ports = [await clusterPort(), await clusterPort(), await clusterPort()];
  const dir = mkdtempSync(join(tmpdir(), 'payouts-cluster-'));
  const node = (port: number) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        // A replica's first sync starts at once, not after the default 5 s.
        '--repl-diskless-sync-delay',
        '0',
      ],
      { stdio: 'ignore' },
    );
  const procs: ChildProcess[] = ports.map(node);
  const cli = (...args: string[]) => run('redis-cli', args, { timeout: 30_000 });
  const untilUp = async (port: number) => {
    for (let i = 0; ; i++) {
      const ok = await cli('-p', String(port), 'ping').then(
        (r) => r.stdout.trim() === 'PONG',
        () => false,
      );
      if (ok) return;
      if (i > 100) throw new Error(`redis-server on ${port} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  for (const port of ports) await untilUp(port);
  await cli(
    '--cluster',
    'create',
    ...ports.map((p) => `127.0.0.1:${p}`),
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  );
  for (let i = 0; ; i++) {
    const states = await Promise.all(
      ports.map((p) => cli('-p', String(p), 'cluster', 'info').then((r) => r.stdout)),
    );
    if (states.every((s) => s.includes('cluster_state:ok'))) break;
    if (i > 100) throw new Error('the cluster did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `redis://127.0.0.1:${ports[0]}`,
    ports,
    /** Adds a replica to the master that holds `key`'s slot; resolves once it has caught up. */
    async addReplicaFor(key: string): Promise<void> {
      const slot = Number((await cli('-p', String(ports[0]), 'cluster', 'keyslot', key)).stdout.trim());
      const nodes = (await cli('-p', String(ports[0]), 'cluster', 'nodes')).stdout.trim().split('\n');
      const owner = nodes
        .map((line) => line.split(' '))
        .find(
          ([, , flags, , , , , , ...ranges]) =>
            flags?.includes('master') &&
            ranges.some((r) => {
              const [from, to = from] = r.split('-').map(Number);
              return slot >= from! && slot <= to!;
            }),
        );
      if (!owner) throw new Error(`no master holds slot ${slot}`);
      const [id, address] = owner;
      const masterPort = address!.split('@')[0]!.split(':')[1]!;
      const port = await clusterPort();
      procs.push(node(port));
      await untilUp(port);
      await cli(
        '--cluster',
        'add-node',
        `127.0.0.1:${port}`,
        `127.0.0.1:${masterPort}`,
        '--cluster-slave',
        '--cluster-master-id',
        id!,
      );
      for (let i = 0; ; i++) {
        const info = (await cli('-p', String(port), 'info', 'replication')).stdout;
        if (info.includes('master_link_status:up')) return;
        if (i > 200) throw new Error('the replica did not catch up');
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      for (const p of procs) p.kill('SIGKILL');
      await Promise.all(
        procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
