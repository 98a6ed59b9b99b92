import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { LogLine } from './processes.js';
import { REPO_ROOT } from './run-context.js';
import type { SecretScanner } from './secrets.js';
import type { ChaosReport } from './types.js';

/** What a run leaves on disk: the report as JSON, and its log lines for whoever investigates it. */

const outputFile = (path: string) => {
  const file = isAbsolute(path) ? path : join(REPO_ROOT, path);
  mkdirSync(dirname(file), { recursive: true });
  return file;
};

export function writeReport(report: ChaosReport, path: string): void {
  writeFileSync(outputFile(path), `${JSON.stringify(report, null, 2)}\n`);
}

/** The logs for whoever investigates a run; any secret the scan found is replaced by its name. */
export function writeLogs(lines: readonly LogLine[], path: string, scanner: SecretScanner): void {
  const out = lines.map((l) => JSON.stringify({ ...l, text: scanner.redact(l.text) }));
  writeFileSync(outputFile(path), `${out.join('\n')}\n`);
}
