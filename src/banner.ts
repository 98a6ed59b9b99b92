import type { Config } from './config.js';
import type { Part } from './system.js';

/**
 * What a start prints on standard output: where each part listens and, in sandbox mode, the secrets
 * generated for this run with the `export` line that keeps them across restarts.
 */
export function bannerLines(config: Config, urls: Record<string, string>, parts: Part[]): string[] {
  const lines = [`payouts: running ${parts.join(' + ')}`];
  if (urls.api)
    lines.push(`  console    ${urls.api}/console (operators: log in with an operator's name and secret)`);
  if (urls.api) lines.push(`  API        ${urls.api}/v1/payouts`, `  docs       ${urls.docs}`);
  if (urls.api) lines.push(`  dashboard  ${urls.api}/admin/queues`, `  metrics    ${urls.api}/metrics`);
  if (urls.sandbox) lines.push(`  sandbox    ${urls.sandbox} (the built-in gateway simulator)`);
  if (!parts.includes('api') && parts.includes('worker'))
    lines.push(`  worker     gateway ${config.gateway.url}`);
  if (urls.metrics) lines.push(`  metrics    ${urls.metrics} (and /healthz, /readyz)`);
  if (config.generated.length > 0 && urls.api) {
    lines.push(`  sandbox mode: generated ${config.generated.join(', ')} for this run`);
    const generatedKey = config.generated.includes('API_KEYS');
    const admin = config.generated.includes('DASHBOARD_PASSWORD') ? config.dashboard : undefined;
    if (generatedKey) lines.push(`  API key    ${config.api.keys[0]}`);
    if (admin) {
      lines.push(
        `  admin      ${admin.user} / ${admin.password} (console login; operator routes and dashboard: HTTP Basic)`,
      );
    }
    // The generated values are base64url: safe in a shell line unquoted.
    const keep = [
      ...(generatedKey ? [`API_KEYS=${config.api.keys[0]}`] : []),
      ...(admin ? [`DASHBOARD_PASSWORD=${admin.password}`] : []),
    ];
    if (keep.length > 0) {
      lines.push(
        '  to keep them across restarts, run this before `npm start` (API_KEY is for curl):',
        `  export ${keep.join(' ')}${generatedKey ? ` API_KEY=${config.api.keys[0]}` : ''}`,
      );
    }
  }
  return lines;
}
