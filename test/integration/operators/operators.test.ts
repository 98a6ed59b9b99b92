import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashSecret } from '../../../src/operators/secret-hash.js';
import { cardPayout } from '../../helpers/requests.js';
import { basicAuth, type OperatorLogin, startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * Who may do what, through the HTTP API: integration keys create and read, operators act by role,
 * and every action is recorded under the credential's name. No worker runs, so payouts stay queued.
 */

const login = (name: string): OperatorLogin => ({ name, secret: `${name}-secret-0123456789` });
const viewer = login('vera');
const operator = login('olga');
const approver = login('abel');
const admin = login('ada');

let sys: TestSystem;

beforeAll(async () => {
  const entries = await Promise.all(
    [
      [viewer, 'viewer'],
      [operator, 'operator'],
      [approver, 'approver'],
      [admin, 'admin'],
    ].map(async ([l, role]) => {
      const { name, secret } = l as OperatorLogin;
      return `${name}:${role}:${await hashSecret(secret)}`;
    }),
  );
  sys = await startTestSystem({ parts: ['api'], env: { OPERATORS: entries.join(',') } });
}, 60_000);
afterAll(() => sys?.close());

const queuedPayout = async () => {
  const body = cardPayout();
  expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
  return body.external_id;
};

type Who = 'none' | 'api key' | 'wrong secret' | OperatorLogin;
const headersOf = (who: Who): Record<string, string> => {
  if (who === 'none') return { authorization: '' };
  if (who === 'api key') return { authorization: `Bearer ${sys.apiKey}` };
  if (who === 'wrong secret') return { authorization: basicAuth({ name: admin.name, secret: 'nope' }) };
  return { authorization: basicAuth(who) };
};

describe('roles at each operator route', () => {
  const routes: Record<string, () => Promise<[string, string, unknown]>> = {
    cancel: async () => ['POST', `/v1/payouts/${await queuedPayout()}/cancel`, { note: 'player asked' }],
    'GET controls': async () => ['GET', '/v1/controls', undefined],
    'PUT approval-rules': async () => ['PUT', '/v1/controls/approval-rules', { rules: [] }],
    'PUT limits': async () => ['PUT', '/v1/controls/limits', { limits: [] }],
    'GET audit': async () => ['GET', '/v1/audit', undefined],
  };

  test.each([
    ['cancel', 'none', 401],
    ['cancel', 'wrong secret', 401],
    ['cancel', 'api key', 403],
    ['cancel', viewer, 403],
    ['cancel', operator, 200],
    ['GET controls', 'api key', 403],
    ['GET controls', viewer, 200],
    ['PUT approval-rules', approver, 403],
    ['PUT approval-rules', admin, 200],
    ['PUT limits', 'api key', 403],
    ['PUT limits', approver, 403],
    ['PUT limits', admin, 200],
    ['GET audit', approver, 403],
    ['GET audit', admin, 200],
    ['GET audit', 'none', 401],
  ] as [string, Who, number][])('%s as %o: %d', async (route, who, status) => {
    const [method, path, body] = await routes[route]!();
    const res = await sys.request(method, path, body, headersOf(who));
    expect(res.status).toBe(status);
    if (who === 'api key') {
      expect(res.body.error.code).toBe('operator_credential_required');
      expect(res.body.error.message).toContain('needs an operator credential');
    }
    if (status === 401) expect(res.body.error.code).toBe('unauthorized');
    if (status === 403 && who !== 'api key') {
      expect(res.body.error.code).toBe('role_required');
      expect(res.body.error.message).toContain(`operator ${(who as OperatorLogin).name} has role`);
    }
  });

  test('a payout is read with the integration key or by any operator; created only with the key', async () => {
    const id = await queuedPayout();
    for (const who of ['api key', viewer, admin] as Who[]) {
      expect((await sys.request('GET', `/v1/payouts/${id}`, undefined, headersOf(who))).status).toBe(200);
    }
    expect((await sys.request('GET', `/v1/payouts/${id}`, undefined, headersOf('wrong secret'))).status).toBe(
      401,
    );
    const created = await sys.request('POST', '/v1/payouts', cardPayout(), headersOf(admin));
    expect(created.status).toBe(401);
  });
});

describe('identity and audit', () => {
  test('a cancel is recorded under the credential, not the body, in the history and the audit', async () => {
    const id = await queuedPayout();
    const res = await sys.request(
      'POST',
      `/v1/payouts/${id}/cancel`,
      { note: 'player asked', who: 'mallory' },
      headersOf(operator),
    );
    expect(res.status).toBe(200);
    expect(res.body.history.at(-1)).toMatchObject({
      to: 'cancelled',
      actor: 'operator',
      who: operator.name,
      note: 'player asked',
    });
    const audit = await sys.request('GET', '/v1/audit?limit=10', undefined, headersOf(admin));
    expect(audit.body.entries.find((e: { target: string }) => e.target === id)).toMatchObject({
      who: operator.name,
      via: 'api',
      action: 'payout.cancel',
      before: { status: 'queued' },
      after: { status: 'cancelled' },
      note: 'player asked',
    });
    expect(JSON.stringify(audit.body)).not.toContain('mallory');
  });

  test('a note with a control character is a 422 naming it, and nothing is recorded', async () => {
    // A NUL is no text PostgreSQL takes: recorded, it would keep the payout's rows, or the audit
    // entry, out of the ledger for good.
    const id = await queuedPayout();
    const cases: [string, string, unknown, Who][] = [
      ['POST', `/v1/payouts/${id}/cancel`, { note: 'player\u0000asked' }, operator],
      ['PUT', '/v1/controls/approval-rules', { rules: [], note: 'a\u0000b' }, admin],
      ['PUT', '/v1/controls/limits', { limits: [], note: 'a\u0007b' }, admin],
    ];
    for (const [method, path, body, who] of cases) {
      const res = await sys.request(method, path, body, headersOf(who));
      expect(res.status, path).toBe(422);
      expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['note']);
    }
    expect((await sys.request('GET', `/v1/payouts/${id}`)).body.status).toBe('queued');
  });

  test('the audit pages newest first with a cursor; a bad cursor or limit is a 422 naming it', async () => {
    for (let i = 0; i < 3; i++) {
      await sys.request('PUT', '/v1/controls/limits', { limits: [], note: `page ${i}` }, headersOf(admin));
    }
    const first = await sys.request('GET', '/v1/audit?limit=2', undefined, headersOf(admin));
    expect(first.body.entries.map((e: { note: string }) => e.note)).toEqual(['page 2', 'page 1']);
    const second = await sys.request(
      'GET',
      `/v1/audit?limit=1&cursor=${first.body.next_cursor}`,
      undefined,
      headersOf(admin),
    );
    expect(second.body.entries.map((e: { note: string }) => e.note)).toEqual(['page 0']);
    for (const [query, path] of [
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['cursor=abc', 'cursor'],
      ['foo=1', 'foo'],
    ]) {
      const res = await sys.request('GET', `/v1/audit?${query}`, undefined, headersOf(admin));
      expect(res.status, query).toBe(422);
      expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual([path]);
    }
  });

  test('GET /v1/controls has every part, empty by default', async () => {
    const res = await sys.request('GET', '/v1/controls', undefined, headersOf(viewer));
    expect(Object.keys(res.body).sort()).toEqual(['approval_rules', 'breakers', 'limits', 'paused']);
    expect(res.body.paused).toEqual([]);
    expect(res.body.breakers).toEqual([]);
  });

  test('Bull Board takes any operator, and the dashboard admin', async () => {
    for (const who of [viewer, admin, sys.admin]) {
      const res = await fetch(`${sys.api}/admin/queues/api/queues`, { headers: headersOf(who) });
      expect(res.status, who.name).toBe(200);
    }
    const refused = await fetch(`${sys.api}/admin/queues/api/queues`, { headers: headersOf('wrong secret') });
    expect(refused.status).toBe(401);
  });
});
