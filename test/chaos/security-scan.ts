import type { LogLine } from './processes.js';
import type { SecretScanner } from './secrets.js';

export { type DoorCheck, type HttpScanResult, scanHttp } from './http-scan.js';
export { type RedisScanResult, scanRedis } from './redis-scan.js';

/**
 * The security half of the chaos run: every Redis key (read by its type), the AOF on disk
 * (redis-scan.ts), every log line (here), the API's and Bull Board's JSON answers, and every door
 * without (or with wrong) credentials (http-scan.ts).
 */

export function scanLogs(lines: readonly LogLine[], scanner: SecretScanner): Record<string, number> {
  const perSource: Record<string, number> = {};
  for (const line of lines) {
    const group = line.source.replace(/#\d+$/, '');
    perSource[group] = (perSource[group] ?? 0) + 1;
    scanner.scan('log', `log:${line.source}:${line.stream}`, line.text);
  }
  return perSource;
}
