/**
 * Operator roles, each including the ones before it (DESIGN.md, OPERATORS): a viewer reads; an
 * operator also resolves and cancels; an approver also approves and declines; an admin also changes
 * rules, limits and pauses.
 */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (s: unknown): s is Role =>
  typeof s === 'string' && (ROLES as readonly string[]).includes(s);

/** True when `held` includes everything `needed` may do. */
export const roleAtLeast = (held: Role, needed: Role): boolean =>
  ROLES.indexOf(held) >= ROLES.indexOf(needed);
