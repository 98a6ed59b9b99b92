import { parse } from 'csv-parse/sync';

/**
 * Reading a file of payouts for `payouts import`: CSV with a header row (a column per field, dotted
 * for nested ones: `customer.country`, `payment_data.card_number`), or NDJSON (one JSON request per
 * line). Each line keeps its number and its text, so a refused one can be written back as it was.
 */

export type FileFormat = 'csv' | 'ndjson';

export interface FileLine {
  /** 1-based line number in the file (the header is line 1 of a CSV). */
  line: number;
  /** The line as it was in the file, to write back if refused. */
  raw: string;
  /** The request, or why the line could not be read as one. */
  request: Record<string, unknown> | { unreadable: string };
}

/** The column or key a refused-lines file adds; ignored when that file is imported again. */
export const REFUSED_REASON = 'refused_reason';

export function formatOf(fileName: string, text: string): FileFormat {
  if (/\.csv$/i.test(fileName)) return 'csv';
  if (/\.(nd)?jsonl?$/i.test(fileName)) return 'ndjson';
  return text.trimStart().startsWith('{') ? 'ndjson' : 'csv';
}

/** `a.b.c` columns into nested objects; an empty cell is a field not given. */
function nest(row: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (value === '' || column === REFUSED_REASON) continue;
    const path = column.split('.');
    let at = out;
    for (const key of path.slice(0, -1)) {
      if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
      at = at[key] as Record<string, unknown>;
    }
    const leaf = path.at(-1) as string;
    // CSV has only text: an amount of digits is the number it spells; anything else stays text, so the
    // validator explains it ("amounts are integers in minor units: 11.00 USD is 1100").
    at[leaf] = leaf === 'amount' && path.length === 1 && /^\d{1,15}$/.test(value) ? Number(value) : value;
  }
  return out;
}

export function readCsv(text: string): { header: string; lines: FileLine[] } {
  const records = parse(text, {
    columns: true,
    bom: true,
    trim: true,
    skip_empty_lines: true,
    raw: true,
    info: true,
    relax_column_count: true,
  }) as { record: Record<string, string>; raw: string; info: { lines: number } }[];
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  return {
    header,
    lines: records.map(({ record, raw, info }) => ({
      line: info.lines,
      raw: raw.replace(/\r?\n$/, ''),
      request: nest(record),
    })),
  };
}

export function readNdjson(text: string): FileLine[] {
  const out: FileLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    let request: FileLine['request'];
    try {
      const value: unknown = JSON.parse(raw);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        request = { unreadable: 'the line must be a JSON object' };
      } else {
        const { [REFUSED_REASON]: _reason, ...rest } = value as Record<string, unknown>;
        request = rest;
      }
    } catch {
      request = { unreadable: 'the line is not valid JSON' };
    }
    out.push({ line: i + 1, raw, request });
  });
  return out;
}

/** A CSV cell as RFC 4180 writes it. */
const csvCell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** The refused lines as a file of the same format, each with its reason, ready to fix and import again. */
export function refusedFile(
  format: FileFormat,
  header: string,
  refused: { line: FileLine; reason: string }[],
): string {
  if (format === 'csv') {
    const rows = refused.map(({ line, reason }) => `${line.raw},${csvCell(`line ${line.line}: ${reason}`)}`);
    return `${[`${header},${REFUSED_REASON}`, ...rows].join('\n')}\n`;
  }
  const rows = refused.map(({ line, reason }) => {
    const request = 'unreadable' in line.request ? { raw: line.raw } : line.request;
    return JSON.stringify({ ...request, [REFUSED_REASON]: `line ${line.line}: ${reason}` });
  });
  return `${rows.join('\n')}\n`;
}
