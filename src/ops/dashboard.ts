import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Job, Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { basicCredentials } from '../http/auth.js';
import { sendError } from '../http/errors.js';
import { createLineScrubber } from '../logger.js';
import { QUEUE } from '../queues.js';
import { NOTIFICATIONS_QUEUE } from '../worker/notifier.js';

/**
 * Bull Board for operators at /admin/queues: every queue of the system, behind an operator's login, and
 * read-only. A retry, promote, edit or add from a browser could send a payout again or forge a signed
 * notification, so the board only looks; payouts are acted on through the API and the CLI, which go
 * through the state machine. Jobs show only their ids, and failure reasons are sanitised before they
 * leave the process.
 */

export interface DashboardOptions {
  queues: {
    /** The payout queue: shown with its jobs' external_id and nothing else. */
    payouts: Queue;
    /** The other queues (maintenance, notifications). */
    others: Queue[];
  };
  /** Whether a name and secret are an operator's (any role may look). */
  login: (user: string, password: string) => Promise<boolean>;
  /** @defaultValue '/admin/queues' */
  basePath?: string;
  /** Secret values scrubbed from failure reasons, stack traces and job logs (see `secretsOf`). */
  secrets?: readonly string[];
  /**
   * The payout a payout job is for, in words (`needs_review: outcome_unknown: http_500`): a job's own
   * status says only whether the worker finished with it, so each payout job shown also names its
   * payout's state and reason, read when the board asks.
   */
  describePayout?: (externalId: string) => Promise<string | undefined>;
}

export const DASHBOARD_REALM = 'payouts';

/**
 * The fields of a job's data that the board may show, by queue. Payout jobs carry the external_id
 * only; notification jobs also carry the signed body (with the payout view), which stays hidden.
 * A queue not named here shows the external_id alone.
 */
const VISIBLE_DATA: Record<string, readonly string[]> = {
  [QUEUE.payouts]: ['externalId', 'payout', 'console'],
  [NOTIFICATIONS_QUEUE]: ['externalId', 'seq'],
  [QUEUE.maintenance]: ['kind'],
};
const DEFAULT_VISIBLE_DATA = ['externalId'] as const;

const pick = (data: unknown, fields: readonly string[]): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  if (typeof data !== 'object' || data === null) return out;
  for (const f of fields) {
    const v = (data as Record<string, unknown>)[f];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[f] = v;
  }
  return out;
};

/** Failure text is cut to this length: a reason, not a dump. */
const MAX_FAILURE_CHARS = 2_000;
const MAX_FRAMES_CHARS = 4_000;
/** Where a stack trace's frames begin, after the message. */
const FRAME_START = /\n\s+at\s/;
/** Where a dump of a request or response starts: everything from here on is dropped. */
const DUMP_START =
  /\b(?:request|response|req|res)?[ _-]?(?:body|headers?|data|payload|config)\b\s*[:=]|\b(?:authorization|proxy-authorization|cookie|set-cookie|x-[a-z0-9-]+)\s*:/i;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;
const URL_QUERY = /\b([a-z][a-z0-9+.-]*:\/\/[^\s?#]*)[?#][^\s'")\]]*/gi;
const AUTH_TOKEN = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

/**
 * Makes a failure reason, stack trace or job log line safe to show: drops anything after the start
 * of a body or header dump, strips URLs' userinfo and query strings, scrubs known secrets and masks
 * card numbers. A stack trace's frames (`    at …` lines) are kept, scrubbed the same way, so the
 * trace still says where the failure came from.
 */
export function createFailureSanitiser(secrets: readonly string[] = []): (text: string) => string {
  const scrub = createLineScrubber(secrets);
  const stripUrls = (text: string) =>
    text.replace(URL_USERINFO, '$1').replace(URL_QUERY, '$1').replace(AUTH_TOKEN, '$1 [removed]');
  const limit = (text: string, max: number) =>
    text.length > max ? `${text.slice(0, max)} [truncated]` : text;
  return (text) => {
    const all = String(text);
    const framesAt = all.search(FRAME_START);
    let head = framesAt < 0 ? all : all.slice(0, framesAt);
    const frames = framesAt < 0 ? '' : all.slice(framesAt);
    const dump = DUMP_START.exec(head);
    if (dump) head = `${head.slice(0, dump.index).trimEnd()} [details removed]`;
    return scrub(limit(stripUrls(head), MAX_FAILURE_CHARS) + limit(stripUrls(frames), MAX_FRAMES_CHARS));
  };
}

/** Deep-copies a value with every string run through the sanitiser (return values, progress). */
function sanitiseValue(value: unknown, clean: (s: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return clean(value);
  if (depth > 8 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => sanitiseValue(v, clean, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sanitiseValue(v, clean, depth + 1)]));
}

/**
 * bull-board 9.10.1 has formatters for data, returnValue, name and progress, but none for
 * failedReason or the stack trace: those are cleaned here, on the job as read from Redis, before
 * any route serialises it. The cleaned copy is never written back.
 */
class SanitisingAdapter extends BullMQAdapter {
  readonly #clean: (text: string) => string;
  readonly #describe: DashboardOptions['describePayout'];

  constructor(queue: Queue, clean: (text: string) => string, describe?: DashboardOptions['describePayout']) {
    super(queue, { readOnlyMode: true, allowRetries: false });
    this.#clean = clean;
    this.#describe = describe;
    const visible = VISIBLE_DATA[queue.name] ?? DEFAULT_VISIBLE_DATA;
    this.setFormatter('data', (data: unknown) => pick(data, visible));
    this.setFormatter('returnValue', (v: unknown) => sanitiseValue(v, clean));
    this.setFormatter('progress', (v: unknown) => sanitiseValue(v, clean));
  }

  #cleanJob(job: Job): Job {
    const clean = this.#clean;
    if (typeof job.failedReason === 'string') job.failedReason = clean(job.failedReason);
    if (Array.isArray(job.stacktrace)) job.stacktrace = job.stacktrace.map((l) => (l ? clean(l) : l));
    const j = job as Job & { deferredFailure?: unknown };
    if (typeof j.deferredFailure === 'string') j.deferredFailure = clean(j.deferredFailure);
    return job;
  }

  /** A payout job names its payout's state and reason, and the console page where it is acted on. */
  async #describeJob(job: Job): Promise<Job> {
    const externalId = (job.data as { externalId?: unknown } | undefined)?.externalId;
    if (!this.#describe || typeof externalId !== 'string') return job;
    const payout = (await this.#describe(externalId).catch(() => undefined)) ?? 'no payout record';
    job.data = { ...job.data, payout, console: `/console/payouts/${encodeURIComponent(externalId)}` };
    if (job.finishedOn && !job.failedReason) job.returnvalue = payout;
    return job;
  }

  override async getJob(id: string): Promise<Job | undefined> {
    const job = await super.getJob(id);
    return job ? this.#describeJob(this.#cleanJob(job)) : job;
  }

  override async getJobs(...args: Parameters<BullMQAdapter['getJobs']>): Promise<Job[]> {
    const jobs = (await super.getJobs(...args)).map((job) => this.#cleanJob(job));
    return Promise.all(jobs.map((job) => this.#describeJob(job)));
  }

  override async getJobLogs(id: string): Promise<string[]> {
    return (await super.getJobLogs(id)).map((line) => this.#clean(line));
  }
}

/**
 * Registers Bull Board under `basePath` inside an encapsulated plugin whose onRequest hook requires
 * the dashboard login: the rest of the app never sees the basic auth.
 */
export async function registerDashboard(app: FastifyInstance, opts: DashboardOptions): Promise<void> {
  const basePath = (opts.basePath ?? '/admin/queues').replace(/\/+$/, '');
  const clean = createFailureSanitiser(opts.secrets);
  const queues = [
    new SanitisingAdapter(opts.queues.payouts, clean, opts.describePayout),
    ...opts.queues.others.map((q) => new SanitisingAdapter(q, clean)),
  ];

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues,
    serverAdapter,
    options: {
      uiConfig: { boardTitle: 'Payouts', hideDocsLink: true },
      // Every queue is read-only already; this refuses any other method before a handler runs, so
      // a route added by a later bull-board version cannot mutate either.
      handlerHooks: {
        before: ({ method }) =>
          method === 'get' ? undefined : { allow: false, status: 405, errorKey: 'ERRORS.QUEUE_READ_ONLY' },
      },
    },
  });

  const requireLogin = async (request: FastifyRequest, reply: FastifyReply) => {
    const given = basicCredentials(request.headers.authorization);
    if (given && (await opts.login(given.user, given.password))) return;
    reply.header('www-authenticate', `Basic realm="${DASHBOARD_REALM}"`);
    return sendError(reply, 401, 'unauthorized', 'the dashboard requires an operator login');
  };

  await app.register(async (scope) => {
    scope.addHook('onRequest', requireLogin);
    await scope.register(serverAdapter.registerPlugin(), { prefix: basePath });
  });
}
