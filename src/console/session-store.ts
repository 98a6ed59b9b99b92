import type { SessionStore } from '@fastify/session';
import type { Redis } from 'ioredis';

/**
 * Console sessions in Redis under QUEUE_PREFIX, so a logout or an idle timeout ends a session on every
 * API process, and a restart does not log operators out. Each key lives for the idle timeout and is
 * written again by every request (the session is rolling), so an idle session simply expires.
 */
export function createRedisSessionStore(deps: {
  redis: Redis;
  queuePrefix: string;
  idleTimeoutMs: number;
}): SessionStore {
  const key = (id: string) => `${deps.queuePrefix}:console-session:${id}`;
  return {
    set(id, session, callback) {
      deps.redis
        .set(key(id), JSON.stringify(session), 'PX', deps.idleTimeoutMs)
        .then(() => callback(), callback);
    },
    get(id, callback) {
      deps.redis.get(key(id)).then((raw) => {
        if (raw === null) return callback(null, null);
        try {
          callback(null, JSON.parse(raw));
        } catch (err) {
          callback(err as Error, null);
        }
      }, callback);
    },
    destroy(id, callback) {
      deps.redis.del(key(id)).then(() => callback(), callback);
    },
  };
}
