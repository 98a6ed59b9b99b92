import { parseArgs } from 'node:util';

/**
 * The arguments of one operator command, parsed by node:util's parseArgs (built in; the commands
 * need nothing it lacks), with a refusal that says which argument is wrong and what is expected.
 */

export interface CommandSpec<O extends Record<string, { type: 'string' | 'boolean' }>> {
  /** `payouts status <external_id> [--json]`: shown after every refusal. */
  usage: string;
  /** Positional arguments by name, in order; all required. */
  positionals?: readonly string[];
  options: O;
  /** What each string option expects, for the refusal of a missing value (`--limit N`). */
  expects?: Partial<Record<keyof O, string>>;
}

type Values<O extends Record<string, { type: 'string' | 'boolean' }>> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

export type Parsed<O extends Record<string, { type: 'string' | 'boolean' }>> =
  | { ok: true; values: Values<O>; positionals: string[] }
  | { ok: false; message: string };

/** A refusal: the problem, then the command's usage on the next line. */
export const refusal = (spec: { usage: string }, problem: string) =>
  `payouts: ${problem}\nusage: ${spec.usage}`;

export function parseCommand<O extends Record<string, { type: 'string' | 'boolean' }>>(
  spec: CommandSpec<O>,
  args: string[],
): Parsed<O> {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: spec.options, allowPositionals: true, strict: true });
  } catch (err) {
    return { ok: false, message: refusal(spec, describeParseError(err, spec)) };
  }
  const names = spec.positionals ?? [];
  const missing = names[parsed.positionals.length];
  if (missing !== undefined) return { ok: false, message: refusal(spec, `missing <${missing}>`) };
  const extra = parsed.positionals[names.length];
  if (extra !== undefined) return { ok: false, message: refusal(spec, `unexpected argument '${extra}'`) };
  return { ok: true, values: parsed.values as Values<O>, positionals: parsed.positionals };
}

/** parseArgs's own messages explain its syntax; these say what the command expects instead. */
function describeParseError(
  err: unknown,
  spec: CommandSpec<Record<string, { type: 'string' | 'boolean' }>>,
): string {
  const e = err as { code?: string; message?: string };
  const option = /'(-{1,2}[^' ]+)/.exec(e.message ?? '')?.[1];
  const known = Object.keys(spec.options).map((o) => `--${o}`);
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? ''}${known.length ? ` (this command takes ${known.join(', ')})` : ' (this command takes none)'}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const name = option?.replace(/^-+/, '').split('=')[0] ?? '';
      const type = spec.options[name]?.type;
      return type === 'boolean'
        ? `${option ?? 'an option'} takes no value`
        : `${option ?? 'an option'} needs a value: ${spec.expects?.[name] ?? `--${name} VALUE`}`;
    }
    default:
      throw err;
  }
}

/** A whole number from `min` to `max`, or the refusal naming the option. */
export function wholeNumber(
  spec: { usage: string },
  option: string,
  value: string,
  min: number,
  max: number,
): { ok: true; n: number } | { ok: false; message: string } {
  const n = Number(value);
  if (/^\d+$/.test(value) && n >= min && n <= max) return { ok: true, n };
  return {
    ok: false,
    message: refusal(spec, `--${option} must be a whole number from ${min} to ${max}, not '${value}'`),
  };
}
