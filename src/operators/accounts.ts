import { isRole, ROLES, type Role } from './roles.js';
import { parseSecretHash, SECRET_HASH_FORMAT } from './secret-hash.js';

/**
 * The operators' accounts as configured: OPERATORS (or the file OPERATORS_FILE names) holds
 * `name:role:hash` entries, and DASHBOARD_USER/DASHBOARD_PASSWORD, when set, is one more admin whose
 * secret is given in clear by the deployment.
 */
export interface OperatorAccount {
  name: string;
  role: Role;
  secret: { hash: string } | { plain: string };
}

/** Letters, digits and `. _ @ -`: a name shows in history lines, audit records and terminals. */
export const OPERATOR_NAME = /^[A-Za-z0-9._@-]{1,64}$/;

/**
 * Parses `name:role:hash` entries separated by commas or new lines (a file may hold one per line,
 * with `#` comments). Throws an Error whose message names the bad entry by its position and name,
 * never by its hash.
 */
export function parseOperatorEntries(text: string): OperatorAccount[] {
  const entries = text
    .split(/[,\n]/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '');
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const [name = '', role = '', hash = '', ...rest] = entry.split(':');
    const where = `entry ${i + 1}${OPERATOR_NAME.test(name) ? ` (${name})` : ''}`;
    if (rest.length > 0 || hash === '') throw new Error(`${where} must be name:role:hash`);
    if (!OPERATOR_NAME.test(name))
      throw new Error(`${where}: the name must be 1-64 letters, digits or . _ @ -`);
    if (!isRole(role)) throw new Error(`${where}: the role must be one of ${ROLES.join(', ')}`);
    if (!parseSecretHash(hash)) throw new Error(`${where}: the hash must be ${SECRET_HASH_FORMAT}`);
    if (seen.has(name)) throw new Error(`${where}: the name is given twice`);
    seen.add(name);
    return { name, role, secret: { hash } };
  });
}
