import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `node --import tsx bench/budget.ts <meta.json | profile.cpuprofile> [payouts]`: a CPU budget table
 * from V8 CPU profiles (`node --cpu-prof`): where each tenth of a millisecond of a payout goes, for
 * the API process and the worker process apart. Given the meta.json `bench/profile.ts` writes, it
 * reads both processes' profiles and counts only the measured window; given one .cpuprofile, the
 * whole profile and the payouts named.
 *
 * Each sample goes to the deepest frame on its stack that belongs to a named part (a library, or a
 * module of ours with a cost of its own): Node's own internals (streams, sockets, timers) go to
 * whatever called them. Redis client work done for BullMQ counts as BullMQ. Samples whose stack
 * names no part are "other": the VM itself ("(program)": compiling, the event loop) and our own code.
 */

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export const PARTS = [
  'fastify/HTTP parse',
  'zod validation',
  'sealing crypto',
  'keyed digest',
  'ioredis/Redis scripts',
  'BullMQ',
  'pino logging',
  'gateway client (HTTP)',
  'signature',
  'GC',
  'own code',
  'other',
] as const;
export type Part = (typeof PARTS)[number];

const LIBRARIES: [RegExp, Part][] = [
  [
    /\/node_modules\/(fastify|find-my-way|light-my-request|@fastify|avvio|fast-json-stringify|secure-json-parse|fast-querystring|toad-cache|fastify-type-provider-zod)\//,
    'fastify/HTTP parse',
  ],
  [/\/node_modules\/zod\//, 'zod validation'],
  [/\/(src|dist[\w-]*)\/methods\//, 'zod validation'],
  [
    /\/node_modules\/(ioredis|@ioredis|redis-parser|redis-errors|cluster-key-slot|denque|standard-as-callback)\//,
    'ioredis/Redis scripts',
  ],
  [/\/node_modules\/(bullmq|msgpackr|cron-parser|node-abort-controller|uuid)\//, 'BullMQ'],
  [
    /\/node_modules\/(pino|sonic-boom|fast-redact|pino-std-serializers|quick-format-unescaped|safe-stable-stringify|on-exit-leak-free|thread-stream|atomic-sleep)\//,
    'pino logging',
  ],
  [/\/(src|dist[\w-]*)\/(logger|log-redaction)\.[jt]s$/, 'pino logging'],
  [/\/node_modules\/(axios|follow-redirects|form-data|proxy-from-env)\//, 'gateway client (HTTP)'],
  [/\/(src|dist[\w-]*)\/gateway\/(client|call-watch|scrub|classify|wire)\.[jt]s$/, 'gateway client (HTTP)'],
  [/\/(src|dist[\w-]*)\/gateway\/signature\.[jt]s$/, 'signature'],
];

function partOf(frame: CallFrame): Part | 'ioredis' | 'node-http' | undefined {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (/\/(src|dist[\w-]*)\/payout\/sealing\.[jt]s$/.test(url)) {
    return /digest|canonical|mac/i.test(functionName) ? 'keyed digest' : 'sealing crypto';
  }
  for (const [pattern, part] of LIBRARIES) {
    if (pattern.test(url)) return part === 'ioredis/Redis scripts' ? 'ioredis' : part;
  }
  if (/^node:_http_|^node:http$/.test(url)) return 'node-http';
  return undefined;
}

/** Milliseconds of CPU per part in a profile, counting samples taken between fromMs and toMs. */
export function budget(profile: CpuProfile, process: 'api' | 'worker', fromMs = 0, toMs = Infinity) {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const cache = new Map<number, Part | null>();
  const classify = (leaf: number): Part | null => {
    const known = cache.get(leaf);
    if (known !== undefined) return known;
    let id: number | undefined = leaf;
    let found: Part | null = null;
    let sawHttp = false;
    let ownCode = false;
    const leafName = byId.get(leaf)?.callFrame.functionName;
    if (leafName === '(idle)') found = null;
    else if (leafName === '(program)') found = 'other';
    else {
      while (id !== undefined) {
        const frame = byId.get(id)!.callFrame;
        const part = partOf(frame);
        if (part === 'ioredis') {
          // The Redis client's work for BullMQ is BullMQ's.
          let up = parent.get(id);
          let forBull = false;
          while (up !== undefined) {
            if (partOf(byId.get(up)!.callFrame) === 'BullMQ') forBull = true;
            up = parent.get(up);
          }
          found = forBull ? 'BullMQ' : 'ioredis/Redis scripts';
          break;
        }
        if (part === 'node-http') sawHttp = true;
        else if (part) {
          found = part;
          break;
        }
        if (/\/(src|dist[\w-]*)\//.test(frame.url) && !frame.url.includes('node_modules')) ownCode = true;
        id = parent.get(id);
      }
      // Node's HTTP with no library on the stack: the server's parsing (API) or the client's (worker).
      if (!found && sawHttp) found = process === 'api' ? 'fastify/HTTP parse' : 'gateway client (HTTP)';
      if (!found) found = ownCode ? 'own code' : 'other';
    }
    cache.set(leaf, found);
    return found;
  };
  const out = Object.fromEntries(PARTS.map((p) => [p, 0])) as Record<Part, number>;
  let t = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += (profile.timeDeltas[i] ?? 0) / 1000;
    if (t < fromMs || t > toMs) continue;
    const part = classify(profile.samples[i]!);
    if (part) out[part] += (profile.timeDeltas[i] ?? 0) / 1000;
  }
  return out;
}

const firstProfile = (dir: string) => {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
};

/**
 * The table: tenths of a millisecond per payout, per part, for each process. A column with
 * `cpuPerPayoutMs` (the process's own CPU time per payout, from /proc) is scaled to it: a sample's
 * time is the wall time between samples, which on a loaded machine includes time the thread waited
 * for a core, so the profile gives the split and /proc the total.
 */
export function budgetTable(
  columns: { name: string; ms: Record<Part, number>; payouts: number; cpuPerPayoutMs?: number }[],
): string {
  const sum = (ms: Record<Part, number>) => Object.values(ms).reduce((a, b) => a + b, 0);
  const scale = (c: (typeof columns)[number]) =>
    c.cpuPerPayoutMs === undefined ? 1 : (c.cpuPerPayoutMs * c.payouts) / sum(c.ms);
  columns = columns.map((c) => ({
    ...c,
    ms: Object.fromEntries(PARTS.map((p) => [p, c.ms[p] * scale(c)])) as Record<Part, number>,
  }));
  const tenths = (ms: number, payouts: number) => ((ms / payouts) * 10).toFixed(1);
  const lines = [
    `| part (0.1 ms per payout) | ${columns.map((c) => c.name).join(' | ')} |`,
    `|---|${columns.map(() => '---:').join('|')}|`,
  ];
  for (const p of PARTS)
    lines.push(`| ${p} | ${columns.map((c) => tenths(c.ms[p], c.payouts)).join(' | ')} |`);
  lines.push(`| **total** | ${columns.map((c) => `**${tenths(sum(c.ms), c.payouts)}**`).join(' | ')} |`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [target, payoutsArg] = process.argv.slice(2);
  if (!target) throw new Error('usage: budget.ts <meta.json | file.cpuprofile> [payouts]');
  if (target.endsWith('.json') && !target.endsWith('.cpuprofile')) {
    const meta = JSON.parse(readFileSync(target, 'utf8')) as {
      payouts: number;
      cpuPerPayoutMs?: { api: number; worker: number };
      api: { dir: string; fromMs: number; toMs: number };
      worker: { dir: string; fromMs: number; toMs: number };
    };
    const columns = (['api', 'worker'] as const).map((p) => ({
      name: p === 'api' ? 'API process' : 'worker process',
      ms: budget(firstProfile(meta[p].dir), p, meta[p].fromMs, meta[p].toMs),
      payouts: meta.payouts,
      ...(meta.cpuPerPayoutMs ? { cpuPerPayoutMs: meta.cpuPerPayoutMs[p] } : {}),
    }));
    console.log(budgetTable(columns));
  } else {
    const profile = JSON.parse(readFileSync(target, 'utf8')) as CpuProfile;
    const payouts = Number(payoutsArg ?? 1);
    const proc = process.env.BUDGET_PROCESS === 'worker' ? 'worker' : 'api';
    console.log(budgetTable([{ name: target, ms: budget(profile, proc), payouts }]));
  }
}
