import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { SecretScanner } from './secrets.js';

/** Every key of the run's Redis, read by its type, and its AOF and RDB files on disk, through the secret scan. */

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
  const inMemory = await scanKeys(redis, keyBase, scanner);
  return { ...inMemory, ...(await scanDisk(redis, scanner)) };
}

async function scanKeys(redis: Redis, keyBase: string, scanner: SecretScanner) {
  const byType: Record<string, number> = {};
  const outsidePrefix: string[] = [];
  let keys = 0;
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', SCAN_BATCH);
    cursor = next;
    if (batch.length === 0) continue;
    const { kinds, values } = await readByType(redis, batch);
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
  return { keys, byType, outsidePrefix };
}

/** Each key's TYPE, then its whole value, one read per key in the same order. */
async function readByType(redis: Redis, batch: string[]) {
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
  return { kinds, values: await reads.exec() };
}

/**
 * The AOF holds every write ever made, also to keys deleted since: a secret written for a moment
 * (and deleted once the payout was terminal) would still be on disk in it.
 */
async function scanDisk(redis: Redis, scanner: SecretScanner) {
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
  return { aofFiles, aofBytes };
}
