import { describe, expect, test } from 'vitest';
import { createFailureSanitiser } from '../../../src/ops/dashboard.js';

const clean = createFailureSanitiser(['merchant-key-XYZ987', 'salt-not-shown-1']);

describe('failure sanitiser', () => {
  test.each([
    [
      'a plain reason stays',
      'notification receiver answered HTTP 500',
      'notification receiver answered HTTP 500',
    ],
    [
      'URL userinfo goes',
      'GET https://user:pa55@gw.example.test/v1/status',
      'GET https://gw.example.test/v1/status',
    ],
    [
      'URL query and fragment go',
      'POST http://gw.example.test/v1/payout?signature=abc&x=1#frag failed',
      'POST http://gw.example.test/v1/payout failed',
    ],
    ['card numbers are masked', 'card 4111111111111111 refused', 'card 411111******1111 refused'],
    ['spaced card numbers are masked', 'card 4111 1111 1111 1111 refused', 'card 411111******1111 refused'],
    ['a number that is not a card stays', 'order 1234567890123 refused', 'order 1234567890123 refused'],
    ['known secrets are replaced', 'bad key merchant-key-XYZ987 used', 'bad key [REDACTED] used'],
    ['bearer tokens go', 'sent Bearer abc.def-123 to it', 'sent Bearer [removed] to it'],
    [
      'everything after a body is cut',
      'HTTP 422; response body: {"card_number":"4111111111111111","cvv":"123"}',
      'HTTP 422; [details removed]',
    ],
    ['everything after a body= is cut', 'failed body={"a":"b"}', 'failed [details removed]'],
    [
      'a header dump is cut',
      'request failed\nAuthorization: Basic dXNlcjpwYXNz\nX-Signature: deadbeef',
      'request failed [details removed]',
    ],
    ['headers: is cut', 'failed; headers: {"x-key":"k"}', 'failed; [details removed]'],
    ['a word containing body stays', 'parseBody failed: unexpected end', 'parseBody failed: unexpected end'],
  ])('%s', (_name, input, expected) => {
    expect(clean(input)).toBe(expected);
  });

  test('a stack trace keeps its frames; its message is cleaned', () => {
    const stack = [
      'Error: POST https://u:p@gw.example.test/x?sig=1 for 4111111111111111; body: {"cvv":"123"}',
      '    at send (/app/dist/gateway/client.js:10:5)',
      '    at async process (/app/dist/worker/payout-worker.js:42:3)',
    ].join('\n');
    expect(clean(stack)).toBe(
      [
        'Error: POST https://gw.example.test/x for 411111******1111; [details removed]',
        '    at send (/app/dist/gateway/client.js:10:5)',
        '    at async process (/app/dist/worker/payout-worker.js:42:3)',
      ].join('\n'),
    );
  });

  test('long reasons are truncated', () => {
    const out = clean('x'.repeat(10_000));
    expect(out.length).toBeLessThan(2_100);
    expect(out.endsWith('[truncated]')).toBe(true);
  });

  test('without secrets it still masks cards', () => {
    expect(createFailureSanitiser()('5555555555554444')).toBe('555555******4444');
  });
});
