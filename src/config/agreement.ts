import type { Env } from './env-schema.js';
import { ConfigError } from './error.js';

/** Settings that each pass the schema but must agree with another. */
export function checkSettingsAgree(e: Env): void {
  if ((e.NOTIFY_URL === undefined) !== (e.NOTIFY_SECRET === undefined)) {
    throw new ConfigError(
      e.NOTIFY_URL === undefined ? 'NOTIFY_URL' : 'NOTIFY_SECRET',
      'NOTIFY_URL and NOTIFY_SECRET go together: set both or neither',
    );
  }
  if (e.RETRY_MAX_DELAY_MS < e.RETRY_BASE_DELAY_MS) {
    throw new ConfigError('RETRY_MAX_DELAY_MS', 'must be at least RETRY_BASE_DELAY_MS');
  }
}
