import type { SecretScanner } from './secrets.js';

/**
 * Every door of the API process: 401 without credentials and with wrong ones; then Bull Board's JSON
 * API, /metrics and the other public pages, read and scanned.
 */

export interface DoorCheck {
  door: string;
  credentials: string;
  status: number;
  expected: number;
  ok: boolean;
}

export interface HttpScanResult {
  doors: DoorCheck[];
  /** Bull Board and public endpoints read with the right credentials, and scanned. */
  pagesScanned: number;
  boardJobDetails: number;
  metricsStatus: number;
  /** A payout POSTed without credentials must not exist afterwards. */
  unauthenticatedPostCreatedNothing: boolean;
  errors: string[];
}

export interface HttpScanOptions {
  api: string;
  apiKey: string;
  dashboardUser: string;
  dashboardPassword: string;
  /** An accepted payout, for the per-payout doors. */
  sampleExternalId: string;
  /** A valid payout body (with a card) for the unauthenticated POST. */
  unauthenticatedPayout: Record<string, unknown> & { external_id: string };
  depositBody: unknown;
  scanner: SecretScanner;
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export async function scanHttp(opts: HttpScanOptions): Promise<HttpScanResult> {
  const reader = pageReader(opts.api, opts.scanner);
  const doors = await checkDoors(reader, opts);
  const bearer = { authorization: `Bearer ${opts.apiKey}` };
  const notCreated = await reader.call(
    'GET',
    `/v1/payouts/${opts.unauthenticatedPayout.external_id}`,
    bearer,
  );
  const unauthenticatedPostCreatedNothing = notCreated.status === 404;
  const metricsStatus = await readPublicPages(reader);
  const boardJobDetails = await readBullBoard(reader, {
    authorization: basic(opts.dashboardUser, opts.dashboardPassword),
  });
  return {
    doors,
    pagesScanned: reader.pagesScanned,
    boardJobDetails,
    metricsStatus,
    unauthenticatedPostCreatedNothing,
    errors: reader.errors,
  };
}

type Headers = Record<string, string>;

interface PageReader {
  /** One request; its answer's text goes through the secret scan. */
  call(
    method: string,
    path: string,
    headers: Headers,
    body?: unknown,
  ): Promise<{ status: number; text: string }>;
  /** Answers read and scanned so far. */
  pagesScanned: number;
  errors: string[];
}

function pageReader(api: string, scanner: SecretScanner): PageReader {
  const reader: PageReader = {
    pagesScanned: 0,
    errors: [],
    async call(method, path, headers, body) {
      const res = await fetch(`${api}${path}`, {
        method,
        headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        redirect: 'manual',
      });
      const text = await res.text();
      scanner.scan('http', `http:${method} ${path.split('?')[0]}`, text, {
        documentation: path.startsWith('/docs'),
      });
      reader.pagesScanned++;
      return { status: res.status, text };
    },
  };
  return reader;
}

/** Every door with every wrong credential, then a callback with a forged signature: each must be 401. */
async function checkDoors(reader: PageReader, opts: HttpScanOptions): Promise<DoorCheck[]> {
  const id = opts.sampleExternalId;
  const doors: [string, string, unknown?][] = [
    ['POST', '/v1/payouts', opts.unauthenticatedPayout],
    ['GET', `/v1/payouts/${id}`],
    ['POST', `/v1/payouts/${id}/resolve`, { as: 'failed', note: 'chaos: must be refused' }],
    ['POST', `/v1/payouts/${id}/cancel`, { note: 'chaos: must be refused' }],
    ['POST', '/v1/deposits', opts.depositBody],
    ['GET', '/admin/queues'],
    ['GET', '/admin/queues/api/queues'],
    ['GET', `/admin/queues/api/queues/payouts/p-${id}`],
    ['PUT', `/admin/queues/api/queues/payouts/p-${id}/retry`],
  ];
  const wrong: [string, Headers][] = [
    ['none', {}],
    ['wrong bearer key', { authorization: `Bearer ${opts.apiKey}x` }],
    ['dashboard password as bearer', { authorization: `Bearer ${opts.dashboardPassword}` }],
    ['basic with the API key', { authorization: basic(opts.dashboardUser, opts.apiKey) }],
    ['basic, wrong password', { authorization: basic(opts.dashboardUser, `${opts.dashboardPassword}x`) }],
  ];
  const checks: DoorCheck[] = [];
  for (const [method, path, body] of doors) {
    for (const [credentials, headers] of wrong) {
      try {
        const res = await reader.call(method, path, headers, body);
        checks.push({
          door: `${method} ${path}`,
          credentials,
          status: res.status,
          expected: 401,
          ok: res.status === 401,
        });
      } catch (err) {
        reader.errors.push(`${method} ${path} (${credentials}): ${String(err)}`);
        checks.push({ door: `${method} ${path}`, credentials, status: 0, expected: 401, ok: false });
      }
    }
  }
  checks.push(await forgedCallback(reader, id));
  return checks;
}

/** Callbacks are authenticated by their signature. */
async function forgedCallback(reader: PageReader, id: string): Promise<DoorCheck> {
  const forged = await reader.call(
    'POST',
    '/v1/callbacks/gateway',
    {},
    {
      status: 4,
      type: 2,
      external_id: id,
      order_id: '1',
      signature: '0'.repeat(40),
    },
  );
  return {
    door: 'POST /v1/callbacks/gateway',
    credentials: 'forged signature',
    status: forged.status,
    expected: 401,
    ok: forged.status === 401,
  };
}

/** Public by design: answer without credentials, and hold no secret. Returns /metrics's status. */
async function readPublicPages(reader: PageReader): Promise<number> {
  let metricsStatus = 0;
  for (const path of ['/metrics', '/healthz', '/readyz', '/docs/json']) {
    const res = await reader.call('GET', path, {});
    if (path === '/metrics') metricsStatus = res.status;
  }
  return metricsStatus;
}

const BOARD_QUEUES = ['payouts', 'notifications', 'maintenance'];
const BOARD_STATUSES = [
  'latest',
  'active',
  'waiting',
  'delayed',
  'completed',
  'failed',
  'prioritized',
  'paused',
];

/** Bull Board with the login: every list of every queue, then job details and logs. Returns the details read. */
async function readBullBoard(reader: PageReader, login: Headers): Promise<number> {
  await reader.call('GET', '/admin/queues', login);
  const jobIds = await listBoardJobs(reader, login);
  let boardJobDetails = 0;
  for (const [queue, ids] of Object.entries(jobIds)) {
    for (const jobId of [...ids].slice(0, 25)) {
      const path = `/admin/queues/api/queues/${queue}/${encodeURIComponent(jobId)}`;
      const detail = await reader.call('GET', path, login);
      if (detail.status === 200) boardJobDetails++;
      else if (detail.status !== 404) reader.errors.push(`bull board ${path}: HTTP ${detail.status}`);
      await reader.call('GET', `${path}/logs`, login);
    }
  }
  return boardJobDetails;
}

/** The job ids in every list of every queue, by queue. */
async function listBoardJobs(reader: PageReader, login: Headers): Promise<Record<string, Set<string>>> {
  const jobIds: Record<string, Set<string>> = {};
  for (const queue of BOARD_QUEUES) {
    for (const status of BOARD_STATUSES) {
      const res = await reader.call(
        'GET',
        `/admin/queues/api/queues?activeQueue=${queue}&status=${status}&page=1&jobsPerPage=100`,
        login,
      );
      if (res.status !== 200) {
        reader.errors.push(`bull board list ${queue}/${status}: HTTP ${res.status}`);
        continue;
      }
      const parsed = JSON.parse(res.text) as { queues?: { name: string; jobs?: { id?: string }[] }[] };
      for (const q of parsed.queues ?? []) {
        for (const job of q.jobs ?? []) {
          if (!job.id) continue;
          const ids = jobIds[q.name] ?? new Set<string>();
          ids.add(job.id);
          jobIds[q.name] = ids;
        }
      }
    }
  }
  return jobIds;
}
