import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { luhnValid, maskCardNumbers } from '../../../src/logger.js';
import { generateRunSecrets, type RunSecrets, SecretScanner } from '../../chaos/secrets.js';
import { scanLogs, scanRedis } from '../../chaos/security-scan.js';
import { startPrivateRedis } from '../../helpers/private-redis.js';

/**
 * The chaos run's scan passes only if it can fail: every kind of secret, planted in every Redis type,
 * in a key deleted since (still in the AOF) and in a log line, is found.
 */

let secrets: RunSecrets;
beforeAll(() => {
  secrets = generateRunSecrets();
});

describe('the secret scanner', () => {
  test("the run's card numbers are distinct, Luhn-valid and masked by the product's masker", () => {
    expect(new Set(secrets.cards).size).toBe(secrets.cards.length);
    for (const card of secrets.cards) {
      expect(card).toMatch(/^\d{16}$/);
      expect(luhnValid(card)).toBe(true);
      expect(maskCardNumbers(`x ${card} y`)).toBe(`x ${card.slice(0, 6)}******${card.slice(-4)} y`);
    }
  });

  test('finds each kind of secret, and not their masked or context-free forms', () => {
    const scanner = new SecretScanner(secrets);
    const key = Buffer.from(secrets.payloadKey, 'base64');
    const signature = 'ab'.repeat(20);
    scanner.addSignatures([signature]);
    const planted: [string, string][] = [
      ['card_number#1', `{"card_number":"${secrets.cards[0]}"}`],
      ['wallet_password#2', `password=${secrets.walletPasswords[1]}`],
      ['MERCHANT_KEY', `MERCHANT_KEY: ${secrets.merchantKey}`],
      ['SIGNATURE_SALT', `salt ${secrets.salt}`],
      ['PAYLOAD_KEY', secrets.payloadKey],
      ['PAYLOAD_KEY(hex)', key.toString('hex')],
      ['API_KEYS', `Bearer ${secrets.apiKey}`],
      ['DASHBOARD_PASSWORD', secrets.dashboardPassword],
      ['NOTIFY_SECRET', secrets.notifySecret],
      ['cvv', `{"cvv":"${secrets.cvvs[0]}"}`],
      ['cvv', `cvv=${secrets.cvvs[1]}`],
      ['cvv', `{"payment_data":{"cvv":"123"}}`],
      ['request_signature', `"signature":"${signature}"`],
    ];
    for (const [label, text] of planted) {
      expect({ label, hits: scanner.scan('test', label, text) }).toEqual({ label, hits: 1 });
      expect(scanner.hits.at(-1)!.secret).toBe(label);
    }
    // The report names the secret and never shows it.
    for (const hit of scanner.hits) {
      for (const value of [...secrets.cards, secrets.merchantKey, secrets.salt, ...secrets.cvvs]) {
        expect(hit.context).not.toContain(value);
      }
    }
    const before = scanner.hitCount;
    scanner.scan(
      'test',
      'clean',
      `card ${maskCardNumbers(secrets.cards[0]!)} port ${secrets.cvvs[0]} ${'cd'.repeat(20)}`,
    );
    scanner.scan('test', 'clean', 'card security codes (cvv) are never accepted for payouts');
    // The API reference's deposit example shows a made-up cvv; a run's own cvv there still counts.
    const example = '{"payment_data":{"cvv":"123"}}';
    scanner.scan('test', 'docs', example, { documentation: true });
    expect(scanner.hitCount).toBe(before);
    expect(scanner.scan('test', 'docs', `{"cvv":"${secrets.cvvs[2]}"}`, { documentation: true })).toBe(1);
  });
});

describe('the Redis scan', () => {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let client: Redis;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    const dir = await client
      ?.config('GET', 'dir')
      .then((r) => (r as string[])[1])
      .catch(() => undefined);
    client?.disconnect();
    await redis?.stop();
    if (dir?.includes('payouts-redis-')) rmSync(dir, { recursive: true, force: true });
  });

  test('reads every type (and the AOF), and names keys outside the prefix', async () => {
    const card = secrets.cards[0]!;
    const base = '{scan-test}';
    await client.set(`${base}:string`, `x${card}`);
    await client.hset(`${base}:hash`, 'payload', `{"card_number":"${card}"}`);
    await client.rpush(`${base}:list`, 'a', `password ${secrets.walletPasswords[0]}`);
    await client.sadd(`${base}:set`, secrets.merchantKey);
    await client.zadd(`${base}:zset`, 1, secrets.salt);
    await client.xadd(`${base}:stream`, '*', 'data', `{"cvv":"${secrets.cvvs[0]}"}`);
    await client.set('elsewhere', 'nothing secret');
    // Written and deleted: gone from the keys, still in the append-only file.
    await client.set(`${base}:gone`, `deleted ${secrets.apiKey}`);
    await client.del(`${base}:gone`);

    const scanner = new SecretScanner(secrets);
    const result = await scanRedis(client, base, scanner);
    expect(result.byType).toEqual({ string: 2, hash: 1, list: 1, set: 1, zset: 1, stream: 1 });
    expect(result.outsidePrefix).toEqual(['elsewhere']);
    const fromKeys = scanner.hits.filter((h) => h.source.startsWith('redis:'));
    expect(fromKeys.map((h) => h.source.split(' ')[0]).sort()).toEqual([
      'redis:hash',
      'redis:list',
      'redis:set',
      'redis:stream',
      'redis:string',
      'redis:zset',
    ]);
    expect(result.aofFiles).toBeGreaterThan(0);
    const fromDisk = scanner.hits.filter((h) => h.source.startsWith('redis-disk:')).map((h) => h.secret);
    expect(fromDisk).toContain('API_KEYS');
    expect(fromDisk).toContain('card_number#1');
  });

  test('scans every log line', () => {
    const scanner = new SecretScanner(secrets);
    const counts = scanLogs(
      [
        { source: 'worker-1#2', stream: 'stdout', text: '{"msg":"ok"}' },
        { source: 'worker-1#3', stream: 'stderr', text: `Error: key ${secrets.merchantKey}` },
        { source: 'api#1', stream: 'stdout', text: '{"msg":"ok"}' },
      ],
      scanner,
    );
    expect(counts).toEqual({ 'worker-1': 2, api: 1 });
    expect(scanner.hits.map((h) => [h.source, h.secret])).toEqual([
      ['log:worker-1#3:stderr', 'MERCHANT_KEY'],
    ]);
  });
});
