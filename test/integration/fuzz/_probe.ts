import http from 'node:http';
import { withSignature } from '../../../src/gateway/signature.js';
import { startTestSystem } from '../../helpers/system.js';

const sys = await startTestSystem();
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const url = new URL(sys.api);
function send(path: string, body: Buffer | string | undefined, headers: Record<string, string>) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method: 'POST', path, agent, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}
const auth = { authorization: `Bearer ${sys.apiKey}` };
const J = { 'content-type': 'application/json' };
const cases: [string, string, Buffer | string | undefined, Record<string, string>][] = [
  ['empty json', '/v1/payouts', '', { ...auth, ...J }],
  ['no ct no body', '/v1/payouts', undefined, { ...auth }],
  ['no ct body', '/v1/payouts', '{"a":1}', { ...auth }],
  ['text', '/v1/payouts', '{"a":1}', { ...auth, 'content-type': 'text/plain' }],
  ['form', '/v1/payouts', 'a=1', { ...auth, 'content-type': 'application/x-www-form-urlencoded' }],
  ['multipart', '/v1/payouts', '--x\r\n\r\n', { ...auth, 'content-type': 'multipart/form-data; boundary=x' }],
  ['charset', '/v1/payouts', '{"a":1}', { ...auth, 'content-type': 'application/json; charset=latin1' }],
  ['charset16', '/v1/payouts', '{"a":1}', { ...auth, 'content-type': 'application/json; charset=utf-16' }],
  ['proto', '/v1/payouts', '{"__proto__":{"x":1}}', { ...auth, ...J }],
  ['ctor', '/v1/payouts', '{"constructor":{"prototype":{"x":1}}}', { ...auth, ...J }],
  ['bad json', '/v1/payouts', '{"a":41111111111111111', { ...auth, ...J }],
  ['huge', '/v1/payouts', JSON.stringify({ a: 'x'.repeat(70000) }), { ...auth, ...J }],
  ['huge2', '/v1/payouts', JSON.stringify({ a: 'x'.repeat(700000) }), { ...auth, ...J }],
  ['deep', '/v1/payouts', `${'['.repeat(10000)}${']'.repeat(10000)}`, { ...auth, ...J }],
  ['deepobj', '/v1/payouts', `{"customer":${'{"a":'.repeat(10000)}1${'}'.repeat(10000)}}`, { ...auth, ...J }],
  [
    'cardkey',
    '/v1/payouts',
    JSON.stringify({ method: 'bank_card', payment_data: { _4111111111111111: 'x' }, x4111111111111111: 1 }),
    { ...auth, ...J },
  ],
  [
    'cb deep sig',
    '/v1/callbacks/gateway',
    `{"signature":"${'a'.repeat(40)}","x":${'{"a":'.repeat(10000)}1${'}'.repeat(10000)}}`,
    J,
  ],
  [
    'cb deep arr sig',
    '/v1/callbacks/gateway',
    `{"signature":"${'a'.repeat(40)}","x":${'['.repeat(10000)}1${']'.repeat(10000)}}`,
    J,
  ],
  [
    'cb signed garbage',
    '/v1/callbacks/gateway',
    JSON.stringify(withSignature({ status: 'x', type: 2 }, sys.config.gateway.salt)),
    J,
  ],
  ['cb array', '/v1/callbacks/gateway', '[]', J],
  ['cb null', '/v1/callbacks/gateway', 'null', J],
  ['cb empty', '/v1/callbacks/gateway', undefined, {}],
  ['bad clen', '/v1/payouts', '{}', { ...auth, ...J, 'content-length': '10' }],
];
for (const [name, path, body, headers] of cases) {
  try {
    const r = await send(path, body, headers);
    console.log(name, r.status, r.text.slice(0, 300));
  } catch (e) {
    console.log(name, 'ERR', (e as Error).message);
  }
}
await sys.close();
agent.destroy();
