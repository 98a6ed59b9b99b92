import { entryTail } from './history.js';
import { APPEND_HISTORY, PUSH_OUTBOXES } from './scripts.js';

/**
 * The record's creation, with the controls consulted in the same atomic step: the hard cap per
 * currency refuses it, an approval rule or a per-customer limit holds it in `awaiting_approval`,
 * and the payout is counted in its customer's rolling 24-hour window. Being one script, no two
 * payouts of one customer are counted against a limit at the same time: fifty created together
 * are counted one after the other.
 *
 * The rules and limits are the JSON lists src/controls stores (validated there): rules
 * `{currency, method?, min_amount, approvals}`, limits `{currency, max_amount?, per_customer_24h?:
 * {count?, amount?}}`. The window holds `amount|external_id` members scored by creation time;
 * rejected and cancelled payouts leave it (TRANSITION).
 *
 * KEYS: record, history, queued index, outbox, sealed payload, ledger outbox, tombstone,
 *       awaiting_approval index, approval rules, limits, the customer's window, the deposit record
 *       under the same external_id
 * ARGV: 1 digest, 2 now, 3 history entry's tail (history.ts) for a payout not held, 4 external_id,
 *       5 outboxes (scripts.ts: n, l; N, L as the deployment has them), 6 sealed payload ('' when
 *       the method takes none), 7 method,
 *       8 amount, 9 currency, 10 start of the window (now - 24 h), 11 the window's time to live (ms),
 *       pairs...
 * Returns {1, status, reason} when created, {0, digest, status} when the external_id exists,
 * {0, digest, 'archived'} when only its tombstone is left (archive.ts): an external_id once accepted
 * is never new again; {-2, max_amount} when the amount is over the currency's cap (nothing written);
 * {-3} when a deposit holds the external_id (nothing written): the gateway takes it as one merchant
 * order id for deposits and payouts, and the deposit's start (deposits/scripts.ts) checks the payout's
 * keys likewise, so of the two made at once only one is accepted.
 */
export const CREATE = `${APPEND_HISTORY}${PUSH_OUTBOXES}
local outboxes = resolve_outboxes(ARGV[5], KEYS[4])
local existing = redis.call('HMGET', KEYS[1], 'digest', 'status')
if existing[2] then return {0, existing[1] or '', existing[2]} end
local tomb = redis.call('GET', KEYS[7])
if tomb then return {0, tomb, 'archived'} end
if redis.call('EXISTS', KEYS[12]) == 1 then return {-3} end
local method, amount, currency = ARGV[7], tonumber(ARGV[8]), ARGV[9]
local function int(n) return string.format('%d', n) end

local limit
local raw = redis.call('GET', KEYS[10])
if raw then
  for _, l in ipairs(cjson.decode(raw)) do if l.currency == currency then limit = l end end
end
if limit and limit.max_amount and amount > limit.max_amount then return {-2, int(limit.max_amount)} end

local needed, reasons = 0, {}
raw = redis.call('GET', KEYS[9])
if raw then
  -- The rule asking the most approvals wins; between equals, the highest threshold names the reason.
  local best
  for _, r in ipairs(cjson.decode(raw)) do
    if r.currency == currency and (r.method == nil or r.method == method) and amount >= r.min_amount
      and (best == nil or r.approvals > best.approvals
        or (r.approvals == best.approvals and r.min_amount > best.min_amount)) then
      best = r
    end
  end
  if best then
    needed = best.approvals
    reasons[#reasons + 1] = 'approval_rule: ' .. currency .. (best.method and (' ' .. best.method) or '') ..
      ' min_amount ' .. int(best.min_amount) .. ', ' .. int(best.approvals) .. ' approval(s)'
  end
end

local per = limit and limit.per_customer_24h
if per then
  -- Counting the new payout: the limit is how many (or how much) one customer may have in 24 hours.
  -- The window is read only when a limit asks for it, and walked only for an amount limit: a
  -- customer with thousands of payouts a day costs every create nothing otherwise.
  local count, sum = redis.call('ZCOUNT', KEYS[11], ARGV[10], '+inf') + 1, amount
  if per.amount then
    for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[11], ARGV[10], '+inf')) do
      sum = sum + (tonumber(string.match(m, '^(%d+)|')) or 0)
    end
  end
  if per.count and count > per.count then
    reasons[#reasons + 1] = 'limit: ' .. currency .. ' per_customer_24h.count ' .. int(per.count) ..
      ' (this is payout ' .. int(count) .. ' in 24 h)'
    if needed == 0 then needed = 1 end
  elseif per.amount and sum > per.amount then
    reasons[#reasons + 1] = 'limit: ' .. currency .. ' per_customer_24h.amount ' .. int(per.amount) ..
      ' (this makes ' .. int(sum) .. ' in 24 h)'
    if needed == 0 then needed = 1 end
  end
end

local held = #reasons > 0
local status = held and 'awaiting_approval' or 'queued'
local reason = table.concat(reasons, '; ')
local hist = redis.call('GET', KEYS[2])
local fields = {}
for i = 12, #ARGV do fields[#fields + 1] = ARGV[i] end
-- No 'attempts' field until a claim writes one (12 bytes of every queued record): every reader,
-- this version's and the one before, which wrote '0', takes an absent one as 0 (record.ts,
-- TRANSITION, the ledger's rows).
for _, v in ipairs({'digest', ARGV[1], 'status', status, 'seq', '1',
  'created_at', ARGV[2], 'updated_at', ARGV[2]}) do fields[#fields + 1] = v end
if held then
  for _, v in ipairs({'reason', reason, 'approvals_needed', int(needed)}) do fields[#fields + 1] = v end
end
redis.call('HSET', KEYS[1], unpack(fields))
if ARGV[6] ~= '' then redis.call('SET', KEYS[5], ARGV[6]) end
local tail = held and ('${entryTail('created', 'producer')}' .. cjson.encode({reason = reason})) or ARGV[3]
append_history(hist, history_line(1, ARGV[2], '', status, '', tail))
redis.call('ZADD', held and KEYS[8] or KEYS[3], tonumber(ARGV[2]), ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[11], '-inf', '(' .. ARGV[10])
redis.call('ZADD', KEYS[11], tonumber(ARGV[2]), ARGV[8] .. '|' .. ARGV[4])
redis.call('PEXPIRE', KEYS[11], ARGV[11])
push_outboxes(outboxes, KEYS[4], KEYS[6], ARGV[4], 1, ARGV[2])
return {1, status, reason}
`;
