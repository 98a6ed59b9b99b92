import { Writable } from 'node:stream';
import { createLogger, type LoggerOptions } from '../../src/logger.js';

/** A logger writing JSON lines into memory, for tests that read what was logged. */
export function captureLogger(options: Omit<LoggerOptions, 'destination'> = {}) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: 'trace', ...options, destination });
  return { logger, lines, text: () => lines.join('\n') };
}
