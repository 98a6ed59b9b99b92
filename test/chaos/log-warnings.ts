import type { LogLine } from './processes.js';
import type { ChaosReport } from './types.js';

/** warn/error lines of the processes and the sandbox, grouped by message. */
export function warnings(lines: readonly LogLine[]): ChaosReport['logs']['warnings'] {
  const counts = new Map<string, { level: string; msg: string; count: number }>();
  for (const line of lines) {
    let level = '';
    let msg = '';
    try {
      const parsed = JSON.parse(line.text) as { level?: number; msg?: string };
      if ((parsed.level ?? 0) < 40) continue;
      level = (parsed.level ?? 0) >= 50 ? 'error' : 'warn';
      msg = String(parsed.msg ?? '');
    } catch {
      // not JSON: stderr text (a stack trace, a warning from Node): kept as it is
      if (line.stream !== 'stderr') continue;
      level = 'stderr';
      msg = line.text.slice(0, 200);
    }
    const key = `${line.source.replace(/[-\d#]+$/, '')}|${level}|${msg}`;
    const entry = counts.get(key) ?? {
      level,
      msg: `${line.source.replace(/[-\d#]+$/, '')}: ${msg}`,
      count: 0,
    };
    entry.count++;
    counts.set(key, entry);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count).slice(0, 30);
}
