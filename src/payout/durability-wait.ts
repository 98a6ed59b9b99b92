import type { Redis } from 'ioredis';
import type { GuardContext } from './durability-node.js';

/** How long past the WAIT's own timeout its answer is awaited before the step counts as not durable. */
const ANSWER_MARGIN_MS = 1_000;

/** Closes seen on each connection, counted from the first time the guard looked at it. */
const closes = new WeakMap<Redis, { count: number }>();
export function closesOf(node: Redis): number {
  let seen = closes.get(node);
  if (!seen) {
    const counter = { count: 0 };
    node.on('close', () => {
      counter.count++;
    });
    closes.set(node, counter);
    seen = counter;
  }
  return seen.count;
}

/**
 * WAITs are issued one at a time per connection, and every step that finished its write while one
 * was out shares the next: under load one WAIT covers many writes.
 */
function acknowledgements(ctx: GuardContext, on: Redis): Promise<number> {
  let ask = ctx.waiters.get(on);
  if (!ask) {
    ask = sharedWait(ctx, on);
    ctx.waiters.set(on, ask);
  }
  return ask();
}

/** How steps ask for a WAIT on one connection: the one not yet sent, or a new one behind the last. */
function sharedWait(ctx: GuardContext, on: Redis): () => Promise<number> {
  const { probeKey, setting } = ctx;
  const replicas = setting.level === 'replicas' ? setting.replicas : 0;
  let issued: Promise<unknown> = Promise.resolve();
  let next: Promise<number> | undefined;
  return () => {
    if (next) return next;
    const mine: Promise<number> = issued.then(() => {
      // Sent from here on: a step that finishes its write after this needs the next one.
      next = undefined;
      return on
        .pipeline()
        .incr(probeKey)
        .wait(replicas, setting.timeoutMs)
        .exec()
        .then((res) => {
          const [err, count] = res?.[1] ?? [new Error('no answer to WAIT')];
          if (err) throw err;
          return Number(count);
        });
    });
    next = mine;
    // The next WAIT need not wait for an answer that never comes (a connection waiting out an
    // outage): past the timeout it is issued anyway, and counts only itself.
    issued = Promise.race([
      mine.catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, setting.timeoutMs + ANSWER_MARGIN_MS).unref()),
    ]);
    return mine;
  };
}

/** Whether the replicas asked for have everything `on` wrote, with no close of it since `before`. */
export async function replicated(ctx: GuardContext, on: Redis, before: number): Promise<boolean> {
  const { setting } = ctx;
  // A step may wait behind the WAIT already out (up to its timeout) before its own is sent.
  const count = await Promise.race([
    acknowledgements(ctx, on).catch(() => -1),
    new Promise<number>((resolve) =>
      setTimeout(() => resolve(-1), setting.timeoutMs * 2 + ANSWER_MARGIN_MS).unref(),
    ),
  ]);
  const replicas = setting.level === 'replicas' ? setting.replicas : 0;
  return count >= replicas && closesOf(on) === before;
}
