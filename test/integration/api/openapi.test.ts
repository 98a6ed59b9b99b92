import { readFileSync } from 'node:fs';
import { dereference, validate } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openApiText } from '../../../src/ops/openapi.js';
import { cardPayout } from '../../helpers/requests.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * The API reference is the contract a casino codes against: the committed docs/openapi.json is the
 * one served, a maintained validator accepts it, every operation documents every answer, and the
 * answers the API really gives match what the reference says of them.
 */

type Operation = {
  responses: Record<
    string,
    { description: string; content?: Record<string, { schema?: unknown; example?: unknown }> }
  >;
};
type Doc = { paths: Record<string, Record<string, Operation>> };

const COMMITTED = readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8');
/** The committed document: known when the tests are collected; the first test holds it equal to the served one. */
const committed = JSON.parse(COMMITTED) as Doc;

let sys: TestSystem;
let served: Doc;

beforeAll(async () => {
  sys = await startTestSystem({ parts: ['api'] });
  const res = await fetch(`${sys.api}/docs/openapi.json`);
  expect(res.status).toBe(200);
  served = (await res.json()) as Doc;
});
afterAll(async () => {
  await sys?.close();
});

const operations = () =>
  Object.entries(committed.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, op]) => ({
      name: `${method.toUpperCase()} ${path}`,
      path,
      method,
      op,
    })),
  );

test('docs/openapi.json is the document the API serves (run `npm run openapi` after changing a route)', async () => {
  expect(COMMITTED).toBe(openApiText(served as unknown as Record<string, unknown>));
});

test('a maintained OpenAPI validator accepts it, and refuses it broken', async () => {
  const result = await validate(structuredClone(served) as never);
  expect(result, JSON.stringify(result)).toMatchObject({ valid: true, warnings: [] });
  const broken = structuredClone(served);
  // A response without its description, which OpenAPI requires.
  const created = broken.paths['/v1/payouts']?.post?.responses['202'] as { description?: string };
  delete created.description;
  expect(await validate(broken as never)).toMatchObject({ valid: false });
});

test('every JSON route is in it: the /v1 routes, callbacks, health and readiness', () => {
  const names = operations().map((o) => o.name);
  expect(names).toEqual(
    expect.arrayContaining([
      'POST /v1/payouts',
      'GET /v1/payouts/{external_id}',
      'POST /v1/deposits',
      'POST /v1/payout-batches',
      'GET /v1/payout-batches/{batch_id}',
      'POST /v1/callbacks/gateway',
      'GET /healthz',
      'GET /readyz',
    ]),
  );
});

describe('every operation documents each answer with a body schema and an example', () => {
  test.each(operations().map((o) => [o.name, o] as const))('%s', (_name, { op }) => {
    const statuses = Object.keys(op.responses);
    expect(statuses.some((s) => s.startsWith('2'))).toBe(true);
    for (const status of statuses) {
      const response = op.responses[status]!;
      expect(response.description, status).not.toBe('Default Response');
      const media = response.content?.['application/json'];
      expect(media?.schema, `${status} has a body schema`).toBeDefined();
    }
  });
});

describe('the answers the API gives are documented, and match their schemas', () => {
  let ajv: Ajv2020;
  let resolved: Doc;
  beforeAll(async () => {
    resolved = (await dereference(structuredClone(served) as never)) as unknown as Doc;
    ajv = new Ajv2020({ strict: false, validateFormats: false });
  });

  const body = cardPayout();
  const auth = () => ({ authorization: `Bearer ${sys.apiKey}` });
  const cases: {
    name: string;
    route: [string, string];
    send: () => Promise<{ status: number; body: unknown }>;
    status: number;
  }[] = [
    {
      name: 'created',
      route: ['post', '/v1/payouts'],
      status: 202,
      send: () => sys.request('POST', '/v1/payouts', body),
    },
    {
      name: 'replayed',
      route: ['post', '/v1/payouts'],
      status: 200,
      send: () => sys.request('POST', '/v1/payouts', body),
    },
    {
      name: 'conflict',
      route: ['post', '/v1/payouts'],
      status: 409,
      send: () => sys.request('POST', '/v1/payouts', { ...body, amount: body.amount + 1 }),
    },
    {
      name: 'invalid',
      route: ['post', '/v1/payouts'],
      status: 422,
      send: () => sys.request('POST', '/v1/payouts', { ...body, amount: '11.00' }),
    },
    {
      name: 'no key',
      route: ['post', '/v1/payouts'],
      status: 401,
      send: () => sys.request('POST', '/v1/payouts', body, { authorization: '' }),
    },
    {
      name: 'bad JSON',
      route: ['post', '/v1/payouts'],
      status: 400,
      send: () => sys.request('POST', '/v1/payouts', '{"amount":'),
    },
    {
      name: 'not JSON',
      route: ['post', '/v1/payouts'],
      status: 415,
      send: () => sys.request('POST', '/v1/payouts', 'x', { 'content-type': 'text/plain', ...auth() }),
    },
    {
      name: 'too large',
      route: ['post', '/v1/payouts'],
      status: 413,
      send: () => sys.request('POST', '/v1/payouts', { ...body, pad: 'x'.repeat(70_000) }),
    },
    {
      name: 'read',
      route: ['get', '/v1/payouts/{external_id}'],
      status: 200,
      send: () => sys.request('GET', `/v1/payouts/${body.external_id}`),
    },
    {
      name: 'unknown',
      route: ['get', '/v1/payouts/{external_id}'],
      status: 404,
      send: () => sys.request('GET', '/v1/payouts/po-none'),
    },
    {
      name: 'an integration key on an operator route',
      route: ['post', '/v1/payouts/{external_id}/cancel'],
      status: 403,
      send: () => sys.request('POST', `/v1/payouts/${body.external_id}/cancel`, {}),
    },
    { name: 'alive', route: ['get', '/healthz'], status: 200, send: () => sys.request('GET', '/healthz') },
    { name: 'ready', route: ['get', '/readyz'], status: 200, send: () => sys.request('GET', '/readyz') },
    {
      name: 'unsigned callback',
      route: ['post', '/v1/callbacks/gateway'],
      status: 401,
      send: () => sys.request('POST', '/v1/callbacks/gateway', { external_id: 'x', status: 4, type: 2 }),
    },
  ];

  // In order: the replay and the conflict need the payout the first case creates.
  test.each(cases)('$route.0 $route.1: $name ($status)', async ({ route: [method, path], send, status }) => {
    const res = await send();
    expect(res.status).toBe(status);
    const documented = resolved.paths[path]?.[method]?.responses[String(status)];
    expect(documented, `${status} is documented`).toBeDefined();
    const schema = documented?.content?.['application/json']?.schema as object;
    const check = ajv.compile(schema);
    expect(check(res.body), JSON.stringify(check.errors)).toBe(true);
  });
});
