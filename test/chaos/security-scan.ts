import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { LogLine } from './processes.js';
import type { SecretScanner } from './secrets.js';

/**
 * The security half of the chaos run: every Redis key (read by its type), the AOF on disk, every log
 * line, the API's and Bull Board's JSON answers, and every door without (or with wrong) credentials.
 */

export interface RedisScanResult {
  keys: number;
  byType: Record<string, number>;
  /** Keys that do not start with the deployment's hash-tagged prefix (a deployment must own all its keys). */
  outsidePrefix: string[];
  aofFiles: number;
  aofBytes: number;
}

const SCAN_BATCH = 500;

/** Reads every key of the Redis by its TYPE and scans key and value. */
export async function scanRedis(
  redis: Redis,
  keyBase: string,
  scanner: SecretScanner,
): Promise<RedisScanResult> {
  const byType: Record<string, number> = {};
  const outsidePrefix: string[] = [];
  let keys = 0;
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', SCAN_BATCH);
    cursor = next;
    if (batch.length === 0) continue;
    const typed = await redis.pipeline(batch.map((k) => ['type', k])).exec();
    const reads = redis.pipeline();
    const kinds: string[] = [];
    batch.forEach((key, i) => {
      const type = String(typed?.[i]?.[1] ?? 'none');
      kinds.push(type);
      switch (type) {
        case 'string':
          reads.get(key);
          break;
        case 'hash':
          reads.hgetall(key);
          break;
        case 'list':
          reads.lrange(key, 0, -1);
          break;
        case 'set':
          reads.smembers(key);
          break;
        case 'zset':
          reads.zrange(key, 0, -1, 'WITHSCORES');
          break;
        case 'stream':
          reads.xrange(key, '-', '+');
          break;
        default:
          reads.exists(key); // 'none' (deleted meanwhile) or a type we do not read: keeps the indexes aligned
      }
    });
    const values = await reads.exec();
    batch.forEach((key, i) => {
      const type = kinds[i]!;
      keys++;
      byType[type] = (byType[type] ?? 0) + 1;
      if (!key.startsWith(keyBase) && outsidePrefix.length < 50) outsidePrefix.push(key);
      const [err, value] = values?.[i] ?? [null, null];
      const text = err ? `read error: ${String(err)}` : JSON.stringify(value);
      scanner.scan('redis', `redis:${type} ${key}`, `${key}\n${text}`);
    });
  } while (cursor !== '0');

  // The AOF holds every write ever made, also to keys deleted since: a secret written for a moment
  // (and deleted once the payout was terminal) would still be on disk in it.
  let aofFiles = 0;
  let aofBytes = 0;
  const dir = ((await redis.config('GET', 'dir')) as string[])[1];
  const aofDirName = ((await redis.config('GET', 'appenddirname')) as string[])[1] ?? 'appendonlydir';
  if (dir) {
    const files: string[] = [];
    const aofDir = join(dir, aofDirName);
    try {
      for (const f of readdirSync(aofDir)) files.push(join(aofDir, f));
    } catch {
      // no AOF folder: nothing on disk to scan
    }
    for (const f of readdirSync(dir)) if (f.endsWith('.rdb')) files.push(join(dir, f));
    for (const file of files) {
      if (!statSync(file).isFile()) continue;
      const text = readFileSync(file).toString('latin1');
      aofFiles++;
      aofBytes += text.length;
      scanner.scan('redis-disk', `redis-disk:${file}`, text);
    }
  }
  return { keys, byType, outsidePrefix, aofFiles, aofBytes };
}

export function scanLogs(lines: readonly LogLine[], scanner: SecretScanner): Record<string, number> {
  const perSource: Record<string, number> = {};
  for (const line of lines) {
    const group = line.source.replace(/#\d+$/, '');
    perSource[group] = (perSource[group] ?? 0) + 1;
    scanner.scan('log', `log:${line.source}:${line.stream}`, line.text);
  }
  return perSource;
}

export interface DoorCheck {
  door: string;
  credentials: string;
  status: number;
  expected: number;
  ok: boolean;
}

export interface HttpScanResult {
  doors: DoorCheck[];
  /** Bull Board and public endpoints read with the right credentials, and scanned. */
  pagesScanned: number;
  boardJobDetails: number;
  metricsStatus: number;
  /** A payout POSTed without credentials must not exist afterwards. */
  unauthenticatedPostCreatedNothing: boolean;
  errors: string[];
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * Every door of the API process: 401 without credentials and with wrong ones; then Bull Board's JSON
 * API, /metrics and the other public pages, read and scanned.
 */
export async function scanHttp(opts: {
  api: string;
  apiKey: string;
  dashboardUser: string;
  dashboardPassword: string;
  /** An accepted payout, for the per-payout doors. */
  sampleExternalId: string;
  /** A valid payout body (with a card) for the unauthenticated POST. */
  unauthenticatedPayout: Record<string, unknown> & { external_id: string };
  depositBody: unknown;
  scanner: SecretScanner;
}): Promise<HttpScanResult> {
  const { api, scanner } = opts;
  const errors: string[] = [];
  let pagesScanned = 0;
  const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      redirect: 'manual',
    });
    const text = await res.text();
    scanner.scan('http', `http:${method} ${path.split('?')[0]}`, text, {
      documentation: path.startsWith('/docs'),
    });
    pagesScanned++;
    return { status: res.status, text };
  };

  const id = opts.sampleExternalId;
  const doors: [string, string, unknown?][] = [
    ['POST', '/v1/payouts', opts.unauthenticatedPayout],
    ['GET', `/v1/payouts/${id}`],
    ['POST', `/v1/payouts/${id}/resolve`, { as: 'failed', note: 'chaos: must be refused' }],
    ['POST', `/v1/payouts/${id}/cancel`, { note: 'chaos: must be refused' }],
    ['POST', '/v1/deposits', opts.depositBody],
    ['GET', '/admin/queues'],
    ['GET', '/admin/queues/api/queues'],
    ['GET', `/admin/queues/api/queues/payouts/p-${id}`],
    ['PUT', `/admin/queues/api/queues/payouts/p-${id}/retry`],
  ];
  const wrong: [string, Record<string, string>][] = [
    ['none', {}],
    ['wrong bearer key', { authorization: `Bearer ${opts.apiKey}x` }],
    ['dashboard password as bearer', { authorization: `Bearer ${opts.dashboardPassword}` }],
    ['basic with the API key', { authorization: basic(opts.dashboardUser, opts.apiKey) }],
    ['basic, wrong password', { authorization: basic(opts.dashboardUser, `${opts.dashboardPassword}x`) }],
  ];
  const checks: DoorCheck[] = [];
  for (const [method, path, body] of doors) {
    for (const [credentials, headers] of wrong) {
      try {
        const res = await call(method, path, headers, body);
        checks.push({
          door: `${method} ${path}`,
          credentials,
          status: res.status,
          expected: 401,
          ok: res.status === 401,
        });
      } catch (err) {
        errors.push(`${method} ${path} (${credentials}): ${String(err)}`);
        checks.push({ door: `${method} ${path}`, credentials, status: 0, expected: 401, ok: false });
      }
    }
  }
  // Callbacks are authenticated by their signature.
  const forged = await call(
    'POST',
    '/v1/callbacks/gateway',
    {},
    {
      status: 4,
      type: 2,
      external_id: id,
      order_id: '1',
      signature: '0'.repeat(40),
    },
  );
  checks.push({
    door: 'POST /v1/callbacks/gateway',
    credentials: 'forged signature',
    status: forged.status,
    expected: 401,
    ok: forged.status === 401,
  });

  const bearer = { authorization: `Bearer ${opts.apiKey}` };
  const notCreated = await call('GET', `/v1/payouts/${opts.unauthenticatedPayout.external_id}`, bearer);
  const unauthenticatedPostCreatedNothing = notCreated.status === 404;

  // Public by design: answer without credentials, and hold no secret.
  let metricsStatus = 0;
  for (const path of ['/metrics', '/healthz', '/readyz', '/docs/json']) {
    const res = await call('GET', path, {});
    if (path === '/metrics') metricsStatus = res.status;
  }

  // Bull Board with the login: every list of every queue, then job details and logs.
  const login = { authorization: basic(opts.dashboardUser, opts.dashboardPassword) };
  await call('GET', '/admin/queues', login);
  const jobIds: Record<string, Set<string>> = {};
  for (const queue of ['payouts', 'notifications', 'maintenance']) {
    for (const status of [
      'latest',
      'active',
      'waiting',
      'delayed',
      'completed',
      'failed',
      'prioritized',
      'paused',
    ]) {
      const res = await call(
        'GET',
        `/admin/queues/api/queues?activeQueue=${queue}&status=${status}&page=1&jobsPerPage=100`,
        login,
      );
      if (res.status !== 200) {
        errors.push(`bull board list ${queue}/${status}: HTTP ${res.status}`);
        continue;
      }
      const parsed = JSON.parse(res.text) as { queues?: { name: string; jobs?: { id?: string }[] }[] };
      for (const q of parsed.queues ?? []) {
        for (const job of q.jobs ?? []) {
          if (!job.id) continue;
          const ids = jobIds[q.name] ?? new Set<string>();
          ids.add(job.id);
          jobIds[q.name] = ids;
        }
      }
    }
  }
  let boardJobDetails = 0;
  for (const [queue, ids] of Object.entries(jobIds)) {
    for (const jobId of [...ids].slice(0, 25)) {
      const path = `/admin/queues/api/queues/${queue}/${encodeURIComponent(jobId)}`;
      const detail = await call('GET', path, login);
      if (detail.status === 200) boardJobDetails++;
      else if (detail.status !== 404) errors.push(`bull board ${path}: HTTP ${detail.status}`);
      await call('GET', `${path}/logs`, login);
    }
  }
  return {
    doors: checks,
    pagesScanned,
    boardJobDetails,
    metricsStatus,
    unauthenticatedPostCreatedNothing,
    errors,
  };
}
