import type { Redis } from 'ioredis';
import { AUDIT_XADD, type AuditVia, auditFields, auditKey } from '../operators/audit.js';
import { payoutKeys } from '../payout/keys.js';
import { runScript } from '../redis.js';
import type { ApprovalRule, Limit } from './schemas.js';

/**
 * The controls as stored in Redis, under QUEUE_PREFIX, so they survive restarts and every API,
 * worker and CLI process reads the same. A change and its audit entry (before and after) are written
 * by one script: no change goes unaudited, and `before` is exactly what it replaced.
 */

/** KEYS: the control, the audit stream. ARGV: 1 the new value (JSON), 2 the value when unset, audit fields... */
const REPLACE_CONTROL = `${AUDIT_XADD}
local before = redis.call('GET', KEYS[1]) or ARGV[2]
redis.call('SET', KEYS[1], ARGV[1])
local fields = {}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
audit(KEYS[2], fields, before, ARGV[1])
return before
`;

export interface ChangeBy {
  who: string;
  via: AuditVia;
  note?: string | undefined;
}

export type ControlsStore = ReturnType<typeof createControlsStore>;

export function createControlsStore(deps: { redis: Redis; queuePrefix: string; now?: () => number }) {
  const { redis } = deps;
  const keys = payoutKeys(deps.queuePrefix);
  const audit = auditKey(deps.queuePrefix);
  const now = deps.now ?? Date.now;

  const readList = async <T>(key: string): Promise<T[]> => {
    const raw = await redis.get(key);
    return raw ? (JSON.parse(raw) as T[]) : [];
  };

  async function replace<T>(key: string, action: string, target: string, value: T[], by: ChangeBy) {
    const before = (await runScript(
      redis,
      REPLACE_CONTROL,
      2,
      key,
      audit,
      JSON.stringify(value),
      '[]',
      ...auditFields({ who: by.who, via: by.via, action, target, note: by.note }, now()),
    )) as string;
    return { before: JSON.parse(before) as T[], after: value };
  }

  return {
    approvalRules: () => readList<ApprovalRule>(keys.approvalRules),
    limits: () => readList<Limit>(keys.limits),
    /** Replaces every approval rule (already validated by `approvalRulesBody`). */
    replaceApprovalRules: (rules: ApprovalRule[], by: ChangeBy) =>
      replace(keys.approvalRules, 'controls.approval_rules', 'approval_rules', rules, by),
    /** Replaces every limit (already validated by `limitsBody`). */
    replaceLimits: (limits: Limit[], by: ChangeBy) =>
      replace(keys.limits, 'controls.limits', 'limits', limits, by),
  };
}
