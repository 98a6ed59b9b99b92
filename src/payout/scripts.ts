/**
 * The record's Lua scripts. Each runs atomically in Redis: no reader ever sees a state without its
 * history entry, and no two writers both move the same state. Each reads everything it needs before
 * its first write, so a script that fails (a key of the wrong type, say) fails having written nothing.
 *
 * Indexes: one sorted set per state (score: time of the last move).
 * History: one string per payout, its entries (history.ts) one per line, rewritten whole on each
 * append so Redis keeps it at its exact size (a finished payout keeps its history for good).
 */

/** Appends a line to the history string in KEYS[2], given its value as read before any write. */
const APPEND_HISTORY = `
local function append_history(h, line)
  redis.call('SET', KEYS[2], h and (h .. '\\n' .. line) or line)
end
`;

/**
 * KEYS: record, history, queued index, outbox, sealed payload
 * ARGV: 1 digest, 2 now, 3 history entry's tail (history.ts), 4 external_id, 5 push to outbox ('1'),
 *       6 sealed payload ('' when the method takes none), pairs...
 * Returns {1} when created, {0, digest, status} when the external_id exists.
 */
export const CREATE = `${APPEND_HISTORY}
local existing = redis.call('HMGET', KEYS[1], 'digest', 'status')
if existing[2] then return {0, existing[1] or '', existing[2]} end
local hist = redis.call('GET', KEYS[2])
local fields = {}
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
for _, v in ipairs({'digest', ARGV[1], 'status', 'queued', 'attempts', '0', 'seq', '1',
  'created_at', ARGV[2], 'updated_at', ARGV[2]}) do fields[#fields + 1] = v end
redis.call('HSET', KEYS[1], unpack(fields))
if ARGV[6] ~= '' then redis.call('SET', KEYS[5], ARGV[6]) end
append_history(hist, '1|' .. ARGV[2] .. '||queued||' .. ARGV[3])
redis.call('ZADD', KEYS[3], tonumber(ARGV[2]), ARGV[4])
if ARGV[5] == '1' then redis.call('RPUSH', KEYS[4], cjson.encode({external_id = ARGV[4], seq = 1})) end
return {1}
`;

/**
 * KEYS: record, history, outbox, sealed payload, state indexes... (in the order of ARGV[10]: the
 *       event's from-states and its to-state)
 * ARGV: 1 allowed from-states (comma-separated, wrapped in commas), 2 to, 3 required token ('' none),
 *       4 new token ('' keep, '-' clear), 5 now, 6 history entry's tail (history.ts), 7 delete the
 *       payload ('1'), 8 attempts to add ('1' a claim, '-1' a claim given back unsent, '0'), 9 external_id, 10 states in KEYS order
 *       (comma-separated), 11 push to outbox ('1'), 12 due by: a retry_scheduled payout whose
 *       next_attempt_at is later is refused ('' no check), 13 return the record ('1'), 14 refuse a
 *       payout marked may_have_reached ('1'), then field/value pairs ('' value deletes the field)...
 * Returns {1, from, seq, attempts, method, record fields (flat) or false, sealed payload or false,
 * amount, currency} when moved (the record only for a claim; amount and currency for the log),
 * {2, ...the same} when a claim (ARGV[13]) names the token the payout is already sending under,
 * {0, current, token, next_attempt_at[, 'may_have_reached']} when refused, {-1} when absent.
 */
export const TRANSITION = `${APPEND_HISTORY}
local r = redis.call('HMGET', KEYS[1], 'status', 'token', 'next_attempt_at', 'seq', 'attempts', 'method',
  'may_have_reached', 'amount', 'currency')
local cur = r[1]
if not cur then return {-1} end
local refused = {0, cur, r[2] or '', r[3] or ''}
-- A claim under the very token the payout is already sending under is the caller's own, made by a
-- call whose answer was lost: handed back as it is, nothing written.
if ARGV[13] == '1' and cur == ARGV[2] and r[2] == ARGV[4] then
  return {2, cur, r[4], r[5], r[6] or '', redis.call('HGETALL', KEYS[1]), redis.call('GET', KEYS[4])}
end
if not string.find(ARGV[1], ',' .. cur .. ',', 1, true) then return refused end
if ARGV[3] ~= '' and r[2] ~= ARGV[3] then return refused end
if ARGV[14] == '1' and r[7] == '1' then return {0, cur, r[2] or '', r[3] or '', 'may_have_reached'} end
if ARGV[12] ~= '' and cur == 'retry_scheduled' and (tonumber(r[3] or '0') or 0) > tonumber(ARGV[12]) then
  return refused
end
local seq = tonumber(r[4] or '0')
local attempts = tonumber(r[5] or '0')
if not seq or not attempts then return redis.error_reply('ERR payout record has a malformed seq or attempts') end
local hist = redis.call('GET', KEYS[2])
seq = seq + 1
attempts = attempts + (tonumber(ARGV[8]) or 0)
-- Deletions run before the sets; the caller never names a field in both.
local set = {'status', ARGV[2], 'updated_at', ARGV[5], 'seq', seq, 'attempts', attempts}
local del = {}
if ARGV[4] == '-' then del[#del + 1] = 'token'
elseif ARGV[4] ~= '' then set[#set + 1] = 'token'; set[#set + 1] = ARGV[4] end
for i = 15, #ARGV, 2 do
  if ARGV[i + 1] == '' then del[#del + 1] = ARGV[i]
  else set[#set + 1] = ARGV[i]; set[#set + 1] = ARGV[i + 1] end
end
if #del > 0 then redis.call('HDEL', KEYS[1], unpack(del)) end
redis.call('HSET', KEYS[1], unpack(set))
if ARGV[7] == '1' then redis.call('DEL', KEYS[4]) end
append_history(hist, seq .. '|' .. ARGV[5] .. '|' .. cur .. '|' .. ARGV[2] .. '|' .. attempts .. '|' .. ARGV[6])
local i = 0
for state in string.gmatch(ARGV[10], '[^,]+') do
  i = i + 1
  if state == cur then redis.call('ZREM', KEYS[4 + i], ARGV[9]) end
  if state == ARGV[2] then redis.call('ZADD', KEYS[4 + i], tonumber(ARGV[5]), ARGV[9]) end
end
if ARGV[11] == '1' then redis.call('RPUSH', KEYS[3], cjson.encode({external_id = ARGV[9], seq = seq})) end
if ARGV[13] == '1' then
  return {1, cur, seq, attempts, r[6] or '', redis.call('HGETALL', KEYS[1]), redis.call('GET', KEYS[4]),
    r[8] or '', r[9] or ''}
end
return {1, cur, seq, attempts, r[6] or '', false, false, r[8] or '', r[9] or ''}
`;

/**
 * Appends a history entry without moving the state (a gateway report that contradicts a terminal
 * state, a note). KEYS: record, history, outbox. ARGV: entry's tail (history.ts), now, external_id,
 * push ('1'). Returns the new seq, or -1 if absent.
 */
export const NOTE = `${APPEND_HISTORY}
local r = redis.call('HMGET', KEYS[1], 'status', 'seq')
local cur = r[1]
if not cur then return -1 end
local seq = tonumber(r[2] or '0')
if not seq then return redis.error_reply('ERR payout record has a malformed seq') end
local hist = redis.call('GET', KEYS[2])
seq = seq + 1
append_history(hist, seq .. '|' .. ARGV[2] .. '|' .. cur .. '|' .. cur .. '||' .. ARGV[1])
redis.call('HSET', KEYS[1], 'seq', seq, 'updated_at', ARGV[2])
if ARGV[4] == '1' then redis.call('RPUSH', KEYS[3], cjson.encode({external_id = ARGV[3], seq = seq})) end
return seq
`;
