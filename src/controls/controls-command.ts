import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { cliUser } from '../ops/cli-user.js';
import { connectRedis, waitUntilReady } from '../redis.js';
import { createControlsStore } from './controls-store.js';
import { approvalRulesBodyFor, describeLimit, describeRule, limitsBodyFor } from './schemas.js';

type Io = { out: (s: string) => void; err: (s: string) => void };
const stdio: Io = { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) };

const USAGE =
  'usage: payouts rules [set \'{"rules":[…]}\'] | payouts limits [set \'{"limits":[…]}\'] ' +
  '(the same bodies as PUT /v1/controls/approval-rules and /limits; recorded under the OS user)';

/**
 * `payouts rules` and `payouts limits`: show the approval rules or the limits, or replace them with
 * `set <json>`, validated by the API's own schemas and audited under the operating-system user (the
 * CLI talks to Redis directly and has no roles).
 */
export const controlsCommand =
  (which: 'rules' | 'limits') =>
  async (config: Config, args: string[], io: Io = stdio): Promise<number> => {
    const [verb, json, ...extra] = args;
    if (
      (verb !== undefined && verb !== 'set') ||
      (verb === 'set' && json === undefined) ||
      extra.length > 0
    ) {
      io.err(USAGE);
      return 2;
    }
    let body: unknown;
    if (json !== undefined) {
      try {
        body = JSON.parse(json);
      } catch {
        io.err('payouts: the value after set is not valid JSON');
        return 2;
      }
    }
    const { currencies } = config;
    const schema = which === 'rules' ? approvalRulesBodyFor(currencies) : limitsBodyFor(currencies);
    const parsed = body === undefined ? undefined : schema.safeParse(body);
    if (parsed && !parsed.success) {
      for (const i of parsed.error.issues) io.err(`payouts: ${i.path.join('.') || which}: ${i.message}`);
      return 2;
    }
    const logger = createLogger({ level: 'warn', destination: process.stderr as never });
    const redis = connectRedis({ url: config.redisUrl, cluster: config.redisCluster }, 'request', logger);
    try {
      await waitUntilReady(redis, 5_000);
      const controls = createControlsStore({ redis, queuePrefix: config.queuePrefix });
      if (parsed?.success) {
        const by = { who: cliUser(), via: 'cli' as const, note: parsed.data.note };
        if (which === 'rules')
          await controls.replaceApprovalRules((parsed.data as { rules: never[] }).rules, by);
        else await controls.replaceLimits((parsed.data as { limits: never[] }).limits, by);
      }
      const shown =
        which === 'rules'
          ? { rules: (await controls.approvalRules()).map((r) => describeRule(r, currencies)) }
          : { limits: (await controls.limits()).map((l) => describeLimit(l, currencies)) };
      io.out(JSON.stringify(shown, null, 2));
      return 0;
    } finally {
      redis.disconnect();
    }
  };
