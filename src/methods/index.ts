export {
  currency,
  EXTERNAL_ID_MESSAGE,
  EXTERNAL_ID_PATTERN,
  jobIdFor,
  MAIN_ONLY,
  NO_CONTROL_CHARACTERS,
  noControlCharacters,
} from './common.js';
export { toIssues } from './issues.js';
export { getMethod, isMethodId, maskPaymentData, methodIds, methods } from './registry.js';
export { depositRequestSchema, exampleRequest, payoutRequestSchema } from './request-schema.js';
export type {
  AddIssue,
  Direction,
  Issue,
  MainOnly,
  MethodId,
  PaymentData,
  PaymentDataSchema,
  PaymentDataSpec,
  PaymentMethod,
  RefineInput,
} from './types.js';
export type { Customer, GatewayRequest, PayoutInput, ValidationResult } from './validate.js';
export { validateDepositRequest, validatePayoutRequest } from './validate.js';
