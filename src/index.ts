import { type Config, loadConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { connectProducer } from './producer/connect.js';
import type { EnqueueResult } from './producer/producer.js';
import type { PayoutView } from './producer/view.js';

/**
 * The library entry point for Node backends: enqueue payouts and read them without going through
 * HTTP, with the same validation, idempotency and errors as the API.
 *
 * ```ts
 * const payouts = createPayoutClient(); // reads the same settings as the service
 * const { created, payout } = await payouts.enqueuePayout({ method: 'bank_card', ... });
 * ```
 */

export {
  createPayoutHttpClient,
  type HttpClientOptions,
  PayoutApiError,
  type PayoutHttpClient,
  PayoutNetworkError,
  verifyNotification,
} from './client/index.js';
export { ConfigError, loadConfig } from './config.js';
export {
  ConflictError,
  NotFoundError,
  PayoutError,
  StoreUnavailableError,
  TransitionRefusedError,
  ValidationError,
} from './errors.js';
export type { GatewayRequest, Issue, MethodId } from './methods/index.js';
export { methodIds, validateDepositRequest, validatePayoutRequest } from './methods/index.js';
export type { PayoutState } from './payout/states.js';
export type { EnqueueResult } from './producer/producer.js';
export type { PayoutView } from './producer/view.js';

export interface PayoutClient {
  /** Validates and enqueues; throws ValidationError (422), ConflictError (409), StoreUnavailableError (503). */
  enqueuePayout(request: unknown): Promise<EnqueueResult>;
  /** Throws NotFoundError. */
  getPayout(externalId: string): Promise<PayoutView>;
  close(): Promise<void>;
}

export function createPayoutClient(options: { config?: Config; logger?: Logger } = {}): PayoutClient {
  const config = options.config ?? loadConfig();
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const { producer, close } = connectProducer(config, logger, 'request');
  return {
    enqueuePayout: (request) => producer.enqueuePayout(request),
    getPayout: (externalId) => producer.getPayout(externalId),
    close,
  };
}
