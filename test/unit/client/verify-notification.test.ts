import { expect, test } from 'vitest';
import { verifyNotification } from '../../../src/client/index.js';
import { signNotification } from '../../../src/worker/notifier.js';

const secret = 'notify-secret-123';
const body = '{"event":"payout.succeeded","payout":{"external_id":"po-1","seq":4}}';
const signed = signNotification(secret, body);

test.each([
  { name: 'the notifier\u2019s own signature', raw: body, header: signed, ok: true },
  { name: 'the body as bytes', raw: Buffer.from(body), header: signed, ok: true },
  { name: 'upper-case hex', raw: body, header: `sha256=${signed.slice(7).toUpperCase()}`, ok: true },
  { name: 'the header as a list (node:http)', raw: body, header: [signed], ok: true },
  { name: 'another secret', raw: body, header: signNotification('other', body), ok: false },
  { name: 'a changed body', raw: body.replace('4', '5'), header: signed, ok: false },
  { name: 're-serialized JSON', raw: JSON.stringify(JSON.parse(body), null, 1), header: signed, ok: false },
  { name: 'no header', raw: body, header: undefined, ok: false },
  { name: 'no scheme', raw: body, header: signed.slice(7), ok: false },
  { name: 'a short signature', raw: body, header: signed.slice(0, -2), ok: false },
  { name: 'another algorithm', raw: body, header: signed.replace('sha256', 'sha1'), ok: false },
])('$name: $ok', ({ raw, header, ok }) => {
  expect(verifyNotification(raw, header, secret)).toBe(ok);
});

test('an empty secret verifies nothing', () => {
  expect(verifyNotification(body, signNotification('', body), '')).toBe(false);
});
