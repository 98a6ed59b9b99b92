import { DEPLOYMENT_LUA } from './deployment.js';
import { HISTORY_LINE_LUA } from './history.js';

/**
 * The record's Lua scripts. Each runs atomically in Redis: no reader ever sees a state without its
 * history entry, and no two writers both move the same state. Each reads everything it needs before
 * its first write, so a script that fails (a key of the wrong type, say) fails having written nothing.
 *
 * Indexes: one sorted set per state (score: time of the last move).
 * History: one string per payout, its entries (history.ts) one per line, rewritten whole on each
 * append so Redis keeps it at its exact size (a finished payout keeps it until it is archived).
 * Outboxes: each change is pushed, in the same script, to the outboxes its caller names in the
 * `outboxes` argument: `n` the notification outbox, `l` the ledger's (both: `nl`); `N` and `L` name
 * them when the deployment keeps them, for a process that follows the deployment (deployment.ts).
 */

/**
 * Appends a line (history_line, history.ts) to the history string in KEYS[2], given its value as read
 * before any write.
 */
export const APPEND_HISTORY = `${HISTORY_LINE_LUA}
local function append_history(h, line)
  redis.call('SET', KEYS[2], h and (h .. '\\n' .. line) or line)
end
`;

/**
 * Pushes a change `{external_id, seq}` to the outboxes named in `which` (`n`, `l`); the ledger's entry
 * also carries its kind and time, so the ledger's lag can be read from the oldest entry. A script
 * turns its outboxes argument into `which` with `resolve_outboxes` before its first write: `N` and `L`
 * become `n` and `l` when the deployment keeps them (deployment.ts), else nothing.
 */
export const PUSH_OUTBOXES = `${DEPLOYMENT_LUA}
local function resolve_outboxes(given, notify_key)
  local which = string.gsub(given, '[NL]', '')
  if string.find(given, 'N', 1, true) and deployment_has(notify_key, 'notify') then which = which .. 'n' end
  if string.find(given, 'L', 1, true) and deployment_has(notify_key, 'ledger') then which = which .. 'l' end
  return which
end
local function push_outboxes(which, notify_key, ledger_key, id, seq, at)
  if string.find(which, 'n', 1, true) then
    redis.call('RPUSH', notify_key, cjson.encode({external_id = id, seq = seq}))
  end
  if string.find(which, 'l', 1, true) then
    redis.call('RPUSH', ledger_key, cjson.encode({kind = 'payout', external_id = id, seq = seq, at = tonumber(at)}))
  end
end
`;

/**
 * KEYS: record, history, outbox, sealed payload, ledger outbox, state indexes... (in the order of
 *       ARGV[10]: the event's from-states and its to-state), then the controls' paused, held and
 *       breakers (keys.ts)
 * ARGV: 1 allowed from-states (comma-separated, wrapped in commas), 2 to, 3 required token ('' none),
 *       4 new token ('' keep, '-' clear), 5 now, 6 history entry's tail (history.ts), 7 delete the
 *       payload ('1'), 8 attempts to add ('1' a claim, '-1' a claim given back unsent, '0'), 9 external_id, 10 states in KEYS order
 *       (comma-separated), 11 outboxes ('', 'n', 'l', 'nl'), 12 due by: a retry_scheduled payout whose
 *       next_attempt_at is later, or any payout whose not_before is later, is refused (with that
 *       time as next_attempt_at; '' no check), 13 return the record ('1'), 14 refuse a
 *       payout marked may_have_reached ('1'), 15 the gateway order_id to record ('' none): refused
 *       when the payout already holds another, 16 refuse a payout that holds an order_id ('1'),
 *       17 consult the controls ('1': refused while its payment_system is paused or its breaker
 *       open), 18 the approver, for an event that needs approvals ('' none), 19 the customer windows'
 *       common start (keys.ts), then field/value pairs ('' value deletes the field)...
 * Returns {1, from, seq, attempts, method, record fields (flat) or false, sealed payload or false,
 * amount, currency[, probe ('1' or '')]} when moved (the record and probe only for a claim; amount and
 * currency for the log), {2, ...the same} when a claim (ARGV[13]) names the token the payout is
 * already sending under, {0, current, token, next_attempt_at, why, recorded order_id, updated_at} when
 * refused (why: '' by the table or the token, 'may_have_reached', 'other_order', 'order_recorded',
 * 'same_approver'), {3, from, seq, attempts, method} when an approval was recorded short of the
 * approvals needed (the state stays),
 * {0, current, '', until, 'paused' | 'breaker_open' | 'breaker_half_open', payment_system} when held by
 * the controls, {-1} when absent.
 */
export const TRANSITION = `${APPEND_HISTORY}${PUSH_OUTBOXES}
local outboxes = resolve_outboxes(ARGV[11], KEYS[3])
local r = redis.call('HMGET', KEYS[1], 'status', 'token', 'next_attempt_at', 'seq', 'attempts', 'method',
  'may_have_reached', 'amount', 'currency', 'order_id', 'updated_at', 'not_before', 'payment_system',
  'approvals_needed', 'approved_by', 'customer_id')
local cur = r[1]
if not cur then return {-1} end
local order = r[10] or ''
local function refuse(why) return {0, cur, r[2] or '', r[3] or '', why, order, r[11] or ''} end
-- A claim under the very token the payout is already sending under is the caller's own, made by a
-- call whose answer was lost: handed back as it is, with only its time renewed (updated_at), since its
-- holder sends from now on, and a second delivery's wait for that holder counts from now.
if ARGV[13] == '1' and cur == ARGV[2] and r[2] == ARGV[4] then
  local fields, sealed = redis.call('HGETALL', KEYS[1]), redis.call('GET', KEYS[4])
  redis.call('HSET', KEYS[1], 'updated_at', ARGV[5])
  return {2, cur, r[4], r[5], r[6] or '', fields, sealed}
end
-- A payout has one gateway order: a report of another is refused whatever the state, never written over it.
if ARGV[15] ~= '' and order ~= '' and order ~= ARGV[15] then return refuse('other_order') end
if not string.find(ARGV[1], ',' .. cur .. ',', 1, true) then return refuse('') end
if ARGV[3] ~= '' and r[2] ~= ARGV[3] then return refuse('') end
if ARGV[14] == '1' and r[7] == '1' then return refuse('may_have_reached') end
if ARGV[16] == '1' and order ~= '' then return refuse('order_recorded') end
if ARGV[12] ~= '' and cur == 'retry_scheduled' and (tonumber(r[3] or '0') or 0) > tonumber(ARGV[12]) then
  return refuse('')
end
-- A scheduled payout (not_before) is claimed by no job before its time.
if ARGV[12] ~= '' and r[12] and (tonumber(r[12]) or 0) > tonumber(ARGV[12]) then
  return {0, cur, r[2] or '', r[12], '', order, r[11] or ''}
end
local seq = tonumber(r[4] or '0')
local attempts = tonumber(r[5] or '0')
if not seq or not attempts then return redis.error_reply('ERR payout record has a malformed seq or attempts') end
local hist = redis.call('GET', KEYS[2])
local probe = ''
if ARGV[17] == '1' then
  local n = #KEYS
  local ps = r[13] or ''
  if redis.call('HEXISTS', KEYS[n - 2], ps) == 1 or redis.call('HEXISTS', KEYS[n - 2], '*') == 1 then
    -- Held: stays as it is, noted for resuming to wake.
    redis.call('HSET', KEYS[n - 1], ARGV[9], ps)
    return {0, cur, '', '', 'paused', ps}
  end
  local b = redis.call('HMGET', KEYS[n], 'state:' .. ps, 'until:' .. ps, 'cooldown:' .. ps)
  if b[1] then
    if tonumber(ARGV[5]) < (tonumber(b[2] or '0') or 0) then return {0, cur, '', b[2] or '', 'breaker_' .. b[1], ps} end
    -- The cool-down is over (or the last probe's turn lapsed): this payout is the one that probes.
    redis.call('HSET', KEYS[n], 'state:' .. ps, 'half_open', 'probe:' .. ps, ARGV[9],
      'until:' .. ps, string.format('%.0f', tonumber(ARGV[5]) + (tonumber(b[3] or '0') or 0)))
    probe = '1'
  end
end
seq = seq + 1
-- Approvals: names one per line (an operator's name holds no control character).
local approved_by = r[15] or ''
if ARGV[18] ~= '' then
  local given = 1
  for name in string.gmatch(approved_by, '[^\\n]+') do
    if name == ARGV[18] then return refuse('same_approver') end
    given = given + 1
  end
  approved_by = approved_by == '' and ARGV[18] or (approved_by .. '\\n' .. ARGV[18])
  if given < (tonumber(r[14] or '1') or 1) then
    redis.call('HSET', KEYS[1], 'approved_by', approved_by, 'seq', seq, 'updated_at', ARGV[5])
    append_history(hist, history_line(seq, ARGV[5], cur, cur, attempts, ARGV[6]))
    -- The ledger keeps every change; the casino is told only of moves.
    push_outboxes((string.gsub(outboxes, 'n', '')), KEYS[3], KEYS[5], ARGV[9], seq, ARGV[5])
    return {3, cur, seq, attempts, r[6] or ''}
  end
end
attempts = attempts + (tonumber(ARGV[8]) or 0)
-- Deletions run before the sets; the caller never names a field in both.
local set = {'status', ARGV[2], 'updated_at', ARGV[5], 'seq', seq, 'attempts', attempts}
if ARGV[18] ~= '' then set[#set + 1] = 'approved_by'; set[#set + 1] = approved_by end
local del = {}
if ARGV[4] == '-' then del[#del + 1] = 'token'
elseif ARGV[4] ~= '' then set[#set + 1] = 'token'; set[#set + 1] = ARGV[4] end
if ARGV[15] ~= '' then set[#set + 1] = 'order_id'; set[#set + 1] = ARGV[15] end
for i = 20, #ARGV, 2 do
  if ARGV[i + 1] == '' then del[#del + 1] = ARGV[i]
  else set[#set + 1] = ARGV[i]; set[#set + 1] = ARGV[i + 1] end
end
if #del > 0 then redis.call('HDEL', KEYS[1], unpack(del)) end
redis.call('HSET', KEYS[1], unpack(set))
if ARGV[7] == '1' then redis.call('DEL', KEYS[4]) end
append_history(hist, history_line(seq, ARGV[5], cur, ARGV[2], attempts, ARGV[6]))
local i = 0
for state in string.gmatch(ARGV[10], '[^,]+') do
  i = i + 1
  if state == cur then redis.call('ZREM', KEYS[5 + i], ARGV[9]) end
  if state == ARGV[2] then redis.call('ZADD', KEYS[5 + i], tonumber(ARGV[5]), ARGV[9]) end
end
push_outboxes(outboxes, KEYS[3], KEYS[5], ARGV[9], seq, ARGV[5])
-- A rejected or cancelled payout no longer counts against its customer's limits. Its window's key
-- is built here, from the record; it shares the record's hash tag, so on a cluster it is on this node.
if (ARGV[2] == 'rejected' or ARGV[2] == 'cancelled') and ARGV[19] ~= '' and r[8] and r[9] and r[16] then
  redis.call('ZREM', ARGV[19] .. r[9] .. ':' .. r[16], r[8] .. '|' .. ARGV[9])
end
if ARGV[13] == '1' then
  return {1, cur, seq, attempts, r[6] or '', redis.call('HGETALL', KEYS[1]), redis.call('GET', KEYS[4]),
    r[8] or '', r[9] or '', probe}
end
return {1, cur, seq, attempts, r[6] or '', false, false, r[8] or '', r[9] or ''}
`;

/**
 * Appends a history entry without moving the state (a gateway report that contradicts a terminal
 * state, a note). KEYS: record, history, outbox, ledger outbox, contradictions index. ARGV: entry's
 * tail (history.ts), now, external_id, outboxes ('', 'n', 'l', 'nl'), '1' for a contradiction, the
 * index's cap. A contradiction also puts the payout in the contradictions index (score: now), which
 * keeps the newest `cap`. Returns the new seq, or -1 if absent.
 */
export const NOTE = `${APPEND_HISTORY}${PUSH_OUTBOXES}
local outboxes = resolve_outboxes(ARGV[4], KEYS[3])
local r = redis.call('HMGET', KEYS[1], 'status', 'seq')
local cur = r[1]
if not cur then return -1 end
local seq = tonumber(r[2] or '0')
if not seq then return redis.error_reply('ERR payout record has a malformed seq') end
local hist = redis.call('GET', KEYS[2])
seq = seq + 1
append_history(hist, history_line(seq, ARGV[2], cur, cur, '', ARGV[1]))
redis.call('HSET', KEYS[1], 'seq', seq, 'updated_at', ARGV[2])
push_outboxes(outboxes, KEYS[3], KEYS[4], ARGV[3], seq, ARGV[2])
if ARGV[5] == '1' then
  redis.call('ZADD', KEYS[5], tonumber(ARGV[2]), ARGV[3])
  redis.call('ZREMRANGEBYRANK', KEYS[5], 0, -(tonumber(ARGV[6]) + 1))
end
return seq
`;

/**
 * Archives a finished payout the ledger holds whole: leaves a tombstone holding its request digest,
 * deletes its record, history and payload and takes it out of its state's index. Refused when the
 * payout moved or was noted since the ledger was checked (its seq is no longer the one checked).
 * KEYS: record, history, sealed payload, tombstone, the state's index.
 * ARGV: 1 seq checked, 2 the state (terminal), 3 external_id.
 * Returns 1 when archived, 0 when refused.
 */
export const ARCHIVE = `
local r = redis.call('HMGET', KEYS[1], 'status', 'seq', 'digest')
if r[1] ~= ARGV[2] or r[2] ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[4], r[3] or '')
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('ZREM', KEYS[5], ARGV[3])
return 1
`;
