/**
 * The record's Lua scripts. Each runs atomically in Redis: no reader ever sees a state without its
 * history entry, and no two writers both move the same state.
 *
 * Indexes: one sorted set per state (score: time of the last move), KEYS in PAYOUT_STATES order.
 */

/**
 * KEYS: record, history, queued index, outbox, sealed payload
 * ARGV: 1 digest, 2 now, 3 history entry (JSON), 4 external_id, 5 push to outbox ('1'),
 *       6 sealed payload ('' when the method takes none), pairs...
 * Returns {1} when created, {0, digest, status} when the external_id exists.
 */
export const CREATE = `
local existing = redis.call('HMGET', KEYS[1], 'digest', 'status')
if existing[2] then return {0, existing[1] or '', existing[2]} end
for i = 7, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[6] ~= '' then redis.call('SET', KEYS[5], ARGV[6]) end
redis.call('HSET', KEYS[1], 'digest', ARGV[1], 'status', 'queued', 'attempts', '0', 'seq', '1',
  'created_at', ARGV[2], 'updated_at', ARGV[2])
local entry = cjson.decode(ARGV[3])
entry['to'] = 'queued'
entry['seq'] = 1
redis.call('RPUSH', KEYS[2], cjson.encode(entry))
redis.call('ZADD', KEYS[3], tonumber(ARGV[2]), ARGV[4])
if ARGV[5] == '1' then redis.call('RPUSH', KEYS[4], cjson.encode({external_id = ARGV[4], seq = 1})) end
return {1}
`;

/**
 * KEYS: record, history, outbox, sealed payload, state indexes... (in the order of ARGV[10])
 * ARGV: 1 allowed from-states (comma-separated, wrapped in commas), 2 to, 3 required token ('' none),
 *       4 new token ('' keep, '-' clear), 5 now, 6 history entry (JSON), 7 delete the payload ('1'),
 *       8 count an attempt ('1'), 9 external_id, 10 states in KEYS order (comma-separated),
 *       11 push to outbox ('1'), then field/value pairs ('' value deletes the field)...
 * Returns {1, from, seq, attempts, method} when moved, {0, current} when refused, {-1} when absent.
 */
export const TRANSITION = `
local cur = redis.call('HGET', KEYS[1], 'status')
if not cur then return {-1} end
if not string.find(ARGV[1], ',' .. cur .. ',', 1, true) then return {0, cur} end
if ARGV[3] ~= '' and redis.call('HGET', KEYS[1], 'token') ~= ARGV[3] then return {0, cur} end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local attempts = tonumber(redis.call('HGET', KEYS[1], 'attempts') or '0')
if ARGV[8] == '1' then attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1) end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'updated_at', ARGV[5])
if ARGV[4] == '-' then redis.call('HDEL', KEYS[1], 'token')
elseif ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'token', ARGV[4]) end
if ARGV[7] == '1' then redis.call('DEL', KEYS[4]) end
for i = 12, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[1], ARGV[i])
  else redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
local entry = cjson.decode(ARGV[6])
entry['from'] = cur
entry['to'] = ARGV[2]
entry['seq'] = seq
entry['attempt'] = attempts
redis.call('RPUSH', KEYS[2], cjson.encode(entry))
local i = 0
for state in string.gmatch(ARGV[10], '[^,]+') do
  i = i + 1
  if state == cur then redis.call('ZREM', KEYS[4 + i], ARGV[9]) end
  if state == ARGV[2] then redis.call('ZADD', KEYS[4 + i], tonumber(ARGV[5]), ARGV[9]) end
end
if ARGV[11] == '1' then redis.call('RPUSH', KEYS[3], cjson.encode({external_id = ARGV[9], seq = seq})) end
return {1, cur, seq, attempts, redis.call('HGET', KEYS[1], 'method') or ''}
`;

/**
 * Appends a history entry without moving the state (a gateway report that contradicts a terminal
 * state, a note). KEYS: record, history, outbox. ARGV: entry (JSON), now, external_id, push ('1').
 * Returns the new seq, or -1 if absent.
 */
export const NOTE = `
local cur = redis.call('HGET', KEYS[1], 'status')
if not cur then return -1 end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local entry = cjson.decode(ARGV[1])
entry['from'] = cur
entry['to'] = cur
entry['seq'] = seq
redis.call('RPUSH', KEYS[2], cjson.encode(entry))
redis.call('HSET', KEYS[1], 'updated_at', ARGV[2])
if ARGV[4] == '1' then redis.call('RPUSH', KEYS[3], cjson.encode({external_id = ARGV[3], seq = seq})) end
return seq
`;
