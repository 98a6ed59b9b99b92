import { describe, expect, test } from 'vitest';
import { logWorkerErrors, UNREACHABLE_REPEAT_MS } from '../../../src/worker/worker-errors.js';
import { captureLogger } from '../../helpers/capture-log.js';

/** A BullMQ worker's error events: an outage said once (then every 30 s), anything else each time. */

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });

describe('logWorkerErrors', () => {
  test('Redis unreachable: one line, then one every 30 s counting the errors in between', () => {
    const log = captureLogger();
    let now = 1_000;
    const onError = logWorkerErrors(log.logger, 'payout', () => now);
    for (let i = 0; i < 20; i++) {
      onError(refused());
      now += 400;
    }
    now += UNREACHABLE_REPEAT_MS;
    onError(refused());
    const lines = log.lines.map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 40,
      msg: 'payout worker cannot reach Redis: it waits and resumes by itself',
    });
    expect(lines[0].repeated).toBeUndefined();
    expect(lines[1]).toMatchObject({ level: 40, repeated: 19 });
  });

  test('any other error is logged each time, as an error', () => {
    const log = captureLogger();
    const onError = logWorkerErrors(log.logger, 'maintenance', () => 0);
    onError(new Error('ERR Error running script: attempt to compare nil with number'));
    onError(new Error('ERR Error running script: attempt to compare nil with number'));
    onError(refused());
    const lines = log.lines.map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [50, 'maintenance worker error'],
      [50, 'maintenance worker error'],
      [40, 'maintenance worker cannot reach Redis: it waits and resumes by itself'],
    ]);
  });
});
