import { describe, expect, test } from 'vitest';
import { CONNECTION_LOST_REPEAT_MS, logWorkerErrors } from '../../../src/worker/worker-errors.js';
import { captureLogger } from '../../helpers/capture-log.js';

/** A BullMQ worker's error events: an outage said once (then every 30 s), anything else each time. */

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });

describe('logWorkerErrors', () => {
  test('Redis unreachable: one line, then one every 30 s counting the errors in between', () => {
    const log = captureLogger();
    let now = 1_000;
    const onError = logWorkerErrors(log.logger, 'payout', () => now);
    // Refused while Redis restarts, or its name not found while its container is away.
    const notFound = () => Object.assign(new Error('getaddrinfo ENOTFOUND redis'), { code: 'ENOTFOUND' });
    for (let i = 0; i < 20; i++) {
      onError(i % 2 ? notFound() : refused());
      now += 400;
    }
    now += CONNECTION_LOST_REPEAT_MS;
    onError(refused());
    const lines = log.lines.map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: 'payout worker lost its Redis connection: it reconnects by itself',
    });
    expect(lines[0].repeated).toBeUndefined();
    expect(lines[1]).toMatchObject({ level: 50, repeated: 19 });
  });

  test('any other error is logged each time, Redis refusing commands (full, a replica) included', () => {
    const log = captureLogger();
    const onError = logWorkerErrors(log.logger, 'maintenance', () => 0);
    onError(new Error('ERR Error running script: attempt to compare nil with number'));
    onError(new Error("OOM command not allowed when used memory > 'maxmemory'."));
    onError(new Error("READONLY You can't write against a read only replica."));
    onError(new Error("READONLY You can't write against a read only replica."));
    onError(refused());
    const lines = log.lines.map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [50, 'maintenance worker error'],
      [50, 'maintenance worker error'],
      [50, 'maintenance worker error'],
      [50, 'maintenance worker error'],
      [50, 'maintenance worker lost its Redis connection: it reconnects by itself'],
    ]);
  });
});
