import fc from 'fast-check';
import { type Answer, bytesOf, type Sent } from './fuzz-client.js';

/**
 * The fuzz suite's machinery (its HTTP client is in fuzz-client.ts): an oracle for what the JSON parser
 * in front of the routes will make of a body, the checks every answer must pass, and a runner that
 * spreads a property over parallel lanes.
 */

// ---------------------------------------------------------------------------------------------
// Seeds

/** `FUZZ_SEED=<n>` reproduces a run; without it every run uses the same cases. */
export const BASE_SEED = Number.parseInt(process.env.FUZZ_SEED ?? '20261124', 10);
if (!Number.isSafeInteger(BASE_SEED))
  throw new Error(`FUZZ_SEED must be an integer, got ${process.env.FUZZ_SEED}`);

/** The seed of one property: distinct per property, reproducible from BASE_SEED. */
export const seedFor = (property: number) => (BASE_SEED + property * 1_000) | 0;

// ---------------------------------------------------------------------------------------------
// What the JSON parser in front of the routes makes of a body

export type Parsed =
  | { kind: 'too_large' }
  /** The JSON parser refuses it: empty, not JSON, or a prototype-poisoning key. */
  | { kind: 'bad_json' }
  | { kind: 'value'; value: unknown };

/**
 * Mirrors fastify's JSON parser (secure-json-parse): a leading BOM is dropped, `__proto__` anywhere
 * and `constructor.prototype` anywhere are refused. Bytes are decoded as UTF-8 with replacement.
 */
export function parseAsServer(body: string | Buffer | undefined, limit: number): Parsed {
  if (bytesOf(body) > limit) return { kind: 'too_large' };
  let text = Buffer.isBuffer(body) ? body.toString('utf8') : (body ?? '');
  // No body at all is no body (the app's JSON parser), which the validator refuses by name.
  if (text === '') return { kind: 'value', value: undefined };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'bad_json' };
  }
  return hasPoisonKey(value) ? { kind: 'bad_json' } : { kind: 'value', value };
}

/** Iterative: a body may nest 10,000 levels deep. */
export function hasPoisonKey(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Object.hasOwn(node, '__proto__')) return true;
    const ctor = Object.hasOwn(node, 'constructor')
      ? (node as { constructor: unknown }).constructor
      : undefined;
    if (ctor !== null && typeof ctor === 'object' && Object.hasOwn(ctor, 'prototype')) return true;
    for (const key of Object.keys(node)) stack.push((node as Record<string, unknown>)[key]);
  }
  return false;
}

/** What POST /v1/callbacks/gateway answers: 413, 400 for bad JSON or a non-object, then 401 unless signed. */
export const callbackStatusFor = (parsed: Parsed, correctlySigned: boolean) =>
  parsed.kind === 'too_large'
    ? 413
    : parsed.kind === 'bad_json' || !isJsonObject(parsed.value)
      ? 400
      : correctlySigned
        ? 400
        : 401;

export const isJsonObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// Card-number-shaped values

/** The logger's definition: 13-19 digits, optionally split by single spaces or dashes; 12 digits too. */
const CARD_LIKE = /(?<![\d-])\d(?:[ -]?\d){11,18}(?!\d)/g;

export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Card numbers in a text: every card-like run that passes the Luhn check, digits only. */
export function cardNumbersIn(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(CARD_LIKE)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (luhn(digits)) found.add(digits);
  }
  return [...found];
}

/** Card numbers in a request body, as written and as the server decodes it (escapes resolved). */
export function cardNumbersInRequest(body: string | Buffer | undefined): string[] {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : (body ?? '');
  const found = new Set(cardNumbersIn(text));
  if (text.includes('\\u')) {
    try {
      for (const c of cardNumbersIn(JSON.stringify(JSON.parse(text)))) found.add(c);
    } catch {
      // not JSON, or too deep to re-serialize: the text as written is all there is
    }
  }
  return [...found];
}

// ---------------------------------------------------------------------------------------------
// Checks

export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
}

const preview = (s: string, n = 400) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

export function describeExchange(req: Sent, res: Answer): string {
  const body =
    req.body === undefined ? '(no body)' : Buffer.isBuffer(req.body) ? req.body.toString('utf8') : req.body;
  return [
    `request: POST ${req.path} ${JSON.stringify(req.headers)}${req.chunked ? ' chunked' : ''}`,
    `  body (${bytesOf(req.body)} bytes): ${preview(body)}`,
    `answer: ${res.status} ${res.contentType}`,
    `  ${preview(res.text, 1200)}`,
  ].join('\n');
}

export interface ErrorBody {
  code: string;
  message: string;
  issues?: { path: string; message: string }[];
}

/**
 * Every refusal: a 4xx (never 2xx/3xx/5xx), in the contract's shape
 * `{"error":{"code","message","issues"?:[{"path","message"}]}}`, a 422 with issues, and no card number
 * from the request anywhere in it.
 */
export function expectRefusal(req: Sent, res: Answer, allowed?: readonly number[]): ErrorBody {
  const fail = (why: string): never => {
    throw new FuzzFailure(`${why}\n${describeExchange(req, res)}`);
  };
  if (res.status < 400 || res.status > 499) fail(`expected a 4xx, got ${res.status}`);
  if (allowed && !allowed.includes(res.status)) fail(`expected ${allowed.join(' or ')}, got ${res.status}`);
  if (!/^application\/json\b/.test(res.contentType)) fail(`a refusal must be JSON, got "${res.contentType}"`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.text);
  } catch {
    return fail('the answer is not JSON');
  }
  if (!isJsonObject(parsed) || Object.keys(parsed).join() !== 'error')
    fail('the answer must be {"error":{…}}');
  const error = (parsed as { error: unknown }).error;
  if (!isJsonObject(error)) return fail('"error" must be an object');
  const extra = Object.keys(error).filter((k) => !['code', 'message', 'issues'].includes(k));
  if (extra.length > 0) fail(`"error" has fields outside the contract: ${extra.join(', ')}`);
  if (typeof error.code !== 'string' || error.code === '') fail('"error.code" must be a non-empty string');
  if (typeof error.message !== 'string') fail('"error.message" must be a string');
  if (error.issues !== undefined) {
    if (!Array.isArray(error.issues) || error.issues.length === 0)
      fail('"error.issues" must be a non-empty array');
    for (const issue of error.issues as unknown[]) {
      if (!isJsonObject(issue) || Object.keys(issue).sort().join() !== 'message,path') {
        fail(`every issue is {"path","message"}, got ${JSON.stringify(issue)}`);
      }
      const { path, message } = issue as Record<string, unknown>;
      if (typeof path !== 'string' || typeof message !== 'string')
        fail('an issue path and message must be strings');
    }
  }
  if (res.status === 422) {
    if (error.code !== 'validation_failed') fail('a 422 has code "validation_failed"');
    if (error.issues === undefined) fail('a 422 lists its issues');
  }
  const inAnswer = new Set(cardNumbersIn(res.text));
  for (const card of cardNumbersInRequest(req.body)) {
    if (res.text.includes(card) || inAnswer.has(card)) {
      fail(`the answer echoes the card-number-shaped value ${card} from the request`);
    }
  }
  return error as unknown as ErrorBody;
}

// ---------------------------------------------------------------------------------------------
// Runner

export interface FuzzSpec<T> {
  /** Distinct per property; the lanes' seeds are seed, seed + 1, … */
  seed: number;
  runs: number;
  arb: fc.Arbitrary<T>;
  check: (value: T) => Promise<void>;
  /** Parallel lanes, each a sequential fast-check property over its share of the runs. */
  lanes?: number;
  /** A lane still running after this long (shrinking included) fails. */
  timeLimitMs?: number;
}

/**
 * Runs `runs` cases as `lanes` seeded fast-check properties side by side (concurrency without giving
 * up shrinking), and throws one error naming every failing lane's seed, path and counterexample.
 * Returns how many cases ran.
 */
export async function runFuzz<T>(spec: FuzzSpec<T>): Promise<number> {
  const lanes = spec.lanes ?? 16;
  const results = await Promise.all(
    laneSeeds(spec).map(async ({ seed, numRuns }) => {
      const details = await fc.check(fc.asyncProperty(spec.arb, spec.check), {
        seed,
        numRuns,
        plugins: [fc.interruptAfterTimeLimit(spec.timeLimitMs ?? 80_000, { failOnInterrupt: true })],
      });
      return { seed, details };
    }),
  );
  const failed = results.filter((r) => r.details.failed);
  if (failed.length > 0) {
    const reports = failed.slice(0, 2).map(({ seed, details }) => {
      const report = fc.defaultReportMessage(details) ?? '';
      const error =
        details.errorInstance instanceof Error
          ? details.errorInstance.message
          : String(details.errorInstance);
      return [
        `lane seed ${seed}:`,
        report.length > 2500 ? `${report.slice(0, 2500)}…` : report,
        `error: ${error.length > 4000 ? `${error.slice(0, 4000)}…` : error}`,
      ].join('\n');
    });
    throw new FuzzFailure(
      [
        `${failed.length} of ${lanes} lanes failed (lane seeds ${failed.map((f) => f.seed).join(', ')}); ` +
          `the same cases again: FUZZ_SEED=${BASE_SEED} npx vitest run test/integration/fuzz`,
        ...reports,
      ].join('\n\n'),
    );
  }
  return results.reduce((n, r) => n + r.details.numRuns, 0);
}

function laneSeeds(spec: { seed: number; runs: number; lanes?: number }) {
  const lanes = spec.lanes ?? 16;
  return Array.from({ length: lanes }, (_, lane) => ({
    seed: spec.seed + lane,
    numRuns: Math.floor(spec.runs / lanes) + (lane < spec.runs % lanes ? 1 : 0),
  }));
}

/** Exactly the values runFuzz tries first (before any shrinking), for checks that need no server. */
export function sampleLanes<T>(spec: Omit<FuzzSpec<T>, 'check'>): T[] {
  return laneSeeds(spec).flatMap(({ seed, numRuns }) => fc.sample(spec.arb, { seed, numRuns }));
}

/** The seed and run count for a test name, so a failure names what reproduces it. */
export const label = (seed: number, runs: number) => `${runs} runs, seed ${seed} (FUZZ_SEED=${BASE_SEED})`;
