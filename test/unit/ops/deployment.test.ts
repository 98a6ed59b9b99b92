import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, SETTING_NAMES } from '../../../src/config.js';

/**
 * The deployment files, read as Docker would read them (no Docker engine runs here): every setting
 * they pass is one the config knows, and what they start is configured the way the design needs.
 */

const root = new URL('../../../', import.meta.url);
const composeText = readFileSync(new URL('docker-compose.yml', root), 'utf8');
const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
const dockerignore = readFileSync(new URL('.dockerignore', root), 'utf8');

interface Service {
  build?: unknown;
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string | number | null> | string[];
  ports?: unknown[];
  container_name?: string;
  profiles?: string[];
  healthcheck?: { disable?: boolean; test?: unknown };
  stop_grace_period?: string;
  depends_on?: Record<string, { condition?: string }>;
}
// Compose honours YAML merge keys (`<<: *anchor`); so must the parser.
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

const envOf = (s: Service): Record<string, string> => {
  const env = s.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((line) => [line.split('=')[0]!, line.split('=').slice(1).join('=')]));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
};

/** The example .env in the file's header comment (`#   NAME=value`). */
const exampleEnv: Record<string, string> = Object.fromEntries(
  [...composeText.matchAll(/^#\s+([A-Z][A-Z0-9_]*)=(\S+)\s*$/gm)].map((m) => [m[1]!, m[2]!]),
);

/** Compose's interpolation, for the forms the file uses: ${X}, ${X:-default}, ${X:?error}. */
function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (_m, name: string, op, arg) => {
    const v = vars[name];
    const unset = op?.startsWith(':') ? v === undefined || v === '' : v === undefined;
    if (!unset) return v!;
    if (op?.endsWith('?')) throw new Error(`compose would stop: ${name}: ${arg}`);
    return op?.endsWith('-') ? arg : '';
  });
}
const resolvedEnv = (s: Service, vars: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(envOf(s)).map(([k, v]) => [k, interpolate(v, vars)]));

const SECRETS = [
  'MERCHANT_KEY',
  'SIGNATURE_SALT',
  'API_KEYS',
  'DASHBOARD_PASSWORD',
  'PAYLOAD_KEY',
  'NOTIFY_SECRET',
];
const PARTS = { api: 'api', worker: 'worker', sandbox: 'sandbox' } as const;

describe('docker-compose.yml', () => {
  test('every environment variable passed to any service is a setting of src/config.ts', () => {
    // PostgreSQL's own image takes its own variables (POSTGRES_*), not the system's settings.
    const ours = Object.entries(services).filter(([name]) => name !== 'postgres');
    const passed = ours.flatMap(([name, s]) =>
      Object.keys(envOf(s)).map((variable) => ({ service: name, variable })),
    );
    expect(passed.length).toBeGreaterThan(10);
    const unknown = passed.filter(({ variable }) => !SETTING_NAMES.includes(variable));
    expect(unknown).toEqual([]);
  });

  test('redis never evicts and keeps an append-only file', () => {
    const cmd = services.redis!.command;
    const args = Array.isArray(cmd) ? cmd : String(cmd).split(/\s+/);
    const valueAfter = (flag: string) => args[args.indexOf(flag) + 1];
    expect(valueAfter('--maxmemory-policy')).toBe('noeviction');
    expect(valueAfter('--appendonly')).toBe('yes');
  });

  test.each(Object.entries(PARTS))('%s runs `payouts %s` from the one Dockerfile build', (service, part) => {
    const s = services[service]!;
    expect(s.build).toBe('.');
    expect(s.image).toBe(services.api!.image);
    expect(s.command).toEqual(['node', 'dist/cli.js', part]);
  });

  test('worker scales: no container_name, no host ports, time to finish in-flight payouts', () => {
    const worker = services.worker!;
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    // no API, but /healthz on METRICS_PORT, the port the image's health check asks
    expect(worker.healthcheck?.disable).toBeUndefined();
    expect((worker.environment as Record<string, string>).METRICS_PORT).toBe(
      (worker.environment as Record<string, string>).PORT,
    );
    expect(Number.parseInt(worker.stop_grace_period ?? '0', 10)).toBeGreaterThanOrEqual(40);
  });

  test('the sandbox runs only under the sandbox profile, the ledger database under the ledger profile', () => {
    expect(services.sandbox!.profiles).toEqual(['sandbox']);
    expect(services.postgres!.profiles).toEqual(['ledger']);
    for (const name of ['redis', 'api', 'worker']) expect(services[name]!.profiles).toBeUndefined();
  });

  test('secrets are never written in the file: each must come from the environment', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [variable, value] of Object.entries(envOf(s))) {
        if (!SECRETS.includes(variable)) continue;
        expect({ name, variable, value }).toEqual({
          name,
          variable,
          value: expect.stringMatching(new RegExp(`^\\$\\{${variable}(:\\?[^}]*|:-)\\}$`)),
        });
      }
    }
    for (const name of ['api', 'worker']) {
      expect(() => resolvedEnv(services[name]!, { ...exampleEnv, PAYLOAD_KEY: undefined })).toThrow(
        /PAYLOAD_KEY/,
      );
    }
  });

  test('the example .env is plainly fake', () => {
    expect(Object.keys(exampleEnv).sort()).toEqual(
      [
        'API_KEYS',
        'DASHBOARD_PASSWORD',
        'GATEWAY_URL',
        'MERCHANT_KEY',
        'PAYLOAD_KEY',
        'SIGNATURE_SALT',
      ].sort(),
    );
    for (const name of ['API_KEYS', 'DASHBOARD_PASSWORD', 'MERCHANT_KEY', 'SIGNATURE_SALT']) {
      expect(exampleEnv[name]).toMatch(/fake/);
    }
    expect(Buffer.from(exampleEnv.PAYLOAD_KEY!, 'base64').toString('utf8')).toMatch(/^fake-/);
  });

  test('with the example .env every service starts with a valid config, wired to each other', () => {
    const api = loadConfig(resolvedEnv(services.api!, exampleEnv));
    const worker = loadConfig(resolvedEnv(services.worker!, exampleEnv));
    const sandbox = loadConfig(resolvedEnv(services.sandbox!, exampleEnv));
    for (const c of [api, worker]) {
      expect(c.redisUrl).toBe('redis://redis:6379');
      expect(c.host).toBe('0.0.0.0');
      expect(c.gateway).toMatchObject({ sandbox: false, url: 'http://sandbox:3100' });
      expect(c.generated).toEqual([]);
      expect(c.notify).toBeUndefined();
    }
    expect(worker.payloadKeys.current.id).toBe(api.payloadKeys.current.id);
    // the sandbox signs with the same secrets and calls the API back
    expect(sandbox.gateway.merchantKey).toBe(api.gateway.merchantKey);
    expect(sandbox.gateway.salt).toBe(api.gateway.salt);
    expect(sandbox.sandbox).toMatchObject({
      port: 3100,
      callbackUrl: 'http://api:3000/v1/callbacks/gateway',
    });
    expect(sandbox.host).toBe('0.0.0.0');
    // its orders live in the deployment's Redis, beside the API's keys
    expect(sandbox.redisUrl).toBe(api.redisUrl);
    expect(sandbox.queuePrefix).toBe(api.queuePrefix);
    expect(services.sandbox!.depends_on).toMatchObject({ redis: { condition: 'service_healthy' } });
    expect(new URL(api.gateway.url).port).toBe(String(sandbox.sandbox.port));
  });
});

describe('Dockerfile', () => {
  const stages = dockerfile.split(/^FROM\s+/m).slice(1);
  const runtime = stages.at(-1) ?? '';
  const instructions = (text: string, name: string) =>
    text
      .replace(/\\\n/g, ' ')
      .split('\n')
      .filter((l) => l.trim().toUpperCase().startsWith(`${name} `))
      .map((l) =>
        l
          .trim()
          .slice(name.length + 1)
          .trim(),
      );

  test('multi-stage on a current Node LTS slim image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s).toMatch(/^node:(22|24)-slim\b/);
    expect(stages[0]).toMatch(/RUN npm ci\b/);
    expect(stages[0]).toMatch(/RUN npm run build\b/);
  });

  test('the runtime installs production dependencies only and copies the build', () => {
    expect(runtime).toMatch(/RUN npm ci --omit=dev\b/);
    expect(runtime).toMatch(/COPY --from=\S+ \/app\/dist \.\/dist/);
    expect(runtime).not.toMatch(/COPY (\.|src)\s/);
  });

  test('runs as a non-root user', () => {
    const users = instructions(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
  });

  test('has a HEALTHCHECK on /healthz without curl, and starts `payouts all`', () => {
    const [health] = instructions(runtime, 'HEALTHCHECK');
    expect(health).toContain('/healthz');
    expect(health).toMatch(/CMD \["node", "-e",/);
    expect(health).not.toMatch(/curl|wget/);
    expect(instructions(runtime, 'CMD').at(-1)).toBe('["node", "dist/cli.js", "all"]');
  });

  test('.dockerignore keeps secrets, dependencies and build output out of the context', () => {
    const lines = dockerignore.split('\n').map((l) => l.trim());
    for (const entry of ['.env', '.git', 'node_modules', 'dist', 'test-output'])
      expect(lines).toContain(entry);
  });
});
