import { AUDIT_XADD } from '../operators/audit.js';
import { DEPLOYMENT_LUA } from '../payout/deployment.js';

/** The Lua scripts that pause and resume: each change and its audit entry in one step. */

/** The pauses in force as the audit log keeps them (before and after): `{payment_system: pause}`. */
const PAUSES_JSON = `
local function pauses_json(flat)
  if #flat == 0 then return '{}' end
  local parts = {}
  for i = 1, #flat, 2 do parts[#parts + 1] = cjson.encode(flat[i]) .. ':' .. flat[i + 1] end
  return '{' .. table.concat(parts, ',') .. '}'
end
`;

/** Pushes the event to the notification outbox when `choice` says so: '1', or 'd' and the deployment notifies. */
const PUSH_EVENT = `${DEPLOYMENT_LUA}
local function push_event(choice, outbox, event)
  if choice == '1' or (choice == 'd' and deployment_has(outbox, 'notify')) then redis.call('RPUSH', outbox, event) end
end
`;

/**
 * KEYS: paused, outbox, audit. ARGV: 1 payment_system, 2 the pause (JSON), 3 push the event (push_event's
 * choice), 4 the event, audit fields... Returns the pause it replaced, or false. The change and its audit entry
 * (every pause before and after) are one step.
 */
export const PAUSE = `${AUDIT_XADD}${PAUSES_JSON}${PUSH_EVENT}
local before = redis.call('HGETALL', KEYS[1])
local replaced = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
push_event(ARGV[3], KEYS[2], ARGV[4])
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
audit(KEYS[3], fields, pauses_json(before), pauses_json(redis.call('HGETALL', KEYS[1])))
return replaced
`;

/**
 * KEYS: paused, outbox, audit. ARGV: 1 payment_system (`*` removes every pause), 2 push the event
 * (push_event's choice), 3 the event, audit fields... Returns the pauses removed, flat (system, pause, ...).
 */
export const RESUME = `${AUDIT_XADD}${PAUSES_JSON}${PUSH_EVENT}
local before = redis.call('HGETALL', KEYS[1])
local removed = {}
if ARGV[1] == '*' then
  removed = before
  redis.call('DEL', KEYS[1])
else
  local p = redis.call('HGET', KEYS[1], ARGV[1])
  if p then
    removed = {ARGV[1], p}
    redis.call('HDEL', KEYS[1], ARGV[1])
  end
end
if #removed > 0 then push_event(ARGV[2], KEYS[2], ARGV[3]) end
local fields = {}
for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
audit(KEYS[3], fields, pauses_json(before), pauses_json(redis.call('HGETALL', KEYS[1])))
return removed
`;
