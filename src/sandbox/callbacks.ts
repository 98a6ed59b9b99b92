import type { GatewayStatusCode } from '../gateway/outcome.js';
import { withSignature } from '../gateway/signature.js';
import type { Logger } from '../logger.js';
import { type CallbackPoster, createCallbackPoster } from './callback-post.js';
import type { Timers } from './timers.js';

/**
 * The gateway's callbacks (SPEC.md "Callbacks"): a signed POST of the order's status, repeated until
 * the merchant answers HTTP 200 with JSON `{"result":"ok"}`. Each attempt is callback-post.ts's.
 */

/**
 * Waits between attempts: after the first, 45 s, 2, 5, 10 and 30 minutes, then hourly for 24 hours.
 * SPEC.md does not say whether these are gaps or times since the first attempt; we read them as gaps.
 * The sandbox multiplies them by its timeScale.
 */
export const CALLBACK_RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  45_000,
  2 * 60_000,
  5 * 60_000,
  10 * 60_000,
  30 * 60_000,
  ...Array.from({ length: 24 }, () => 60 * 60_000),
]);

/** The callback body before signing. */
export interface CallbackPayload {
  status: GatewayStatusCode;
  type: number;
  external_id: string;
  order_id: string;
  amount: number;
  currency: string;
  customer_id: string;
  reason_code?: string | undefined;
  reason?: string | undefined;
}

export interface CallbackAttempt {
  at: string;
  /** `ok`, `http_<status>`, `not_ok_body` (200 without `{"result":"ok"}`), or `network_error:<code>`. */
  result: string;
}

/** One callback (one status) and every attempt to deliver it. */
export interface CallbackDelivery {
  status: GatewayStatusCode;
  attempts: CallbackAttempt[];
  acknowledged: boolean;
  gaveUp: boolean;
}

export interface CallbackSenderOptions {
  /** Where callbacks go; without it none is sent. */
  url: string | undefined;
  salt: string;
  timeScale: number;
  timers: Timers;
  logger?: Logger | undefined;
}

export interface CallbackSender {
  /**
   * Starts delivering one callback; the record is appended to `deliveries` at once. `firstAttempt`
   * settles after the first try, `acknowledged` when the merchant said ok (true) or the schedule ran
   * out or the sandbox closed (false).
   */
  deliver(
    payload: CallbackPayload,
    deliveries: CallbackDelivery[],
  ): { firstAttempt: Promise<void>; acknowledged: Promise<boolean> };
  close(): void;
}

export function createCallbackSender(options: CallbackSenderOptions): CallbackSender {
  const { url, salt, timeScale, timers, logger } = options;
  const poster = createCallbackPoster(url);
  const context: DeliveryContext = { poster, salt, timeScale, timers, logger };
  return {
    deliver(payload, deliveries) {
      const delivery: CallbackDelivery = {
        status: payload.status,
        attempts: [],
        acknowledged: false,
        gaveUp: false,
      };
      deliveries.push(delivery);
      if (url === undefined || timers.isClosed) {
        return { firstAttempt: Promise.resolve(), acknowledged: Promise.resolve(false) };
      }
      let firstDone: () => void = () => {};
      const firstAttempt = new Promise<void>((resolve) => {
        firstDone = resolve;
      });
      return { firstAttempt, acknowledged: run(context, payload, delivery, firstDone) };
    },
    close() {
      poster.close();
    },
  };
}

/** What delivering one callback on the schedule needs. */
interface DeliveryContext {
  poster: CallbackPoster;
  salt: string;
  timeScale: number;
  timers: Timers;
  logger: Logger | undefined;
}

/** Tries one callback on the schedule until the merchant acknowledges it, the schedule runs out or the sandbox closes. */
async function run(
  context: DeliveryContext,
  payload: CallbackPayload,
  delivery: CallbackDelivery,
  firstDone: () => void,
) {
  const { poster, salt, timeScale, timers, logger } = context;
  const body = JSON.stringify(withSignature({ ...payload }, salt));
  const log = { external_id: payload.external_id, callback_status: payload.status };
  for (let i = 0; ; i++) {
    const result = await poster.attempt(body);
    if (timers.isClosed) {
      firstDone();
      return false;
    }
    delivery.attempts.push({ at: new Date().toISOString(), result });
    if (i === 0) firstDone();
    if (result === 'ok') {
      delivery.acknowledged = true;
      logger?.info({ ...log, attempt: i + 1 }, 'sandbox callback acknowledged');
      return true;
    }
    const delay = CALLBACK_RETRY_DELAYS_MS[i];
    if (delay === undefined) {
      delivery.gaveUp = true;
      logger?.warn({ ...log, attempts: i + 1 }, 'sandbox callback never acknowledged: giving up');
      return false;
    }
    logger?.debug({ ...log, attempt: i + 1, result }, 'sandbox callback not acknowledged: will retry');
    if (!(await timers.sleep(delay * timeScale))) return false;
  }
}
