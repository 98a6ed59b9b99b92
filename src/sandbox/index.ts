export {
  CALLBACK_RETRY_DELAYS_MS,
  type CallbackAttempt,
  type CallbackDelivery,
  type CallbackPayload,
} from './callbacks.js';
export type { FaultOptions, LatencyOptions } from './faults.js';
export { methodNamedBy, validateGatewayBody } from './infer-method.js';
export { parseScenario, type Scenario } from './markers.js';
export {
  createRedisOrderStore,
  SANDBOX_RETENTION_MS,
  type SandboxOrderStore,
  sandboxOrdersKey,
} from './order-store.js';
export type { SandboxRecord } from './orders.js';
export { createSandbox, type Sandbox, type SandboxOptions, SETTLE_DELAY_MS } from './sandbox.js';
