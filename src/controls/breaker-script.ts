/** The Lua script that counts one attempt's signal and opens or closes its breaker in one step. */

/**
 * KEYS: breakers, outbox. ARGV: 1 payment_system, 2 signal (`answered` | `no_answer`), 3 now,
 * 4 threshold, 5 window ms, 6 cool-down ms, 7 push events ('1'), 8 the opened event, 9 the closed event.
 * Returns {change ('opened' | 'reopened' | 'closed' | ''), failures}.
 */
export const RECORD_ATTEMPT = `
local ps = ARGV[1]
local now = tonumber(ARGV[3])
local function f(name) return name .. ':' .. ps end
local b = redis.call('HMGET', KEYS[1], f('state'), f('failures'), f('window_start'))
local state = b[1]
if ARGV[2] == 'answered' then
  local failures = tonumber(b[2] or '0') or 0
  redis.call('HDEL', KEYS[1], f('failures'), f('window_start'))
  if not state then return {'', 0} end
  redis.call('HDEL', KEYS[1], f('state'), f('until'), f('cooldown'), f('probe'), f('opened_at'))
  if ARGV[7] == '1' then redis.call('RPUSH', KEYS[2], ARGV[9]) end
  return {'closed', failures}
end
local threshold = tonumber(ARGV[4])
if threshold <= 0 then return {'', 0} end
local failures = tonumber(b[2] or '0') or 0
local start = tonumber(b[3] or '0') or 0
if failures == 0 or now - start > tonumber(ARGV[5]) then
  failures = 0
  start = now
end
failures = failures + 1
redis.call('HSET', KEYS[1], f('failures'), failures, f('window_start'), start)
local untilAt = string.format('%.0f', now + tonumber(ARGV[6]))
if state == 'half_open' then
  redis.call('HSET', KEYS[1], f('state'), 'open', f('until'), untilAt, f('cooldown'), ARGV[6])
  redis.call('HDEL', KEYS[1], f('probe'))
  return {'reopened', failures}
end
if state == 'open' or failures < threshold then return {'', failures} end
redis.call('HSET', KEYS[1], f('state'), 'open', f('until'), untilAt, f('cooldown'), ARGV[6],
  f('opened_at'), ARGV[3])
if ARGV[7] == '1' then redis.call('RPUSH', KEYS[2], ARGV[8]) end
return {'opened', failures}
`;
