import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import type { Worker } from 'bullmq';
import { type Config, loadConfig, secretsOf } from '../../src/config.js';
import type { Currencies } from '../../src/currency/index.js';
import { createLogger } from '../../src/logger.js';
import type { PayoutStore } from '../../src/payout/store.js';
import type { PayoutJobData } from '../../src/queues.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { type Part, type System, startSystem } from '../../src/system.js';
import { createPayoutWorker, payoutSendWindowMs } from '../../src/worker/payout-worker.js';
import { deletePrefix, REDIS_URL, testRedis, uniquePrefix } from './redis.js';

/**
 * A loopback port nothing listens on, for "connection refused": the discard port, which nothing here
 * serves. A port just freed by another test would do only until a test running beside it took it.
 */
export const CLOSED_PORT = 9;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface TestSystem {
  system: System;
  sandbox: Sandbox;
  config: Config;
  /** The environment the config was parsed from, to start further processes with. */
  env: Record<string, string>;
  api: string;
  apiKey: string;
  /** The admin every test system has (DASHBOARD_USER/DASHBOARD_PASSWORD). */
  admin: OperatorLogin;
  /** A request as an operator (HTTP Basic), the admin unless `as` names another. */
  operatorRequest(
    method: string,
    path: string,
    body?: unknown,
    as?: OperatorLogin,
  ): Promise<{ status: number; body: any }>;
  /** Every log line of the system and the sandbox. */
  logs: string[];
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any }>;
  /** Polls a payout until `until` holds for it (or throws after `timeoutMs`). */
  waitFor(externalId: string, until: (p: any) => boolean, timeoutMs?: number): Promise<any>;
  close(): Promise<void>;
}

export interface OperatorLogin {
  name: string;
  secret: string;
}

export const basicAuth = (login: OperatorLogin) =>
  `Basic ${Buffer.from(`${login.name}:${login.secret}`).toString('base64')}`;

/**
 * The real system (API + worker) on a free port, against the sandbox gateway over real HTTP,
 * on the real Redis under a prefix of its own. Secrets are generated per run.
 */
export async function startTestSystem(options: TestSystemOptions = {}): Promise<TestSystem> {
  // The port is free when chosen but bound only once the sandbox runs: a test file running beside
  // this one can take it in between. A start that fails that way has closed itself; try another.
  for (let tries = 1; ; tries++) {
    try {
      return await startTestSystemOn(await freePort(), options);
    } catch (err) {
      const taken = (err as { code?: string }).code === 'EADDRINUSE' && options.env?.PORT === undefined;
      if (!taken || tries >= 5) throw err;
    }
  }
}

type TestSystemOptions = { env?: Record<string, string>; sandbox?: Partial<SandboxOptions>; parts?: Part[] };

async function startTestSystemOn(port: number, options: TestSystemOptions): Promise<TestSystem> {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const merchantKey = `test-mk-${randomBytes(8).toString('hex')}`;
  const salt = `test-salt-${randomBytes(8).toString('hex')}`;
  const apiKey = `test-api-${randomBytes(12).toString('hex')}`;
  const prefix = uniquePrefix('sys');
  const dashboardPassword = `test-dash-${randomBytes(8).toString('hex')}`;
  const sandboxLogger = createLogger({ level: 'info', destination, secrets: [merchantKey, salt] });
  const sandbox = createSandbox({
    merchantKey,
    salt,
    callbackUrl: `http://127.0.0.1:${port}/v1/callbacks/gateway`,
    timeScale: 0.001,
    logger: sandboxLogger,
    ...options.sandbox,
  });
  const sandboxUrl = await sandbox.listen(0, '127.0.0.1');
  const env: Record<string, string> = {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    HOST: '127.0.0.1',
    PORT: String(port),
    GATEWAY_URL: sandboxUrl,
    MERCHANT_KEY: merchantKey,
    SIGNATURE_SALT: salt,
    API_KEYS: apiKey,
    DASHBOARD_USER: 'ops',
    DASHBOARD_PASSWORD: dashboardPassword,
    PAYLOAD_KEY: randomBytes(32).toString('base64'),
    GATEWAY_TIMEOUT_MS: '2000',
    GATEWAY_CONNECT_TIMEOUT_MS: '500',
    RETRY_BASE_DELAY_MS: '50',
    RETRY_MAX_DELAY_MS: '2000',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  let config: ReturnType<typeof loadConfig>;
  let system: System;
  try {
    config = loadConfig(env);
    const logger = createLogger({ level: 'info', destination, secrets: secretsOf(config) });
    system = await startSystem(config, options.parts ?? ['api', 'worker'], logger);
  } catch (err) {
    // Nothing of a failed start is left behind: its sandbox, and what it wrote under its prefix.
    await sandbox.close();
    const redis = testRedis();
    await deletePrefix(redis, prefix);
    redis.disconnect();
    throw err;
  }
  const api = `http://127.0.0.1:${port}`;

  const request: TestSystem['request'] = async (method, path, body, headers = {}) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed };
  };

  const admin = { name: env.DASHBOARD_USER ?? 'ops', secret: env.DASHBOARD_PASSWORD ?? dashboardPassword };
  const operatorRequest: TestSystem['operatorRequest'] = (method, path, body, as = admin) =>
    request(method, path, body, { authorization: basicAuth(as) });

  const waitFor: TestSystem['waitFor'] = async (externalId, until, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      const res = await request('GET', `/v1/payouts/${externalId}`);
      last = res.body;
      if (res.status === 200 && until(res.body)) return res.body;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`payout ${externalId} did not reach the expected state: ${JSON.stringify(last)}`);
  };

  return {
    system,
    sandbox,
    config,
    env,
    api,
    apiKey,
    admin,
    operatorRequest,
    logs,
    request,
    waitFor,
    async close() {
      await system.close();
      await sandbox.close();
      const redis = testRedis();
      await deletePrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

/**
 * A payout worker of its own on a test system started without one (`parts: ['api']`), on its own
 * connection, over `store` (by default the system's): for tests that inject faults or run several.
 */
export function startPayoutWorker(
  sys: TestSystem,
  options: {
    store?: PayoutStore;
    concurrency?: number;
    rateLimitPerSecond?: number;
    /** Currency rules other than the system's, as after a change of settings. */
    currencies?: Currencies;
    /** RESEND_ON_UNKNOWN other than the system's. */
    resendOnUnknown?: boolean;
  } = {},
): { worker: Worker<PayoutJobData>; close(): Promise<void> } {
  const connection = testRedis();
  const { config } = sys;
  const worker = createPayoutWorker({
    connection,
    queuePrefix: config.queuePrefix,
    store: options.store ?? sys.system.store,
    gateway: sys.system.gateway,
    logger: sys.system.logger,
    currencies: options.currencies ?? config.currencies,
    policy: {
      maxAttempts: config.worker.maxAttempts,
      baseDelayMs: config.worker.retryBaseDelayMs,
      maxDelayMs: config.worker.retryMaxDelayMs,
      resendOnUnknown: options.resendOnUnknown ?? config.gateway.resendOnUnknown,
    },
    concurrency: options.concurrency ?? 5,
    rateLimitPerSecond: options.rateLimitPerSecond ?? 1_000,
    onContradiction: () => sys.system.metrics.contradiction('payout'),
    sendWindowMs: payoutSendWindowMs({
      ...config.gateway,
      durabilityTimeoutMs: config.durability.timeoutMs,
    }),
  });
  void worker.run();
  return {
    worker,
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}

/**
 * What a casino (or the gateway, for a callback) does after a 503: the same request again, here up to
 * 20 times. Under REDIS_DURABILITY=replicas:N a WAIT on a loaded machine may miss a short timeout.
 */
export async function postUntilNot503(
  sys: TestSystem,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  for (let i = 0; ; i++) {
    const res = await sys.request('POST', path, body, headers);
    if (res.status !== 503 || i >= 20) return res;
  }
}

/** Card numbers, cvvs and passwords that tests send; none may ever be in a log line. */
export const FORBIDDEN_IN_LOGS = ['4111111111111111', '5555555555554444', 'jDgBvkukPAPJXiAg', '"cvv":"'];
