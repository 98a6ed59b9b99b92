import { userInfo } from 'node:os';

/**
 * Who acts through the CLI: the operating-system user running it, as the system knows it (its uid's
 * name, not an environment variable or an option that anyone could set). The CLI talks to Redis
 * directly and has no login: this name is what the history and the audit log record, and what the
 * four-eyes rule compares.
 */
export const cliUser = (): string => userInfo().username;
