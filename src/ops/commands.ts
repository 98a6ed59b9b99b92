/**
 * Operator commands of the `payouts` CLI. They talk to Redis directly, through the same record
 * module and state machine as the API, and record the operating-system user (ops/cli-user.ts) in the
 * history and the audit log: whoever can reach Redis can act, so the CLI has no roles. Each command
 * is a file of its own; the CLI loads them from here.
 */

export { act } from './act.js';
export { callbacks } from './callbacks-command.js';
export { cancel } from './cancel-command.js';
export { list } from './list-command.js';
export { migrateKeysCommand } from './migrate-keys-command.js';
export { resolve } from './resolve-command.js';
export { formatPayout, status } from './status-command.js';
