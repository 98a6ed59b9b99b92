import { type DestinationStream, type Logger, pino } from 'pino';
import pretty from 'pino-pretty';
import { CENSOR, redactFields } from './log-redaction.js';

export type { Logger } from 'pino';

/** Digit runs of 13-19 (optionally split by single spaces or dashes) that pass Luhn are card numbers. */
const CARD_LIKE = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])/g;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Masks every card-shaped number in a text, keeping its first 6 and last 4 digits. */
export function maskCardNumbers(text: string): string {
  return text.replace(CARD_LIKE, (match) => {
    const digits = match.replace(/[ -]/g, '');
    if (digits.length < 13 || !luhnValid(digits)) return match;
    return `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;
  });
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The last line of defence, applied to every serialized line: known secret values are replaced
 * wherever they appear (also JSON-escaped), then card-shaped numbers are masked.
 */
export function createLineScrubber(secrets: readonly string[]): (line: string) => string {
  const variants = new Set<string>();
  for (const s of secrets) {
    if (s.length < 6) continue;
    variants.add(s);
    variants.add(JSON.stringify(s).slice(1, -1));
  }
  const pattern =
    variants.size > 0
      ? new RegExp(
          [...variants]
            .sort((a, b) => b.length - a.length)
            .map(escapeRegExp)
            .join('|'),
          'g',
        )
      : undefined;
  return (line) => maskCardNumbers(pattern ? line.replace(pattern, CENSOR) : line);
}

/** Errors are logged by name, message and code only: never an HTTP client's config, request or response. */
function serializeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) {
    // A plain `{ message }` (as some callers log) keeps its message rather than `[object Object]`.
    const plain = typeof err === 'object' && err !== null ? (err as { message?: unknown }) : undefined;
    return { message: typeof plain?.message === 'string' ? plain.message : String(err) };
  }
  const e = err as Error & { code?: unknown; status?: unknown; retryable?: unknown };
  return {
    type: e.name,
    message: e.message,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.status === 'number' ? { status: e.status } : {}),
    ...(typeof e.retryable === 'boolean' ? { retryable: e.retryable } : {}),
    stack: e.stack,
    ...(e.cause !== undefined ? { cause: serializeError(e.cause) } : {}),
  };
}

/** An error as one line in a terminal: its type, message and code, and its causes'; the stack stays in JSON logs. */
function oneLineError(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  const e = value as { type?: unknown; message?: unknown; code?: unknown; cause?: unknown };
  const text = `${typeof e.type === 'string' ? `${e.type}: ` : ''}${String(e.message ?? '')}${
    typeof e.code === 'string' ? ` (${e.code})` : ''
  }`;
  return e.cause === undefined ? text : `${text}; cause: ${oneLineError(e.cause)}`;
}

/**
 * A terminal gets one line per event (time, level, message, then the fields as compact JSON), so a
 * start banner or a demo's progress stays on screen; errors are summed up on that line
 * (oneLineError). Anything not a terminal gets JSON lines, stacks included.
 */
export function createTerminalStream(destination?: NodeJS.WritableStream): DestinationStream {
  return pretty({
    colorize: destination === undefined,
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
    // pino-pretty prints `err` apart, stack and all, over several lines: it joins the message instead.
    ignore: 'pid,hostname,err',
    messageFormat: (log, messageKey) =>
      log.err === undefined
        ? String(log[messageKey] ?? '')
        : `${String(log[messageKey] ?? '')}: ${oneLineError(log.err)}`,
    errorLikeObjectKeys: [],
    customPrettifiers: { error: oneLineError },
    ...(destination ? { destination } : {}),
  });
}

export interface LoggerOptions {
  level?: string;
  /** Secret values to scrub from every line (merchant key, salt, API keys, payload keys). */
  secrets?: readonly string[];
  /** Where lines go; a terminal gets human-readable output, anything else JSON lines. */
  destination?: DestinationStream;
  name?: string;
}

/**
 * JSON lines on stdout, written asynchronously and in batches: lines gather until about a page of
 * them (LINES_BATCH_BYTES) is waiting, or until LINES_FLUSH_MS has passed, and then go out in one
 * write. A write of its own per line (a system call and a trip through libuv's thread pool) cost
 * more than everything else a payout's log line does. Whatever is pending is written out when the
 * process exits, an uncaught error's exit included; only a process killed outright (SIGKILL) can lose
 * the lines of its last LINES_FLUSH_MS.
 */
const LINES_BATCH_BYTES = 4096;
const LINES_FLUSH_MS = 250;
const jsonLines = () =>
  pino.destination({ dest: 1, sync: false, minLength: LINES_BATCH_BYTES, periodicFlush: LINES_FLUSH_MS });

export function createLogger(options: LoggerOptions = {}): Logger {
  const scrub = createLineScrubber(options.secrets ?? []);
  const destination = options.destination ?? (process.stdout.isTTY ? createTerminalStream() : jsonLines());
  return pino(
    {
      level: options.level ?? 'info',
      ...(options.name ? { name: options.name } : {}),
      base: { pid: process.pid },
      // ISO time keeps epoch milliseconds (13 digits) out of the card-number scrubber's way.
      timestamp: pino.stdTimeFunctions.isoTime,
      // Secret fields by name (log-redaction.ts), then every line scrubbed of secret values and cards.
      formatters: { log: redactFields, bindings: redactFields },
      serializers: { err: serializeError, error: serializeError },
      hooks: { streamWrite: scrub },
    },
    destination,
  );
}
