import { createHmac, randomBytes } from 'node:crypto';
import { matchesAny } from '../http/auth.js';
import type { OperatorAccount } from './accounts.js';
import type { Role } from './roles.js';
import { hashSecret, verifySecret } from './secret-hash.js';

/** Who acts: an operator's name and role, from the credential they presented. */
export interface Operator {
  name: string;
  role: Role;
}

export type Authenticate = (name: string, secret: string) => Promise<Operator | undefined>;

/** How many proven credentials are remembered, so a busy console does not pay scrypt per request. */
const REMEMBERED = 1_000;

/**
 * Checks an operator's name and secret against the configured accounts. Every attempt costs one
 * scrypt, whether or not the name exists, so the time taken says nothing about which names do; a
 * credential once proven is remembered (by a keyed digest, never in clear) for this process's life.
 */
export function createAuthenticator(accounts: readonly OperatorAccount[]): Authenticate {
  const byName = new Map(accounts.map((a) => [a.name, a]));
  const key = randomBytes(32);
  const proven = new Map<string, Operator>();
  const decoy = hashSecret(randomBytes(16).toString('hex'));
  const fingerprint = (name: string, secret: string) =>
    createHmac('sha256', key).update(name).update('\0').update(secret).digest('base64');

  return async (name, secret) => {
    const print = fingerprint(name, secret);
    const known = proven.get(print);
    if (known) return known;
    const account = byName.get(name);
    let ok: boolean;
    if (account && 'plain' in account.secret) {
      // The dashboard's admin: its secret is configured in clear, compared in constant time; the
      // decoy keeps its failures as slow as any other.
      ok = matchesAny(secret, [account.secret.plain]);
      if (!ok) await verifySecret(secret, await decoy);
    } else {
      const hash = account && 'hash' in account.secret ? account.secret.hash : await decoy;
      const valid = await verifySecret(secret, hash);
      ok = valid && account !== undefined;
    }
    if (!ok || !account) return undefined;
    const operator = { name: account.name, role: account.role };
    if (proven.size >= REMEMBERED) proven.clear();
    proven.set(print, operator);
    return operator;
  };
}
