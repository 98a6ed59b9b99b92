import { describe, expect, test } from 'vitest';
import {
  classify,
  classifyFailure,
  DEFAULT_RETRY_AFTER_MS,
  type Exchange,
  type GatewayEndpoint,
  MAX_RETRY_AFTER_MS,
} from '../../../src/gateway/classify.js';
import { answered, cutOff, noAnswer, ORDER, order } from './classify-fixture.js';

describe('classify: one row per decision', () => {
  test.each<[string, Exchange, Record<string, unknown>]>([
    // Never sent: the connection was not established, whatever the error.
    ['DNS failure', noAnswer('ENOTFOUND', false), { kind: 'not_sent', code: 'ENOTFOUND' }],
    ['DNS try again', noAnswer('EAI_AGAIN', false), { kind: 'not_sent', code: 'EAI_AGAIN' }],
    ['connection refused', noAnswer('ECONNREFUSED', false), { kind: 'not_sent', code: 'ECONNREFUSED' }],
    ['host unreachable', noAnswer('EHOSTUNREACH', false), { kind: 'not_sent' }],
    ['network unreachable', noAnswer('ENETUNREACH', false), { kind: 'not_sent' }],
    ['connect timeout', noAnswer('connect_timeout', false), { kind: 'not_sent', code: 'connect_timeout' }],
    ['TLS failure in the handshake', noAnswer('EPROTO', false), { kind: 'not_sent', code: 'EPROTO' }],
    ['reset before the connection was up', noAnswer('ECONNRESET', false), { kind: 'not_sent' }],
    // Possibly sent.
    ['reset after writing', noAnswer('ECONNRESET', true), { kind: 'unknown', code: 'ECONNRESET' }],
    ['read timeout', noAnswer('read_timeout', true), { kind: 'unknown', code: 'read_timeout' }],
    ['unreachable after writing', noAnswer('EHOSTUNREACH', true), { kind: 'unknown' }],
    // 2xx
    ['200 pending 1', answered(200, order(1)), { kind: 'accepted', answer: order(1) }],
    ['200 pending 2', answered(200, order(2)), { kind: 'accepted' }],
    ['201 pending 3', answered(201, order(3)), { kind: 'accepted' }],
    ['200 success', answered(200, order(4)), { kind: 'final', answer: order(4) }],
    [
      '200 decline keeps reason',
      answered(200, order(5, { reason_code: '051', reason: 'Insufficient funds' })),
      { kind: 'final', answer: order(5, { reason_code: '051', reason: 'Insufficient funds' }) },
    ],
    ['200 error', answered(200, order(6)), { kind: 'final' }],
    ['200 unknown status', answered(200, order(7)), { kind: 'unknown_status', answer: order(7) }],
    ['status as a digit string', answered(200, order('3')), { kind: 'accepted', answer: order(3) }],
    ['200 status 0', answered(200, order(0)), { kind: 'unknown', code: 'malformed_answer', httpStatus: 200 }],
    ['200 status 8', answered(200, order(8)), { kind: 'unknown', code: 'malformed_answer' }],
    ['200 without order_id', answered(200, { status: 1 }), { kind: 'unknown', code: 'malformed_answer' }],
    ['200 empty order_id', answered(200, order(1, { order_id: '' })), { kind: 'unknown' }],
    [
      '200 order_id that lost digits as a number',
      answered(200, `{"status":1,"order_id":${ORDER}}`),
      { kind: 'unknown', code: 'malformed_answer' },
    ],
    [
      '200 order_id as a safe number',
      answered(200, { status: 1, order_id: 12345 }),
      { kind: 'accepted', answer: { status: 1, order_id: '12345' } },
    ],
    ['200 not JSON', answered(200, '<html>ok</html>'), { kind: 'unknown', code: 'malformed_answer' }],
    ['200 JSON array', answered(200, [order(1)]), { kind: 'unknown', code: 'malformed_answer' }],
    ['200 truncated body', answered(200, '{"status":1,"order_'), { kind: 'unknown' }],
    ['200 unread body', answered(200), { kind: 'unknown', httpStatus: 200 }],
    ['204 no content', answered(204, ''), { kind: 'unknown', httpStatus: 204 }],
    [
      '200 whose body was cut off',
      cutOff(200, 'ECONNRESET'),
      { kind: 'unknown', httpStatus: 200, code: 'ECONNRESET' },
    ],
    [
      '400 whose body was cut off is still a refusal',
      cutOff(400, 'ECONNRESET'),
      { kind: 'rejected', httpStatus: 400 },
    ],
    [
      '503 whose body was cut off still asks for later',
      cutOff(503, 'read_timeout'),
      { kind: 'retry_later', httpStatus: 503 },
    ],
    [
      '200 about another external_id',
      answered(200, order(1, { external_id: 'po-2' })),
      {
        kind: 'other_transaction',
        httpStatus: 200,
        code: 'gateway_answered_other_external_id',
        message: `external_id po-2, type 2 (payout), order ${ORDER}`,
      },
    ],
    // 3xx
    ['301 redirect', answered(301, ''), { kind: 'unknown', httpStatus: 301, code: 'redirect' }],
    ['302 redirect', answered(302), { kind: 'unknown', code: 'redirect' }],
    ['307 redirect', answered(307), { kind: 'unknown', code: 'redirect' }],
    // 4xx
    [
      '400 with an error message',
      answered(400, { error: { code: 'bad_amount', message: 'amount is wrong' } }),
      {
        kind: 'rejected',
        httpStatus: 400,
        code: 'bad_amount',
        message: 'gateway refused the request (HTTP 400): amount is wrong',
      },
    ],
    [
      '401',
      answered(401, { error: 'Unauthorized' }),
      { kind: 'rejected', httpStatus: 401, code: 'http_401' },
    ],
    ['403 no body', answered(403), { kind: 'rejected', code: 'http_403' }],
    ['404 html', answered(404, '<h1>nope</h1>'), { kind: 'rejected', code: 'http_404' }],
    ['409 conflict', answered(409, { message: 'exists' }), { kind: 'duplicate', httpStatus: 409 }],
    [
      '422 with the duplicate code',
      answered(422, { error: { code: 'duplicate_external_id', message: 'exists' } }),
      { kind: 'duplicate', httpStatus: 422 },
    ],
    [
      '400 with the duplicate code at the top level',
      answered(400, { code: 'duplicate_external_id' }),
      { kind: 'duplicate', httpStatus: 400 },
    ],
    [
      '422 whose message merely mentions duplicates',
      answered(422, {
        error: { code: 'validation_failed', message: 'duplicate external_id already exists' },
      }),
      { kind: 'rejected', code: 'validation_failed' },
    ],
    ['422 without a code', answered(422, { message: 'bad' }), { kind: 'rejected', code: 'http_422' }],
    [
      '429 with seconds',
      answered(429, '', { retryAfter: '7' }),
      { kind: 'retry_later', httpStatus: 429, retryAfterMs: 7000 },
    ],
    [
      '429 with a date',
      answered(429, '', { retryAfter: 'Sun, 01 Mar 2026 12:00:30 GMT' }),
      { kind: 'retry_later', retryAfterMs: 30_000 },
    ],
    [
      '503 without Retry-After',
      answered(503),
      { kind: 'retry_later', httpStatus: 503, retryAfterMs: DEFAULT_RETRY_AFTER_MS },
    ],
    [
      '503 capped',
      answered(503, '', { retryAfter: '86400' }),
      { kind: 'retry_later', retryAfterMs: MAX_RETRY_AFTER_MS },
    ],
    // 5xx other than 503
    ['500', answered(500, { error: 'boom' }), { kind: 'unknown', httpStatus: 500, code: 'http_500' }],
    [
      '502',
      answered(502, '<html>bad gateway</html>'),
      { kind: 'unknown', httpStatus: 502, code: 'http_502' },
    ],
    ['504', answered(504), { kind: 'unknown', httpStatus: 504, code: 'http_504' }],
    ['599', answered(599), { kind: 'unknown', httpStatus: 599 }],
    ['an impossible status', answered(600), { kind: 'unknown', httpStatus: 600 }],
    ['1xx', answered(101), { kind: 'unknown', httpStatus: 101 }],
  ])('%s', (_name, exchange, expected) => {
    expect(classify(exchange, { external_id: 'po-1' })).toMatchObject(expected);
  });

  test('the 2xx answer keeps only known fields', () => {
    const outcome = classify(
      answered(200, order(1, { extra: 'x', payment_data: { card_number: '4111111111111111' } })),
    );
    expect(outcome).toEqual({ kind: 'accepted', answer: order(1) });
  });

  // A gateway that replays the first answer of a repeated external_id answers a payout with the
  // deposit of the same external_id (their shared merchant order id): that is not our payout.
  test.each<[string, GatewayEndpoint, Record<string, unknown>, Record<string, unknown>]>([
    [
      'a payout answered with a deposit',
      'payout',
      order(3, { type: 1, redirect: 'https://pay.example/x' }),
      {
        kind: 'other_transaction',
        httpStatus: 200,
        code: 'gateway_answered_other_type',
        message: `type 1 (deposit), order ${ORDER}`,
      },
    ],
    [
      'a payout answered with a refund',
      'payout',
      order(4, { type: 3 }),
      { kind: 'other_transaction', message: `type 3 (refund), order ${ORDER}` },
    ],
    [
      'a payout answered with a type the pages do not list',
      'payout',
      order(1, { type: '9' }),
      { kind: 'other_transaction', message: `type 9, order ${ORDER}` },
    ],
    [
      'a deposit answered with a payout',
      'deposit',
      order(1),
      { kind: 'other_transaction', message: `type 2 (payout), order ${ORDER}` },
    ],
    [
      'a final answer of another type is not final for us either',
      'payout',
      order(4, { type: 1 }),
      { kind: 'other_transaction', code: 'gateway_answered_other_type' },
    ],
    [
      'another external_id and another type name both',
      'payout',
      order(1, { type: 1, external_id: 'd-1' }),
      {
        kind: 'other_transaction',
        code: 'gateway_answered_other_external_id',
        message: `external_id d-1, type 1 (deposit), order ${ORDER}`,
      },
    ],
    ['a payout answered as a payout', 'payout', order(1), { kind: 'accepted' }],
    ['a deposit answered as a deposit', 'deposit', order(3, { type: 1 }), { kind: 'accepted' }],
    // The pages say answers carry type; one without it is taken as ours, as an answer without
    // external_id always was.
    ['a payout answer without type', 'payout', order(1, { type: undefined }), { kind: 'accepted' }],
  ])('%s', (_name, endpoint, body, expected) => {
    const type = endpoint === 'payout' ? 2 : 1;
    expect(classify(answered(200, body, { endpoint }), { external_id: 'po-1', type })).toMatchObject(
      expected,
    );
  });

  test('a status answer about another order_id is not ours', () => {
    const exchange = { ...answered(200, order(4)), endpoint: 'status' as const };
    expect(classify(exchange, { order_id: '1' })).toMatchObject({
      kind: 'unknown',
      code: 'mismatched_answer',
    });
    expect(classify(exchange, { order_id: ORDER })).toMatchObject({ kind: 'final' });
  });

  test.each<[GatewayEndpoint, Record<string, unknown>]>([
    [
      'status',
      {
        kind: 'rejected',
        httpStatus: 404,
        code: 'order_not_found',
        message: 'the gateway does not know this order (HTTP 404)',
      },
    ],
    ['payout', { kind: 'rejected', httpStatus: 404, code: 'http_404' }],
    ['balances', { kind: 'rejected', httpStatus: 404, code: 'http_404' }],
  ])('a 404 from %s', (endpoint, expected) => {
    expect(
      classifyFailure(answered(404, { error: { message: 'no such order' } }, { endpoint })),
    ).toMatchObject(expected);
  });

  test.each<GatewayEndpoint>(['status', 'balances'])(
    'a 409 from %s is a plain refusal, not a duplicate',
    (endpoint) => {
      expect(classifyFailure(answered(409, {}, { endpoint }))).toMatchObject({
        kind: 'rejected',
        httpStatus: 409,
      });
      expect(
        classifyFailure(answered(422, { error: { code: 'duplicate_external_id' } }, { endpoint })),
      ).toMatchObject({ kind: 'rejected' });
    },
  );
});
