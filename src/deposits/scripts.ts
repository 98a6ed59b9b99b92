/**
 * The two scripts that write a deposit: a move with its history entry, and a history entry alone (a
 * contradiction). With the ledger on, each also pushes its outbox entry, in the same atomic step.
 */

/**
 * Pushes the entry just appended (its seq: the history's new length) to the ledger's outbox, named as
 * the script's last key only when the ledger is on.
 */
const PUSH_LEDGER = `
local function push_ledger(ledger_key, id, seq, at)
  if ledger_key then
    redis.call('RPUSH', ledger_key, cjson.encode({kind = 'deposit', external_id = id, seq = seq, at = tonumber(at)}))
  end
end
`;

/**
 * KEYS: record, history[, ledger outbox]. ARGV: allowed (',a,b,'; ',,' allows absent), to, now, entry
 * JSON, external_id, pairs...
 */
export const MOVE = `${PUSH_LEDGER}
local cur = redis.call('HGET', KEYS[1], 'status') or ''
if not string.find(ARGV[1], ',' .. cur .. ',', 1, true) then return {0, cur} end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'updated_at', ARGV[3])
if cur == '' then redis.call('HSET', KEYS[1], 'created_at', ARGV[3]) end
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local entry = cjson.decode(ARGV[4])
entry['from'] = cur
entry['to'] = ARGV[2]
push_ledger(KEYS[3], ARGV[5], redis.call('RPUSH', KEYS[2], cjson.encode(entry)), ARGV[3])
return {1, cur}
`;

/** Appends a history entry without a move (a contradiction). KEYS: history[, ledger outbox]. ARGV: entry JSON, external_id, now. */
export const NOTE = `${PUSH_LEDGER}
push_ledger(KEYS[2], ARGV[2], redis.call('RPUSH', KEYS[1], ARGV[1]), ARGV[3])
`;
