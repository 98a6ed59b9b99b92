export {
  createPayoutHttpClient,
  type HttpClientOptions,
  PayoutApiError,
  type PayoutHttpClient,
  PayoutNetworkError,
} from './http-client.js';
export { verifyNotification } from './verify-notification.js';
