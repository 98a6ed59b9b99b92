import type { Currencies } from '../currency/index.js';
import {
  type Direction,
  getMethod,
  type MethodId,
  methodIds,
  type ValidationResult,
  validateDepositRequest,
  validatePayoutRequest,
} from '../methods/index.js';

/**
 * The gateway's body names no method: the manager assigns each merchant a payment_system id per
 * method. The sandbox works the method out in two steps (docs/sandbox.md, "Which method"):
 *
 * 1. A payment_system that names a method, alone or followed by `_`: `BANK_CARD`, `emanat`,
 *    `EMANAT_AZN`, `P2P_CARD_RUB`. Validation then uses that method, so its errors are exact.
 * 2. Any other payment_system (`TEST_PS`): the method whose validator accepts the body, trying the
 *    methods in registry order; when none does, the issues of the method that came closest (fewest
 *    issues), so a missing field is named as such.
 *
 * Methods with the same payment_data (kakaopay, toss, payco: an e-mail) validate alike, so picking
 * the first of them changes nothing the sandbox does.
 */
export function validateGatewayBody(
  body: Record<string, unknown>,
  direction: Direction,
  currencies?: Currencies,
): ValidationResult {
  const { signature: _signature, ...request } = body;
  const validator = direction === 'payout' ? validatePayoutRequest : validateDepositRequest;
  const validate = (input: unknown) => validator(input, currencies);
  const named = methodNamedBy(request.payment_system);
  if (named !== undefined) return asPaymentSystem(validate({ ...request, method: named }));

  let closest: ValidationResult | undefined;
  for (const id of methodIds) {
    if (getMethod(id)[direction] === undefined) continue;
    const result = validate({ ...request, method: id });
    if (result.ok) return result;
    if (closest === undefined || (!closest.ok && result.issues.length < closest.issues.length))
      closest = result;
  }
  return closest ?? { ok: false, issues: [{ path: 'payment_system', message: 'names no known method' }] };
}

/** The body has no `method`: a method refused for this direction is the payment_system's fault. */
function asPaymentSystem(result: ValidationResult): ValidationResult {
  if (result.ok) return result;
  return {
    ok: false,
    issues: result.issues.map((issue) =>
      issue.path === 'method' ? { ...issue, path: 'payment_system' } : issue,
    ),
  };
}

/** The method a payment_system names by the sandbox's convention, if any. */
export function methodNamedBy(paymentSystem: unknown): MethodId | undefined {
  if (typeof paymentSystem !== 'string') return undefined;
  const upper = paymentSystem.trim().toUpperCase();
  return methodIds.find((id) => {
    const name = id.toUpperCase();
    return upper === name || upper.startsWith(`${name}_`);
  });
}
