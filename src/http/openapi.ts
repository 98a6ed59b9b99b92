import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { createJsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/**
 * How /docs and /docs/openapi.json are made: OpenAPI 3.1 from the routes' zod schemas (through the
 * zod type provider), each response's example kept beside its schema, unused components dropped.
 */

const zodTransform = createJsonSchemaTransform({ skipList: [] });

type Transform = NonNullable<FastifyDynamicSwaggerOptions['transform']>;

/** The type provider keeps a response's schema only; its example (contract.ts) is put back here. */
const transform: Transform = (input) => {
  const out = zodTransform(input as Parameters<typeof zodTransform>[0]);
  const declared = (input.schema as { response?: Record<string, unknown> } | undefined)?.response ?? {};
  const documented = (out.schema as { response?: Record<string, unknown> } | undefined)?.response ?? {};
  for (const [status, response] of Object.entries(declared)) {
    const example = (response as { content?: Record<string, { example?: unknown }> }).content?.[
      'application/json'
    ]?.example;
    const media = (documented[status] as { content?: Record<string, Record<string, unknown>> } | undefined)
      ?.content?.['application/json'];
    if (example !== undefined && media) media.example = example;
  }
  return out;
};

export const openApiOptions: FastifyDynamicSwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'Payouts API',
      version: '1.0.0',
      description:
        'Payouts through the Cabbagino gateway. Amounts are integers in minor units (11.00 USD is 1100), in whole units for the currencies the gateway takes so (1,100 JPY is 1100); a currency whose unit the gateway has not confirmed is refused; `external_id` is the idempotency key. Every error has the shape `{"error":{"code","message","issues"?}}`.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'an integration key (API_KEYS)' },
        operator: {
          type: 'http',
          scheme: 'basic',
          description:
            'an operator (OPERATORS, or DASHBOARD_USER/PASSWORD as admin); roles viewer < operator < approver < admin',
        },
      },
    },
  },
  transform,
  transformObject: (document) =>
    tidyDocument(jsonSchemaTransformObject(document as Parameters<typeof jsonSchemaTransformObject>[0])),
};

/**
 * The zod type provider emits every registered schema twice, as an input and as an output
 * component (`PayoutInput`, `Payout`), whether a route uses it or not. The reference keeps the ones
 * a route refers to, under their plain names where only one of the two is used.
 */

type Json = unknown;

const REF_PREFIX = '#/components/schemas/';

function collectRefs(value: Json, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) collectRefs(item, into);
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith(REF_PREFIX)) {
        into.add(inner.slice(REF_PREFIX.length));
      } else collectRefs(inner, into);
    }
  }
  return into;
}

function renameRefs(value: Json, names: ReadonlyMap<string, string>): Json {
  if (Array.isArray(value)) return value.map((item) => renameRefs(item, names));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith(REF_PREFIX)) {
        const name = inner.slice(REF_PREFIX.length);
        return [key, `${REF_PREFIX}${names.get(name) ?? name}`];
      }
      return [key, renameRefs(inner, names)];
    }),
  );
}

function tidyDocument<T extends { paths?: Json; components?: { schemas?: Record<string, Json> } }>(
  document: T,
): T {
  const schemas = document.components?.schemas ?? {};
  // Reachable from the paths, following references between components.
  const used = collectRefs(document.paths, new Set());
  for (const pending = [...used]; pending.length > 0; ) {
    const name = pending.pop() as string;
    for (const ref of collectRefs(schemas[name], new Set())) {
      if (!used.has(ref)) {
        used.add(ref);
        pending.push(ref);
      }
    }
  }
  const names = new Map<string, string>();
  for (const name of used) {
    const plain = name.endsWith('Input') ? name.slice(0, -'Input'.length) : undefined;
    if (plain && !used.has(plain)) names.set(name, plain);
  }
  const kept = Object.fromEntries(
    [...used].sort().map((name) => [names.get(name) ?? name, renameRefs(schemas[name], names)]),
  );
  return {
    ...document,
    paths: renameRefs(document.paths, names),
    components: { ...document.components, schemas: kept },
  };
}
