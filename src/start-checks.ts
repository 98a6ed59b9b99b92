import { Redis } from 'ioredis';

/**
 * What a start that cannot go on tells the person who ran it: one line naming what was tried and
 * the setting or step that fixes it (the CLI prints the message alone, never a stack).
 */

/** A start that cannot go on; `setting` names the setting to change. */
export class StartError extends Error {
  override readonly name = 'StartError';
  constructor(
    message: string,
    /** The socket or Redis error code (EADDRINUSE, ECONNREFUSED, ...), when there was one. */
    readonly code: string | undefined,
    readonly setting: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A Redis URL as it may be shown: a password in it becomes `***`. */
export function displayRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(REDIS_URL is not a URL)';
  }
}

/** How long a start waits for Redis (one being started beside it, say) before it gives up. */
export const REDIS_START_WAIT_MS = 5_000;
const RETRY_EVERY_MS = 250;

/**
 * Resolves once Redis at `url` answers PING; otherwise throws a StartError naming the URL and what
 * to do. Tried on a connection of its own that logs nothing, so an unreachable Redis is one line.
 */
export async function reachRedis(url: string, waitMs = REDIS_START_WAIT_MS): Promise<void> {
  const deadline = Date.now() + waitMs;
  let last: Error & { code?: string } = new Error('no answer');
  for (;;) {
    const redis = new Redis(url, {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      connectTimeout: Math.max(500, Math.min(2_000, deadline - Date.now())),
    });
    // The socket's error (ECONNREFUSED, ENOTFOUND, ...) says more than the rejection ("Connection is closed").
    let socketError: (Error & { code?: string }) | undefined;
    redis.on('error', (err) => {
      socketError ??= err;
    });
    try {
      await redis.connect();
      await redis.ping();
      return;
    } catch (err) {
      last = socketError ?? (err as Error & { code?: string });
    } finally {
      redis.disconnect();
    }
    if (Date.now() + RETRY_EVERY_MS > deadline) break;
    await new Promise((r) => setTimeout(r, RETRY_EVERY_MS));
  }
  throw redisStartError(url, last);
}

function redisStartError(url: string, err: Error & { code?: string }): StartError {
  const shown = displayRedisUrl(url);
  // A reply (auth, a protocol refusal) means something answered: the address is right, the rest is not.
  const replied = err.name === 'ReplyError';
  const code = err.code ?? (replied ? err.message.split(' ')[0] : undefined);
  const message = replied
    ? `Redis at ${shown} refused the connection (${err.message}): check the user and password in REDIS_URL`
    : `cannot reach Redis at ${shown}${code ? ` (${code})` : ''}: start Redis (\`docker compose up -d redis\`), or set REDIS_URL to where yours runs`;
  return new StartError(message, code, 'REDIS_URL', { cause: err });
}

/**
 * Runs a server's listen; a port in use or not allowed becomes a StartError naming the setting that
 * chose it (the error keeps its code, EADDRINUSE or EACCES).
 */
export async function listenOn<T>(
  setting: 'PORT' | 'SANDBOX_PORT' | 'METRICS_PORT',
  where: { port: number; host: string },
  listen: () => Promise<T>,
): Promise<T> {
  try {
    return await listen();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const at = `port ${where.port} on ${where.host}`;
    if (code === 'EADDRINUSE')
      throw new StartError(
        `${at} is already in use (${setting}): stop what listens there, or set ${setting} to a free port`,
        code,
        setting,
        { cause: err },
      );
    if (code === 'EACCES')
      throw new StartError(
        `not allowed to listen on ${at} (${setting}): set ${setting} to a port above 1023`,
        code,
        setting,
        { cause: err },
      );
    throw err;
  }
}
