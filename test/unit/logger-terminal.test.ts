import { Writable } from 'node:stream';
import { expect, test } from 'vitest';
import { createLogger, createTerminalStream } from '../../src/logger.js';

const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
const err = new Error('Redis did not answer', { cause });

test.each([
  ['an error with a cause', { role: 'request', code: 'ECONNREFUSED', err }, 'redis connection error'],
  ['an error under `error`', { error: err }, 'failed'],
  [
    'a transition',
    { external_id: 'po-1', from: 'queued', to: 'sending', attempt: 1, duration_ms: 3 },
    'moved',
  ],
  ['nested fields', { outcome: { kind: 'unknown', http: { status: 500, body: 'a\nb' } } }, 'gateway'],
  ['no fields', {}, 'started'],
])('in a terminal, %s is logged on one line', async (_what, fields, msg) => {
  const chunks: string[] = [];
  let written: () => void = () => undefined;
  const firstWrite = new Promise<void>((resolve) => {
    written = resolve;
  });
  const sink = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      written();
      done();
    },
  });
  const stream = createTerminalStream(sink);
  const log = createLogger({ level: 'info', destination: stream });
  log.warn(fields, msg);
  await firstWrite;
  // Everything pino-pretty makes of one event arrives in one write.
  const text = chunks.join('');
  expect(text.split('\n').filter(Boolean)).toHaveLength(1);
  expect(text).toContain(msg);
  expect(text).not.toMatch(/\s+at /);
  if ('err' in fields || 'error' in fields) {
    expect(text).toContain(
      'Error: Redis did not answer; cause: Error: connect ECONNREFUSED 127.0.0.1:6379 (ECONNREFUSED)',
    );
  }
});
