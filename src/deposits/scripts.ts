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

/** The move itself, with its ledger outbox as key `ledger` (a Lua expression, nil without a ledger). */
const moveBody = (ledger: string) => `
if not string.find(ARGV[1], ',' .. cur .. ',', 1, true) then return {0, cur} end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'updated_at', ARGV[3])
if cur == '' then redis.call('HSET', KEYS[1], 'created_at', ARGV[3]) end
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local entry = cjson.decode(ARGV[4])
entry['from'] = cur
entry['to'] = ARGV[2]
push_ledger(${ledger}, ARGV[5], redis.call('RPUSH', KEYS[2], cjson.encode(entry)), ARGV[3])
return {1, cur}
`;

/**
 * KEYS: record, history[, ledger outbox]. ARGV: allowed (',a,b,'; ',,' allows absent), to, now, entry
 * JSON, external_id, pairs...
 */
export const MOVE = `${PUSH_LEDGER}
local cur = redis.call('HGET', KEYS[1], 'status') or ''
${moveBody('KEYS[3]')}`;

/**
 * MOVE to `sending`, for a deposit not yet known refused (nothing written) when a payout holds its
 * external_id: the gateway's external_id is one merchant order id for deposits and payouts, and the
 * payout's creation (payout/create-script.ts) checks the deposit's record likewise, so of two made
 * at once only one is accepted. KEYS: record, history, payout record, payout tombstone[, ledger
 * outbox]. ARGV: as MOVE's. Returns {-1, ''} when refused.
 */
export const START = `${PUSH_LEDGER}
local cur = redis.call('HGET', KEYS[1], 'status') or ''
if cur == '' and (redis.call('EXISTS', KEYS[3]) == 1 or redis.call('EXISTS', KEYS[4]) == 1) then
  return {-1, ''}
end
${moveBody('KEYS[5]')}`;

/** Appends a history entry without a move (a contradiction). KEYS: history[, ledger outbox]. ARGV: entry JSON, external_id, now. */
export const NOTE = `${PUSH_LEDGER}
push_ledger(KEYS[2], ARGV[2], redis.call('RPUSH', KEYS[1], ARGV[1]), ARGV[3])
`;
