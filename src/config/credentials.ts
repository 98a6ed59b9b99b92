import { createHash, randomBytes } from 'node:crypto';
import type { OperatorAccount } from '../operators/accounts.js';
import { base64Key, type Env } from './env-schema.js';
import { ConfigError } from './error.js';
import { operatorAccounts } from './sections.js';
import type { Config } from './types.js';

/**
 * The secrets and accounts: required with a real gateway; in sandbox mode the gateway secrets and the
 * payload key are fixed, plainly fake development values (so separate `api`, `worker` and `sandbox`
 * processes agree), and the API key and the dashboard password are random per run and printed at start.
 */

const SANDBOX_MERCHANT_KEY = 'sandbox-merchant-key-not-a-secret';
const SANDBOX_SALT = 'sandbox-salt-not-a-secret';
const SANDBOX_PAYLOAD_KEY = createHash('sha256').update('sandbox payload key, not a secret').digest();

/** Names a secret-bearing key so it can be stored beside ciphertexts without revealing it. */
export const payloadKeyId = (key: Buffer): string =>
  createHash('sha256').update(key).digest('hex').slice(0, 12);

export interface Credentials {
  merchantKey: string;
  salt: string;
  apiKeys: string[];
  dashboard: Config['dashboard'];
  operators: OperatorAccount[];
  payloadKeys: Config['payloadKeys'];
  /** The names of the settings generated for this run (sandbox mode only). */
  generated: string[];
}

/** A setting's value; in sandbox mode, when unset, one made up for this run (and named as generated). */
type Required = (name: string, value: string | undefined, sandboxValue: () => string) => string;

/**
 * The shared dashboard login. With named operators it is optional; without them it is the one admin,
 * and a deployment giving neither is refused naming both ways. Sandbox mode always has one, generated,
 * so a first run can act at once.
 */
function dashboardLogin(
  e: Env,
  sandbox: boolean,
  operators: readonly OperatorAccount[],
  required: Required,
  randomToken: () => string,
): Config['dashboard'] {
  if (!sandbox && e.DASHBOARD_USER === undefined && e.DASHBOARD_PASSWORD === undefined) {
    if (operators.length > 0) return undefined;
    throw new ConfigError(
      'DASHBOARD_USER',
      'DASHBOARD_USER and DASHBOARD_PASSWORD, or OPERATORS, are required when GATEWAY_URL is set',
    );
  }
  const dashboard = {
    user: required('DASHBOARD_USER', e.DASHBOARD_USER, () => 'ops'),
    password: required('DASHBOARD_PASSWORD', e.DASHBOARD_PASSWORD, randomToken),
  };
  if (operators.some((o) => o.name === dashboard.user)) {
    throw new ConfigError('DASHBOARD_USER', `names an operator of OPERATORS (${dashboard.user}) again`);
  }
  return dashboard;
}

export function credentials(e: Env, sandbox: boolean): Credentials {
  const generated: string[] = [];
  const required: Required = (name, value, sandboxValue) => {
    if (value !== undefined) return value;
    if (!sandbox) throw new ConfigError(name, 'is required when GATEWAY_URL is set');
    generated.push(name);
    return sandboxValue();
  };
  const randomToken = () => randomBytes(18).toString('base64url');

  const merchantKey = required('MERCHANT_KEY', e.MERCHANT_KEY, () => SANDBOX_MERCHANT_KEY);
  const salt = required('SIGNATURE_SALT', e.SIGNATURE_SALT, () => SANDBOX_SALT);
  const apiKeys = required('API_KEYS', e.API_KEYS, randomToken)
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  if (apiKeys.length === 0) throw new ConfigError('API_KEYS', 'must hold at least one key');
  const operators = operatorAccounts(e.OPERATORS, e.OPERATORS_FILE);
  const dashboard = dashboardLogin(e, sandbox, operators, required, randomToken);
  if (dashboard)
    operators.push({ name: dashboard.user, role: 'admin', secret: { plain: dashboard.password } });

  let payloadKey = e.PAYLOAD_KEY;
  if (payloadKey === undefined) {
    if (!sandbox) throw new ConfigError('PAYLOAD_KEY', 'is required when GATEWAY_URL is set');
    generated.push('PAYLOAD_KEY');
    payloadKey = SANDBOX_PAYLOAD_KEY;
  }
  const previous = (e.PAYLOAD_OLD_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '')
    .map((k) => {
      const r = base64Key.safeParse(k);
      if (!r.success)
        throw new ConfigError('PAYLOAD_OLD_KEYS', 'each key must be base64 of exactly 32 bytes');
      return { id: payloadKeyId(r.data), key: r.data };
    });
  const payloadKeys = { current: { id: payloadKeyId(payloadKey), key: payloadKey }, previous };
  return { merchantKey, salt, apiKeys, dashboard, operators, payloadKeys, generated };
}
